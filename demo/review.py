"""The demo's month ends with the review (docs/architecture.md, "Service quality control"):
on the 1st of each simulated month the month just ended is closed, as the monthly review flow
closes it, and the timeline says what the review found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Engine

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import session_scope
from capaflow.scorecards import months
from capaflow.targets.closing import ClosedMonth, close_month
from capaflow.targets.policy import ReviewPolicy

# When the flow's schedule runs it: the 1st, 07:00 (`[schedules] monthly_review`).
AFTER_MONTH_END = timedelta(hours=7)


def _describe(closed: ClosedMonth) -> str:
    missed = [f"{d.code} {row.name}" for d in closed.review.departments
              for row in d.indicators if row.met is False]
    opened = ", ".join(f"PDCA #{c.case_id} for {c.department} {c.indicator}"
                       + (" (act failed)" if c.act_failed else "") for c in closed.opened)
    return (f"monthly review {closed.month} closed: "
            f"{'missed ' + ', '.join(missed) if missed else 'every measured target met'}"
            f"{'; opened ' + opened if opened else ''}")


def review_script(start: datetime, end: datetime, review: ReviewPolicy,
                  close: Callable[[datetime, str], None]
                  ) -> list[tuple[datetime, Callable[[], None]]]:
    """One action on the 1st of each month after `start` up to `end`: `close(at, month)`."""
    first = months.bounds(months.month_of(start, review.zone), review.zone)[0]
    actions: list[tuple[datetime, Callable[[], None]]] = []
    at = first + relativedelta(months=1)
    while at + AFTER_MONTH_END <= end:
        when, month = at + AFTER_MONTH_END, months.shift(months.month_of(at, review.zone), -1)
        actions.append((when, _closing(close, when, month)))
        at += relativedelta(months=1)
    return actions


def _closing(close: Callable[[datetime, str], None], when: datetime,
             month: str) -> Callable[[], None]:
    return lambda: close(when, month)


def close_demo_month(engine: Engine, *, at: datetime, month: str, review: ReviewPolicy,
                     policy: DeadlinePolicy) -> str:
    """Close `month` at `at`; the timeline's line for it."""
    with session_scope(engine) as session:
        return _describe(close_month(session, month=month, now=at, review=review,
                                     policy=policy))
