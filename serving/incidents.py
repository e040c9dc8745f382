"""Who may do what with incidents, for the API and the pages alike (docs/architecture.md,
"Service quality control").

Emergency management says who may decide: declaring an incident, closing it and its review
are decisions, taken by a manager of the desk or of quality (service_manager,
quality_manager) or a quality lead. The people who carry out the plan's steps (service
agents too) record them done. Viewers read; a supplier sees nothing of it.
"""

from __future__ import annotations

from capaflow.accounts import Principal
from capaflow.serving.errors import forbidden

# Declare, close, review.
COMMANDERS = frozenset({"service_manager", "quality_manager", "quality_lead"})
# Record a step done.
RESPONDERS = COMMANDERS | {"service_agent"}


def require_incident_reader(principal: Principal) -> Principal:
    # Checked before any lookup: a supplier learns nothing, not even whether one exists.
    if principal.is_supplier:
        raise forbidden("incidents are not open to suppliers")
    return principal


def require_responder(principal: Principal) -> Principal:
    require_incident_reader(principal)
    if principal.role not in RESPONDERS:
        raise forbidden(f"the role {principal.role.replace('_', ' ')} may only read incidents")
    return principal


def require_commander(principal: Principal) -> Principal:
    require_incident_reader(principal)
    if principal.role not in COMMANDERS:
        raise forbidden(f"the role {principal.role.replace('_', ' ')} may not declare, close "
                        "or review an incident")
    return principal
