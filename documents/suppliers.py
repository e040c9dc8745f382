"""Suppliers as the contract shows them: `capa supplier add|list|show|rate|link|lift-blacklist
--json` and the API's /suppliers routes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, TypeVar

from capaflow.documents.base import Public, Timestamp, from_row
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


S = TypeVar("S", bound=SupplierPublic)


def supplier_document(supplier: Supplier) -> SupplierPublic:
    return _supplier(SupplierPublic, supplier)


def supplier_detail(supplier: Supplier, cases: Iterable[Case]) -> SupplierDetail:
    return _supplier(SupplierDetail, supplier,
                     cases=[from_row(SupplierCase, case) for case in cases])


def rating_document(supplier: Supplier, rating: SupplierRating) -> RatingPublic:
    return from_row(RatingPublic, rating, supplier=supplier.code)


def link_document(supplier: Supplier, link: str, valid_until: datetime) -> SupplierLinkPublic:
    return SupplierLinkPublic(supplier=supplier.code, link=link, valid_until=valid_until)


def blacklist_lifted_document(
    supplier: Supplier, decision: SupplierDecision
) -> BlacklistLiftedPublic:
    return from_row(BlacklistLiftedPublic, decision, supplier=supplier.code, by=decision.actor,
                    blacklisted=False)


def _supplier(document: type[S], supplier: Supplier, **given: Any) -> S:
    # Apprise URLs may hold passwords and tokens: never shown in full.
    return from_row(
        document, supplier,
        contact=mask(supplier.contact_url),
        quality_head=mask(supplier.quality_head_url),
        executive=mask(supplier.executive_url),
        **given,
    )
