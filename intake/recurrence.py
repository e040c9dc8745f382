"""Recording a defect and matching it to the 8D case of its supplier, part and defect code.

docs/architecture.md, "Quality rules": a countermeasure is tracked for six months; the same defect
inside that window
means it was ineffective and the case is reopened. What a defect does depends on the newest
8D case of its key (cancelled cases do not count, they were opened in error):

- a case still being worked (containment ... long-term countermeasure): one more occurrence;
- a case in effectiveness tracking: the countermeasure failed, the case is reopened (unless
  the defect occurred before the countermeasure, which is one more occurrence, or after the
  window ended, which is treated like a closed case: see _match);
- a case closed as effective, or no case: a new case, linked to the earlier one;
- except that a case closed as effective whose effectiveness window contains the moment the
  defect occurred is reopened (a late report: a customer return, a back-dated import). What
  decides is when the defect occurred, not whether the sweep has closed the case yet: the
  closure was wrong, and the reopen event says so (casework.engine revokes it).

Every defect is stored (DefectEvent) and puts the supplier's next lots of the part on 100 %
inspection. Everything runs in the caller's transaction: a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.calendars import as_utc, isoformat, parse_instant
from capaflow.casework.engine import (
    StepResult,
    advance,
    check_severity,
    open_case,
    record_occurrence,
)
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, check_text, supplier_not_found
from capaflow.intake.classification import (
    BATCH,
    EXEMPT,
    RULE,
    Classification,
    ClassifyResult,
    apply_classification,
    check_lot_size,
    classification_of,
    classify,
)
from capaflow.intake.holds import HoldChange, hold_next_lots
from capaflow.intake.policy import IntakePolicy
from capaflow.models import Case, Deadline, DefectEvent, Supplier
from capaflow.models.deadline import MET, PENDING

SOURCES = ("line", "incoming", "customer")
OCCURRENCE, REOPENED, NEW_CASE, RECORDED = "occurrence", "reopened", "new_case", "recorded"
OUTCOMES = (OCCURRENCE, REOPENED, NEW_CASE, RECORDED)

# 8D states in which the case is still being worked: a defect there adds to what is known.
_WORKED = ("containment", "root_cause", "short_term_fix", "long_term_countermeasure")
_TRACKED = "effectiveness_tracking"

# The column sizes of DefectEvent / Case: longer text is refused with the field's name rather
# than failing inside the database (PostgreSQL enforces them, SQLite does not).
CODE_LIMIT = 100
SUPPLIER_CODE_LIMIT = 40
NOTE_LIMIT = 20_000
# An INTEGER column on PostgreSQL.
QUANTITY_LIMIT = 2_147_483_647


@dataclass
class IntakeResult:
    """What recording one defect did."""

    outcome: str  # one of OUTCOMES
    defect: DefectEvent
    supplier: Supplier
    # The case the defect was counted on, reopened, or opened; None when only recorded.
    case: Case | None
    # The earlier case of the same key that a new case follows (or would have followed).
    linked_case_id: int | None
    # The engine's step (occurrence, reopen, open) with its deadline changes; None if recorded.
    step: StepResult | None
    hold: HoldChange
    # Batch or sporadic, by the rule (README, "Batch versus sporadic"); what it did to the case.
    classification: Classification | None = None
    classified: ClassifyResult | None = None
    # True when the defect reopened a case already closed as effective: it occurred inside
    # that case's effectiveness window but was reported only after the window's end.
    late_report: bool = False

    @property
    def case_id(self) -> int | None:
        return self.case.id if self.case is not None else None


def check_code(field: str, value: str | None, *, limit: int = CODE_LIMIT) -> str:
    """A required short text (supplier code, part, defect code), trimmed."""
    return check_text(field, value, limit=limit, required=True)


def check_note(note: str | None) -> str | None:
    return check_text("note", note, limit=NOTE_LIMIT)


def check_source(source: str) -> str:
    cleaned = source.strip().lower()
    if cleaned not in SOURCES:
        raise BadInput(f"source: '{source}' is not one of {', '.join(SOURCES)}", field="source")
    return cleaned


def check_quantity(quantity: int) -> int:
    # bool is an int in Python; True is not a count of defective parts.
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise BadInput(f"quantity: {quantity!r} is not a whole number", field="quantity")
    if quantity < 1:
        raise BadInput(f"quantity: at least 1 defective part (got {quantity})", field="quantity")
    if quantity > QUANTITY_LIMIT:
        raise BadInput(f"quantity: at most {QUANTITY_LIMIT} (got {quantity})", field="quantity")
    return quantity


def parse_quantity(text: str | None) -> int:
    """A quantity as typed (option, CSV cell); blank means one defective part."""
    if text is None or not text.strip():
        return 1
    try:
        value = int(text.strip())
    except ValueError:
        raise BadInput(
            f"quantity: {text.strip()!r} is not a whole number", field="quantity"
        ) from None
    return check_quantity(value)


def check_occurred_at(occurred_at: datetime, now: datetime) -> datetime:
    if occurred_at.utcoffset() is None:
        # A naive time would be read in whatever zone the host is in (calendars.clock).
        raise BadInput(
            f"occurred_at: {occurred_at.isoformat()} has no UTC offset", field="occurred_at"
        )
    if occurred_at > now:
        # A defect reported from the future is a typo (or a wrong clock) and would be matched
        # against effectiveness windows that have not happened yet.
        raise BadInput(
            f"occurred_at: {isoformat(occurred_at)} is after now ({isoformat(now)})",
            field="occurred_at",
        )
    return occurred_at


def parse_occurred_at(text: str, now: datetime) -> datetime:
    """A time as typed: ISO-8601 with offset, not after now."""
    try:
        occurred_at = parse_instant(text, field="occurred_at")
    except ValueError as exc:
        raise BadInput(str(exc), field="occurred_at") from None
    return check_occurred_at(occurred_at, now)


def _supplier_for_update(session: Session, code: str) -> Supplier:
    # Locking the supplier row serialises the intake per supplier on PostgreSQL: two defects
    # of one part recorded at the same moment would otherwise both see "no open case" and
    # open two cases, or both see "no hold" and place two. The second waits, then sees what
    # the first wrote. (SQLite ignores FOR UPDATE; there the defect row record_defect writes
    # before matching takes the database's write lock and does the same.)
    supplier = session.exec(
        select(Supplier).where(Supplier.code == code).with_for_update()
    ).first()
    if supplier is None:
        raise supplier_not_found(code)
    return supplier


def _cases_of_key(session: Session, supplier_id: int, part: str, defect_code: str) -> list[Case]:
    """The 8D cases of this supplier, part and defect code, newest first, cancelled left out."""
    return list(
        session.exec(
            select(Case)
            .where(Case.lifecycle == "8d")
            .where(Case.supplier_id == supplier_id)
            .where(Case.part == part)
            .where(Case.defect_code == defect_code)
            .where(Case.state != "cancelled")
            .order_by(col(Case.opened_at).desc(), col(Case.id).desc())
        )
    )


def _effectiveness_window(session: Session, case_id: int) -> Deadline | None:
    return session.exec(
        select(Deadline)
        .where(Deadline.case_id == case_id)
        .where(Deadline.key == "effectiveness_window")
        .where(Deadline.status == PENDING)
        .order_by(col(Deadline.id).desc())
    ).first()


@dataclass(frozen=True)
class _Match:
    outcome: str  # OCCURRENCE, REOPENED or NEW_CASE (before the open_new_case policy)
    case: Case | None  # the case to count on or reopen
    linked: Case | None  # for a new case: the earlier case it follows
    # REOPENED only: the case was closed as effective, and the defect occurred in its window.
    late: bool = False


def _closed_window_containing(
    session: Session, cases: list[Case], occurred_at: datetime
) -> Case | None:
    """The newest case closed as effective whose effectiveness window contains `occurred_at`.

    The window of a closed case is the one its close met: from the countermeasure's
    implementation (started_at) to the window's end (due_at). Windows cut short by an earlier
    reopen were cancelled, not met, and a cancelled case was never closed by its window.
    """
    closed = {c.id: c for c in cases if c.state == "closed" and c.id is not None}
    if not closed:
        return None
    windows = session.exec(
        select(Deadline.case_id)
        .where(col(Deadline.case_id).in_(list(closed)))
        .where(Deadline.key == "effectiveness_window")
        .where(Deadline.status == MET)
        .where(col(Deadline.started_at) <= occurred_at)
        .where(col(Deadline.due_at) > occurred_at)
    ).all()
    containing = set(windows)
    # `cases` is newest first; windows of one key do not overlap unless cases were opened
    # by hand side by side, and then the newest is the one worked last.
    return next((c for c in cases if c.id in containing), None)


def _match(session: Session, cases: list[Case], occurred_at: datetime) -> _Match:
    on_open = _match_open(session, cases, occurred_at)
    if on_open.outcome == REOPENED:
        return on_open
    # docs/architecture.md, "Quality rules": the same defect inside the six months proves the
    # countermeasure ineffective, whenever it is reported. A case the sweep has already closed
    # as effective is reopened like one it has not closed yet, even when a newer case of the
    # key is open for a later defect: the reopened case is the one whose window the defect
    # falls in.
    closed = _closed_window_containing(session, cases, occurred_at)
    if closed is not None:
        return _Match(REOPENED, closed, None, late=True)
    return on_open


def _match_open(session: Session, cases: list[Case], occurred_at: datetime) -> _Match:
    """The match on the newest open case of the key (or none): as if no case were closed."""
    open_cases = [c for c in cases if c.state in _WORKED or c.state == _TRACKED]
    if not open_cases:
        # Closed as effective (or never seen): a new problem, linked to the newest earlier case
        # so its history (root cause, what did not hold) is one click away.
        return _Match(NEW_CASE, None, cases[0] if cases else None)
    # Several open cases of one key should not happen (the intake counts on the open one
    # instead of opening another), but cases opened by hand can, and so can a late-reported
    # recurrence reopening a closed case beside a newer one. The newest is the one being
    # worked on now, and the one whose containment a new defect is news for.
    case = open_cases[0]
    if case.state in _WORKED:
        return _Match(OCCURRENCE, case, None)
    assert case.id is not None
    window = _effectiveness_window(session, case.id)
    if window is not None and occurred_at < window.started_at:
        # The defect happened before the countermeasure was in place (a late report, a
        # back-dated import): it says nothing about the countermeasure, so it is counted on
        # the case without reopening it.
        return _Match(OCCURRENCE, case, None)
    if window is not None and occurred_at >= window.due_at:
        # Six months passed without recurrence; the sweep has not closed the case yet (it
        # runs every few minutes). The countermeasure held, so this is a new problem: the
        # case is left for the sweep to close as effective, and a new one follows it.
        return _Match(NEW_CASE, None, case)
    return _Match(REOPENED, case, None)


@dataclass(frozen=True)
class _Reported:
    """A defect as reported, once stored: what the case's trail and notices say about it."""

    row: DefectEvent
    supplier: Supplier
    occurred_at: datetime  # as reported, in its own offset (the row holds it in UTC)
    note: str | None

    @property
    def reference(self) -> str:
        return f"defect event {self.row.id}"

    @property
    def what(self) -> str:
        return (
            f"{self.row.quantity} × {self.row.defect_code} on {self.row.part} from "
            f"{self.supplier.code} ({self.row.source}) at {isoformat(self.occurred_at)}"
        )


