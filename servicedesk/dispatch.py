"""Who takes a request (docs/architecture.md, "Service desk"): the category names the team
(and the skill needed inside it); inside the team, the available person with the fewest open
requests, a tier's named people first; nobody available, the team lead, flagged. Every
decision says why, in words that go into the request's audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from capaflow.models import Case, ServicePerson
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import absent_at, list_people
from capaflow.statemachines.service import OPEN_STATES


@dataclass(frozen=True)
class Decision:
    team: str
    assignee: str | None
    lead: str | None
    why: str
    # Set when the rules could not be followed (nobody available): shown on the queue.
    flag: str | None = None


def open_load(session: Session, names: Sequence[str]) -> dict[str, int]:
    """How many open service requests each of these people has."""
    if not names:
        return {}
    rows = session.exec(
        select(Case.owner, func.count())
        .where(Case.lifecycle == "service")
        .where(col(Case.state).in_(OPEN_STATES))
        .where(col(Case.owner).in_(names))
        .group_by(col(Case.owner))
    )
    return {str(owner): int(count) for owner, count in rows}


def team_lead(people: Sequence[ServicePerson]) -> str | None:
    leads = sorted(p.name for p in people if p.lead)
    return leads[0] if leads else None


def choose(
    session: Session, desk: ServiceDesk, *, category: str, tier: str, now: datetime,
) -> Decision:
    spec = desk.section.categories[category]
    team = list_people(session, spec.team)
    lead = team_lead(team)
    skilled = [p for p in team if not spec.skill or spec.skill in p.skills]
    away = absent_at(session, [p.id for p in skilled if p.id is not None], now)
    available = [p for p in skilled if p.id not in away]
    load = open_load(session, [p.name for p in available])
    skill = f" with skill {spec.skill}" if spec.skill else ""
    absent_note = (f"; absent: {', '.join(sorted(p.name for p in skilled if p.id in away))}"
                   if away else "")
    if not available:
        flag = f"nobody on team {spec.team}{skill} is available{absent_note}"
        if lead is None:
            return Decision(team=spec.team, assignee=None, lead=None,
                            why=f"{flag}, and the team has no lead", flag=f"{flag}; no lead")
        return Decision(team=spec.team, assignee=lead, lead=lead,
                        why=f"{flag}: the team lead {lead} takes it", flag=flag)
    preferred = [p for p in available if p.name in desk.tier(tier).first]
    pool, rule = (preferred, f"named first for tier {tier}") if preferred else (available, "")

    def fewest(p: ServicePerson) -> tuple[int, str]:
        return load.get(p.name, 0), p.name

    chosen = min(pool, key=fewest)
    loads = ", ".join(f"{p.name} {load.get(p.name, 0)}" for p in sorted(pool, key=fewest))
    why = (f"category {category} goes to team {spec.team}{skill}; "
           f"{rule + '; ' if rule else ''}fewest open requests ({loads}){absent_note}")
    return Decision(team=spec.team, assignee=chosen.name, lead=lead, why=why)
