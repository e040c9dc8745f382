"""The SLA clock never counts held time: over random hold intervals, on business hours and
around the clock, the working time from intake to the due time, less the working time held,
is exactly the target (docs/architecture.md, "Service desk")."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine
from tests.servicedesk.support import MONDAY, advance, clocks, desk, open_one, seed

# (minutes after the previous event until the hold, minutes held)
holds = st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 4000)), min_size=1,
                 max_size=4)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(intervals=holds, customer=st.sampled_from(["SHOP", "HOTEL"]))
def test_held_time_is_never_counted(
    sqlite_url: str, policy: DeadlinePolicy, intervals: list[tuple[int, int]], customer: str
) -> None:
    with Session(get_engine(sqlite_url)) as session:
        if not desk_seeded(session):
            seed(session)
        opened = open_one(session, policy, customer=customer, severity="S3")
        case_id = opened.case.id or 0
        tier = "key" if customer == "HOTEL" else "standard"
        hours = desk().hours_of(tier)
        target = desk().targets(tier, "S3")["resolution"]
        now, held = MONDAY, timedelta(0)
        for wait, length in intervals:
            start = now + timedelta(minutes=wait)
            end = start + timedelta(minutes=length)
            advance(session, policy, case_id, "hold", start, reason="waiting on the customer")
            advance(session, policy, case_id, "resume", end)
            held += hours.elapsed(start, end)
            now = end
        clock = clocks(session, case_id)["resolution"]
        assert clock.held_seconds == int(held.total_seconds())
        assert hours.elapsed(MONDAY, clock.due_at) - held == target


def desk_seeded(session: Session) -> bool:
    from sqlmodel import select

    from capaflow.models import Customer

    return session.exec(select(Customer)).first() is not None
