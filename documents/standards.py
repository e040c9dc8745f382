"""The documents of service standards, inspection rounds and their findings
(docs/architecture.md, "Service quality control"): what `capa standard|round|finding ... --json`
prints and the API answers."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp
from capaflow.standards.catalogue import CatalogueEntry, StandardVersion


class StandardItemPublic(Public):
    code: str
    text: str
    weight: float
    factor: str
    critical: bool


class StandardPublic(Public):
    department: str
    position: str
    version: int
    title: str
    imported_at: Timestamp
    imported_by: str
    items: list[StandardItemPublic]


class StandardImportPublic(Public):
    # False: the file was identical to the current version and nothing was written.
    added: bool
    standard: StandardPublic


class StandardEntryPublic(Public):
    department: str
    position: str
    title: str
    version: int
    items: int
    imported_at: Timestamp


class StandardListPublic(Public):
    standards: list[StandardEntryPublic]


def standard_document(standard: StandardVersion) -> StandardPublic:
    return StandardPublic(
        department=standard.department, position=standard.position, version=standard.version,
        title=standard.title, imported_at=standard.imported_at,
        imported_by=standard.imported_by,
        items=[StandardItemPublic(code=i.code, text=i.text, weight=i.weight, factor=i.factor,
                                  critical=i.critical) for i in standard.items],
    )


def standard_list_document(entries: list[CatalogueEntry]) -> StandardListPublic:
    return StandardListPublic(standards=[
        StandardEntryPublic(department=e.department, position=e.position, title=e.title,
                            version=e.version, items=e.items, imported_at=e.imported_at)
        for e in entries])
