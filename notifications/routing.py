"""Who a notice goes to: its audience (role names) resolved to Apprise URLs.

Internal people come from the routes file (docs/architecture.md, "Configuration files"):

    [roles]
    quality_lead = ["mailto://..."]
    quality_manager = ["json://..."]

    [people]
    lena = ["mailto://..."]

Suppliers' people come from the supplier register (contact, head of quality, executive), and
a service request's customer from the customer register (its contact URL).
Roles are resolved when a notice is sent, not when it is queued: a fixed routes file or a
supplier's new contact URL reaches the notices still waiting, and the retries of failed ones.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from capaflow.errors import BadInput
from capaflow.models import Case, Customer, Notification, Supplier
from capaflow.notifications import urls

OWNER = "owner"
QUALITY_LEAD = "quality_lead"
QUALITY_MANAGER = "quality_manager"
# The service desk's roles (docs/architecture.md, "Service desk"): the team lead of the team a
# request was dispatched to (named on the request, looked up in [people]), and [roles] for the
# others. Management is told of every claim at once and gets the weekly digest.
TEAM_LEAD = "team_lead"
SERVICE_MANAGER = "service_manager"
DIRECTOR = "director"
MANAGEMENT = "management"
SERVICE_ROLES = (TEAM_LEAD, SERVICE_MANAGER, DIRECTOR, MANAGEMENT)
# The customer of a service request (their follow-up survey): the contact URL of the
# request's customer, looked up when the notice is sent. Not a rung of any escalation ladder
# (deadlines.policy ROLES): our overdue work is never escalated to the customer.
CUSTOMER = "customer"
# Each supplier role and the Supplier column that holds its URL.
SUPPLIER_ROLES = {
    "supplier_contact": "contact_url",
    "supplier_quality_head": "quality_head_url",
    "supplier_executive": "executive_url",
}


@dataclass(frozen=True)
class Routes:
    """The internal routes in force; `source` names the file, `found` says whether it existed."""

    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    people: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    found: bool = True


@dataclass(frozen=True)
class Resolution:
    """The URLs a notice goes to, and the roles that reach nobody (each with the reason)."""

    urls: list[str]
    unresolved: list[str]


def _fail(path: str, message: str) -> BadInput:
    return BadInput(f"routes: {path}: {message}", field="routes")


def _urls(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise PydanticCustomError("routes_list", "expected a list of Apprise URLs")
    checked: list[str] = []
    for url in value:
        url = url.strip()
        # Refused when the file is read, not weeks later as a failed reminder. Shown masked:
        # the URL may carry a password or token.
        if not urls.is_valid(url):
            raise PydanticCustomError(
                "routes_url", "'{masked}' is not an Apprise URL", {"masked": urls.mask(url)})
        checked.append(url)
    return tuple(checked)


Urls = Annotated[tuple[str, ...], PlainValidator(_urls)]


class RoutesFile(BaseModel):
    """The routes file, typed: two tables of name = [Apprise URLs], nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: dict[str, Urls] = {}
    people: dict[str, Urls] = {}

    @field_validator("roles")
    @classmethod
    def _only_internal_roles(cls, roles: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for role in roles:
            # These come from elsewhere; a line here would be silently ignored, so refuse it.
            if role in (OWNER, TEAM_LEAD, CUSTOMER):
                raise PydanticCustomError(
                    "routes", "roles.{role}: looked up by name in [people], or (customer) "
                    "in the customer register", {"role": role})
            if role in SUPPLIER_ROLES:
                raise PydanticCustomError(
                    "routes", "roles.{role}: supplier contacts come from `capa supplier add`",
                    {"role": role})
        return roles


def _refusal(shown: str, error: ValidationError) -> BadInput:
    """The first error of the routes file as BadInput naming the file and the key."""
    errors = error.errors(include_url=False)
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    key = ".".join(str(part) for part in first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown key '{key}' (expected the tables [roles] and [people])"
    elif kind == "dict_type":
        message = f"[{key}] must be a table of name = [URLs]"
    elif kind == "routes_list":
        message = f"{key} must be a list of Apprise URLs, e.g. {key} = [\"mailto://...\"]"
    elif kind == "routes_url":
        message = f"{key}: {first['msg']}"
    else:
        message = first["msg"]
    return _fail(shown, message)


def load_routes(path: str | Path, *, required: bool = False) -> Routes:
    """Read and check a routes file.

    A missing file gives empty routes when it is only the default location (a site that
    notifies suppliers alone needs none); notices for internal roles then fail with a
    last_error that names the file. A file the user named (`required`) must exist: a typo
    must not turn every internal notice into a failure. Anything malformed is BadInput naming
    the file and the key.
    """
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if required:
            raise _fail(shown, "file does not exist") from exc
        return Routes(source=shown, found=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(shown, f"cannot read it: {exc}") from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(shown, f"not valid TOML: {exc}") from exc
    try:
        typed = RoutesFile.model_validate(document)
    except ValidationError as error:
        raise _refusal(shown, error) from None
    return Routes(roles=typed.roles, people=typed.people, source=shown)


def _where(routes: Routes) -> str:
    return f"routes file {routes.source}" + ("" if routes.found else " (not found)")


def _stand_in(case: Case | None) -> str:
    """Who is told when the owner cannot be: the quality lead, or on the service side (a
    request, an inspection round or its finding) the service manager."""
    service_side = ("service", "round", "finding")
    return SERVICE_MANAGER if case is not None and case.lifecycle in service_side else QUALITY_LEAD


def _person_or_stand_in(
    name: str | None, nobody: str, stand_in: str, routes: Routes
) -> tuple[Sequence[str], str]:
    if name and routes.people.get(name):
        return routes.people[name], ""
    # Nobody named, or a name the routes file does not know: the stand-in role is told, so a
    # reminder about an owned deadline never goes nowhere.
    if routes.roles.get(stand_in):
        return routes.roles[stand_in], ""
    who = f"'{name}' is not in [people]" if name else nobody
    return (), f"{who} and there is no [roles] {stand_in} in the {_where(routes)}"


def _role_urls(
    role: str, case: Case | None, supplier: Supplier | None, routes: Routes,
    owner_named: str | None = None, customer: Customer | None = None,
) -> tuple[Sequence[str], str]:
    """The URLs of one role, or none and why."""
    if role == CUSTOMER:
        if customer is None:
            return (), "the notice is not about a customer's service request"
        if customer.contact_url:
            return (customer.contact_url,), ""
        return (), f"customer {customer.code} has no contact URL"
    if role == OWNER:
        # A notice about something with an owner of its own (an audit finding) names them;
        # otherwise the owner is the case's.
        owner = owner_named or (case.owner if case is not None else None)
        return _person_or_stand_in(owner, "the case has no owner", _stand_in(case), routes)
    if role == TEAM_LEAD:
        lead = case.content.get(TEAM_LEAD) if case is not None else None
        return _person_or_stand_in(lead if isinstance(lead, str) else None,
                                   "the request's team has no lead", SERVICE_MANAGER, routes)
    if role in SUPPLIER_ROLES:
        if supplier is None:
            return (), "the case has no supplier"
        url: str | None = getattr(supplier, SUPPLIER_ROLES[role])
        if url:
            return (url,), ""
        return (), f"supplier {supplier.code} has no {role.removeprefix('supplier_')} URL"
    if routes.roles.get(role):
        return routes.roles[role], ""
    return (), f"no [roles] {role} in the {_where(routes)}"


def resolve(
    notice: Notification, case: Case | None, supplier: Supplier | None, routes: Routes,
    customer: Customer | None = None,
) -> Resolution:
    found: list[str] = []
    unresolved: list[str] = []
    named = notice.extra.get(OWNER) if isinstance(notice.extra, dict) else None
    for role in notice.audience:
        role_urls, why = _role_urls(role, case, supplier, routes,
                                    named if isinstance(named, str) and named else None,
                                    customer)
        if role_urls:
            found.extend(role_urls)
        else:
            unresolved.append(f"{role} ({why})")
    stand_in = _stand_in(case)
    # Not for the customer: their survey carries a link that answers as them, for them alone.
    missing_inside = [text for text in unresolved if not text.startswith(f"{CUSTOMER} ")]
    if missing_inside and stand_in not in notice.audience and routes.roles.get(stand_in):
        # A role that reaches nobody (a supplier without a head of quality on record) must not
        # let an escalation vanish: the quality lead (the service manager on the service side)
        # gets it instead, so someone calls the supplier and completes its contacts
        # (docs/architecture.md, "Master data"). The role stays in `unresolved`: the notice is
        # marked as having missed it.
        found.extend(routes.roles[stand_in])
    # The owner falling back to the quality lead, who is also in the audience, gets one copy.
    return Resolution(urls=list(dict.fromkeys(found)), unresolved=unresolved)


def unreached_roles(resolution: Resolution) -> str | None:
    """The role names of `resolution.unresolved` ("supplier_quality_head (why)" each), comma-
    separated as Notification.unreached keeps them; None when every role was reached."""
    if not resolution.unresolved:
        return None
    return ",".join(text.split(" ", 1)[0] for text in resolution.unresolved)[:300]


def recipients(
    notice: Notification, case: Case | None, supplier: Supplier | None, routes: Routes,
    customer: Customer | None = None,
) -> list[str]:
    """The Apprise URLs `notice` goes to, each once, in audience order."""
    return resolve(notice, case, supplier, routes, customer).urls
