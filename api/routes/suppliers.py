"""/suppliers: the register (a supplier sees only itself) and the monthly cooperation rating."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from capaflow.accounts.links import link_maker
from capaflow.accounts.scope import visible_supplier
from capaflow.accounts.secrets import site_secret
from capaflow.api.schemas import NewRating, NewSupplier, SupplierChanges
from capaflow.documents.suppliers import (
    RatingPublic,
    SupplierDetail,
    SupplierLinkPublic,
    SupplierPublic,
    link_document,
    rating_document,
    supplier_detail,
    supplier_document,
)
from capaflow.models.queries import list_cases
from capaflow.scorecards import load_scorecard_policy, rate_supplier
from capaflow.serving.context import (
    ContextDep,
    NowDep,
    PrincipalDep,
    SessionDep,
    get_writer,
    require_writer,
)
from capaflow.suppliers.registry import (
    add_supplier,
    get_supplier,
    list_suppliers,
    update_supplier,
)

router = APIRouter(prefix="/suppliers", tags=["suppliers"])


@router.get("")
def list_route(session: SessionDep, principal: PrincipalDep) -> list[SupplierPublic]:
    """All suppliers; a supplier's token lists its own only."""
    if principal.is_supplier:
        assert principal.supplier_code is not None
        return [supplier_document(get_supplier(session, principal.supplier_code))]
    return [supplier_document(s) for s in list_suppliers(session)]


@router.post("", status_code=201, dependencies=[Depends(get_writer)])
def add_route(body: NewSupplier, session: SessionDep, now: NowDep) -> SupplierPublic:
    """Register a supplier and whom to reach there by role (Apprise URLs)."""
    supplier = add_supplier(session, code=body.code, name=body.name, contact=body.contact,
                            quality_head=body.quality_head, executive=body.executive, now=now)
    return supplier_document(supplier)


@router.get("/{code}")
def show_route(
    code: str, session: SessionDep, now: NowDep, principal: PrincipalDep
) -> SupplierDetail:
    """One supplier, with its cases (the same document as `capa supplier show --json`)."""
    supplier = visible_supplier(session, principal, code)
    return supplier_detail(supplier, list_cases(session, now=now, supplier_id=supplier.id))


@router.patch("/{code}")
def update_route(
    code: str, body: SupplierChanges, session: SessionDep, now: NowDep, principal: PrincipalDep,
) -> SupplierPublic:
    """Change the supplier's name or whom to reach there (as `capa supplier update`); each
    change is on record in the supplier's decisions. A writer's act."""
    visible_supplier(session, principal, code)
    writer = require_writer(principal)
    supplier, _ = update_supplier(
        session, code=code, name=body.name, contact=body.contact, quality_head=body.quality_head,
        executive=body.executive, actor=writer.actor, now=now,
    )
    return supplier_document(supplier)


@router.post("/{code}/ratings")
def rate_route(
    code: str, body: NewRating, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: PrincipalDep,
) -> RatingPublic:
    """Rate the supplier's cooperation for a month (as `capa supplier rate`): it counts in
    that month's grade when the month is graded (again)."""
    # Another supplier's code is a 404 before the supplier's own is a 403 (accounts.scope).
    visible_supplier(session, principal, code)
    writer = require_writer(principal)
    policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    supplier, rating = rate_supplier(
        session, code=code, month=body.month, attitude=body.attitude, actor=writer.actor,
        now=now, policy=policy,
    )
    return rating_document(supplier, rating)


@router.post("/{code}/link", response_model=SupplierLinkPublic,
             dependencies=[Depends(get_writer)])
def link_route(code: str, session: SessionDep, now: NowDep, ctx: ContextDep) -> SupplierLinkPublic:
    """A signed link into the supplier's portal, as `capa supplier link`: the site's key,
    `[web] supplier_link_valid` and base URL, so the server opens it."""
    supplier = get_supplier(session, code[:40])
    assert supplier.id is not None
    policies = ctx.runtime.policies.web
    secret = site_secret(session, configured=ctx.settings.secret_key, now=now)
    link = link_maker(secret, base_url=ctx.settings.base_url, now=now,
                      valid_for=policies.supplier_link_valid)(supplier.id)
    return link_document(supplier, link, now + policies.supplier_link_valid)