def _store_defect(
    session: Session, supplier: Supplier, *, part: str, defect_code: str, quantity: int,
    occurred_at: datetime, source: str, note: str | None, import_key: str | None,
    now: datetime, inspection_lot_id: int | None = None,
) -> _Reported:
    # The defect row is written before the case is matched, for two reasons: its id is the
    # reference the case's audit trail carries, and on SQLite the first write is what starts
    # the transaction (pysqlite runs reads before it outside any transaction) and takes the
    # database's write lock. A second intake running at the same moment then waits here and
    # matches only once the first has committed, instead of matching on what it read before
    # and opening a second case. (On PostgreSQL the supplier row lock does that.)
    assert supplier.id is not None
    defect = DefectEvent(
        supplier_id=supplier.id, part=part, defect_code=defect_code, quantity=quantity,
        occurred_at=as_utc(occurred_at), recorded_at=as_utc(now), source=source,
        import_key=import_key, inspection_lot_id=inspection_lot_id,
    )
    session.add(defect)
    session.flush()
    return _Reported(defect, supplier, occurred_at, note)


def _hold_following_lots(
    session: Session, reported: _Reported, *, lots: int, now: datetime
) -> HoldChange:
    # docs/architecture.md, "Quality rules": a supplier-caused defect puts the next lots on
    # 100 % inspection. Every defect here names its supplier (DefectEvent.supplier_id is
    # required), so each one does, whether or not a case was opened for it.
    row = reported.row
    return hold_next_lots(
        session, supplier_id=row.supplier_id, part=row.part, lots=lots, case_id=row.case_id,
        reason=f"{row.defect_code} on {row.part} ({reported.reference})", now=now,
    )


