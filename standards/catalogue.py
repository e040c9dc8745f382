"""The standards catalogue: which versions exist per department and position, and one version
with its items as a typed value the other parts of service quality control read
(docs/architecture.md, "Service quality control").

The 5M1E factors are config.policies.FACTORS, the audit checklist's, so an audit finding and
an inspection finding name the same six.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from capaflow.config.policies import Policies
from capaflow.errors import BadInput, NotFound
from capaflow.models.standard import Standard, StandardItem


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    weight: float
    factor: str
    critical: bool


@dataclass(frozen=True)
class StandardVersion:
    id: int
    department: str
    position: str
    version: int
    title: str
    imported_at: datetime
    imported_by: str
    items: tuple[Item, ...]

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)


def check_department(policies: Policies, department: str) -> str:
    """`department` if the policies list it, else BadInput naming `department`."""
    if department not in policies.departments:
        known = ", ".join(policies.departments) or "none configured"
        raise BadInput(f"department: '{department}' is not a department (known: {known})",
                       field="department")
    return department


def check_position(policies: Policies, department: str, position: str) -> str:
    """`position` if `department` (checked first) has it, else BadInput naming `position`."""
    positions = policies.departments[check_department(policies, department)].positions
    if position not in positions:
        raise BadInput(f"position: '{position}' is not a position of {department} "
                       f"(known: {', '.join(positions)})", field="position")
    return position


def _value(session: Session, row: Standard) -> StandardVersion:
    assert row.id is not None
    items = session.exec(
        select(StandardItem).where(StandardItem.standard_id == row.id)
        .order_by(col(StandardItem.rank))
    ).all()
    return StandardVersion(
        id=row.id, department=row.department, position=row.position, version=row.version,
        title=row.title, imported_at=row.imported_at, imported_by=row.imported_by,
        items=tuple(Item(code=i.code, text=i.text, weight=i.weight, factor=i.factor,
                         critical=i.critical) for i in items),
    )


def _newest(session: Session, department: str, position: str) -> Standard | None:
    return session.exec(
        select(Standard).where(Standard.department == department,
                               Standard.position == position)
        .order_by(col(Standard.version).desc()).limit(1)
    ).first()


def current_standard(session: Session, department: str, position: str) -> StandardVersion:
    """The newest version of the standard of `position` in `department`; NotFound naming
    `department` when the department has no standard at all, else `position`."""
    row = _newest(session, department, position)
    if row is None:
        any_in_department = session.exec(
            select(Standard.id).where(Standard.department == department).limit(1)).first()
        if any_in_department is None:
            raise NotFound(f"department: no standard has been imported for '{department}'",
                           field="department")
        raise NotFound(f"position: no standard has been imported for '{position}' in "
                       f"{department}", field="position")
    return _value(session, row)


def standard_version(
    session: Session, department: str, position: str, version: int
) -> StandardVersion:
    """Version `version` of the standard; NotFound naming `version` if there is no such one
    (or `department`/`position` if there is none at all)."""
    current = current_standard(session, department, position)
    if version == current.version:
        return current
    row = session.exec(
        select(Standard).where(Standard.department == department,
                               Standard.position == position, Standard.version == version)
    ).first()
    if row is None:
        raise NotFound(f"version: {department}/{position} has versions 1 to {current.version}, "
                       f"not {version}", field="version")
    return _value(session, row)


def standard_by_id(session: Session, standard_id: int) -> StandardVersion:
    row = session.get(Standard, standard_id)
    if row is None:
        raise NotFound(f"standard {standard_id} does not exist", field="standard")
    return _value(session, row)


@dataclass(frozen=True)
class CatalogueEntry:
    department: str
    position: str
    title: str
    version: int
    items: int
    imported_at: datetime


def catalogue(session: Session) -> list[CatalogueEntry]:
    """The current version of every standard, by department and position."""
    newest = (
        select(Standard.department, Standard.position,
               func.max(Standard.version).label("version"))
        .group_by(col(Standard.department), col(Standard.position)).subquery()
    )
    rows = session.exec(
        select(Standard).join(newest, and_(col(Standard.department) == newest.c.department,
                                           col(Standard.position) == newest.c.position,
                                           col(Standard.version) == newest.c.version))
        .order_by(col(Standard.department), col(Standard.position))
    ).all()
    counts = dict(session.exec(
        select(StandardItem.standard_id, func.count())
        .where(col(StandardItem.standard_id).in_([r.id for r in rows]))
        .group_by(col(StandardItem.standard_id))
    ).all())
    return [CatalogueEntry(department=r.department, position=r.position, title=r.title,
                           version=r.version, items=counts.get(r.id or 0, 0),
                           imported_at=r.imported_at) for r in rows]
