"""The escalation rules (docs/architecture.md, "Quality rules") on a supplier's run of monthly
grades.

- three_c: the 3rd month in a row at C → an on-site audit and a meeting with the supplier's
  head of quality;
- three_d: the 3rd month in a row at D → a meeting with the supplier's top executive and an
  on-site audit;
- drop_two: two grades or more below the month before → a meeting with the supplier's quality
  contact and a written cause report: a case of the cause_report lifecycle, due as
  `[deadlines.cause_report.report]` says;
- grade_e: E → the supplier is blacklisted (unless it already is).

Once. A rule fires for the month that triggers it, and is recorded as a SupplierEscalation,
unique per supplier, month and rule: re-running the month finds the row and does nothing
again. A run of grades fires when it reaches 3 months, not on each month after: C, C, C fires
in the 3rd month, a 4th C does not (the run is 4 long), and only a broken run followed by 3
new C months fires again. A month without a stored grade breaks a run.

Notices. Each fired rule queues one notice (dedupe key `supplier:{id}:{month}:{rule}`) to the
people the rule names; the audit, the meetings and the report are work for people, recorded
in the escalation's actions. The on-site audit is opened as a planned case of the audit
lifecycle, its id kept in the escalation's case_id. No deadline row outside a case exists yet,
so the cause report's due time is kept in the actions as `cause_report_due=...`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from capaflow.audits import open_for_escalation
from capaflow.calendars import isoformat, readable
from capaflow.models import Notification, Supplier, SupplierDecision, SupplierEscalation
from capaflow.models.db import build, insert_rows, row_values
from capaflow.scorecards.cause_report import open_cause_report
from capaflow.scorecards.policy import GRADES, ScorecardPolicy

THREE_C = "three_c"
THREE_D = "three_d"
DROP_TWO = "drop_two"
GRADE_E = "grade_e"
RULES = (THREE_C, THREE_D, DROP_TWO, GRADE_E)
RUN_LENGTH = 3
# Grades needed before the month: the run's other months and the one that must break it.
LOOKBACK = RUN_LENGTH

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

_WHY = {
    THREE_C: f"grade C for {RUN_LENGTH} months in a row",
    THREE_D: f"grade D for {RUN_LENGTH} months in a row",
}

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


def triggered(grade: str, earlier: Sequence[str | None]) -> list[str]:
    """The rules `grade` sets off, given the grades of the months before (newest first),
    whether the supplier is blacklisted already or not (what is then done is the caller's)."""
    rules: list[str] = []
    for rule, run_grade in ((THREE_C, "C"), (THREE_D, "D")):
        run = [grade, *earlier[: RUN_LENGTH - 1]]
        before_run = earlier[RUN_LENGTH - 1] if len(earlier) >= RUN_LENGTH else None
        # Exactly 3 long: longer runs fired in their 3rd month already.
        if all(g == run_grade for g in run) and before_run != run_grade:
            rules.append(rule)
    previous = earlier[0] if earlier else None
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
    due_at: datetime | None, now: datetime,
) -> Notification:
    why = {
        **_WHY,
        DROP_TWO: f"grade {grade}, down from {earlier[0]} the month before",
        GRADE_E: "grade E: blacklisted",
    }[rule]
    lines = [
        f"Supplier {code}, {month}: score {score:g}, grade {grade} — {why}.",
        "Required now:",
        *(f"  - {_SAYS[a]}" for a in actions),
    ]
    if due_at is not None:
        lines.append(f"The written cause report is due {readable(due_at)}.")
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
    for rule in triggered(grade, earlier):
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
                why=f"grade {grade}, down from {earlier[0]} the month before",
                actor=actor, now=now, policy=policy.deadlines,
            )
            recorded = (*actions, f"cause_report_due={isoformat(due_at)}")
            session.connection().execute(
                update(_escalations)
                .where(_escalations.c.supplier_id == supplier_id,
                       _escalations.c.month == month, _escalations.c.rule == rule)
                .values(case_id=report_id, actions=list(recorded))
            )
        notice = _notice(supplier_id=supplier_id, code=code, month=month, score=score,
                         grade=grade, earlier=earlier, rule=rule, actions=actions,
                         due_at=due_at, now=now)
        _insert_ignoring_duplicate(session, _notifications, row_values(notice))
        if "on_site_audit" in actions:
            audit_id = open_for_escalation(session, code=code, month=month, why=_WHY[rule],
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
                           notice_key=notice.dedupe_key, due_at=due_at))
    return fired
