"""Who may do what at the service desk, for the API and the pages alike (the roles are
accounts.users.SERVICE_ROLES and DESK_MANAGER_ROLES): any member of the quality team reads
the desk, a supplier sees nothing of it."""

from __future__ import annotations

from capaflow.accounts import Principal
from capaflow.serving.errors import forbidden


def _role(principal: Principal) -> str:
    return principal.role.replace("_", " ")


def require_desk_reader(principal: Principal) -> Principal:
    # Checked before any lookup: a supplier learns nothing, not even whether a request exists.
    if principal.is_supplier:
        raise forbidden("the service desk is not open to suppliers")
    return principal


def require_server(principal: Principal) -> Principal:
    """A service agent, service manager or quality manager: takes requests in and steps them."""
    require_desk_reader(principal)
    if not principal.can_serve:
        raise forbidden(f"the role {_role(principal)} may only read the service desk")
    return principal


def require_desk_manager(principal: Principal) -> Principal:
    """A service manager or quality manager: also keeps the customers and people."""
    require_desk_reader(principal)
    if not principal.manages_desk:
        raise forbidden(f"the role {_role(principal)} may not change customers or people")
    return principal

