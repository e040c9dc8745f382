"""What the case-opening form offers: the owners, parts and defect codes that exist
(docs/architecture.md, "Master data").

Owners are the enabled users who may own supplier-quality work and the people the routes
file names (a case's owner is reached through [people]); parts are those the register
already knows from cases, defects, lots and holds; defect codes come from the catalogue in
the policies, followed by codes already in use that it does not list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import union
from sqlmodel import Session, col, select

from capaflow.accounts.users import writer_names
from capaflow.errors import BadInput
from capaflow.models import Case, DefectEvent, InspectionLot

LIMIT = 500  # a form's list: the most recent parts are not worth more than this


@dataclass(frozen=True)
class CaseCatalogue:
    owners: tuple[str, ...]
    parts: tuple[str, ...]
    # code → what it means ("" for a code in use the catalogue does not list)
    defect_codes: tuple[tuple[str, str], ...]


def case_catalogue(
    session: Session, *, people: Iterable[str], defect_codes: Mapping[str, str],
) -> CaseCatalogue:
    owners = sorted(set(writer_names(session)) | set(people))
    parts = session.exec(union(
        select(Case.part).where(col(Case.part).is_not(None)),
        select(DefectEvent.part),
        select(InspectionLot.part),
    ).limit(LIMIT)).all()  # type: ignore[call-overload]
    used = session.exec(union(
        select(Case.defect_code).where(col(Case.defect_code).is_not(None)),
        select(DefectEvent.defect_code),
    ).limit(LIMIT)).all()  # type: ignore[call-overload]
    codes = list(defect_codes.items())
    codes += [(str(row[0]), "") for row in sorted(used) if row[0] not in defect_codes]
    return CaseCatalogue(owners=tuple(owners), parts=tuple(sorted(str(r[0]) for r in parts)),
                         defect_codes=tuple(codes))


def check_owner(owner: str, catalogue: CaseCatalogue) -> None:
    """BadInput naming `owner` when it is neither a writer nor a person of the routes file:
    the owner gets the case's reminders, and a name nobody knows would send them to the
    quality lead instead without anyone noticing (notifications.routing)."""
    name = owner.strip()
    if name and name not in catalogue.owners:
        known = ", ".join(catalogue.owners[:10]) or "nobody yet"
        raise BadInput(f"owner: '{name}' is not a quality lead or manager, nor in the routes "
                       f"file's [people] (known: {known})", field="owner")