def _count_occurrence(
    session: Session, case: Case, reported: _Reported, *, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    assert case.id is not None
    return record_occurrence(
        session,
        case_id=case.id,
        fields={
            "defect": reported.reference,
            "quantity": str(reported.row.quantity),
            "occurred_at": isoformat(reported.occurred_at),
            "source": reported.row.source,
        },
        note=reported.note,
        actor=actor,
        now=now,
        policy=policy,
    )


def _reopen(
    session: Session, case: Case, reported: _Reported, *, late: bool, actor: str,
    now: datetime, policy: DeadlinePolicy,
) -> StepResult:
    """The countermeasure failed: the engine cancels what the case owed, starts a new 24 h
    containment, counts the reopen and queues the "reopened" notice for the owner and the
    supplier. A case already closed as effective (`late`) is reopened the same way; the
    engine records that its closure is revoked."""
    assert case.id is not None
    reason = f"recurrence: {reported.what}, inside the effectiveness window"
    if late:
        reason = (
            f"late-reported recurrence: {reported.what}, inside the effectiveness window "
            "of the case closed as effective: that closure was wrong, the countermeasure "
            "is ineffective"
        )
    return advance(
        session,
        case_id=case.id,
        trigger="reopen",
        fields={"reason": reason, "defect": reported.reference},
        note=reported.note,
        actor=actor,
        now=now,
        policy=policy,
    )


def _open_following_case(
    session: Session, linked: Case | None, reported: _Reported, *, severity: str, actor: str,
    now: datetime, policy: DeadlinePolicy,
) -> StepResult:
    """A new 8D case for the defect, following the earlier case of its key if there is one."""
    row = reported.row
    return open_case(
        session,
        lifecycle="8d",
        title=f"{row.defect_code} on {row.part} from {reported.supplier.code}",
        supplier_code=reported.supplier.code,
        part=row.part,
        defect_code=row.defect_code,
        severity=severity,
        complex_cause=False,
        # Whoever worked the earlier case knows the part and the supplier best.
        owner=linked.owner if linked is not None else None,
        team=None,
        problem=f"{reported.what} ({reported.reference})"
        + (f"\n{reported.note}" if reported.note else ""),
        actor=actor,
        now=now,
        policy=policy,
        linked_case_id=linked.id if linked is not None else None,
    )


def _act_on_case(
    session: Session, outcome: str, match: _Match, reported: _Reported, *, severity: str,
    actor: str, now: datetime, policy: DeadlinePolicy,
) -> StepResult | None:
    """The engine's step the outcome calls for; None when the defect is only recorded."""
    if outcome == OCCURRENCE:
        assert match.case is not None
        return _count_occurrence(session, match.case, reported, actor=actor, now=now,
                                 policy=policy)
    if outcome == REOPENED:
        assert match.case is not None
        return _reopen(session, match.case, reported, late=match.late, actor=actor, now=now,
                       policy=policy)
    if outcome == NEW_CASE:
        return _open_following_case(session, match.linked, reported, severity=severity,
                                    actor=actor, now=now, policy=policy)
    return None


def record_defect(
    session: Session,
    *,
    supplier_code: str,
    part: str,
    defect_code: str,
    quantity: int,
    occurred_at: datetime,
    source: str,
    note: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    intake_policy: IntakePolicy,
    severity: str = "major",
    import_key: str | None = None,
    inspection_lot_id: int | None = None,
    lot_size: int | None = None,
) -> IntakeResult:
    """Record one defect and act on its case: count it, reopen it, or open a new one.

    `severity` is used only when a new case is opened. `inspection_lot_id`: the rejected lot
    this defect is the record of (incoming inspection); the grade counts that lot's defects
    through the lot and leaves such an event out of the line defects. `lot_size`: the size of
    the lot the defective pieces came from, if known; the batch threshold on the defect rate
    needs it (README, "Batch versus sporadic"). All checks come before
    the first write, and everything is in the caller's transaction: a refusal leaves nothing
    behind.
    """
    # --- checks: bad input (exit 2) first, then what must exist (exit 3) ---
    supplier_text = check_code("supplier", supplier_code, limit=SUPPLIER_CODE_LIMIT)
    part_text = check_code("part", part)
    code_text = check_code("defect_code", defect_code)
    quantity = check_quantity(quantity)
    lot_size = check_lot_size(lot_size, quantity)
    check_occurred_at(occurred_at, now)
    source_text = check_source(source)
    note_text = check_note(note)
    check_severity(severity)
    supplier = _supplier_for_update(session, supplier_text)
    assert supplier.id is not None

    reported = _store_defect(
        session, supplier, part=part_text, defect_code=code_text, quantity=quantity,
        occurred_at=occurred_at, source=source_text, note=note_text, import_key=import_key,
        now=now, inspection_lot_id=inspection_lot_id,
    )
    match = _match(session, _cases_of_key(session, supplier.id, part_text, code_text), occurred_at)
    outcome = match.outcome
    if outcome == NEW_CASE and not intake_policy.open_new_case:
        outcome = RECORDED
    step = _act_on_case(session, outcome, match, reported, severity=severity, actor=actor,
                        now=now, policy=policy)
    case = step.case if step is not None else None
    defect = reported.row
    defect.case_id = case.id if case is not None else None
    defect.outcome = outcome
    found = classify(quantity, lot_size, intake_policy.classification)
    # The defect keeps its own class and the rule's reason, for the nonconformance list
    # (docs/architecture.md, "Defect triage"); the case's class may differ (batch stays batch).
    defect.lot_size = lot_size
    defect.classification = found.kind
    defect.classification_source = RULE
    defect.classification_reason = found.basis
    session.add(defect)
    session.flush()
    hold = _hold_following_lots(session, reported, lots=intake_policy.inspection_lots, now=now)
    classified = None
    if case is not None:
        classified = _classify_case(session, case, found, outcome, reported, actor=actor,
                                    now=now, policy=policy, intake_policy=intake_policy)
        case = classified.case
    return IntakeResult(
        outcome=outcome, defect=defect, supplier=supplier, case=case,
        linked_case_id=match.linked.id if match.linked is not None else None, step=step,
        hold=hold, late_report=outcome == REOPENED and match.late,
        classification=found, classified=classified,
    )


def _classify_case(
    session: Session, case: Case, found: Classification, outcome: str, reported: _Reported,
    *, actor: str, now: datetime, policy: DeadlinePolicy, intake_policy: IntakePolicy,
) -> ClassifyResult:
    """The case takes the class of the defect; counted on a case still being worked, a batch
    case stays batch (its parts confirmed good are still owed) when a sporadic piece follows.
    An exempt case (one_off, unavoidable) is classified afresh: the problem came back."""
    assert case.id is not None
    kind = found.kind
    if outcome == OCCURRENCE and classification_of(case) == BATCH:
        kind = BATCH
    previous = classification_of(case)
    fields: dict[str, str] = {"defect": reported.reference, "quantity": str(found.quantity)}
    if found.lot_size is not None:
        fields["lot_size"] = str(found.lot_size)
    if previous in EXEMPT:
        fields["exemption_ended"] = f"a further defect on a case classified {previous}"
    return apply_classification(
        session, case_id=case.id, kind=kind, source=RULE, basis=found.basis, fields=fields,
        actor=actor, now=now, policy=policy, intake_policy=intake_policy,
    )
