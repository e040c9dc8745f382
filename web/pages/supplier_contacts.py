"""A supplier's name and whom to reach there, edited by the quality team's writers
(/suppliers/{code}/contacts). Each change is a decision on the supplier's record
(suppliers.registry.update_supplier); a viewer sees no form and is refused 403.

The URLs may hold passwords or tokens: the form never shows them, only their masked form;
a field left empty keeps the URL on record, a ticked "remove" clears it.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.errors import BadInput
from capaflow.notifications.urls import mask
from capaflow.serving.context import NowDep, SessionDep
from capaflow.suppliers.registry import CONTACT_FIELDS, get_supplier, update_supplier
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

# Each contact as the form names it, in the quality lead's words.
CONTACT_LABELS = {
    "contact": "Quality contact",
    "quality_head": "Head of quality",
    "executive": "Top executive",
}



def _form_page(request: Request, session: Session, *, principal: Principal, now: datetime,
               code: str, status: int = 200, problem: BadInput | None = None,
               typed: dict[str, str] | None = None) -> HTMLResponse:
    supplier = get_supplier(session, code)
    shown = {field: mask(getattr(supplier, column)) for field, column in CONTACT_FIELDS.items()}
    return page(request, "supplier_contacts.html", principal=principal, now=now,
                status=status, supplier=supplier, shown=shown, labels=CONTACT_LABELS,
                problem=problem, typed=typed or {})


@router.get("/suppliers/{code}/contacts")
def contacts_form(code: str, request: Request, session: SessionDep, now: NowDep,
                  principal: StaffDep) -> Response:
    require_quality_writer(principal)
    return _form_page(request, session, principal=principal, now=now, code=code)


@router.post("/suppliers/{code}/contacts", dependencies=[CsrfChecked])
def contacts_submit(code: str, request: Request, session: SessionDep, now: NowDep,
                    principal: StaffDep, form: FormDep) -> Response:
    """Change the name or contacts: empty keeps a URL, "remove" clears it."""
    require_quality_writer(principal)
    typed = {name: form_text(form, name) for name in ("name", *CONTACT_FIELDS)}
    changes: dict[str, str | None] = {}
    for field in CONTACT_FIELDS:
        if form_text(form, f"clear_{field}"):
            changes[field] = ""
        elif typed[field].strip():
            changes[field] = typed[field]
    try:
        supplier, decision = update_supplier(
            session, code=code, name=typed["name"] if typed["name"].strip() else None,
            contact=changes.get("contact"), quality_head=changes.get("quality_head"),
            executive=changes.get("executive"), actor=principal.actor, now=now,
        )
    except BadInput as exc:
        session.rollback()
        # The URLs typed are not sent back: they may hold a password.
        return _form_page(request, session, principal=principal, now=now, code=code,
                          status=422, problem=exc, typed={"name": typed["name"]})
    flash(request, f"{supplier.code}: contacts updated." if decision is not None
          else f"{supplier.code}: nothing changed.")
    return RedirectResponse(f"/suppliers/{supplier.code}", 303)
