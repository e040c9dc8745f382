"""/cases: open, list, show, advance, report — through casework.engine, as the CLI, and
answering the CLI's documents (documents.cases)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.scope import supplier_filter, visible_case
from capaflow.accounts.signatures import SignerRefused
from capaflow.api.routes.submissions import as_refusal
from capaflow.api.schemas import Advance, Classify, OpenCase
from capaflow.attachments import seen_events
from capaflow.caselists.filters import CONTRACT_LIST, CaseFilter, parse_filter
from capaflow.caselists.search import find_cases
from capaflow.casework.decisions import advance_as
from capaflow.casework.engine import StepResult, open_case
from capaflow.conversation import comments_for
from capaflow.documents.cases import (
    CaseListItem,
    CasePublic,
    CaseReportPublic,
    StepPublic,
    case_document,
    case_list,
    report_document,
    step_document,
)
from capaflow.documents.defects import ClassifyPublic, classify_document
from capaflow.documents.submissions import SubmissionPublic, submission_document
from capaflow.intake import load_intake_policy
from capaflow.intake.classification import override_classification
from capaflow.models import Case, Supplier
from capaflow.models.queries import (
    next_due,
    read_case_deadlines,
    read_case_events,
    read_supplier,
    suppliers_by_id,
)
from capaflow.reports import markdown
from capaflow.serving.context import (
    ContextDep,
    NowDep,
    PrincipalDep,
    SessionDep,
    WriterDep,
    in_worker,
)
from capaflow.serving.errors import forbidden

# api/routes/reports.py takes its CaseId from here.
from capaflow.serving.fields import CaseId as CaseId
from capaflow.serving.fields import Short
from capaflow.submissions import SUPPLIER_TRIGGERS, submit
from capaflow.suppliers.registry import supplier_of

router = APIRouter(prefix="/cases", tags=["cases"])


def _step_document(session: Session, result: StepResult, now: datetime) -> StepPublic:
    supplier = supplier_of(session, result.case)
    return step_document(result.case, result.event, result.deadlines, supplier, now)


def _supplier_of(session: Session, case: Case) -> Supplier | None:
    return read_supplier(session, case.supplier_id) if case.supplier_id else None


@router.get("")
async def list_route(
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    response: Response,
    state: Annotated[Short | None, Query()] = None,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    lifecycle: Annotated[Short | None, Query()] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=100_000, description="Cases a page.")] = 500,
    q: Annotated[Short | None, Query(description="Words in the title, problem, part, "
                                     "defect code, owner, or a case number.")] = None,
    owner: Annotated[Short | None, Query()] = None,
    severity: Annotated[Short | None, Query()] = None,
    part: Annotated[Short | None, Query()] = None,
    defect: Annotated[Short | None, Query(description="Defect code.")] = None,
    opened_from: Annotated[Short | None, Query(description="YYYY-MM-DD")] = None,
    opened_to: Annotated[Short | None, Query(description="YYYY-MM-DD")] = None,
    due_days: Annotated[Short | None, Query()] = None,
    reopened: Annotated[Short | None, Query()] = None,
    mine: Annotated[Short | None, Query(description="Owned by the token's user.")] = None,
    status: Annotated[Short | None, Query(description="open, closed or all (default)")
                      ] = None,
    sort: Annotated[Short | None, Query(description="number (default), opened, due, state, "
                                        "supplier, severity; -KEY descends")] = None,
    page: Annotated[Short | None, Query()] = None,
) -> list[CaseListItem]:
    """Cases, filtered, searched, sorted and paged as on the case list page (a supplier sees
    its own); the header X-Total-Count says how many match in all."""
    given = {
        "state": state, "lifecycle": lifecycle, "q": q, "owner": owner,
        "severity": severity, "part": part, "defect": defect, "opened_from": opened_from,
        "opened_to": opened_to, "due_days": due_days, "reopened": reopened, "mine": mine,
        "status": status, "sort": sort, "page": page, "overdue": "1" if overdue else None,
    }
    found = parse_filter({k: v for k, v in given.items() if v is not None},
                         base=CONTRACT_LIST)
    # One thread hop for the whole request (in_worker): this is the API's busiest route.
    rows, total = await in_worker(ctx, session, list_cases_document, session, now, principal,
                                  found=found, supplier=supplier, limit=limit)
    response.headers["X-Total-Count"] = str(total)
    return rows


def list_cases_document(
    session: Session, now: datetime, principal: Principal, *, found: CaseFilter,
    supplier: str | None, limit: int,
) -> tuple[list[CaseListItem], int]:
    code = supplier_filter(principal, supplier)
    listed = find_cases(session, filter=found.with_(supplier=code), now=now,
                        user=None if principal.is_supplier else principal.name,
                        page_size=limit)
    cases = [row.case for row in listed.rows]
    # Through the ORM, not models.db.fetch: for a page of 50 cases, their deadlines and
    # suppliers the ORM's loading is faster than building objects row by row (~2.3 ms
    # against ~3.0 ms); fetch wins for the single rows of a show.
    due = next_due(session, [c.id for c in cases if c.id is not None])
    suppliers = suppliers_by_id(session, {c.supplier_id for c in cases if c.supplier_id})
    return case_list(cases, suppliers, due, now), listed.total


@router.post("", status_code=201)
def open_route(
    body: OpenCase, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep
) -> StepPublic:
    """Open a case (D0-D2); an 8D case starts in containment with its 24 h clock running."""
    result = open_case(
        session, lifecycle=body.lifecycle.lower(), title=body.title,
        supplier_code=body.supplier, part=body.part, defect_code=body.defect_code,
        severity=body.severity.lower(), complex_cause=body.complex, owner=body.owner,
        team=body.team, problem=body.problem, actor=writer.actor, now=now,
        policy=ctx.deadline_policy,
    )
    return _step_document(session, result, now)


@router.get("/{case_id}")
async def show_route(
    case_id: CaseId, session: SessionDep, now: NowDep, ctx: ContextDep, principal: PrincipalDep
) -> CasePublic:
    """A case: its state, what it owes and by when, and its events."""
    return await in_worker(ctx, session, show_case_document, session, now, principal,
                           case_id)


def show_case_document(
    session: Session, now: datetime, principal: Principal, case_id: int
) -> CasePublic:
    # Single rows: detached objects from Core rows (models.queries.read_*), a third of the
    # ORM's cost per row.
    case = visible_case(session, principal, case_id)
    # A supplier reads the shared comments only (docs/architecture.md, "The supplier
    # conversation").
    comments = comments_for(session, principal=principal, case_id=case_id)
    return case_document(case, _supplier_of(session, case), read_case_deadlines(session, case_id),
                         seen_events(principal, read_case_events(session, case_id)), now,
                         comments)


def _may_advance(principal: Principal, trigger: str) -> None:
    if principal.is_supplier:
        if trigger not in SUPPLIER_TRIGGERS:
            raise forbidden(
                f"a supplier may only take the steps {', '.join(SUPPLIER_TRIGGERS)}"
            )
    elif not principal.can_write:
        raise forbidden(f"the role {principal.role} may not change data")


@router.post("/{case_id}/advance", responses={
    200: {"model": StepPublic, "description": "The step, taken."},
    202: {"model": SubmissionPublic,
          "description": "A supplier's step, sent to the quality team for review."},
})
def advance_route(
    case_id: CaseId, body: Advance, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: PrincipalDep, response: Response,
) -> StepPublic | SubmissionPublic:
    """Take one step of the case's lifecycle, with the content the step needs.

    A step that ends the case (close, cancel, standardize, accept) is a signed decision:
    `password` is the user's own, re-entered. A supplier's step does not move the case: it is
    a submission the quality team accepts or rejects (202, the submission's document).
    """
    trigger = body.trigger.strip().lower()
    if principal.is_supplier:
        # Another supplier's case is a 404 whatever the step, before the step is looked at.
        visible_case(session, principal, case_id)
        _may_advance(principal, trigger)
        with as_refusal():
            submission = submit(session, principal=principal, case_id=case_id, trigger=trigger,
                                fields=body.fields, note=body.note, now=now)
        response.status_code = 202
        return submission_document(submission)
    _may_advance(principal, trigger)
    try:
        result = advance_as(
            session, principal=principal, case_id=case_id, trigger=trigger,
            fields=body.fields, note=body.note, password=body.password, now=now,
            policy=ctx.deadline_policy, expected_version=body.version,
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    return _step_document(session, result, now)


@router.post("/{case_id}/classification", response_model=ClassifyPublic)
def classify_route(
    case_id: CaseId, body: Classify, session: SessionDep, now: NowDep, ctx: ContextDep,
    writer: WriterDep,
) -> ClassifyPublic:
    """The quality lead classifies a supplier's 8D case: batch, sporadic, one_off or
    unavoidable (as `capa defect classify`). one_off and unavoidable cancel a containment
    still owed and release the case's 100 % inspection hold."""
    result = override_classification(
        session, case_id=case_id, kind=body.as_, reason=body.reason, actor=writer.actor,
        now=now, policy=ctx.deadline_policy,
        intake_policy=load_intake_policy(ctx.policies.get("intake")),
    )
    return classify_document(result, supplier_of(session, result.case), body.reason.strip(),
                             now)


@router.get("/{case_id}/report")
def report_route(
    case_id: CaseId, session: SessionDep, principal: PrincipalDep
) -> CaseReportPublic:
    """The case as a Markdown 8D report (or PDCA record)."""
    case = visible_case(session, principal, case_id)
    text = markdown.render(case, _supplier_of(session, case),
                           seen_events(principal, read_case_events(session, case_id)),
                           read_case_deadlines(session, case_id))
    return report_document(case_id, text)
