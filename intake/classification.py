"""Batch versus sporadic (README, "Batch versus sporadic"): what a confirmed supplier defect
asks of the supplier, and what it exempts.

- **batch**: the defect event reaches `[intake.classification]` batch_min_quantity pieces, or
  (lot size known) batch_min_rate of the lot. The full 8D (24 h containment, the next lots at
  100 %), and the supplier owes parts confirmed good at once (`[intake.good_parts]`).
- **sporadic**: below both thresholds. The 8D still opens (the supplier still owes the root
  cause and the countermeasure, and containment: a sporadic defect may come back), a written
  notice goes to the supplier, and the defective pieces are owed back (`[intake.replacement]`).
- **one_off** / **unavoidable**: only the quality lead's judgement (`capa defect classify`).
  Exempt from the emergency containment and from the 100 % inspection of the next lots:
  a containment still owed is cancelled (the case moves on to D4, its D3 recorded as not
  required, and why), the hold the case placed is released. The pieces are still replaced.

The classification is kept in the case's content (`classification`, `classification_source`,
`classification_reason`) and each one is an event (`classify`) of the hash-chained trail, with
its actor and reason. A new defect on an exempt case is classified afresh by the rule: a
problem that comes back is not one-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from capaflow.calendars import isoformat
from capaflow.casework.engine import StepResult, advance, get_case, record_fact
from capaflow.config.policies import ClassificationSection, IntakeSection
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import (
    cancel_obligations,
    meet_obligation,
    open_deadlines,
    start_obligation,
)
from capaflow.errors import BadInput, Conflict, check_text
from capaflow.intake.holds import HoldChange, hold_next_lots, open_hold
from capaflow.models import Case, CaseEvent, Deadline, InspectionHold
from capaflow.models.db import insert_rows
from capaflow.notifications import outbox

BATCH, SPORADIC, ONE_OFF, UNAVOIDABLE = "batch", "sporadic", "one_off", "unavoidable"
CLASSES = (BATCH, SPORADIC, ONE_OFF, UNAVOIDABLE)
# Exempt from the emergency containment and the 100 % inspection of the next lots.
EXEMPT = (ONE_OFF, UNAVOIDABLE)
RULE, OVERRIDE = "rule", "override"
# The audit actions: a classification, and the parts the supplier owed received.
CLASSIFY, PARTS_RECEIVED = "classify", "parts_received"
# The deadline keys of what the supplier owes for the pieces themselves.
GOOD_PARTS, REPLACEMENT = "good_parts", "replacement"
PARTS_KEYS = (GOOD_PARTS, REPLACEMENT)
_CONTAINMENT = "containment"
_FINAL = ("closed", "cancelled")
REASON_LIMIT = 2_000


@dataclass(frozen=True)
class Classification:
    """What the rule made of one defect event, and why."""

    kind: str  # BATCH or SPORADIC
    quantity: int
    lot_size: int | None
    basis: str

    @property
    def rate(self) -> float | None:
        return self.quantity / self.lot_size if self.lot_size else None


def classify(
    quantity: int, lot_size: int | None, policy: ClassificationSection
) -> Classification:
    """Batch when the event's pieces reach batch_min_quantity, or the lot's defective share
    reaches batch_min_rate (lot size known); sporadic otherwise."""
    least = policy.batch_min_quantity
    if quantity >= least:
        return Classification(BATCH, quantity, lot_size,
                              f"{quantity} defective pieces, at least {least}")
    if lot_size:
        rate = quantity / lot_size
        if rate >= policy.batch_min_rate:
            return Classification(
                BATCH, quantity, lot_size,
                f"{quantity} of {lot_size} defective ({rate:.2%}), at least "
                f"{policy.batch_min_rate:.2%} of the lot",
            )
        return Classification(
            SPORADIC, quantity, lot_size,
            f"{quantity} of {lot_size} defective ({rate:.2%}): fewer than {least} pieces and "
            f"under {policy.batch_min_rate:.2%} of the lot",
        )
    return Classification(SPORADIC, quantity, None,
                          f"{quantity} defective piece(s), fewer than {least}")


def check_class(value: str) -> str:
    cleaned = value.strip().lower().replace("-", "_")
    if cleaned not in CLASSES:
        raise BadInput(f"as: '{value}' is not one of {', '.join(CLASSES)}", field="as")
    return cleaned


def check_lot_size(lot_size: int | None, quantity: int) -> int | None:
    if lot_size is None:
        return None
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise BadInput(f"lot_size: {lot_size!r} is not a positive whole number",
                       field="lot_size")
    if lot_size < quantity:
        raise BadInput(
            f"lot_size: {lot_size} is less than the {quantity} defective pieces",
            field="lot_size",
        )
    return lot_size


def parse_lot_size(text: str | None) -> int | None:
    """A lot size as typed (option, CSV cell); blank means not known."""
    if text is None or not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise BadInput(f"lot_size: {text.strip()!r} is not a whole number",
                       field="lot_size") from None
    if value < 1:
        raise BadInput(f"lot_size: at least 1 (got {value})", field="lot_size")
    return value


def classification_of(case: Case) -> str | None:
    value = case.content.get("classification")
    return value if isinstance(value, str) else None


@dataclass
class ClassifyResult:
    """What a classification did to its case."""

    case: Case
    event: CaseEvent
    classification: str
    previous: str | None
    source: str  # RULE or OVERRIDE
    started: list[Deadline] = field(default_factory=list)
    cancelled: list[Deadline] = field(default_factory=list)
    released_hold: InspectionHold | None = None
    hold: HoldChange | None = None
    # An exempt case still in containment moves on to D4: the `contain` step it took.
    contain_step: StepResult | None = None


def _notice_lines(kind: str, basis: str, case: Case) -> list[str]:
    what = f"Defect {case.defect_code or '-'} on part {case.part or '-'}"
    if kind == BATCH:
        return [f"{what}: a batch defect ({basis}).",
                "Send parts confirmed good at once; the case's 8D (24 h containment, the next "
                "lots at 100 % inspection) applies in full."]
    if kind == SPORADIC:
        return [f"{what}: a sporadic defect ({basis}).",
                "This is the written notice of the defective pieces: replace them. The 8D "
                "still asks for the root cause and the countermeasure."]
    return [f"{what}: classified {kind.replace('_', '-')} by the quality lead ({basis}).",
            "No emergency containment and no 100 % inspection of the next lots are owed for "
            "it; replace the defective pieces."]


def _parts_owed(
    session: Session, case: Case, kind: str, seq: int, *, source: str, now: datetime,
    policy: DeadlinePolicy, intake_policy: IntakeSection,
) -> tuple[list[Deadline], list[Deadline]]:
    """Batch owes parts confirmed good; any other class the replacement of the pieces. One of
    them open at a time: the other is cancelled, one already open keeps its due time.

    A new defect (the rule) owes parts for its pieces. The lead's override only changes what
    is still owed: parts the supplier has already sent are not owed again."""
    assert case.id is not None
    key = GOOD_PARTS if kind == BATCH else REPLACEMENT
    cancelled = cancel_obligations(
        session, case_id=case.id, keys=tuple(k for k in PARTS_KEYS if k != key), seq=seq,
        now=now,
    )
    if any(d.key == key for d in open_deadlines(session, case.id)):
        return [], cancelled
    if source == OVERRIDE and not cancelled:
        return [], cancelled
    spec = intake_policy.good_parts if key == GOOD_PARTS else intake_policy.replacement
    started = start_obligation(
        session, case=case, key=key, title=spec.title, started_by=CLASSIFY, started_seq=seq,
        due_at=policy.calendar.add(now, spec.due), now=now, policy=policy,
    )
    return [started], cancelled


def _release_hold(session: Session, case: Case, now: datetime) -> InspectionHold | None:
    """The open 100 % hold this case placed, released (kept, with its release time)."""
    if case.supplier_id is None or case.part is None:
        return None
    hold = open_hold(session, case.supplier_id, case.part)
    if hold is None or hold.case_id != case.id:
        return None
    hold.released_at = now
    session.add(hold)
    session.flush()
    return hold


def apply_classification(
    session: Session,
    *,
    case_id: int,
    kind: str,
    source: str,
    basis: str,
    fields: dict[str, Any],
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    intake_policy: IntakeSection,
) -> ClassifyResult:
    """Record `kind` on the case (event `classify`) and apply what it asks: the parts owed,
    and for an exempt class the containment cancelled and the hold released; back from an
    exempt class, the hold placed again. The caller has checked the case may be classified."""
    before = get_case(session, case_id)
    previous = classification_of(before)
    recorded = {"classification": kind, "source": source, "basis": basis, **fields}
    if previous is not None:
        recorded["previous"] = previous
    fact = record_fact(
        session, case_id=case_id, action=CLASSIFY, fields=recorded,
        content={"classification": kind, "classification_source": source,
                 "classification_reason": basis},
        note=None, actor=actor, now=now, policy=policy, tell_owner=False,
    )
    case, supplier, event = fact.case, fact.supplier, fact.event
    started, cancelled = _parts_owed(session, case, kind, event.seq, source=source, now=now,
                                     policy=policy, intake_policy=intake_policy)
    result = ClassifyResult(case=case, event=event, classification=kind, previous=previous,
                            source=source, started=started, cancelled=cancelled)
    if kind in EXEMPT:
        _exempt(session, result, basis=basis, actor=actor, now=now, policy=policy)
    elif previous in EXEMPT and source == OVERRIDE and case.supplier_id is not None:
        # The lead takes the exemption back: the next lots go on 100 % inspection again. (The
        # case has moved past D3; its containment is not owed again.)
        assert case.part is not None
        result.hold = hold_next_lots(
            session, supplier_id=case.supplier_id, part=case.part,
            lots=intake_policy.inspection_lots,
            case_id=case.id, reason=f"case #{case.id} classified {kind}: no longer exempt",
            now=now,
        )
    owed = [d for d in open_deadlines(session, case_id) if d.key in PARTS_KEYS]
    notice = outbox.defect_classified(
        case=result.case, event=event, supplier=supplier, kind=f"{kind}_defect",
        lines=_notice_lines(kind, basis, result.case), owed=owed, now=now,
        zone=policy.calendar.zone,
    )
    insert_rows(session, [notice], with_ids=False)
    return result


def _exempt(
    session: Session, result: ClassifyResult, *, basis: str, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> None:
    case = result.case
    assert case.id is not None
    result.cancelled.extend(cancel_obligations(
        session, case_id=case.id, keys=(_CONTAINMENT,), seq=result.event.seq, now=now,
    ))
    result.released_hold = _release_hold(session, case, now)
    if case.state == _CONTAINMENT:
        # Nothing to contain: D3 is recorded as not required and why, and the root cause's
        # clock starts, so the rest of the 8D is still owed and chased.
        step = advance(
            session, case_id=case.id, trigger="contain",
            fields={"containment": f"Not required: classified {result.classification} "
                                   f"({basis})"[:20_000]},
            note=None, actor=actor, now=now, policy=policy,
        )
        result.contain_step = step
        result.case = step.case


def override_classification(
    session: Session,
    *,
    case_id: int,
    kind: str,
    reason: str,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    intake_policy: IntakeSection,
) -> ClassifyResult:
    """The quality lead's classification of an 8D case (`capa defect classify`). Bad input
    (exit 2) first, then the case (exit 3), then whether it makes sense (exit 4): an open 8D
    case of a supplier, not already of that class. Everything in the caller's transaction."""
    cleaned = check_class(kind)
    reason_text = check_text("reason", reason, limit=REASON_LIMIT, required=True)
    assert reason_text is not None
    case = get_case(session, case_id)
    if case.lifecycle != "8d" or case.supplier_id is None:
        raise Conflict(
            f"case {case_id} is not a supplier's 8D case: only a supplier defect is classified",
            field="case",
        )
    if case.state in _FINAL:
        raise Conflict(f"case {case_id} is {case.state}: nothing to classify", field="case")
    if classification_of(case) == cleaned:
        raise Conflict(f"case {case_id} is already classified {cleaned}", field="as")
    return apply_classification(
        session, case_id=case_id, kind=cleaned, source=OVERRIDE, basis=reason_text,
        fields={"reason": reason_text}, actor=actor, now=now, policy=policy,
        intake_policy=intake_policy,
    )


