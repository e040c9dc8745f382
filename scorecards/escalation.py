"""The escalation rules (docs/architecture.md, "Quality rules") on a supplier's run of monthly
grades.

- three_c: the 3rd month in a row at C → an on-site audit and a meeting with the supplier's
  head of quality;
- three_d: the 3rd month in a row at D → a meeting with the supplier's top executive and an
  on-site audit;
- drop_two: two grades or more below the month before → a meeting with the supplier's quality
  contact and a written cause report: a case of the cause_report lifecycle, due as
  `[deadlines.cause_report.report]` says;
- each meeting is a case of the meeting lifecycle, owned by the quality lead and due as
  `[deadlines.meeting.held]` says, closed when its minutes are recorded;
- grade_e: E → the supplier is blacklisted (unless it already is).

Once. A rule fires for the month that triggers it, and is recorded as a SupplierEscalation,
unique per supplier, month and rule: re-running the month finds the row and does nothing
again. A run of grades fires when it reaches 3 months, not on each month after: C, C, C fires
in the 3rd month, a 4th C does not (the run is 4 long), and only a broken run followed by 3
new C months fires again; with `[scorecard] repeat_run_escalations` on, the run fires again in
its 6th, 9th, ... month. A month with no scorecard at all (never run, supplier not registered
yet) breaks a run; a month run and found NOT GRADED (nothing to grade in it) does not: the run
and the drop of two are read through it, from the last graded month, and it fires nothing.

Notices. Each fired rule queues one notice (dedupe key `supplier:{id}:{month}:{rule}`) to the
people the rule names; the audit, the meetings and the report are work for people, recorded
in the escalation's actions. The on-site audit is opened as a planned case of the audit
lifecycle, its id kept in the escalation's case_id. No deadline row outside a case exists yet,
so the cause report's due time is kept in the actions as `cause_report_due=...`. The meeting's
case id and due time are in what the run answers (Fired.meeting_case_id, meeting_due_at);
the stored actions stay as they were, and the case names the supplier, the month and the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from capaflow.audits import open_for_escalation
from capaflow.audittrail.decisions import chain_decision
from capaflow.calendars import isoformat, readable
from capaflow.models import Notification, Supplier, SupplierDecision, SupplierEscalation
from capaflow.models.db import build, insert_rows, row_values
from capaflow.scorecards.cause_report import open_cause_report
from capaflow.scorecards.meeting import WHO, open_meeting
from capaflow.scorecards.policy import GRADES, ScorecardPolicy

THREE_C = "three_c"
THREE_D = "three_d"
DROP_TWO = "drop_two"
GRADE_E = "grade_e"
RULES = (THREE_C, THREE_D, DROP_TWO, GRADE_E)
RUN_LENGTH = 3
# In the grades before a month (newest first): a month run and not graded. The rules look
# through it; None (no scorecard for the month) stops them.
NOT_GRADED = "not graded"

ACTIONS: dict[str, tuple[str, ...]] = {
    THREE_C: ("on_site_audit", "meeting_quality_head"),
    THREE_D: ("meeting_executive", "on_site_audit"),
    DROP_TWO: ("meeting_quality_contact", "cause_report"),
    GRADE_E: ("blacklisted",),
}
AUDIENCE: dict[str, tuple[str, ...]] = {
    THREE_C: ("supplier_quality_head", "quality_lead"),
    THREE_D: ("supplier_executive", "quality_manager"),
    DROP_TWO: ("supplier_contact", "quality_lead"),
    GRADE_E: ("supplier_contact", "supplier_quality_head", "quality_lead", "quality_manager"),
}
_SAYS = {
    "on_site_audit": "an on-site audit (5M1E)",
    "meeting_quality_head": "a meeting with your head of quality",
    "meeting_executive": "a meeting with your top executive",
    "meeting_quality_contact": "a meeting with your quality contact",
    "cause_report": "a written report of the cause",
    "blacklisted": "no new lots are accepted until a quality lead lifts the blacklist",
}

_RUN_GRADE = {THREE_C: "C", THREE_D: "D"}

_escalations: Table = SupplierEscalation.__table__  # type: ignore[attr-defined]
_notifications: Table = Notification.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fired:
    rule: str
    actions: tuple[str, ...]
    audience: tuple[str, ...]
    notice_key: str
    due_at: datetime | None = None
    # The meeting the rule asks for, opened as a case (three_c, three_d, drop_two).
    meeting_case_id: int | None = None
    meeting_due_at: datetime | None = None


def graded_before(earlier: Sequence[str | None]) -> list[str]:
    """The grades the rules read from those of the months before (newest first): months not
    graded are looked through, and the first month with no scorecard ends the history."""
    graded: list[str] = []
    for grade in earlier:
        if grade is None:
            break
        if grade != NOT_GRADED:
            graded.append(grade)
    return graded


def run_length(grade: str, earlier: Sequence[str | None]) -> int:
    """How many graded months in a row, this one included, are at `grade`."""
    run = 1
    for before in graded_before(earlier):
        if before != grade:
            break
        run += 1
    return run


def triggered(grade: str, earlier: Sequence[str | None], *, repeat: bool = False) -> list[str]:
    """The rules `grade` sets off, given the grades of the months before (newest first: a
    letter, NOT_GRADED, or None for no scorecard), whether the supplier is blacklisted already
    or not (what is then done is the caller's). `repeat`: a run fires again every 3 months."""
    rules: list[str] = []
    graded = graded_before(earlier)
    for rule, run_grade in _RUN_GRADE.items():
        if grade != run_grade:
            continue
        run = run_length(grade, graded)
        # Exactly 3 long: longer runs fired in their 3rd month already (and, repeating, in
        # each 3rd month after it).
        if run == RUN_LENGTH or (repeat and run % RUN_LENGTH == 0):
            rules.append(rule)
    previous = graded[0] if graded else None
    if previous is not None and GRADES.index(grade) - GRADES.index(previous) >= 2:
        rules.append(DROP_TWO)
    if grade == "E":
        # Recorded for every E month, blacklisted already or not: a month graded again after
        # a quality lead lifted the blacklist must find its E on record and not blacklist anew.
        rules.append(GRADE_E)
    return rules


def _insert_ignoring_duplicate(session: Session, table: Table, values: dict[str, object]) -> bool:
    """Insert one row unless its unique key exists; whether it was new.

    ON CONFLICT DO NOTHING rather than a look first: two runs of the same month at once
    (a flow and a hand-run command) then cannot both fire a rule.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return session.connection().execute(statement, values).first() is not None


def _notice(
    *, supplier_id: int, code: str, month: str, score: float, grade: str,
    earlier: Sequence[str | None], rule: str, actions: tuple[str, ...],
    due_at: datetime | None, meeting_due_at: datetime | None, now: datetime,
) -> Notification:
    why = _why(rule, grade, earlier)
    lines = [
        f"Supplier {code}, {month}: score {score:g}, grade {grade} — {why}.",
        "Required now:",
        *(f"  - {_SAYS[a]}" for a in actions),
    ]
    if due_at is not None:
        lines.append(f"The written cause report is due {readable(due_at)}.")
    if meeting_due_at is not None:
        lines.append(f"The meeting is to be held by {readable(meeting_due_at)}.")
    key = f"supplier:{supplier_id}:{month}:{rule}"
    return build(
        Notification,
        dedupe_key=key,
        kind="supplier_escalation",
        audience=list(AUDIENCE[rule]),
        subject=f"[capaflow] {code} {month}: {why}"[:300],
        body="\n".join(lines),
        # No case carries these notices: the supplier they concern is named here.
        extra={"supplier_id": supplier_id, "month": month, "rule": rule,
               "actions": list(actions),
               **({"due_at": isoformat(due_at)} if due_at is not None else {})},
        created_at=now,
        next_attempt_at=now,
    )


def _why(rule: str, grade: str, earlier: Sequence[str | None]) -> str:
    if rule in _RUN_GRADE:
        return f"grade {grade} for {run_length(grade, earlier)} months in a row"
    if rule == DROP_TWO:
        previous = graded_before(earlier)[0]
        # Months not graded in between are looked through: say so, not "the month before".
        when = "the month before" if earlier[0] == previous else "the last graded month"
        return f"grade {grade}, down from {previous} {when}"
    return "grade E: blacklisted"


def _blacklist(
    session: Session, *, supplier_id: int, month: str, score: float, now: datetime, actor: str
) -> None:
    reason = f"grade E for {month} (score {score:g})"
    session.connection().execute(
        update(_suppliers)
        .where(_suppliers.c.id == supplier_id, _suppliers.c.blacklisted_at.is_(None))
        .values(blacklisted_at=now, blacklist_reason=reason)
    )
    decision = build(SupplierDecision, supplier_id=supplier_id, decision="blacklisted",
                     reason=reason, actor=actor, at=now)
    chain_decision(session, decision)  # on the supplier's decision chain (audittrail)
    insert_rows(session, [decision], with_ids=False)


def apply(
    session: Session,
    *,
    supplier_id: int,
    code: str,
    month: str,
    score: float,
    grade: str,
    earlier: Sequence[str | None],
    blacklisted: bool,
    now: datetime,
    policy: ScorecardPolicy,
    actor: str,
) -> list[Fired]:
    """Fire the rules `grade` sets off that have not fired for this month; what fired."""
    fired: list[Fired] = []
    for rule in triggered(grade, earlier, repeat=policy.repeat_run_escalations):
        actions = ACTIONS[rule]
        due_at = None
        recorded = actions
        escalation = build(SupplierEscalation, supplier_id=supplier_id, month=month, rule=rule,
                           actions=list(recorded), created_at=now)
        if not _insert_ignoring_duplicate(session, _escalations, row_values(escalation)):
            continue  # fired by an earlier run of this month
        if rule == GRADE_E and blacklisted:
            continue  # on record for the month; nothing to tell or do, it is blacklisted
        if rule == DROP_TWO:
            # The report is a case of its own lifecycle, so its deadline is chased by the
            # sweep like any other and its timeliness counts in the response speed.
            report_id, due_at = open_cause_report(
                session, code=code, month=month,
                why=_why(rule, grade, earlier),
                actor=actor, now=now, policy=policy.deadlines,
            )
            recorded = (*actions, f"cause_report_due={isoformat(due_at)}")
            session.connection().execute(
                update(_escalations)
                .where(_escalations.c.supplier_id == supplier_id,
                       _escalations.c.month == month, _escalations.c.rule == rule)
                .values(case_id=report_id, actions=list(recorded))
            )
        meeting = next((a for a in actions if a in WHO), None)
        meeting_id = meeting_due = None
        if meeting is not None:
            # Tracked work like the report: owned by the quality lead, chased by the sweep
            # until its minutes are recorded.
            meeting_id, meeting_due = open_meeting(
                session, action=meeting, code=code, month=month,
                why=_why(rule, grade, earlier), actor=actor, now=now,
                policy=policy.deadlines,
            )
        notice = _notice(supplier_id=supplier_id, code=code, month=month, score=score,
                         grade=grade, earlier=earlier, rule=rule, actions=actions,
                         due_at=due_at, meeting_due_at=meeting_due, now=now)
        _insert_ignoring_duplicate(session, _notifications, row_values(notice))
        if "on_site_audit" in actions:
            audit_id = open_for_escalation(session, code=code, month=month,
                                           why=_why(rule, grade, earlier),
                                           actor=actor, now=now, policy=policy.deadlines)
            session.connection().execute(
                update(_escalations)
                .where(_escalations.c.supplier_id == supplier_id,
                       _escalations.c.month == month, _escalations.c.rule == rule)
                .values(case_id=audit_id)
            )
        if rule == GRADE_E:
            _blacklist(session, supplier_id=supplier_id, month=month, score=score, now=now,
                       actor=actor)
        fired.append(Fired(rule=rule, actions=actions, audience=AUDIENCE[rule],
                           notice_key=notice.dedupe_key, due_at=due_at,
                           meeting_case_id=meeting_id, meeting_due_at=meeting_due))
    return fired
