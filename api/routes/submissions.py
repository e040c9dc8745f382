"""Supplier submissions: a supplier submits what its case owes; the quality team accepts
(the step is taken through the engine) or rejects it with a reason.

    POST /cases/{id}/submissions       a supplier, its own case (another's: 404)
    GET  /submissions                  pending ones, oldest first (a supplier sees its own)
    GET  /submissions/{id}
    POST /submissions/{id}/accept      quality lead or manager
    POST /submissions/{id}/reject      quality lead or manager, {"reason"}
    GET  /findings/owed                open findings of a supplier's audits (a supplier: its own)
    POST /findings/{id}/answers        a supplier, a finding of its own audit: {"action",
                                       "evidence"}; accepted or rejected as any submission
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.scope import supplier_filter, visible_case
from capaflow.documents.audits import FindingPublic, finding_document
from capaflow.documents.submissions import (
    AcceptedPublic,
    SubmissionPublic,
    accepted_document,
    submission_document,
)
from capaflow.errors import BadInput, NotFound
from capaflow.models import Case, Submission
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import MAX_ID, Body, CaseId, Short, SubmissionId, Text
from capaflow.submissions import (
    NotASupplier,
    NotPermitted,
    accept,
    answer_finding,
    owed_findings,
    pending,
    reject,
    submit,
)
from capaflow.suppliers.registry import get_supplier, supplier_of

router = APIRouter(tags=["submissions"])


class NewSubmission(Body):
    trigger: Short
    fields: dict[Short, Text] = Field(default_factory=dict)
    note: Text | None = None


class FindingAnswer(Body):
    action: Text
    evidence: Text | None = None


class Rejection(Body):
    reason: Text


@contextmanager
def as_refusal() -> Iterator[None]:
    # The services say who may not; the API says it with its 403.
    try:
        yield
    except (NotPermitted, NotASupplier) as exc:
        raise forbidden(exc.message) from exc


def _visible(session: Session, principal: Principal, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is not None and principal.is_supplier:
        case = session.get(Case, submission.case_id)
        if case is None or case.supplier_id != principal.supplier_id:
            submission = None
    if submission is None:
        raise NotFound(f"submission {submission_id} does not exist", field="submission")
    return submission


@router.post("/cases/{case_id}/submissions", status_code=201)
def submit_route(case_id: CaseId, body: NewSubmission, session: SessionDep, now: NowDep,
                 principal: PrincipalDep) -> SubmissionPublic:
    """A supplier's answer to what its case owes now; it waits for the quality team."""
    if not principal.is_supplier:
        raise forbidden("only a supplier submits; the quality team takes the step itself "
                        "(POST /cases/{id}/advance)")
    with as_refusal():
        submission = submit(session, principal=principal, case_id=case_id,
                            trigger=body.trigger, fields=body.fields, note=body.note, now=now)
    return submission_document(submission)


@router.get("/submissions")
def list_route(
    session: SessionDep,
    principal: PrincipalDep,
    case: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Case number.")] = None,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
) -> list[SubmissionPublic]:
    """Submissions waiting for a decision, oldest first (a supplier sees its own)."""
    if case is not None:
        visible_case(session, principal, case)
    code = supplier_filter(principal, supplier)
    supplier_id = get_supplier(session, code).id if code else None
    return [submission_document(s) for s in pending(session, supplier_id=supplier_id, case_id=case)]


@router.get("/submissions/{submission_id}")
def show_route(submission_id: SubmissionId, session: SessionDep,
               principal: PrincipalDep) -> SubmissionPublic:
    return submission_document(_visible(session, principal, submission_id))


@router.post("/submissions/{submission_id}/accept")
def accept_route(submission_id: SubmissionId, session: SessionDep, now: NowDep,
                 ctx: ContextDep, writer: WriterDep) -> AcceptedPublic:
    """Take the submitted step on the case in the writer's name; 409 if the case moved on."""
    with as_refusal():
        accepted = accept(session, submission_id=submission_id, principal=writer, now=now,
                          policy=ctx.deadline_policy)
    step = accepted.step
    return accepted_document(accepted.submission, step.case, step.event, step.deadlines,
                             supplier_of(session, step.case), now)


@router.post("/submissions/{submission_id}/reject")
def reject_route(submission_id: SubmissionId, body: Rejection, session: SessionDep,
                 now: NowDep, writer: WriterDep) -> SubmissionPublic:
    """Send the submission back; the reason goes to the supplier's contact."""
    with as_refusal():
        submission = reject(session, submission_id=submission_id, principal=writer,
                            reason=body.reason, now=now)
    return submission_document(submission)


@router.get("/findings/owed")
def owed_findings_route(
    session: SessionDep, now: NowDep, principal: PrincipalDep,
    supplier: Annotated[Short | None, Query(description="Supplier code (the quality team).")]
    = None,
) -> list[FindingPublic]:
    """The open findings of a supplier's audits, the earliest due first (a supplier: its own)."""
    code = supplier_filter(principal, supplier)
    if code is None:
        raise BadInput("supplier: name the supplier whose findings to list", field="supplier")
    found = get_supplier(session, code)
    assert found.id is not None
    return [finding_document(o.finding, now)
            for o in owed_findings(session, supplier_id=found.id, now=now)]


@router.post("/findings/{finding_id}/answers", status_code=201)
def answer_finding_route(
    body: FindingAnswer, session: SessionDep, now: NowDep, principal: PrincipalDep,
    finding_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> SubmissionPublic:
    """A supplier's action and evidence on a finding it owes; it waits for the quality team,
    whose accepting closes the finding."""
    with as_refusal():
        submission = answer_finding(session, principal=principal, finding_id=finding_id,
                                    action=body.action, evidence=body.evidence, now=now)
    return submission_document(submission)
