"""What the spot-check tests share: people of the desk, requests closed in a week (written
as the rows the service desk leaves behind, so a week of hundreds needs no hundred commands),
and the field service technician's standard imported through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from capaflow.models import Case
from capaflow.models.db import get_engine
from tests.cli.support import ok

# ISO week 2026-W49: Monday 30 November to Sunday 6 December (UTC calendar by default).
WEEK = "2026-W49"
WEEK_START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
AFTER_WEEK = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the Monday after: the draw runs
H = timedelta(hours=1)

STANDARD = """department = "field_service"
position = "technician"
title = "Field service visit"

[[items]]
code = "FS-01"
text = "Arrives within the agreed window"
weight = 2
factor = "methods"

[[items]]
code = "FS-02"
text = "Introduces themself by name"
weight = 1
factor = "people"

[[items]]
code = "FS-03"
text = "Isolates the power before opening the unit"
weight = 3
factor = "environment"
critical = true
"""


def add_people(db: str) -> None:
    ok(db, "person", "add", "ann", "--team", "field", now=WEEK_START)
    ok(db, "person", "add", "ben", "--team", "field", now=WEEK_START)
    ok(db, "person", "add", "lea", "--team", "field", "--lead", now=WEEK_START)
    ok(db, "person", "add", "dan", "--team", "desk", now=WEEK_START)


def close_requests(db: str, per_person: dict[str, int], *, start: datetime = WEEK_START,
                   title: str = "Repair") -> dict[str, list[int]]:
    """`n` service requests closed by each person, spread over the week from `start`."""
    rows = []
    for person, count in per_person.items():
        for n in range(count):
            at = start + timedelta(minutes=(7 * 24 * 60 - 1) * n // max(count, 1))
            rows.append({"lifecycle": "service", "state": "closed", "title": f"{title} {n}",
                         "severity": "minor", "complexity": "general", "owner": person,
                         "content": {"outcome": "solved"}, "opened_at": at - H,
                         "updated_at": at, "closed_at": at})
    made: dict[str, list[int]] = {p: [] for p in per_person}
    cases = Case.__table__  # type: ignore[attr-defined]
    with get_engine(db).begin() as conn:
        for row in rows:
            case_id = conn.execute(insert(cases).values(**row)).inserted_primary_key
            made[str(row["owner"])].append(int(case_id[0]))  # type: ignore[index]
    return made


def import_standard(db: str, tmp: Path) -> None:
    path = tmp / "technician.toml"
    path.write_text(STANDARD, encoding="utf-8")
    ok(db, "standard", "import", str(path), now=WEEK_START)
