"""Drills: each plan is rehearsed every `drill_every`; a drill is recorded as an incident
flagged as one (`declare(..., drill=True)`), which restarts the plan's drill clock.

Why notices and not deadline rows: a plan lives in the policies, not in the database, so it
has no case a deadline row could belong to. The drill clock is read from the incidents
themselves (the type's last drill, an indexed look-up), and a drill that is due is reminded by
one notice per plan and period whose dedupe key names the period (docs/architecture.md,
"At-least-once out, exactly-once in"): however often `remind_due_drills` runs, by the flow or
`capa incident drills`, each period reminds once. A period is one drill interval from the due
time on; a plan never drilled is due from the start and reminded once until its first drill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from capaflow.calendars import Duration, isoformat, readable
from capaflow.incidents.plans import Plan, Plans
from capaflow.models import Incident, Notification
from capaflow.models.db import build, row_values

# Who is reminded of a drill due: the roles on call for the plan, and the service manager.
DRILL_AUDIENCE = ("service_manager",)


@dataclass(frozen=True)
class DrillClock:
    plan: Plan
    last_drill: datetime | None
    next_due: datetime | None  # None: never drilled, due now
    due: bool
    # The period a reminder now belongs to (its dedupe key), when due.
    period: str | None


def last_drills(session: Session) -> dict[str, datetime]:
    rows = session.exec(
        select(Incident.type, func.max(Incident.declared_at))
        .where(col(Incident.drill).is_(True)).group_by(Incident.type))
    return {t: at for t, at in rows if at is not None}


def drill_clocks(session: Session, *, plans: Plans, now: datetime) -> list[DrillClock]:
    """Each plan's drill clock at `now`: its last drill, when the next is due, whether due."""
    last = last_drills(session)
    clocks = []
    for plan in plans.plans.values():
        previous = last.get(plan.code)
        if previous is None:
            clocks.append(DrillClock(plan=plan, last_drill=None, next_due=None, due=True,
                                     period="never"))
            continue
        due_at = plans.next_drill(plan, previous)
        period = None
        if due_at <= now:
            # The period now running: the due time moved on by whole intervals.
            start, k = due_at, 1
            while k < 1000:
                following = plans.calendar.add(
                    due_at, Duration(plan.drill_every.amount * k, plan.drill_every.unit))
                if following > now:
                    break
                start, k = following, k + 1
            period = isoformat(start)
        clocks.append(DrillClock(plan=plan, last_drill=previous, next_due=due_at,
                                 due=due_at <= now, period=period))
    return clocks


def _notice(clock: DrillClock, now: datetime) -> Notification:
    plan = clock.plan
    since = (f"the last was at {readable(clock.last_drill)}, due again at "
             f"{readable(clock.next_due)}" if clock.last_drill and clock.next_due
             else "it has never been drilled")
    return build(
        Notification, dedupe_key=f"incident:drill:{plan.code}:{clock.period}"[:200],
        case_id=None, kind="drill_due",
        audience=list(dict.fromkeys([*plan.on_call, *DRILL_AUDIENCE])),
        subject=f"[capaflow] Drill due: {plan.title}"[:300],
        body="\n".join([
            f"The contingency plan '{plan.code}' ({plan.title}) is drilled every "
            f"{plan.drill_every}: {since}.",
            f"Record the drill with: capa incident declare --type {plan.code} --severity "
            f"{plan.severities[0]} --drill",
        ]),
        extra={"type": plan.code, "period": clock.period}, created_at=now, next_attempt_at=now,
    )


def remind_due_drills(session: Session, *, plans: Plans, now: datetime) -> list[DrillClock]:
    """Queue one reminder per plan whose drill is due, once per period; return the plans
    reminded now (those already reminded this period are not)."""
    due = [c for c in drill_clocks(session, plans=plans, now=now) if c.due]
    if not due:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Notification.__table__  # type: ignore[attr-defined]
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(table.c.dedupe_key))
    rows = [row_values(_notice(c, now)) for c in due]
    inserted = {r[0] for r in session.connection().execute(statement, rows)}
    return [c for c in due if f"incident:drill:{c.plan.code}:{c.period}"[:200] in inserted]
