"""/customers: the service desk's customers and their tiers (servicedesk.register), as
`capa customer add|list` (documents.service)."""

from __future__ import annotations

from fastapi import APIRouter

from capaflow.api.schemas import NewCustomer
from capaflow.documents.service import CustomerPublic, customer_document
from capaflow.servicedesk.register import add_customer, list_customers
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_manager, require_desk_reader

router = APIRouter(prefix="/customers", tags=["service desk"])


@router.get("")
def list_route(session: SessionDep, principal: PrincipalDep) -> list[CustomerPublic]:
    """Every customer, by code, with its tier."""
    require_desk_reader(principal)
    return [customer_document(c) for c in list_customers(session)]


@router.post("", status_code=201)
def add_route(body: NewCustomer, session: SessionDep, now: NowDep, ctx: ContextDep,
              principal: PrincipalDep) -> CustomerPublic:
    """Add a customer in a tier (service and desk managers)."""
    require_desk_manager(principal)
    customer = add_customer(session, desk=ctx.runtime.service_desk, code=body.code.strip(),
                            name=body.name, tier=body.tier.strip(), contact=body.contact,
                            now=now)
    return customer_document(customer)
