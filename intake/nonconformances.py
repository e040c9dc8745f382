"""The nonconformance list: the defects recorded, filtered and a page at a time, each with how
it was classified and why in the quality lead's words (docs/architecture.md, "Defect triage").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from capaflow.errors import BadInput, check_text
from capaflow.intake.classification import CLASSES, OVERRIDE, check_class
from capaflow.models import Case, DefectEvent, Supplier

PAGE_SIZE = 50
PAGE_LIMIT = 200
UNCLASSIFIED = "unclassified"
# Which defects: still to look at, marked handled, or all of them.
OPEN, HANDLED, ALL = "open", "handled", "all"
STATES = (OPEN, HANDLED, ALL)

_CLASS_WORDS = {"batch": "batch", "sporadic": "sporadic", "one_off": "one-off",
                "unavoidable": "unavoidable"}
_OUTCOME_WORDS = {"occurrence": "counted on", "reopened": "reopened", "new_case": "opened",
                  "recorded": "recorded", "merged": "merged into"}


@dataclass(frozen=True)
class Filters:
    supplier: str | None = None
    part: str | None = None
    classification: str | None = None
    unlinked: bool = False
    state: str = OPEN


def check_filters(*, supplier: str | None = None, part: str | None = None,
                  classification: str | None = None, unlinked: bool = False,
                  state: str | None = None) -> Filters:
    """The filters as typed; blank means any. BadInput naming the field otherwise."""
    kind = (classification or "").strip().lower()
    if kind and kind != UNCLASSIFIED:
        kind = check_class(kind)
    wanted = (state or OPEN).strip().lower() or OPEN
    if wanted not in STATES:
        raise BadInput(f"state: '{wanted[:20]}' is not one of {', '.join(STATES)}",
                       field="state")
    return Filters(
        supplier=check_text("supplier", supplier, limit=40) or None,
        part=check_text("part", part, limit=100) or None,
        classification=kind or None, unlinked=unlinked, state=wanted,
    )


def check_page(page: int | None, size: int | None = None) -> tuple[int, int]:
    number = 1 if page is None else page
    per = PAGE_SIZE if size is None else size
    if number < 1:
        raise BadInput(f"page: at least 1 (got {number})", field="page")
    if not 1 <= per <= PAGE_LIMIT:
        raise BadInput(f"per_page: 1 to {PAGE_LIMIT} (got {per})", field="per_page")
    return number, per


@dataclass(frozen=True)
class Nonconformance:
    """One line of the list."""

    defect: DefectEvent
    supplier_code: str
    case: Case | None

    @property
    def classified(self) -> str:
        """How it was classified, with its case: "batch → case #12", "sporadic"."""
        kind = self.defect.classification
        words = _CLASS_WORDS.get(kind or "", "not classified")
        if self.case is not None:
            return f"{words} → case #{self.case.id}"
        return words

    @property
    def why(self) -> str:
        """The rule's reason, or the lead's, in words."""
        d = self.defect
        if d.classification is None:
            return "recorded before defects kept their classification"
        if d.classification_source == OVERRIDE:
            return f"reclassified by the quality lead: {d.classification_reason}"
        return f"by the rule: {d.classification_reason}"

    @property
    def case_words(self) -> str:
        """What the intake did with it, or what the lead did since."""
        handled = ""
        if self.defect.handled_at is not None:
            handled = f"; handled by {self.defect.handled_by}: {self.defect.handled_reason}"
        return self._case_words() + handled

    def _case_words(self) -> str:
        if self.case is None:
            return "no case"
        verb = _OUTCOME_WORDS.get(self.defect.outcome or "", "linked to")
        if verb == "recorded":
            verb = "linked to"
        state = self.case.state.replace("_", " ")
        return f"{verb} case #{self.case.id} ({state})"


@dataclass(frozen=True)
class NonconformancePage:
    rows: list[Nonconformance]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_nonconformances(session: Session, filters: Filters, *, page: int = 1,
                         per_page: int = PAGE_SIZE,
                         supplier_id: int | None = None) -> NonconformancePage:
    """The defects that match, newest first. `supplier_id`: only that supplier's (a
    supplier's own view). An unknown supplier code matches nothing (not an error: a filter)."""
    query = select(DefectEvent, Supplier.code).join(
        Supplier, col(Supplier.id) == col(DefectEvent.supplier_id))
    if supplier_id is not None:
        query = query.where(DefectEvent.supplier_id == supplier_id)
    if filters.supplier:
        query = query.where(Supplier.code == filters.supplier)
    if filters.part:
        query = query.where(DefectEvent.part == filters.part)
    if filters.classification == UNCLASSIFIED:
        query = query.where(col(DefectEvent.classification).is_(None))
    elif filters.classification in CLASSES:
        query = query.where(DefectEvent.classification == filters.classification)
    if filters.unlinked:
        query = query.where(col(DefectEvent.case_id).is_(None))
    if filters.state == OPEN:
        query = query.where(col(DefectEvent.handled_at).is_(None))
    elif filters.state == HANDLED:
        query = query.where(col(DefectEvent.handled_at).is_not(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    found = session.exec(
        query.order_by(col(DefectEvent.occurred_at).desc(), col(DefectEvent.id).desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    case_ids = {d.case_id for d, _ in found if d.case_id is not None}
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids)))} \
        if case_ids else {}
    rows = [Nonconformance(d, code, cases.get(d.case_id) if d.case_id else None)
            for d, code in found]
    return NonconformancePage(rows=rows, total=int(total), page=page, per_page=per_page)
