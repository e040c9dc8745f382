"""A person's step on a case, from a page or the API: signed when it is a decision.

A use case beside the engine: it signs with accounts.signatures, then takes the step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from capaflow.accounts.signatures import meaning_for, sign
from capaflow.accounts.tokens import Principal
from capaflow.casework.engine import (
    StepResult,
    advance,
    get_case,
    needs_signature,
    refuse_stepped_elsewhere,
)
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.guards import check_fields


def advance_as(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    trigger: str,
    fields: Mapping[str, str],
    note: str | None,
    password: str | None,
    now: datetime,
    policy: DeadlinePolicy,
    expected_version: int | None = None,
) -> StepResult:
    """A person's step (from a page or the API): signed with the re-entered password when it
    is a decision that ends the case, refused unsigned; any other step as `advance` takes it.

    The step's own fields are checked before the password, so a missing reason is named
    before the password is asked for again.
    """
    case = get_case(session, case_id)
    machine = LIFECYCLES[case.lifecycle]
    # Refused before the password is asked for, not after a signature was checked for
    # nothing (the engine refuses it too).
    refuse_stepped_elsewhere(case_id, machine)
    signature: dict[str, Any] | None = None
    if trigger in machine.triggers and needs_signature(machine, case.state, trigger):
        check_fields(machine, trigger, fields)
        signature = sign(session, principal=principal, password=password or "",
                         meaning=meaning_for(machine.name, trigger), now=now)
    return advance(
        session, case_id=case_id, trigger=trigger, fields=fields, note=note,
        actor=principal.actor, now=now, policy=policy, expected_version=expected_version,
        signature=signature, require_signature=True,
    )