def may_classify(case: Case) -> bool:
    """Whether the lead's classification applies to the case at all: an open supplier 8D case
    (the same conditions override_classification refuses with exit 4), for the pages to show
    the form only then."""
    return case.lifecycle == "8d" and case.supplier_id is not None and case.state not in _FINAL


def parts_owed(session: Session, case_id: int) -> list[Deadline]:
    """The open good_parts / replacement deadlines of the case: what record_parts_received
    meets, and so when "replacement parts received" is offered at all."""
    return [d for d in open_deadlines(session, case_id) if d.key in PARTS_KEYS]


@dataclass
class PartsReceived:
    case: Case
    event: CaseEvent
    met: list[Deadline]


def record_parts_received(
    session: Session, *, case_id: int, note: str | None, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> PartsReceived:
    """The parts the supplier owed (confirmed good, or the replacement pieces) arrived: the
    open good_parts / replacement deadline is met. Exit 4 when none is owed."""
    note_text = check_text("note", note, limit=20_000)
    case = get_case(session, case_id)
    assert case.id is not None
    owed = parts_owed(session, case.id)
    if not owed:
        raise Conflict(f"case {case_id} owes no replacement parts", field="case")
    keys = sorted({d.key for d in owed})
    fact = record_fact(
        session, case_id=case.id, action=PARTS_RECEIVED,
        fields={"deadlines": ", ".join(keys), "received_at": isoformat(now)},
        note=note_text, actor=actor, now=now, policy=policy, tell_owner=False,
    )
    case, event = fact.case, fact.event
    met = [m for key in keys
           if (m := meet_obligation(session, case_id=case_id, key=key, seq=event.seq,
                                    now=now)) is not None]
    return PartsReceived(case=case, event=event, met=met)
