"""What the scorecard tests share: rows written straight to the database, and policies.

Lots are inserted as rows: the inspection commands that record them are built elsewhere, and
the grades only read the rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from capaflow.calendars import BusinessCalendar
from capaflow.config import load_policies, merge_policies
from capaflow.models import Case, CaseEvent, Deadline, DefectEvent, InspectionLot, Supplier
from capaflow.scorecards.policy import ScorecardPolicy, load_scorecard_policy
from tests.conftest import T0

# Grading runs on the first of the month after: T0 is Monday 2 March 2026, February's run.
RUN_AT = T0

# A policy where only line defects count, 100 points at none and 0 at 100 pieces: the score
# is 100 minus the pieces, so a test picks a grade by the pieces it records.
LINE_ONLY: dict[str, Any] = {
    "scorecard": {
        "weights": {"acceptance": 0, "ppm": 0, "line_defects": 1, "response_speed": 0,
                    "cooperation": 0, "recurrence": 0},
        "scales": {"line_defects": {"full": 0, "zero": 100}},
    }
}
PIECES_FOR = {"A": 5, "B": 15, "C": 25, "D": 35, "E": 50}

LINE_ONLY_TOML = """
[scorecard.weights]
acceptance = 0
ppm = 0
line_defects = 1
response_speed = 0
cooperation = 0
recurrence = 0

[scorecard.scales]
line_defects = { full = 0, zero = 100 }
"""


def policy(override: dict[str, Any] | None = None, timezone: str = "UTC") -> ScorecardPolicy:
    policies = merge_policies(load_policies(), override or {})
    return load_scorecard_policy(policies, BusinessCalendar(timezone=timezone))


def write_config(folder: Path, text: str = LINE_ONLY_TOML) -> str:
    path = folder / "site.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def mid(month: str, day: int = 15) -> datetime:
    year, number = (int(p) for p in month.split("-"))
    return datetime(year, number, day, 10, 0, tzinfo=UTC)


def run_time(month: str) -> datetime:
    """The monthly run for `month`: 06:00 on the 1st of the month after."""
    year, number = (int(p) for p in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 1, 6, 0, tzinfo=UTC)


def supplier(session: Session, code: str = "ACME", created: datetime | None = None) -> int:
    row = Supplier(code=code, name=f"{code} Ltd", contact_url="json://127.0.0.1:9/contact",
                   created_at=created or datetime(2025, 1, 1, tzinfo=UTC))
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


_lot_number = iter(range(1, 10**9))


def lot(
    session: Session, supplier_id: int, at: datetime, *, accepted: bool = True,
    sampled: int = 50, defects: int = 0, defect_code: str | None = None,
) -> int:
    row = InspectionLot(
        supplier_id=supplier_id, part="P-100", lot=f"L{next(_lot_number)}", lot_size=500,
        sample_size=sampled, defects=defects, defect_code=defect_code, severity="normal",
        accepted=accepted, inspected_at=at, recorded_at=at,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def defect(
    session: Session, supplier_id: int, at: datetime, pieces: int, *, source: str = "line",
    code: str = "BURR", lot_id: int | None = None,
) -> None:
    """A defect event; `lot_id`: the rejected lot it is the intake's record of, as
    `inspect record` writes it."""
    session.add(DefectEvent(supplier_id=supplier_id, part="P-100", defect_code=code,
                            quantity=pieces, occurred_at=at, recorded_at=at, source=source,
                            inspection_lot_id=lot_id))
    session.commit()


def case_for(session: Session, supplier_id: int, opened: datetime) -> int:
    row = Case(lifecycle="8d", state="containment", title="Burr on edge",
               supplier_id=supplier_id, opened_at=opened, updated_at=opened)
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def closed_deadline(
    session: Session, case_id: int, closed: datetime, *, on_time: bool,
    kind: str = "obligation",
) -> None:
    """A deadline met at `closed`, started 2 days before: due an hour after (on time) or an
    hour before (late, by an hour of its 47 allowed)."""
    session.add(Deadline(
        case_id=case_id, key="containment", kind=kind, title="D3 containment",
        started_by="open", started_seq=1, started_at=closed - timedelta(days=2),
        due_at=closed + (timedelta(hours=1) if on_time else -timedelta(hours=1)),
        status="met", closed_at=closed, met_on_time=on_time,
    ))
    session.commit()


def reopen_event(session: Session, case_id: int, at: datetime, seq: int) -> None:
    session.add(CaseEvent(case_id=case_id, seq=seq, at=at, actor="intake", action="reopen",
                          from_state="effectiveness_tracking", to_state="containment",
                          prev_hash="0" * 64, hash=f"{seq:064d}"))
    session.commit()


def grade_with_line_defects(session: Session, supplier_id: int, month: str, grade: str) -> None:
    defect(session, supplier_id, mid(month), PIECES_FOR[grade])
