"""Reviewing a drawn request against the standard (docs/architecture.md, "Service quality
control"): scored by the standard ("100 − 1 = 0"), a failed item owes the person a training
item the sweep chases, conformance per person and team per month; bad input names its field
and writes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from capaflow.models.db import get_engine
from capaflow.spotchecks.figures import conformance, failed_by_factor
from tests.cli.support import ok, refused
from tests.spotchecks.support import (
    AFTER_WEEK,
    WEEK,
    H,
    add_people,
    close_requests,
    import_standard,
)

DECEMBER = (datetime.fromisoformat("2026-12-01T00:00:00+00:00"),
            datetime.fromisoformat("2027-01-01T00:00:00+00:00"))


@pytest.fixture
def drawn_db(db_url: str, tmp_path: Path) -> str:
    add_people(db_url)
    close_requests(db_url, {"ann": 4, "dan": 2})
    import_standard(db_url, tmp_path)
    ok(db_url, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    return db_url


def _of(db: str, person: str) -> list[int]:
    listed = ok(db, "spotcheck", "list", "--week", WEEK, now=AFTER_WEEK)
    return [r["id"] for r in listed["spotchecks"] if r["person"] == person]


def _review(db: str, spot: int, *results: str, by: str = "lea") -> dict[str, object]:
    args = [a for r in results for a in ("--result", r)]
    document: dict[str, object] = ok(db, "spotcheck", "review", str(spot), *args, "--by", by,
                                     now=AFTER_WEEK + H)
    return document


def _training(db: str, person: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = ok(db, "person", "show", person,
                                        now=AFTER_WEEK + H)["training"]
    return items


def test_a_review_with_every_item_passed_scores_100_and_meets_the_review_deadline(
    drawn_db: str,
) -> None:
    spot = _of(drawn_db, "ann")[0]
    reviewed = _review(drawn_db, spot, "FS-01=pass", "FS-02=pass", "FS-03=pass")
    assert (reviewed["state"], reviewed["score"], reviewed["passed"],
            reviewed["standard_version"], reviewed["reviewed_by"]) == (
        "reviewed", 100.0, True, 1, "lea")
    case = ok(drawn_db, "case", "show", str(spot), now=AFTER_WEEK + H)
    assert [d["status"] for d in case["deadlines"] if d["key"] == "review"] == ["met"]
    assert _training(drawn_db, "ann") == []


def test_a_failed_item_scores_by_weight_and_owes_the_person_training(drawn_db: str) -> None:
    spot = _of(drawn_db, "ann")[0]
    reviewed = _review(drawn_db, spot, "FS-01=fail", "FS-02=pass", "FS-03=pass")
    assert (reviewed["score"], reviewed["passed"]) == (66.67, False)
    training = _training(drawn_db, "ann")
    assert len(training) == 1 and "FS-01" in str(training[0]["title"])
    case = ok(drawn_db, "case", "show", str(spot), now=AFTER_WEEK + H)
    owed = [d for d in case["deadlines"] if d["key"].startswith("training:")]
    assert [d["status"] for d in owed] == ["pending"]
    ok(drawn_db, "training", "done", str(training[0]["id"]), now=AFTER_WEEK + 2 * H)
    case = ok(drawn_db, "case", "show", str(spot), now=AFTER_WEEK + 2 * H)
    assert [d["status"] for d in case["deadlines"] if d["key"].startswith("training:")] == [
        "met"]


def test_a_failed_critical_item_scores_zero(drawn_db: str) -> None:
    spot = _of(drawn_db, "ann")[0]
    reviewed = _review(drawn_db, spot, "FS-01=pass", "FS-02=pass", "FS-03=fail")
    assert (reviewed["score"], reviewed["passed"]) == (0.0, False)


def test_conformance_per_person_and_team_and_the_monthly_figures(drawn_db: str) -> None:
    first, second = _of(drawn_db, "ann")[:2]
    _review(drawn_db, first, "FS-01=pass", "FS-02=pass", "FS-03=pass")
    _review(drawn_db, second, "FS-01=fail", "FS-02=pass", "FS-03=pass")
    report = ok(drawn_db, "spotcheck", "report", "--month", "2026-12", now=AFTER_WEEK + H)
    ann = next(p for p in report["people"] if p["name"] == "ann")
    assert (ann["spot_checks"], ann["fully_passed"], ann["items"], ann["items_passed"],
            ann["item_conformance"], ann["full_conformance"]) == (2, 1, 6, 5, 0.8333, 0.5)
    assert [t["name"] for t in report["teams"]] == ["field"]
    with Session(get_engine(drawn_db)) as session:
        assert conformance(session, "field_service", *DECEMBER) == pytest.approx(5 / 6)
        assert conformance(session, "back_office", *DECEMBER) is None
        assert failed_by_factor(session, None, *DECEMBER) == {"methods": 1}
    csv_text = ok_text(drawn_db, "spotcheck", "report", "--month", "2026-12", "--format", "csv")
    assert csv_text.splitlines()[1].startswith("2026-12,person,ann,field,2,1,6,5,")
    md = ok_text(drawn_db, "spotcheck", "report", "--month", "2026-12")
    assert "| ann | field | 2 | 50.0 % | 83.3 % |" in md


def ok_text(db: str, *args: str) -> str:
    from tests.helpers import capa
    result = capa(*args, "--db", db, "--now", (AFTER_WEEK + H).isoformat())
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("results", "by", "exit_code", "field"), [
    (("FS-01=pass", "FS-02=pass", "FS-03=maybe"), "lea", 2, "result"),
    (("FS-01=pass", "FS-02=pass", "FS-09=pass"), "lea", 2, "item"),
    (("FS-01=pass", "FS-02=pass"), "lea", 2, "item"),
    (("FS-01=pass", "FS-02=pass", "FS-03=pass"), "nobody", 3, "by"),
    (("FS-01=pass", "FS-02=pass", "FS-03=pass"), "ann", 2, "by"),
    (("FS-01", "FS-02=pass", "FS-03=pass"), "lea", 2, "result"),
    ((), "lea", 2, "result"),
])
def test_a_bad_review_names_its_field_and_writes_nothing(
    drawn_db: str, results: tuple[str, ...], by: str, exit_code: int, field: str,
) -> None:
    spot = _of(drawn_db, "ann")[0]
    args = [a for r in results for a in ("--result", r)]
    refused(drawn_db, "spotcheck", "review", str(spot), *args, "--by", by,
            exit_code=exit_code, field=field, now=AFTER_WEEK + H)


def test_a_spot_check_is_reviewed_once_and_an_unknown_one_is_not_found(drawn_db: str) -> None:
    spot = _of(drawn_db, "ann")[0]
    _review(drawn_db, spot, "FS-01=pass", "FS-02=pass", "FS-03=pass")
    refused(drawn_db, "spotcheck", "review", str(spot), "--result", "FS-01=pass", "--result",
            "FS-02=pass", "--result", "FS-03=pass", "--by", "lea", exit_code=4,
            field="spotcheck", now=AFTER_WEEK + H)
    refused(drawn_db, "spotcheck", "review", "999", "--result", "FS-01=pass", "--by", "lea",
            exit_code=3, field="spotcheck", now=AFTER_WEEK + H)


def test_a_person_of_a_department_without_a_standard_cannot_be_reviewed_yet(
    drawn_db: str,
) -> None:
    spot = _of(drawn_db, "dan")[0]  # the desk: no agent standard imported
    refused(drawn_db, "spotcheck", "review", str(spot), "--result", "X=pass", "--by", "lea",
            exit_code=3, field="department", now=AFTER_WEEK + H)


def test_a_bad_report_month_or_format_names_its_field(drawn_db: str) -> None:
    refused(drawn_db, "spotcheck", "report", "--month", "2026-13", exit_code=2, field="month",
            now=AFTER_WEEK)
    refused(drawn_db, "spotcheck", "report", "--month", "2026-12", "--format", "pdf",
            exit_code=2, field="format", now=AFTER_WEEK)
