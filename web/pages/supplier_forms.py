"""The supplier register's forms, as the CLI's commands: a new supplier on /suppliers
(`capa supplier add`), the signed portal link on the supplier page (`capa supplier link`) and
resuming a part whose inspection was discontinued, on its inspection panel (`capa inspect
resume`). Each calls the service the CLI calls (docs/architecture.md, "Supplier-quality forms").

Writers only: a viewer sees none of the forms and is refused (403) with nothing written. A
refusal shows the page again with the field named and what was typed (422, 404, 409).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from capaflow.accounts.links import link_maker
from capaflow.errors import BadInput, Conflict
from capaflow.inspection import resume_inspection
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import add_supplier, get_supplier
from capaflow.web.auth import StaffDep
from capaflow.web.context import WebDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep
from capaflow.web.pages.suppliers import CODE_LIMIT, _supplier_page, _suppliers_page
from capaflow.web.quality_forms import Problem, kept_values, require_quality_writer
from capaflow.web.render import flash

router = APIRouter(tags=["pages"], include_in_schema=False)

SUPPLIER_FIELDS = ("code", "name", "contact", "quality_head", "executive")
RESUME_FIELDS = ("part", "reason")


@router.post("/suppliers", dependencies=[CsrfChecked])
def add_supplier_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                      principal: StaffDep, form: FormDep) -> Response:
    """A new supplier and whom to reach there by role, as `capa supplier add`."""
    require_quality_writer(principal)
    kept = kept_values(form, SUPPLIER_FIELDS)
    try:
        supplier = add_supplier(
            session, code=kept["code"].strip(), name=kept["name"],
            contact=kept["contact"].strip() or None,
            quality_head=kept["quality_head"].strip() or None,
            executive=kept["executive"].strip() or None, now=now,
        )
    except (BadInput, Conflict) as exc:
        session.rollback()
        problem = Problem.of(exc, "supplier")
        return _suppliers_page(request, session, now=now, ctx=ctx, principal=principal,
                               status=problem.status, problem=problem, kept=kept)
    flash(request, f"Supplier {supplier.code} added ({supplier.name}).")
    return RedirectResponse(f"/suppliers/{supplier.code}", 303)


@router.post("/suppliers/{code}/portal-link", dependencies=[CsrfChecked])
def portal_link_form(code: str, request: Request, session: SessionDep, now: NowDep,
                     ctx: ContextDep, web: WebDep, principal: StaffDep) -> Response:
    """The signed portal link `capa supplier link` prints, shown to copy into an e-mail. The
    link opens the supplier's portal to whoever holds it: writers only, never a GET (nothing
    that shows it is cached or kept in the history)."""
    require_quality_writer(principal)
    supplier = get_supplier(session, code[:CODE_LIMIT])
    assert supplier.id is not None
    # The key, span and address the server opens links with (web.context), as the CLI's.
    link = link_maker(web.secret, base_url=web.base_url, now=now,
                      valid_for=web.supplier_link_valid)(supplier.id)
    return _supplier_page(request, supplier.code, session, now=now, ctx=ctx,
                          principal=principal, portal_link=link,
                          portal_link_until=now + web.supplier_link_valid)


@router.post("/suppliers/{code}/resume", dependencies=[CsrfChecked])
def resume_form(code: str, request: Request, session: SessionDep, now: NowDep,
                ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """Resume a discontinued part at tightened inspection (ISO 2859-1 9.4), as `capa inspect
    resume`: the reason records what the supplier did."""
    require_quality_writer(principal)
    kept = kept_values(form, RESUME_FIELDS)
    try:
        resumed = resume_inspection(session, supplier_code=code[:CODE_LIMIT],
                                    part=kept["part"], reason=kept["reason"],
                                    actor=principal.actor, now=now)
    except (BadInput, Conflict) as exc:  # an unknown supplier is the page's 404
        session.rollback()
        problem = Problem.of(exc, "resume")
        return _supplier_page(request, code, session, now=now, ctx=ctx, principal=principal,
                              status=problem.status, resume_problem=problem, resume_kept=kept)
    flash(request, f"{resumed.supplier.code} {resumed.part}: inspection resumed at tightened.")
    return RedirectResponse(f"/suppliers/{resumed.supplier.code}#switching", 303)
