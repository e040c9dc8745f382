"""Who a department's inspection work reaches (docs/architecture.md, "Service quality
control"): the lead of its desk team, and the owner of its findings.

Inspectors and owners are names, as a case's owner is: notices reach them through the routes
file's [people] by that name (falling back to the stand-in role), so a quality inspector who
is not on a desk team can still be one. The people register (`capa person add --lead`) is
read only to find a department's team lead.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from capaflow.config.policies import Policies
from capaflow.errors import BadInput
from capaflow.models import ServicePerson


def department_lead(session: Session, policies: Policies, department: str) -> str | None:
    """The lead of the department's desk teams (the first by name), or None."""
    teams = policies.departments[department].teams
    if not teams:
        return None
    return session.exec(
        select(ServicePerson.name).where(col(ServicePerson.team).in_(teams))
        .where(col(ServicePerson.lead).is_(True)).order_by(col(ServicePerson.name)).limit(1)
    ).first()


def finding_owner(session: Session, policies: Policies, department: str) -> str:
    """Who owns a department's findings unless the round names someone: `[standards]
    finding_owner`, else the department's team lead; BadInput naming `owner` if neither."""
    configured = policies.standards.finding_owner.get(department)
    if configured:
        return configured
    lead = department_lead(session, policies, department)
    if lead:
        return lead
    raise BadInput(f"owner: department {department} has no finding owner ([standards."
                   f"finding_owner]) and its teams no lead; name one with --owner CODE=NAME",
                   field="owner")
