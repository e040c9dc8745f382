"""The weekly draw of closed service requests for spot-checks (docs/architecture.md,
"Service quality control").

Random but reproducible. Each person's requests closed in the week are ranked by a keyed hash
of (seed, request number) and the first k taken, k = the person's sample size: the rank of a
request depends on nothing but the seed and its number, never on the order the database
returns rows in, so SQLite and PostgreSQL, or a fresh copy of the same data, draw the same
sample. The seed is recorded with the draw; without `--seed` it is derived from the week's
name, so drawing the same week again gives the same sample, and as the draw is recorded once
per week, drawing it again writes nothing.

Each drawn request becomes a spot-check: a case of the `spotcheck` lifecycle owned by its
reviewer, with a `review` deadline the sweep reminds and escalates like any other, and a row
in `spot_checks` beside it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.calendars import readable
from capaflow.casework.engine import start_case
from capaflow.config.policies import Policies
from capaflow.config.spotchecks import SpotchecksSection
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import start_obligation
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import Case, ServicePerson, SpotCheck, SpotCheckDraw
from capaflow.spotchecks.weeks import parse_week, week_bounds, week_name
from capaflow.statemachines.spotcheck import SPOTCHECK

REVIEW = "review"  # the spot-check's deadline, met by its review step
# Seeds are kept in a BIGINT: below 2**63 on every database.
MAX_SEED = 2**63 - 1


def default_seed(week: str) -> int:
    """The seed of a week drawn without one: a hash of the week's name (56 bits)."""
    return int.from_bytes(hashlib.sha256(f"spotcheck:{week}".encode()).digest()[:7], "big")


def check_seed(seed: int) -> int:
    if not 0 <= seed <= MAX_SEED:
        raise BadInput(f"seed: {seed} is not a seed (0 to {MAX_SEED})", field="seed")
    return seed


def rank(seed: int, request_id: int) -> bytes:
    """A request's place in its person's draw: a keyed hash, the same on every database."""
    return hashlib.sha256(f"{seed}:{request_id}".encode()).digest()


def sample_size(closed: int, rate: float, minimum: int) -> int:
    """`rate` of what the person closed, at least `minimum`, never more than they closed."""
    return min(closed, max(minimum, math.ceil(rate * closed - 1e-9)))


def choose(closed: Mapping[str, Sequence[int]], *, seed: int, rate: float,
           minimum: int) -> dict[str, list[int]]:
    """Each person's drawn requests, in draw order: a pure function of its arguments."""
    drawn: dict[str, list[int]] = {}
    for person in sorted(closed):
        ids = sorted(closed[person], key=lambda i: rank(seed, i))
        k = sample_size(len(ids), rate, minimum)
        if k:
            drawn[person] = ids[:k]
    return drawn


def closed_in(session: Session, start: datetime, end: datetime) -> dict[str, list[int]]:
    """The service requests closed in [start, end), by the person who handled them."""
    rows = session.exec(
        select(Case.id, Case.owner)
        .where(Case.lifecycle == "service").where(Case.state == "closed")
        .where(col(Case.closed_at) >= start).where(col(Case.closed_at) < end)
        .where(col(Case.owner).is_not(None))
    )
    found: dict[str, list[int]] = {}
    for case_id, owner in rows:
        if case_id is not None and owner is not None:
            found.setdefault(owner, []).append(case_id)
    return found


@dataclass
class Placement:
    """Where a person stands for their spot-checks: team, department, position, reviewer."""

    team: str | None
    department: str | None
    position: str | None
    reviewer: str


def _placements(session: Session, policies: Policies,
                people: Iterable[str]) -> dict[str, Placement]:
    section: SpotchecksSection = policies.spotchecks
    names = sorted(set(people))
    register = {p.name: p for p in session.exec(
        select(ServicePerson).where(col(ServicePerson.name).in_(names)))} if names else {}
    leads: dict[str, list[str]] = {}
    for lead in session.exec(select(ServicePerson).where(ServicePerson.lead == True)  # noqa: E712
                             .order_by(col(ServicePerson.name))):
        leads.setdefault(lead.team, []).append(lead.name)
    department_of = {team: code for code, d in policies.departments.items() for team in d.teams}
    placed: dict[str, Placement] = {}
    for name in names:
        person = register.get(name)
        team = person.team if person is not None else None
        department = department_of.get(team) if team is not None else None
        position = section.positions.get(department) if department is not None else None
        # Nobody reviews their own work: a lead's requests go to the fallback reviewer.
        team_leads = [n for n in leads.get(team or "", []) if n != name]
        reviewer = (section.reviewers.get(department or "")
                    or (team_leads[0] if team_leads else None) or section.reviewer)
        placed[name] = Placement(team=team, department=department, position=position,
                                 reviewer=reviewer)
    return placed


@dataclass
class DrawResult:
    draw: SpotCheckDraw
    spot_checks: list[SpotCheck] = field(default_factory=list)
    already_drawn: bool = False


