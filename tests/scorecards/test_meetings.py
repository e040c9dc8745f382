"""The meetings the grade escalations ask for are tracked work (issue 13, point 8; README
"Supplier grades"): a case of the meeting lifecycle, owned by the quality lead, due 14 days
after the run, reminded and escalated by the sweep among our own people, closed by its
minutes; opened once per rule and month, and never counted in the supplier's grade."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from capaflow.accounts.signatures import RECORD_MINUTES, meaning_for
from capaflow.casework.engine import needs_signature
from capaflow.models import Notification, SupplierEscalation
from capaflow.statemachines import LIFECYCLES
from capaflow.web.pages.portal import open_requests
from tests.cli.support import (
    D,
    H,
    add_signer,
    deadline,
    iso,
    ok,
    refused,
    show,
    signed_step,
)
from tests.scorecards.support import PIECES_FOR, defect, lot, mid, run_time, write_config

THREE_C = ("2025-12", "2026-01", "2026-02")
RUN = run_time("2026-02")  # 1 March 2026, 06:00 UTC
DUE = RUN + 14 * D


def _add_acme(db_url: str) -> None:
    ok(db_url, "supplier", "add", "ACME", "--name", "Acme Castings",
       "--contact", "json://127.0.0.1:9/contact",
       "--quality-head", "json://127.0.0.1:9/head",
       "--executive", "json://127.0.0.1:9/exec")


def _run(db_url: str, config: str, month: str, now: datetime) -> dict[str, Any]:
    document: dict[str, Any] = ok(db_url, "scorecard", "run", "--month", month,
                                  "--config", config, now=now)
    [graded] = document["suppliers"]
    return graded


def _grade_months(
    db_url: str, session: Session, config: str, grades: str, months: tuple[str, ...] = THREE_C,
) -> dict[str, Any]:
    """Line defects for one grade a month, each month run on the 1st of the next; the
    escalations of the last run, by rule."""
    graded: dict[str, Any] = {}
    for month, grade in zip(months, grades, strict=True):
        defect(session, 1, mid(month), PIECES_FOR[grade])
        graded = _run(db_url, config, month, run_time(month))
    return {e["rule"]: e for e in graded["escalations"]}


def _three_c(db_url: str, session: Session, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    _add_acme(db_url)
    config = write_config(tmp_path)
    fired = _grade_months(db_url, session, config, "CCC")
    return config, fired["three_c"]


def test_three_months_at_c_open_a_meeting_with_the_head_of_quality_owed_by_the_quality_lead_within_14_days(  # noqa: E501
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _config, three_c = _three_c(db_url, session, tmp_path)
    assert three_c["actions"] == ["on_site_audit", "meeting_quality_head"]
    assert three_c["meeting_due_at"] == iso(DUE)
    meeting = show(db_url, three_c["meeting_case_id"], now=RUN)
    assert (meeting["lifecycle"], meeting["state"], meeting["supplier"], meeting["owner"]) == (
        "meeting", "requested", "ACME", "quality_lead")
    assert meeting["title"] == (
        "Meeting with ACME's head of quality: grade C for 3 months in a row (2026-02)")
    held = deadline(meeting, "held")
    assert (held["status"], held["due_at"]) == ("pending", iso(DUE))
    assert meeting["allowed_triggers"] == ["record_minutes", "cancel"]
    # The audit is a case of its own, still the one the escalation row names.
    session.expire_all()
    row = session.exec(select(SupplierEscalation)).one()
    assert row.case_id != three_c["meeting_case_id"]
    assert show(db_url, row.case_id or 0, now=RUN)["lifecycle"] == "audit"
    # The notice to the supplier and the lead says by when the meeting is to be held.
    notice = session.exec(
        select(Notification).where(Notification.kind == "supplier_escalation")).one()
    assert "The meeting is to be held by" in notice.body


def test_three_months_at_d_and_a_drop_of_two_each_open_a_meeting_with_whom_they_name(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _add_acme(db_url)
    config = write_config(tmp_path)
    fired = _grade_months(db_url, session, config, "ADDD",
                          ("2025-11", *THREE_C))
    assert set(fired) == {"three_d"}
    executive = show(db_url, fired["three_d"]["meeting_case_id"], now=RUN)
    assert executive["title"].startswith("Meeting with ACME's top executive: grade D for 3")
    # A → D in December was a drop of two: a meeting with the quality contact beside the
    # written cause report, each a case with its own deadline.
    listed = ok(db_url, "case", "list", "--lifecycle", "meeting", now=RUN)
    titles = sorted(c["title"] for c in listed)
    assert titles == [
        "Meeting with ACME's quality contact: grade D, down from A the month before (2025-12)",
        "Meeting with ACME's top executive: grade D for 3 months in a row (2026-02)",
    ]
    assert len(ok(db_url, "case", "list", "--lifecycle", "cause_report", now=RUN)) == 1


def _sweep(db_url: str, when: datetime, case_id: int) -> list[dict[str, Any]]:
    """The sweep at `when`; what it did about the meeting."""
    report = ok(db_url, "sweep", now=when)
    return [a for a in report["actions"] if a["case"] == case_id]


def _notices(session: Session, case_id: int) -> list[tuple[str, int, list[str]]]:
    session.expire_all()
    rows = session.exec(select(Notification).where(Notification.case_id == case_id)
                        .where(Notification.kind != "case_moved")
                        .order_by(col(Notification.id))).all()
    return [(n.kind, n.escalation_level, list(n.audience)) for n in rows]


def test_the_meeting_is_reminded_and_escalated_by_the_sweep_until_its_minutes_are_recorded(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _config, three_c = _three_c(db_url, session, tmp_path)
    meeting = three_c["meeting_case_id"]
    assert [a["action"] for a in _sweep(db_url, DUE - 2 * D, meeting)] == []
    assert [a["action"] for a in _sweep(db_url, DUE - D + H, meeting)] == ["reminder"]
    assert [a["action"] for a in _sweep(db_url, DUE + H, meeting)] == ["escalation"]
    assert [a["level"] for a in _sweep(db_url, DUE + 2 * D + H, meeting)] == [2]
    # Ours to organise: the owner (the quality lead), then the lead, then the manager; none
    # of the supplier's people is chased for it.
    assert _notices(session, meeting) == [
        ("reminder", 0, ["owner"]),
        ("escalation", 1, ["owner"]),
        ("escalation", 2, ["quality_lead"]),
    ]
    add_signer(db_url)
    signed_step(db_url, meeting, "record_minutes", DUE + 3 * D,
         minutes="8D quality plan agreed; weekly calls until two months at B")
    assert _sweep(db_url, DUE + 6 * D, meeting) == []
    assert len(_notices(session, meeting)) == 3
    # Opening and closing it are told to our owner only, not to the supplier's contact.
    session.expire_all()
    moved = session.exec(select(Notification).where(Notification.case_id == meeting)
                         .where(Notification.kind == "case_moved")).all()
    assert [list(n.audience) for n in moved] == [["owner"], ["owner"]]


def test_a_meeting_left_unrecorded_reaches_the_quality_manager(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _config, three_c = _three_c(db_url, session, tmp_path)
    meeting = three_c["meeting_case_id"]
    assert [a["level"] for a in _sweep(db_url, DUE + 5 * D + H, meeting)] == [3]
    [(kind, level, audience)] = _notices(session, meeting)
    assert (kind, level, audience) == ("escalation", 3, ["quality_manager"])


def test_recording_the_minutes_closes_the_meeting(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    _config, three_c = _three_c(db_url, session, tmp_path)
    meeting = three_c["meeting_case_id"]
    refused(db_url, "case", "advance", str(meeting), "record_minutes",
            "--field", "attendees=lena, Acme's head of quality",
            exit_code=2, field="minutes", says=["minutes"], now=RUN + D)
    add_signer(db_url)
    signed_step(db_url, meeting, "record_minutes", RUN + 5 * D,
         minutes="Causes of the three C months reviewed; an 8D on the burrs by Friday",
         attendees="lena, Acme's head of quality", actions="8D on burrs; weekly call")
    closed = show(db_url, meeting, now=RUN + 5 * D)
    assert closed["state"] == "held"
    assert closed["content"]["minutes"].startswith("Causes of the three C months")
    held = deadline(closed, "held")
    assert (held["status"], held["met_on_time"]) == ("met", True)
    assert closed["allowed_triggers"] == []
    shown = ok(db_url, "lifecycle", "show", "meeting", now=RUN)
    assert "record_minutes" in str(shown)


def test_recording_the_minutes_is_a_signed_decision_on_the_web_and_the_api() -> None:
    meeting = LIFECYCLES["meeting"]
    assert needs_signature(meeting, "requested", "record_minutes")
    assert meaning_for("meeting", "record_minutes") == RECORD_MINUTES


def test_rerunning_the_month_opens_no_second_meeting(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config, _three_c_fired = _three_c(db_url, session, tmp_path)
    again = _run(db_url, config, "2026-02", RUN + 3 * D)
    assert again["escalations"] == []
    listed = ok(db_url, "case", "list", "--lifecycle", "meeting", now=RUN + 3 * D)
    assert len(listed) == 1


def test_a_meeting_never_counts_in_the_suppliers_response_speed(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    config, three_c = _three_c(db_url, session, tmp_path)
    # March: the meeting falls due on the 15th and is never held; a lot makes March gradable.
    lot(session, 1, mid("2026-03"))
    march = _run(db_url, config, "2026-03", run_time("2026-03"))
    speed = march["components"]["response_speed"]
    assert speed["deadlines_due"] == 0
    meeting = show(db_url, three_c["meeting_case_id"], now=run_time("2026-03"))
    assert deadline(meeting, "held")["overdue"]
    # Nor does the supplier portal ask the supplier for it.
    session.expire_all()
    assert open_requests(session, 1, run_time("2026-03")) == []
