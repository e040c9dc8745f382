"""Who may do what with service standards and quality inspections, for the API and the pages
alike (docs/architecture.md, "Service quality control"): every member of the quality team and
the service desk reads them; the quality lead, the quality manager and the service manager
import standards, plan, open and record rounds; the owner's side (those and service agents,
among them the team leads who own findings) closes findings; a viewer only reads, and a
supplier sees nothing of it."""

from __future__ import annotations

from capaflow.accounts import Principal
from capaflow.serving.errors import forbidden

INSPECTOR_ROLES = frozenset({"quality_lead", "quality_manager", "service_manager"})
FINDING_CLOSER_ROLES = INSPECTOR_ROLES | {"service_agent"}


def _role(principal: Principal) -> str:
    return principal.role.replace("_", " ")


def require_inspection_reader(principal: Principal) -> Principal:
    # Checked before any lookup: a supplier learns nothing, not even whether a round exists.
    if principal.is_supplier:
        raise forbidden("service quality inspections are not open to suppliers")
    return principal


def require_inspector(principal: Principal) -> Principal:
    require_inspection_reader(principal)
    if principal.role not in INSPECTOR_ROLES:
        raise forbidden(f"the role {_role(principal)} may not import standards or plan, open "
                        "or record inspections")
    return principal


def require_finding_closer(principal: Principal) -> Principal:
    require_inspection_reader(principal)
    if principal.role not in FINDING_CLOSER_ROLES:
        raise forbidden(f"the role {_role(principal)} may only read findings")
    return principal
