"""A month with nothing to grade is not graded, and the escalation rules look through it to
the last graded month (issue 13, point 2); a run may escalate again every 3 months when the
site says so (point 10). Through `capa scorecard run --json`, as the monthly flow runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session

from capaflow.scorecards import months
from tests.cli.support import refused
from tests.conftest import T0
from tests.helpers import capa_json
from tests.scorecards.support import (
    LINE_ONLY_TOML,
    PIECES_FOR,
    defect,
    mid,
    run_time,
    supplier,
    write_config,
)

NOT_GRADED = "nothing to grade: no lot inspected, no defect, no deadline due, no reopen"


def run(db_url: str, config: str, month: str) -> dict[str, Any]:
    """The month's run on the 1st of the next, as the flow does it; ACME's line."""
    document = capa_json("scorecard", "run", "--month", month, "--db", db_url,
                         "--now", run_time(month).isoformat(), "--config", config)
    [graded] = [s for s in document["suppliers"] if s["supplier"] == "ACME"]
    result: dict[str, Any] = graded
    return result


def run_grades(
    db_url: str, session: Session, config: str, grades: str, first: str = "2025-11"
) -> list[dict[str, Any]]:
    """One month per letter from `first`: "-" records nothing, a letter the line defects
    that grade needs."""
    acme = supplier(session)
    results = []
    for n, grade in enumerate(grades):
        month = months.shift(first, n)
        if grade != "-":
            defect(session, acme, mid(month), PIECES_FOR[grade])
        results.append(run(db_url, config, month))
    return results


def fired(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["month"], e["rule"]) for r in results for e in r["escalations"]]


def test_an_empty_month_fires_no_drop(db_url: str, session: Session, tmp_path: Path) -> None:
    # Before issue 13 the empty January was graded A (95.0), and February's ordinary C was
    # "a drop of two grades": a meeting and a cause report for nothing.
    config = write_config(tmp_path)
    december, january, february = run_grades(db_url, session, config, "C-C", "2025-12")
    assert (january["graded"], january["grade"], january["score"]) == (False, None, None)
    assert january["not_graded_reason"] == NOT_GRADED
    assert january["escalations"] == []
    assert (january["previous_grade"], january["previous_month"]) == ("C", "2025-12")
    assert (february["grade"], february["escalations"]) == ("C", [])
    assert (february["previous_grade"], february["previous_month"]) == ("C", "2025-12")
    assert december["graded"] and february["graded"]
    # Stored as such: the history shows the month, not graded.
    shown = capa_json("scorecard", "show", "--supplier", "ACME", "--months", "4", "--db",
                      db_url, "--now", T0.isoformat(), "--config", config)
    assert [(m["month"], m["grade"], m["graded"]) for m in shown] == [
        ("2025-12", "C", True), ("2026-01", None, False), ("2026-02", "C", True)]
    assert shown[1]["not_graded_reason"] == NOT_GRADED


def test_c_c_not_graded_c_escalates(db_url: str, session: Session, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    results = run_grades(db_url, session, config, "CC-C")
    assert [r["grade"] for r in results] == ["C", "C", None, "C"]
    assert fired(results) == [("2026-02", "three_c")]


def test_a_drop_of_two_is_judged_against_the_last_graded_month(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    results = run_grades(db_url, session, config, "A-C")
    assert fired(results) == [("2026-01", "drop_two")]
    assert results[2]["previous_month"] == "2025-11"


def test_a_blacklisted_supplier_whose_lots_are_all_refused_is_not_graded_the_month_after(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    [january] = run_grades(db_url, session, config, "E", "2026-01")
    assert january["blacklisted"] and fired([january]) == [("2026-01", "grade_e")]
    refused(db_url, "inspect", "record", "--supplier", "ACME", "--part", "P-100", "--lot",
            "F-1", "--lot-size", "500", "--sampled", "50", "--defects", "0",
            exit_code=4, field="supplier", now=mid("2026-02"))
    february = run(db_url, config, "2026-02")
    assert (february["graded"], february["grade"], february["escalations"]) == (False, None, [])
    assert february["not_graded_reason"] == "blacklisted: no lot accepted in the month"


def test_a_cooperation_rating_alone_is_nothing_to_grade(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    supplier(session)
    config = write_config(tmp_path)
    capa_json("supplier", "rate", "ACME", "--month", "2026-02", "--attitude", "cooperative",
              "--db", db_url, "--now", T0.isoformat())
    assert run(db_url, config, "2026-02")["graded"] is False


REPEAT_TOML = LINE_ONLY_TOML + "\n[scorecard]\nrepeat_run_escalations = true\n"


def test_with_repeat_on_six_months_at_c_escalate_twice(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config = write_config(tmp_path, REPEAT_TOML)
    results = run_grades(db_url, session, config, "CCCCCCC")
    assert fired(results) == [("2026-01", "three_c"), ("2026-04", "three_c")]


def test_with_repeat_off_six_months_at_c_escalate_once(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    results = run_grades(db_url, session, config, "CCCCCC")
    assert fired(results) == [("2026-01", "three_c")]


def test_with_repeat_on_a_run_of_d_counts_its_months_not_graded_through(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config = write_config(tmp_path, REPEAT_TOML)
    results = run_grades(db_url, session, config, "DDD-DDD")
    assert fired(results) == [("2026-01", "three_d"), ("2026-05", "three_d")]
