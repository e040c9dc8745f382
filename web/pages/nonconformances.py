"""The nonconformance list (/defects): the defects recorded, how each was classified and why,
filtered and a page at a time; the quality lead reclassifies one, merges several into one case
or marks several handled, as `capa defect reclassify|merge|close` (docs/architecture.md,
"Defect triage")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from capaflow.accounts import Principal
from capaflow.accounts.signatures import SignerRefused
from capaflow.errors import MAX_ID, BadInput, CapaError
from capaflow.intake import load_intake_policy
from capaflow.intake.classification import CLASSES
from capaflow.intake.nonconformances import (
    STATES,
    UNCLASSIFIED,
    Filters,
    check_filters,
    check_page,
    list_nonconformances,
)
from capaflow.intake.triage import close_defects, merge_defects, reclassify_defect
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden, http_status
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import require_quality_reader
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

CLASS_WORDS = {"batch": "batch", "sporadic": "sporadic", "one_off": "one-off",
               "unavoidable": "unavoidable", UNCLASSIFIED: "not classified"}
STATE_WORDS = {"open": "not yet handled", "handled": "handled", "all": "all"}
_FILTERS = ("supplier", "part", "classification", "unlinked", "state")


def _query(filters: Filters, page_number: int = 1) -> str:
    values: dict[str, str] = {}
    for name in ("supplier", "part", "classification"):
        if getattr(filters, name):
            values[name] = str(getattr(filters, name))
    if filters.unlinked:
        values["unlinked"] = "1"
    if filters.state != "open":
        values["state"] = filters.state
    if page_number > 1:
        values["page"] = str(page_number)
    return urlencode(values)


def _typed(source: Any) -> dict[str, str]:
    return {name: str(source.get(name) or "")[:100] for name in _FILTERS}


def _filters_of(typed: dict[str, str]) -> Filters:
    return check_filters(supplier=typed["supplier"], part=typed["part"],
                         classification=typed["classification"],
                         unlinked=typed["unlinked"] in ("1", "on", "true"),
                         state=typed["state"])


def _list_page(request: Request, session: SessionDep, *, principal: Principal, now: Any,
               typed: dict[str, str], page_text: str | None, status: int = 200,
               message: str | None = None, field: str | None = None,
               kept: dict[str, Any] | None = None, **extra: Any) -> Response:
    """`extra`: what another form of the page shows (the CSV import's summary)."""
    shown: dict[str, Any] = {
        "typed": typed, "classes": (*CLASSES, UNCLASSIFIED), "class_words": CLASS_WORDS,
        "states": STATES, "state_words": STATE_WORDS,
        "suppliers": [s.code for s in list_suppliers(session)],
        "kept": kept or {"chosen": [], "reason": "", "case": "", "as": "", "open_case": False,
                         "cancel_cases": False},
        **extra,
    }
    try:
        filters = _filters_of(typed)
        number, size = check_page(_page_number(page_text))
    except BadInput as exc:
        return page(request, "nonconformances.html", principal=principal, now=now, status=422,
                    found=None, message=exc.message, field=exc.field, query="", prev=None,
                    following=None, **shown)
    found = list_nonconformances(session, filters, page=number, per_page=size)
    prev = _query(filters, number - 1) if number > 1 else None
    following = _query(filters, number + 1) if number < found.pages else None
    return page(request, "nonconformances.html", principal=principal, now=now, status=status,
                found=found, message=message, field=field, query=_query(filters, number),
                prev=prev, following=following, **shown)


def _page_number(text: str | None) -> int:
    if text is None or not text.strip():
        return 1
    try:
        number = int(text.strip())
    except ValueError:
        raise BadInput(f"page: '{text.strip()[:20]}' is not a page number",
                       field="page") from None
    if not 1 <= number <= MAX_ID:
        raise BadInput(f"page: at least 1 (got {number})", field="page")
    return number


@router.get("/defects")
def nonconformances_page(request: Request, session: SessionDep, now: NowDep,
                         principal: StaffDep) -> Response:
    require_quality_reader(principal)
    params = request.query_params
    return _list_page(request, session, principal=principal, now=now, typed=_typed(params),
                      page_text=params.get("page"))


def _chosen(form: FormData) -> list[int]:
    ids: list[int] = []
    for value in form.getlist("defect"):
        text = value.strip() if isinstance(value, str) else ""
        if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            raise BadInput(f"defects: '{text[:20]}' is not a defect number", field="defects")
        ids.append(int(text))
    return ids


def _case_number(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text.strip()) <= MAX_ID:
        raise BadInput(f"case: '{text.strip()[:20]}' is not a case number", field="case")
    return int(text.strip())


@router.post("/defects/triage", dependencies=[CsrfChecked])
def triage(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
           principal: StaffDep, form: FormDep) -> Response:
    """One of the three actions on the selected defects, all or nothing; on a refusal the
    list again, the selection and what was typed kept, the field named."""
    if not principal.can_write:
        raise forbidden(f"the role {principal.role} may not triage defects")
    action = form_text(form, "action").strip().lower()
    typed = {name: form_text(form, f"filter_{name}")[:100] for name in _FILTERS}
    kept: dict[str, Any] = {
        "chosen": [v for v in form.getlist("defect") if isinstance(v, str)][:500],
        "reason": form_text(form, "reason"), "case": form_text(form, "case"),
        "as": form_text(form, "as"), "open_case": bool(form_text(form, "open_case")),
        "cancel_cases": bool(form_text(form, "cancel_cases")),
    }
    password = form_text(form, "password") or None
    try:
        ids = _chosen(form)
        if action == "reclassify":
            if len(ids) != 1:
                raise BadInput("defects: choose exactly one defect to reclassify",
                               field="defects")
            result = reclassify_defect(
                session, defect_id=ids[0], kind=kept["as"], reason=kept["reason"],
                open_new_case=kept["open_case"], actor=principal.actor, now=now,
                policy=ctx.deadline_policy,
                intake_policy=load_intake_policy(ctx.policies.get("intake")))
            said = f"Defect #{ids[0]} reclassified {kept['as'].replace('_', '-')}"
        elif action == "merge":
            result = merge_defects(
                session, defect_ids=ids, case_id=_case_number(kept["case"]),
                reason=kept["reason"], principal=principal, password=password, now=now,
                policy=ctx.deadline_policy)
            into = result.case.id if result.case is not None else "-"
            said = f"{len(ids)} defect(s) merged into case #{into}"
            said += " (opened)" if result.opened else ""
        elif action == "close":
            result = close_defects(
                session, defect_ids=ids, reason=kept["reason"],
                cancel_cases=kept["cancel_cases"], principal=principal, password=password,
                now=now, policy=ctx.deadline_policy)
            said = f"{len(ids)} defect(s) marked handled"
        else:
            raise BadInput("action: choose reclassify, merge or mark handled", field="action")
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except CapaError as exc:
        session.rollback()
        return _list_page(request, session, principal=principal, now=now, typed=typed,
                          page_text=form_text(form, "filter_page"), status=http_status(exc),
                          message=exc.message, field=exc.field, kept=kept)
    if result.cancelled:
        said += "; cancelled case(s) " + ", ".join(f"#{c}" for c in result.cancelled)
        said += f", signed by {principal.name}"
    flash(request, said + ".")
    try:
        query = _query(_filters_of(typed))
    except BadInput:
        query = ""
    return RedirectResponse("/defects" + (f"?{query}" if query else ""), 303)
