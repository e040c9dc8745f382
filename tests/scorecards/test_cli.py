"""The commands: rate, lift-blacklist, scorecard run/show, and their refusals
(docs/architecture.md, "Exit codes")."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from capaflow.models import SupplierDecision, SupplierEscalation, SupplierRating
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot
from tests.scorecards.support import (
    LINE_ONLY_TOML,
    PIECES_FOR,
    defect,
    lot,
    mid,
    run_time,
    supplier,
    write_config,
)

NOW = T0.isoformat()  # 2 March 2026


def ok(db_url: str, *args: str) -> object:
    return capa_json(*args, "--db", db_url, "--now", NOW)


def refused(db_url: str, code: int, field: str | None, *args: str) -> str:
    """Run a command that must be refused: its exit code, the field its error names, and not
    one row written; its message."""
    before = snapshot(db_url)
    result = capa(*args, "--db", db_url, "--now", NOW, "--json")
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    error = json.loads(result.stdout)["error"]
    if field is not None:
        assert error["field"] == field, error
    assert snapshot(db_url) == before
    message: str = error["message"]
    return message


def test_rating_a_month_twice_keeps_the_newer_attitude(db_url: str, session: Session) -> None:
    supplier(session)
    ok(db_url, "supplier", "rate", "ACME", "--month", "2026-02", "--attitude", "cooperative",
       "--by", "lena")
    document = ok(db_url, "supplier", "rate", "ACME", "--month", "2026-02",
                  "--attitude", "not_cooperative", "--by", "omar")
    assert document == {"supplier": "ACME", "month": "2026-02", "attitude": "not_cooperative",
                        "rated_by": "omar", "rated_at": NOW}
    session.expire_all()
    [rating] = session.exec(select(SupplierRating)).all()
    assert (rating.attitude, rating.rated_by) == ("not_cooperative", "omar")


def test_a_rating_counts_in_that_months_grade(db_url: str, session: Session) -> None:
    supplier(session)
    ok(db_url, "supplier", "rate", "ACME", "--month", "2026-02", "--attitude",
       "basically_cooperative")
    document = ok(db_url, "scorecard", "run", "--month", "2026-02")
    assert isinstance(document, dict)
    [graded] = document["suppliers"]
    assert graded["components"]["cooperation"]["points"] == 50.0


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [
        (("--month", "2026-04", "--attitude", "cooperative"), 2, "month"),
        (("--month", "2026-3", "--attitude", "cooperative"), 2, "month"),
        (("--month", "2026-02", "--attitude", "friendly"), 2, "attitude"),
    ],
)
def test_rating_refuses_a_future_or_malformed_month_and_an_unknown_attitude(
    db_url: str, session: Session, args: tuple[str, ...], code: int, field: str,
) -> None:
    supplier(session)
    message = refused(db_url, code, field, "supplier", "rate", "ACME", *args)
    if field == "attitude":
        for attitude in ("very_cooperative", "cooperative", "basically_cooperative",
                         "not_cooperative"):
            assert attitude in message


def test_rating_an_unknown_supplier_is_not_found(db_url: str) -> None:
    refused(db_url, 3, "supplier", "supplier", "rate", "NOPE", "--month", "2026-02",
            "--attitude", "cooperative")


def _blacklist_by_grade_e(db_url: str, session: Session, tmp_path: Path) -> str:
    acme = supplier(session)
    defect(session, acme, mid("2026-02"), PIECES_FOR["E"])
    config = write_config(tmp_path)
    document = capa_json("scorecard", "run", "--month", "2026-02", "--db", db_url,
                         "--now", run_time("2026-02").isoformat(), "--config", config)
    [graded] = document["suppliers"]
    assert graded["grade"] == "E"
    assert [e["rule"] for e in graded["escalations"]] == ["grade_e"]
    assert graded["blacklisted"] is True
    return config


def test_lifting_a_blacklist_records_the_decision_and_clears_it(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _blacklist_by_grade_e(db_url, session, tmp_path)
    document = ok(db_url, "supplier", "lift-blacklist", "ACME", "--reason",
                  "8D closed, audit passed", "--by", "lena")
    assert document == {"supplier": "ACME", "decision": "blacklist_lifted",
                        "reason": "8D closed, audit passed", "by": "lena", "at": NOW,
                        "blacklisted": False}
    session.expire_all()
    decisions = session.exec(select(SupplierDecision).order_by(col(SupplierDecision.id))).all()
    assert [(d.decision, d.actor) for d in decisions] == [
        ("blacklisted", "capaflow"), ("blacklist_lifted", "lena"),
    ]
    # Lifted once; a second lift has nothing to lift.
    refused(db_url, 4, "supplier", "supplier", "lift-blacklist", "ACME", "--reason", "again")


def test_lifting_a_blacklist_needs_a_reason(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _blacklist_by_grade_e(db_url, session, tmp_path)
    refused(db_url, 2, "reason", "supplier", "lift-blacklist", "ACME")
    refused(db_url, 2, "reason", "supplier", "lift-blacklist", "ACME", "--reason", "  ")


def test_lifting_the_blacklist_of_a_supplier_not_blacklisted_is_a_conflict(
    db_url: str, session: Session,
) -> None:
    supplier(session)
    refused(db_url, 4, "supplier", "supplier", "lift-blacklist", "ACME", "--reason", "why")
    refused(db_url, 3, "supplier", "supplier", "lift-blacklist", "NOPE", "--reason", "why")


def test_scorecard_run_prints_each_suppliers_score_grade_components_and_escalations(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    acme = supplier(session)
    config = write_config(tmp_path)
    for month, grade in (("2025-12", "A"), ("2026-01", "C")):
        defect(session, acme, mid(month), PIECES_FOR[grade])
        capa_json("scorecard", "run", "--month", month, "--db", db_url, "--now", NOW,
                  "--config", config)
    document = capa_json("scorecard", "run", "--month", "2026-01", "--db", db_url, "--now",
                         NOW, "--config", config)
    # Re-run: the drop of two fired on the first run of January, not again.
    assert document["suppliers"][0]["escalations"] == []
    shown = capa_json("scorecard", "show", "--supplier", "ACME", "--months", "4",
                      "--db", db_url, "--now", NOW, "--config", config)
    assert [(m["month"], m["grade"]) for m in shown] == [("2025-12", "A"), ("2026-01", "C")]
    assert [e["rule"] for e in shown[1]["escalations"]] == ["drop_two"]
    assert set(shown[1]["components"]) == {"acceptance", "ppm", "line_defects",
                                           "response_speed", "cooperation", "recurrence",
                                           "delivery_documents"}
    # --months 1 shows only March (nothing graded yet).
    assert capa_json("scorecard", "show", "--months", "1", "--db", db_url, "--now", NOW) == []


def test_scorecard_run_defaults_to_the_month_before_now(db_url: str, session: Session) -> None:
    supplier(session)
    document = ok(db_url, "scorecard", "run")
    assert isinstance(document, dict)
    assert document["month"] == "2026-02"


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("[scorecard.weights]\nppm = -1\n", "scorecard.weights.ppm"),
        ("[scorecard.weights]\nppm = \"high\"\n", "scorecard.weights.ppm"),
        ("[scorecard.grades]\nB = 95\n", "scorecard.grades.B"),
        ("[scorecard.scales]\nppm = { full = 10, zero = 10 }\n", "scorecard.scales.ppm"),
        ("[scorecard.scales.acceptance]\nfull = 1.5\n", "scorecard.scales.acceptance.full"),
        ("[scorecard.attitude_points]\ncooperative = 120\n",
         "scorecard.attitude_points.cooperative"),
        ("[scorecard]\nunrated_attitude = \"meh\"\n", "scorecard.unrated_attitude"),
        ("[deadlines.cause_report.report]\ndue = \"ten days\"\n",
         "deadlines.cause_report.report.due"),
        ("[scorecard.weights]\nline_defects = 0\ncooperation = 0\nrecurrence = 0\n",
         "scorecard.weights"),
    ],
)
def test_a_bad_scorecard_setting_is_refused_naming_its_key(
    db_url: str, session: Session, tmp_path: Path, setting: str, field: str,
) -> None:
    supplier(session)
    lot(session, 1, mid("2026-02"))
    config = write_config(tmp_path, setting)
    refused(db_url, 2, field, "scorecard", "run", "--month", "2026-02", "--config", config)


@pytest.mark.parametrize(
    ("month", "field"), [("2026-04", "month"), ("26-02", "month"), ("2026-13", "month")]
)
def test_scorecard_run_refuses_a_future_or_malformed_month_and_writes_nothing(
    db_url: str, session: Session, month: str, field: str,
) -> None:
    supplier(session)
    refused(db_url, 2, field, "scorecard", "run", "--month", month)


def test_scorecard_show_of_an_unknown_supplier_is_not_found(db_url: str) -> None:
    refused(db_url, 3, "supplier", "scorecard", "show", "--supplier", "NOPE")
    refused(db_url, 2, "months", "scorecard", "show", "--months", "0")


def test_scorecard_run_opens_the_escalation_audit_with_the_config_it_was_given(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    # CAPA_CONFIG is unset (tests/conftest.py): only --config can carry the site's 5 days.
    acme = supplier(session)
    config = write_config(tmp_path, LINE_ONLY_TOML + '\n[deadlines.audit.conduct]\ndue = "5d"\n')
    for month in ("2025-12", "2026-01", "2026-02"):
        defect(session, acme, mid(month), PIECES_FOR["C"])
        document = capa_json("scorecard", "run", "--month", month, "--db", db_url,
                             "--now", NOW, "--config", config)
    assert isinstance(document, dict)
    [graded] = document["suppliers"]
    assert [e["rule"] for e in graded["escalations"]] == ["three_c"]
    session.expire_all()
    escalation = session.exec(select(SupplierEscalation)).one()
    shown = capa_json("case", "show", str(escalation.case_id), "--db", db_url, "--now", NOW)
    [conduct] = [d for d in shown["deadlines"] if d["key"] == "conduct"]
    assert datetime.fromisoformat(conduct["due_at"]) == T0 + timedelta(days=5)  # default 30d
