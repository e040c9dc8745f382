"""Changes after opening (docs/architecture.md, "Edits and extensions"):

    POST /cases/{id}/edit             quality lead or manager, signed: owner, severity, part,
                                      complexity, defect code, with a reason
    POST /cases/{id}/extensions       a supplier asks for more time on an obligation
    POST /cases/{id}/extend           quality lead or manager, signed: more time directly
    GET  /extensions                  the requests (a supplier sees its own)
    POST /extensions/{id}/approve     quality lead or manager, signed, with a reason
    POST /extensions/{id}/refuse      quality lead or manager, signed, with a reason
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from capaflow.accounts.signatures import SignerRefused
from capaflow.casework.edits import edit_case
from capaflow.casework.extensions import (
    decide_extension,
    extend_directly,
    extension_deadlines,
    list_extensions,
    parse_until,
    request_extension,
)
from capaflow.documents.cases import StepPublic, step_document
from capaflow.documents.extensions import (
    ExtensionListPublic,
    ExtensionPublic,
    extension_document,
)
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import MAX_ID, Body, CaseId, Short, Text
from capaflow.suppliers.registry import supplier_of

router = APIRouter(tags=["edits and extensions"])
ExtensionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Extension request number.")]
_Password = Field(default=None, json_schema_extra={"format": "password"})


class Edit(Body):
    owner: Short | None = None
    severity: Short | None = None
    part: Short | None = None
    complexity: Short | None = None
    defect_code: Short | None = None
    reason: Text
    password: Text | None = _Password


class ExtensionAsked(Body):
    step: Short
    until: Short  # YYYY-MM-DD (the end of that day) or an ISO-8601 time with offset
    reason: Text


class Extend(ExtensionAsked):
    password: Text | None = _Password


class Decision(Body):
    reason: Text
    password: Text | None = _Password


@contextmanager
def _signer() -> Iterator[None]:
    # A principal that may not sign (a token without a user account) is a 403, as for steps.
    try:
        yield
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc


@router.post("/cases/{case_id}/edit", response_model=StepPublic)
def edit_route(case_id: CaseId, body: Edit, session: SessionDep, now: NowDep, ctx: ContextDep,
               writer: WriterDep) -> StepPublic:
    """Change an open case (a signed decision: `password` re-entered); the event holds every
    old and new value, and any due time the new severity or complexity moves."""
    with _signer():
        result = edit_case(
            session, principal=writer, case_id=case_id,
            changes={"owner": body.owner, "severity": body.severity, "part": body.part,
                     "complexity": body.complexity, "defect_code": body.defect_code},
            reason=body.reason, password=body.password, now=now, policy=ctx.deadline_policy,
        )
    return step_document(result.case, result.event, result.deadlines,
                         supplier_of(session, result.case), now)


@router.post("/cases/{case_id}/extensions", status_code=201, response_model=ExtensionPublic)
def request_route(case_id: CaseId, body: ExtensionAsked, session: SessionDep, now: NowDep,
                  ctx: ContextDep, principal: PrincipalDep) -> ExtensionPublic:
    """A supplier asks for more time on an obligation of its own case; the lead decides."""
    if not principal.is_supplier and not principal.can_write:
        raise forbidden(f"the role {principal.role} may not change data")
    policy = ctx.deadline_policy
    result = request_extension(
        session, principal=principal, case_id=case_id, step=body.step,
        until=parse_until(body.until, policy.calendar), reason=body.reason, now=now,
        policy=policy,
    )
    return extension_document(result.extension, result.deadline)


@router.post("/cases/{case_id}/extend", response_model=ExtensionPublic)
def extend_route(case_id: CaseId, body: Extend, session: SessionDep, now: NowDep,
                 ctx: ContextDep, writer: WriterDep) -> ExtensionPublic:
    """More time on an obligation, given by the lead directly (signed)."""
    policy = ctx.deadline_policy
    with _signer():
        result = extend_directly(
            session, principal=writer, case_id=case_id, step=body.step,
            until=parse_until(body.until, policy.calendar), reason=body.reason,
            password=body.password, now=now, policy=policy,
        )
    return extension_document(result.extension, result.deadline)


@router.get("/extensions", response_model=ExtensionListPublic)
def list_route(session: SessionDep, principal: PrincipalDep,
               status: Annotated[str | None, Query(max_length=10)] = None,
               case: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               ) -> ExtensionListPublic:
    """The requests for more time, newest first; a supplier sees its own cases' only."""
    found = list_extensions(session, status=status, case_id=case,
                            supplier_id=principal.supplier_id if principal.is_supplier else None)
    deadlines = extension_deadlines(session, found)
    return ExtensionListPublic(extensions=[extension_document(e, deadlines.get(e.deadline_id))
                                           for e in found])


def _decide(extension_id: int, approve: bool, body: Decision, session: SessionDep,
            now: NowDep, ctx: ContextDep, writer: WriterDep) -> ExtensionPublic:
    with _signer():
        result = decide_extension(
            session, principal=writer, extension_id=extension_id, approve=approve,
            reason=body.reason, password=body.password, now=now, policy=ctx.deadline_policy,
        )
    return extension_document(result.extension, result.deadline)


@router.post("/extensions/{extension_id}/approve", response_model=ExtensionPublic)
def approve_route(extension_id: ExtensionId, body: Decision, session: SessionDep, now: NowDep,
                  ctx: ContextDep, writer: WriterDep) -> ExtensionPublic:
    """Grant the time asked for (signed); the supplier is told."""
    return _decide(extension_id, True, body, session, now, ctx, writer)


@router.post("/extensions/{extension_id}/refuse", response_model=ExtensionPublic)
def refuse_route(extension_id: ExtensionId, body: Decision, session: SessionDep, now: NowDep,
                 ctx: ContextDep, writer: WriterDep) -> ExtensionPublic:
    """Refuse the request (signed); the due time stays; the supplier is told."""
    return _decide(extension_id, False, body, session, now, ctx, writer)