def drawn_week(session: Session, week: str) -> SpotCheckDraw | None:
    return session.exec(select(SpotCheckDraw).where(SpotCheckDraw.week == week)).first()


def spot_checks_of(session: Session, draw_id: int) -> list[SpotCheck]:
    return list(session.exec(select(SpotCheck).where(SpotCheck.draw_id == draw_id)
                             .order_by(col(SpotCheck.person), col(SpotCheck.case_id))))


def draw_week(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, week: str,
    seed: int | None, actor: str, now: datetime,
) -> DrawResult:
    """Draw `week`'s sample, once. The same week again (no seed, or its own seed): the draw
    already made, nothing written. Another seed for a drawn week: Conflict naming `seed`. A
    week not over at `now`: Conflict naming `week` (its sample would miss what closes later).
    """
    year, number = parse_week(week)
    week = week_name(year, number)
    if seed is not None:
        check_seed(seed)
    existing = drawn_week(session, week)
    if existing is not None:
        if seed is not None and seed != existing.seed:
            raise Conflict(f"seed: {week} was drawn on {readable(existing.drawn_at)} with seed "
                           f"{existing.seed}; a drawn week is not drawn again with another",
                           field="seed")
        assert existing.id is not None
        return DrawResult(draw=existing, spot_checks=spot_checks_of(session, existing.id),
                          already_drawn=True)
    start, end = week_bounds(week, policy.calendar.zone)
    if now < end:
        raise Conflict(f"week: {week} is not over until {readable(end)}; draw it after",
                       field="week")
    used_seed = default_seed(week) if seed is None else seed
    closed = closed_in(session, start, end)
    section = policies.spotchecks
    drawn = choose(closed, seed=used_seed, rate=section.rate, minimum=section.minimum)
    draw = SpotCheckDraw(week=week, seed=used_seed,
                         closed_requests=sum(len(v) for v in closed.values()),
                         drawn=sum(len(v) for v in drawn.values()), drawn_at=now,
                         drawn_by=actor)
    session.add(draw)
    session.flush()
    assert draw.id is not None
    placements = _placements(session, policies, drawn)
    due = policy.calendar.add(now, section.review_within)
    made: list[SpotCheck] = []
    for person, request_ids in drawn.items():
        placed = placements[person]
        for request_id in request_ids:
            made.append(_spot_check(session, policy=policy, draw=draw, person=person,
                                    placed=placed, request_id=request_id, due=due,
                                    actor=actor, now=now))
    session.flush()
    return DrawResult(draw=draw, spot_checks=made)


def _spot_check(
    session: Session, *, policy: DeadlinePolicy, draw: SpotCheckDraw, person: str,
    placed: Placement, request_id: int, due: datetime, actor: str, now: datetime,
) -> SpotCheck:
    assert draw.id is not None
    title = f"Spot-check of request #{request_id} ({person}, {draw.week})"
    case = Case(lifecycle=SPOTCHECK.name, state=SPOTCHECK.initial, title=title,
                severity="minor", owner=placed.reviewer, content={},
                linked_case_id=request_id, opened_at=now, updated_at=now)
    opened = start_case(
        session, case=case, supplier=None, actor=actor, now=now, policy=policy,
        opened_with={"week": draw.week, "seed": draw.seed, "request": request_id,
                     "person": person, "reviewer": placed.reviewer})
    assert case.id is not None
    start_obligation(session, case=case, key=REVIEW, title=f"Review: {title}"[:200],
                     started_by="open", started_seq=opened.event.seq, due_at=due, now=now,
                     policy=policy, met_by=("review",))
    row = SpotCheck(case_id=case.id, draw_id=draw.id, request_case_id=request_id,
                    week=draw.week, person=person, team=placed.team,
                    department=placed.department, position=placed.position,
                    reviewer=placed.reviewer, due_at=due, items=[])
    session.add(row)
    return row


def with_states(session: Session, rows: Sequence[SpotCheck]) -> list[tuple[SpotCheck, str]]:
    """Each spot-check with its case's state (owed, reviewed, cancelled)."""
    ids = [r.case_id for r in rows]
    states = dict(session.exec(select(Case.id, Case.state).where(col(Case.id).in_(ids)))
                  .all()) if ids else {}
    return [(r, str(states.get(r.case_id, "owed"))) for r in rows]


def week_sample(session: Session, week: str) -> tuple[SpotCheckDraw, list[tuple[SpotCheck, str]]]:
    """A drawn week's spot-checks with their states; NotFound naming `week` if not drawn."""
    year, number = parse_week(week)
    name = week_name(year, number)
    draw = drawn_week(session, name)
    if draw is None:
        raise NotFound(f"week: {name} has not been drawn (capa spotcheck draw --week {name})",
                       field="week")
    assert draw.id is not None
    return draw, with_states(session, spot_checks_of(session, draw.id))
