"""Suppliers as the contract shows them: `capa supplier add|list|show|rate|link|lift-blacklist
--json` and the API's /suppliers routes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from capaflow.documents.base import Public, Timestamp, row_id
from capaflow.models import Case, Supplier, SupplierDecision, SupplierRating
from capaflow.notifications.urls import mask


class SupplierPublic(Public):
    """A supplier of the register and whom to reach there by role. The Apprise URLs may hold
    passwords and tokens: they are shown masked, never in full."""

    id: int
    code: str
    name: str
    contact: str | None
    quality_head: str | None
    executive: str | None
    created_at: Timestamp


class SupplierCase(Public):
    """One of a supplier's cases, as its page lists them."""

    id: int
    lifecycle: str
    state: str
    title: str


class SupplierDetail(SupplierPublic):
    """`capa supplier show`, GET /suppliers/{code}: the supplier with its cases."""

    cases: list[SupplierCase]


class RatingPublic(Public):
    """`capa supplier rate`, POST /suppliers/{code}/ratings: a month's cooperation rating."""

    supplier: str
    month: str
    attitude: str
    rated_by: str
    rated_at: Timestamp


class SupplierLinkPublic(Public):
    """`capa supplier link`: a signed link into the supplier's portal."""

    supplier: str
    link: str
    valid_until: Timestamp


class BlacklistLiftedPublic(Public):
    """`capa supplier lift-blacklist`: the decision on record."""

    supplier: str
    decision: str
    reason: str
    by: str
    at: Timestamp
    blacklisted: Literal[False]


def supplier_document(supplier: Supplier) -> SupplierPublic:
    return SupplierPublic(**_supplier_fields(supplier))


def supplier_detail(supplier: Supplier, cases: Iterable[Case]) -> SupplierDetail:
    return SupplierDetail(
        **_supplier_fields(supplier),
        cases=[
            SupplierCase(id=row_id(c.id), lifecycle=c.lifecycle, state=c.state, title=c.title)
            for c in cases
        ],
    )


def rating_document(supplier: Supplier, rating: SupplierRating) -> RatingPublic:
    return RatingPublic(
        supplier=supplier.code,
        month=rating.month,
        attitude=rating.attitude,
        rated_by=rating.rated_by,
        rated_at=rating.rated_at,
    )


def link_document(supplier: Supplier, link: str, valid_until: datetime) -> SupplierLinkPublic:
    return SupplierLinkPublic(supplier=supplier.code, link=link, valid_until=valid_until)


def blacklist_lifted_document(
    supplier: Supplier, decision: SupplierDecision
) -> BlacklistLiftedPublic:
    return BlacklistLiftedPublic(
        supplier=supplier.code,
        decision=decision.decision,
        reason=decision.reason,
        by=decision.actor,
        at=decision.at,
        blacklisted=False,
    )


def _supplier_fields(supplier: Supplier) -> dict[str, object]:
    return {
        "id": row_id(supplier.id),
        "code": supplier.code,
        "name": supplier.name,
        "contact": mask(supplier.contact_url),
        "quality_head": mask(supplier.quality_head_url),
        "executive": mask(supplier.executive_url),
        "created_at": supplier.created_at,
    }
