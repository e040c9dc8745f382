"""A person's step on a service request, from the API or a page: signed when it ends the
request (close, cancel), as a person's step on a case is (casework.decisions).

The role check stays with the interfaces (403 before any password is asked for); here the
step's own fields are checked first, so a missing reason is named before the password.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from capaflow.accounts.signatures import meaning_for, sign
from capaflow.accounts.tokens import Principal
from capaflow.accounts.users import SERVICE_ROLES
from capaflow.casework.engine import needs_signature
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.requests import RequestStep, advance_request, get_request
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.guards import check_fields


def advance_request_as(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    principal: Principal,
    case_id: int,
    trigger: str,
    fields: Mapping[str, str],
    note: str | None,
    password: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> RequestStep:
    """One step of a request taken by `principal`; a step into a final state is signed with
    the re-entered password (SignerRefused for a role that may not sign it)."""
    case, _request = get_request(session, case_id)
    machine = LIFECYCLES["service"]
    signature: dict[str, Any] | None = None
    if trigger in machine.triggers and needs_signature(machine, case.state, trigger):
        check_fields(machine, trigger, fields)
        signature = sign(session, principal=principal, password=password or "",
                         meaning=meaning_for(machine.name, trigger), now=now,
                         roles=SERVICE_ROLES)
    return advance_request(
        session, desk=desk, policy=policy, case_id=case_id, trigger=trigger, fields=fields,
        note=note, actor=principal.actor, now=now, expected_version=expected_version,
        signature=signature, require_signature=True,
    )
