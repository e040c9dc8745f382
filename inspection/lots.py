"""Incoming inspection of a supplier's lot: which plan applies, and what the result does.

`plan_for` answers "how do I inspect this lot?": refused for a blacklisted supplier or a
discontinued part; 100 % while a containment hold is open on the part
(docs/architecture.md, "Quality rules": the next
3 lots after a supplier-caused defect); otherwise the ISO 2859-1 single sampling plan at the
severity the switching rules (inspection.switching) have reached, tightened at the least for a
supplier rated not cooperative.

`record_lot` stores one inspected lot, judges it by that plan, counts the hold down, moves the
switching state on, and sends a rejected lot to the supplier (a notice) and to the recurrence
intake (which opens or adds to the 8D case of supplier, part and defect code, and places the
next-3-lots hold). Everything runs in the caller's transaction: a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from capaflow.calendars import as_utc, isoformat
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, supplier_not_found
from capaflow.inspection.delivery import (
    Delivery,
    check_delivery,
    delivered_after,
    delivery_notice,
)
from capaflow.inspection.policy import InspectionPolicy
from capaflow.inspection.switching import (
    NORMAL,
    STOPPED,
    LotOutcome,
    Standing,
    Step,
    Switch,
    apply_lot,
    effective_severity,
    resume,
)
from capaflow.inspection.values import (
    check_aql,
    check_count,
    check_inspected_at,
    check_level,
    check_lot_counts,
)
from capaflow.intake import IntakePolicy, IntakeResult, open_hold, record_defect
from capaflow.intake.recurrence import SUPPLIER_CODE_LIMIT, check_code
from capaflow.models import (
    InspectionHold,
    InspectionLot,
    Notification,
    Supplier,
    SupplierRating,
    SwitchingState,
)
from capaflow.sampling import AQL_LABELS, Plan, aql_index, code_letter, plan
from capaflow.sampling.plans import follow
from capaflow.sampling.tables import PLAN_TABLES

HUNDRED_PERCENT = "100%"
NOT_COOPERATIVE = "not_cooperative"
INCOMING = "incoming"  # the intake's source for defects found at incoming inspection


class DuplicateLot(Conflict):
    """The lot was already recorded (same supplier, part and lot): exit 4, or "skipped" when
    a CSV file is imported again."""

    def __init__(self, message: str, *, existing: InspectionLot) -> None:
        super().__init__(message, field="lot")
        # Values, not the row: the transaction rolls back and expires the row before an
        # importer reads them.
        self.lot_id = existing.id
        self.recorded_at = as_utc(existing.recorded_at)
        self.accepted = existing.accepted


@dataclass(frozen=True)
class InspectionPlan:
    """How to inspect one lot, and why."""

    supplier: str
    part: str
    lot_size: int
    aql: str
    level: str
    severity: str  # normal, tightened, reduced, or "100%" for a containment hold
    code_letter: str
    sample_size: int
    acceptance_number: int
    rejection_number: int
    why: str
    # The ISO plan; None while a containment hold is open (the hold decides, not the tables).
    sampling: Plan | None
    # The hold this lot counts down, with the lot's place in it.
    hold: InspectionHold | None
    hold_lot: int | None  # 1 for the first of the held lots
    # The switching state as stored, before this lot (severity may differ: see `severity`).
    standing: Standing
    not_cooperative: bool


@dataclass
class LotResult:
    """What recording one lot did."""

    lot: InspectionLot
    supplier: Supplier
    plan: InspectionPlan
    accepted: bool
    # None for a lot under a containment hold: 100 % inspection for containment is not an
    # inspection under the ISO scheme and leaves the switching state where it was.
    step: Step | None
    switching: Standing  # after the lot
    counted_hold: InspectionHold | None  # the hold this lot counted down
    # Lots the counted hold had left right after this lot; a rejected held lot then renews the
    # hold (through the intake), which `counted_hold` shows.
    counted_remaining: int | None
    hold_after: InspectionHold | None  # the hold open on the part after the lot
    intake: IntakeResult | None  # a rejected lot's defect through the recurrence intake
    notice: Notification | None  # a rejected lot's notice to the supplier
    # The delivery's documents as recorded; a lot without them, or out of production-lot
    # order, sends the supplier `delivery_notice` (inspection.delivery).
    delivery: Delivery = Delivery()
    delivered_after: str | None = None  # the production lot it came out of order after
    delivery_notice: Notification | None = None

    @property
    def case_id(self) -> int | None:
        return self.intake.case_id if self.intake is not None else None

    @property
    def switches(self) -> tuple[Switch, ...]:
        return self.step.switches if self.step is not None else ()


def standing_of(row: SwitchingState | None) -> Standing:
    if row is None:
        return Standing()  # ISO 2859-1 9.2: inspection starts at normal
    return Standing(
        severity=row.severity,
        recent=tuple(bool(v) for v in row.recent),
        consecutive_accepted=row.consecutive_accepted,
        switching_score=row.switching_score,
        rejected_on_tightened=row.rejected_on_tightened,
    )


def _state_row(session: Session, supplier_id: int, part: str) -> SwitchingState | None:
    return session.exec(
        select(SwitchingState)
        .where(SwitchingState.supplier_id == supplier_id)
        .where(SwitchingState.part == part)
    ).first()


def is_not_cooperative(
    session: Session, supplier_id: int, now: datetime, zone: ZoneInfo | None = None
) -> bool:
    """Whether the supplier's latest cooperation rating (up to now's month) is not cooperative.

    The newest month counts, not the worst: a supplier who changed its attitude is judged by
    the latest rating, as the monthly grade is.
    """
    # Ratings are for the site's months (the calendar's zone), as the grades are.
    month = (now.astimezone(zone) if zone is not None else as_utc(now)).strftime("%Y-%m")
    rating = session.exec(
        select(SupplierRating)
        .where(SupplierRating.supplier_id == supplier_id)
        .where(SupplierRating.month <= month)
        .order_by(col(SupplierRating.month).desc(), col(SupplierRating.rated_at).desc())
    ).first()
    return rating is not None and rating.attitude == NOT_COOPERATIVE


def _find_supplier(session: Session, code: str, *, lock: bool) -> Supplier:
    query = select(Supplier).where(Supplier.code == code)
    if lock:
        # Serialises recording per supplier on PostgreSQL: two lots of one part recorded at
        # once would otherwise both read the same switching state and one update be lost.
        query = query.with_for_update()
    supplier = session.exec(query).first()
    if supplier is None:
        raise supplier_not_found(code)
    if lock and session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE, and pysqlite runs reads before the first write outside
        # any transaction. A no-op write takes the database's write lock now, so a second
        # recording waits here and then reads what the first one wrote.
        session.execute(
            update(Supplier).where(col(Supplier.id) == supplier.id).values(id=supplier.id)
        )
    return supplier


def _refuse_blacklisted(supplier: Supplier) -> None:
    if supplier.blacklisted_at is not None:
        reason = f" ({supplier.blacklist_reason})" if supplier.blacklist_reason else ""
        raise Conflict(
            f"supplier {supplier.code} is blacklisted since {isoformat(supplier.blacklisted_at)}"
            f"{reason}: its lots are refused until a quality lead lifts the blacklist",
            field="supplier",
        )


def _refuse_stopped(supplier: Supplier, part: str, row: SwitchingState | None) -> None:
    extra: dict[str, Any] = row.extra if row is not None else {}
    since = extra.get("last_switch", {}).get("at")
    when = f" since {since}" if since else ""
    raise Conflict(
        f"inspection of {supplier.code} {part} is discontinued{when}: 5 lots were not accepted "
        "on tightened inspection (ISO 2859-1 9.4). The supplier must act to improve the "
        "product before more lots are accepted; once that action is judged effective, resume "
        f"with `capa inspect resume --supplier {supplier.code} --part {part}` (tightened).",
        field="part",
    )


def _hold_plan(
    supplier: Supplier, part: str, lot_size: int, aql: str, level: str, hold: InspectionHold,
    standing: Standing, not_cooperative: bool,
) -> InspectionPlan:
    lot_number = hold.lots_required - hold.lots_remaining + 1
    of_what = f"case #{hold.case_id}" if hold.case_id is not None else f"hold #{hold.id}"
    why = (
        f"containment of {of_what}: lot {lot_number} of {hold.lots_required} inspected 100 % "
        f"after a supplier-caused defect ({hold.reason}); every item is inspected and one "
        "nonconforming item rejects the lot."
    )
    return InspectionPlan(
        supplier=supplier.code, part=part, lot_size=lot_size, aql=aql, level=level,
        severity=HUNDRED_PERCENT, code_letter=code_letter(lot_size, level),
        sample_size=lot_size, acceptance_number=0, rejection_number=1, why=why,
        sampling=None, hold=hold, hold_lot=lot_number, standing=standing,
        not_cooperative=not_cooperative,
    )


def _plan(
    session: Session,
    supplier: Supplier,
    part: str,
    lot_size: int,
    aql: str,
    level: str,
    now: datetime,
    policy: InspectionPolicy,
) -> tuple[InspectionPlan, SwitchingState | None]:
    assert supplier.id is not None
    _refuse_blacklisted(supplier)
    row = _state_row(session, supplier.id, part)
    standing = standing_of(row)
    not_cooperative = is_not_cooperative(session, supplier.id, now, ZoneInfo(policy.timezone))
    severity, lifted = effective_severity(
        standing, not_cooperative=not_cooperative, rules=policy.switch_rules
    )
    # Discontinuation comes before the containment hold: ISO 2859-1 9.4 allows no lot to be
    # accepted until the supplier acts, and 100 % inspection of a held lot would accept one.
    if severity == STOPPED:
        _refuse_stopped(supplier, part, row)
    hold = open_hold(session, supplier.id, part)
    if hold is not None:
        return (
            _hold_plan(supplier, part, lot_size, aql, level, hold, standing, not_cooperative),
            row,
        )
    level, raised = policy.level_for(level, not_cooperative=not_cooperative)
    sampling = plan(lot_size, aql, level, severity)
    why = f"{severity.capitalize()} inspection: " + (
        f"{lifted}." if lifted else _standing_words(standing)
    )
    if raised:
        why = f"{why} Inspection {raised}."
    return (
        InspectionPlan(
            supplier=supplier.code, part=part, lot_size=lot_size, aql=sampling.aql,
            level=sampling.level, severity=severity, code_letter=sampling.code_letter,
            sample_size=sampling.sample_size, acceptance_number=sampling.ac,
            rejection_number=sampling.re, why=f"{why} {sampling.why}", sampling=sampling,
            hold=None, hold_lot=None, standing=standing, not_cooperative=not_cooperative,
        ),
        row,
    )


def _standing_words(standing: Standing) -> str:
    if standing.severity == NORMAL:
        on_normal = len(standing.recent)
        rejected = standing.recent.count(False)
        return (
            f"{rejected} of the last {on_normal} lots on normal not accepted, switching score "
            f"{standing.switching_score} (ISO 2859-1 9.3)."
        )
    if standing.severity == "tightened":
        return (
            f"{standing.consecutive_accepted} consecutive lots accepted of the 5 that restore "
            f"normal, {standing.rejected_on_tightened} of 5 not accepted that discontinue "
            "inspection (ISO 2859-1 9.3.2, 9.4)."
        )
    return "earned by the switching score (ISO 2859-1 9.3.3); a lot not accepted restores normal."


def _check_request(
    supplier_code: str, part: str, aql: str | float | None, level: str | None,
    policy: InspectionPolicy,
) -> tuple[str, str, str, str]:
    return (
        check_code("supplier", supplier_code, limit=SUPPLIER_CODE_LIMIT),
        check_code("part", part),
        check_aql(policy.default_aql if aql is None else aql),
        check_level(policy.default_level if level is None else level),
    )


def plan_for(
    session: Session,
    *,
    supplier_code: str,
    part: str,
    lot_size: int,
    aql: str | float | None,
    level: str | None,
    now: datetime,
    policy: InspectionPolicy,
) -> InspectionPlan:
    """The plan for the supplier's next lot of the part; reads, never writes.

    `aql` and `level` None: the policy's defaults. BadInput (exit 2) naming the field, NotFound
    (3) for an unknown supplier, Conflict (4) for a blacklisted supplier or a part whose
    inspection is discontinued.
    """
    supplier_text, part_text, aql_label, level_text = _check_request(
        supplier_code, part, aql, level, policy
    )
    lot_size = check_count("lot_size", lot_size, minimum=2)
    supplier = _find_supplier(session, supplier_text, lock=False)
    inspection_plan, _row = _plan(
        session, supplier, part_text, lot_size, aql_label, level_text, now, policy
    )
    return inspection_plan


def accepted_one_step_tighter(sampling: Plan, defects: int) -> bool:
    """ISO 2859-1 9.3.3.1 a) 1): would this sample have been accepted at the next smaller AQL?

    Judged on the same sample: the plan row actually used (after any arrow) is read one AQL
    column to the left in Table 2-A. The smallest AQL has no tighter step; its plans have
    Ac 0 or 1 anyway, where this question is not asked.
    """
    index = aql_index(sampling.aql)
    if index == 0:
        return False
    _letter, (ac, _re), _passed = follow(PLAN_TABLES["normal"], sampling.plan_letter, index - 1)
    return defects <= ac


def _notice(
    lot: InspectionLot, supplier: Supplier, inspection_plan: InspectionPlan,
    intake: IntakeResult, now: datetime,
) -> Notification:
    case = f"; case #{intake.case_id}" if intake.case_id is not None else ""
    lines = [
        f"Lot {lot.lot} of part {lot.part} from {supplier.name} ({supplier.code}) was REJECTED "
        f"at incoming inspection on {isoformat(lot.inspected_at)}.",
        f"Inspected {lot.sample_size} of {lot.lot_size} items under {inspection_plan.severity} "
        f"inspection (AQL {inspection_plan.aql}, level {inspection_plan.level}): "
        f"{lot.defects} nonconforming ({lot.defect_code}); accept with at most "
        f"{inspection_plan.acceptance_number}, reject with {inspection_plan.rejection_number}.",
        f"Outcome at intake: {intake.outcome}{case}.",
        f"Your next {intake.hold.hold.lots_remaining} lots of {lot.part} will be inspected 100 %.",
    ]
    return Notification(
        # One per lot: a lot is recorded once (unique supplier, part, lot), and so is its notice.
        dedupe_key=f"inspection_lot:{lot.id}:rejected",
        case_id=intake.case_id,
        kind="lot_rejected",
        audience=["supplier_contact"],
        subject=f"[capaflow] {supplier.code}: lot {lot.lot} of {lot.part} rejected"[:300],
        body="\n".join(lines),
        extra={"inspection_lot_id": lot.id, "supplier": supplier.code,
               "supplier_id": supplier.id},
        created_at=now,
        next_attempt_at=now,
    )


@dataclass(frozen=True)
class _EnteredLot:
    """One inspected lot as entered, checked: trimmed texts, counts in range."""

    supplier: str
    part: str
    lot: str
    aql: str
    level: str
    lot_size: int
    sampled: int
    defects: int
    defect_code: str | None  # required only once the lot turns out rejected
    inspected_at: datetime
    steady_production: bool


def _check_entry(
    supplier_code: str, part: str, lot: str, counts: tuple[int, int, int],
    defect_code: str | None, aql: str | float | None, level: str | None,
    inspected_at: datetime, steady_production: bool, now: datetime, policy: InspectionPolicy,
) -> _EnteredLot:
    """The bad input (exit 2), refused before anything is looked up."""
    supplier_text, part_text, aql_label, level_text = _check_request(
        supplier_code, part, aql, level, policy
    )
    lot_text = check_code("lot", lot)
    lot_size, sampled, defects = check_lot_counts(*counts)
    code_text = (
        check_code("defect_code", defect_code)
        if defect_code is not None and defect_code.strip()
        else None
    )
    check_inspected_at(inspected_at, now)
    return _EnteredLot(
        supplier=supplier_text, part=part_text, lot=lot_text, aql=aql_label, level=level_text,
        lot_size=lot_size, sampled=sampled, defects=defects, defect_code=code_text,
        inspected_at=inspected_at, steady_production=steady_production,
    )


def _refuse_recorded_again(session: Session, supplier: Supplier, entry: _EnteredLot) -> None:
    # A lot already recorded comes before every other refusal, so that importing a file
    # again reports its rows as present even after the supplier was blacklisted since.
    existing = session.exec(
        select(InspectionLot)
        .where(InspectionLot.supplier_id == supplier.id)
        .where(InspectionLot.part == entry.part)
        .where(InspectionLot.lot == entry.lot)
    ).first()
    if existing is not None:
        verdict = "accepted" if existing.accepted else "rejected"
        raise DuplicateLot(
            f"lot: {entry.lot} of {supplier.code} {entry.part} was already recorded "
            f"(inspected {isoformat(existing.inspected_at)}, {verdict}); a lot is inspected once",
            existing=existing,
        )


def _verdict(entry: _EnteredLot, inspection_plan: InspectionPlan) -> bool:
    """Whether the lot is accepted; BadInput for a sample too small to judge, or a rejected
    lot without the defect code its 8D case is found by."""
    if entry.sampled < inspection_plan.sample_size:
        raise BadInput(
            f"sampled: the plan ({inspection_plan.severity}, code letter "
            f"{inspection_plan.code_letter}) requires n = {inspection_plan.sample_size} items "
            f"inspected; {entry.sampled} is too few to judge the lot",
            field="sampled",
        )
    # Judged by the plan's Ac and Re (Re = Ac + 1 in ISO 2859-1:1999 single sampling, reduced
    # plans included). A sample larger than n is judged by the same numbers: that errs
    # toward rejecting, never toward accepting a lot the plan would reject.
    accepted = entry.defects <= inspection_plan.acceptance_number
    if not accepted and entry.defect_code is None:
        raise BadInput(
            f"defect_code: lot {entry.lot} is rejected ({entry.defects} nonconforming, Re "
            f"{inspection_plan.rejection_number}); name the defect code so the 8D case of "
            "supplier, part and defect code can be found or opened",
            field="defect_code",
        )
    return accepted


def _count_down_hold(session: Session, hold: InspectionHold | None, now: datetime) -> int | None:
    """One more lot of the 100 % hold inspected: the lots it has left (none left releases
    it), or None for a lot under no hold."""
    if hold is None:
        return None
    hold.lots_remaining -= 1
    if hold.lots_remaining <= 0:
        hold.lots_remaining = 0
        hold.released_at = as_utc(now)
    session.add(hold)
    return hold.lots_remaining


def _switching_decision(
    session: Session, row: SwitchingState | None, supplier_id: int, entry: _EnteredLot,
    inspection_plan: InspectionPlan, accepted: bool, policy: InspectionPolicy, now: datetime,
) -> tuple[Step | None, Standing]:
    """The lot moves the ISO 2859-1 switching state on (stored).

    A lot of a 100 % hold accepted leaves it where it was: inspecting every item is no
    sample of the plan, and says nothing of its switching score. A held lot rejected is a lot
    not accepted on original inspection all the same (9.3.1, 9.4), and counts as one: a part
    whose held lots keep failing goes to tightened, then is discontinued, instead of reading
    "normal" for ever (docs/architecture.md, "Supplier performance explained").
    """
    if inspection_plan.hold is not None:
        if accepted:
            return None, inspection_plan.standing
        # Ac 0 on 100 %: a rejected lot resets the switching score under either rule.
        outcome = LotOutcome(accepted=False, acceptance_number=0,
                             steady_production=entry.steady_production)
    else:
        sampling = inspection_plan.sampling
        assert sampling is not None  # a plan without a hold is an ISO plan
        outcome = LotOutcome(
            accepted=accepted,
            acceptance_number=sampling.ac,
            accepted_one_step_tighter=(
                sampling.ac >= 2 and accepted_one_step_tighter(sampling, entry.defects)
            ),
            steady_production=entry.steady_production,
        )
    step = apply_lot(
        inspection_plan.standing, outcome, rules=policy.switch_rules,
        not_cooperative=inspection_plan.not_cooperative,
    )
    _save_standing(
        session, row, supplier_id=supplier_id, part=entry.part, standing=step.after,
        switches=step.switches, lot=entry.lot, now=now,
    )
    return step, step.after


def _store_lot(
    session: Session, supplier_id: int, entry: _EnteredLot, inspection_plan: InspectionPlan,
    accepted: bool, now: datetime, delivery: Delivery, after: str | None,
) -> InspectionLot:
    hold = inspection_plan.hold
    lot_row = InspectionLot(
        supplier_id=supplier_id,
        part=entry.part,
        lot=entry.lot,
        lot_size=entry.lot_size,
        sample_size=entry.sampled,
        defects=entry.defects,
        defect_code=entry.defect_code,
        aql=float(inspection_plan.aql),
        level=inspection_plan.level,
        severity=inspection_plan.severity,
        acceptance_number=inspection_plan.acceptance_number,
        accepted=accepted,
        inspected_at=as_utc(entry.inspected_at),
        recorded_at=as_utc(now),
        hold_id=hold.id if hold is not None else None,
        outgoing_report=delivery.outgoing_report,
        certificates=delivery.certificates,
        production_lot=delivery.production_lot,
        out_of_order=None if delivery.production_lot is None else after is not None,
    )
    session.add(lot_row)
    session.flush()
    return lot_row


def _rejection_consequences(
    session: Session, lot_row: InspectionLot, supplier: Supplier, entry: _EnteredLot,
    inspection_plan: InspectionPlan, *, actor: str, now: datetime,
    deadline_policy: DeadlinePolicy, intake_policy: IntakePolicy,
) -> tuple[IntakeResult, Notification]:
    """A rejected lot is a supplier-caused defect: the intake counts it on the open 8D case
    of supplier, part and defect code, reopens a case whose countermeasure it proves
    ineffective, or opens one, and puts the next lots on 100 % inspection; the supplier is
    sent a notice."""
    assert entry.defect_code is not None  # _verdict refuses a rejected lot without one
    intake = record_defect(
        session,
        supplier_code=supplier.code,
        part=entry.part,
        defect_code=entry.defect_code,
        quantity=entry.defects,
        occurred_at=entry.inspected_at,
        source=INCOMING,
        # The mark that keeps the lot's defects from counting twice in the grade.
        inspection_lot_id=lot_row.id,
        # The defective share is read on the pieces inspected (the sample stands for the lot):
        # a batch defect when it reaches [intake.classification] batch_min_rate.
        lot_size=entry.sampled,
        note=(
            f"incoming inspection: lot {entry.lot} rejected, {entry.defects} nonconforming in "
            f"{entry.sampled} inspected of {entry.lot_size} ({inspection_plan.severity}, AQL "
            f"{inspection_plan.aql}, Ac {inspection_plan.acceptance_number})"
        ),
        actor=actor,
        now=now,
        policy=deadline_policy,
        intake_policy=intake_policy,
    )
    lot_row.case_id = intake.case_id
    session.add(lot_row)
    notice = _notice(lot_row, supplier, inspection_plan, intake, now)
    session.add(notice)
    session.flush()
    return intake, notice


def record_lot(
    session: Session,
    *,
    supplier_code: str,
    part: str,
    lot: str,
    lot_size: int,
    sampled: int,
    defects: int,
    defect_code: str | None,
    aql: str | float | None,
    level: str | None,
    inspected_at: datetime,
    now: datetime,
    policy: InspectionPolicy,
    intake_policy: IntakePolicy,
    actor: str,
    deadline_policy: DeadlinePolicy,
    steady_production: bool = True,
    outgoing_report: bool | None = None,
    certificates: bool | None = None,
    production_lot: str | None = None,
) -> LotResult:
    """Record one inspected lot and act on its result.

    `deadline_policy` is the policy the intake opens or reopens a case with.
    `steady_production` False flags the lot's production as irregular or delayed (ISO 2859-1
    9.3.3.2 b, 9.3.4 b); unflagged lots count as steady. `outgoing_report`, `certificates`
    and `production_lot` are the delivery's documents (inspection.delivery), None when not
    recorded. All checks come before the first write; everything is in the caller's
    transaction.
    """
    # --- bad input (exit 2) first, then what must exist (3), then conflicts (4) ---
    entry = _check_entry(supplier_code, part, lot, (lot_size, sampled, defects), defect_code,
                         aql, level, inspected_at, steady_production, now, policy)
    delivery = check_delivery(outgoing_report, certificates, production_lot)
    supplier = _find_supplier(session, entry.supplier, lock=True)
    assert supplier.id is not None
    _refuse_recorded_again(session, supplier, entry)
    inspection_plan, row = _plan(session, supplier, entry.part, entry.lot_size, entry.aql,
                                 entry.level, now, policy)
    accepted = _verdict(entry, inspection_plan)
    after = delivered_after(session, supplier_id=supplier.id, part=entry.part,
                            production_lot=delivery.production_lot,
                            inspected_at=as_utc(entry.inspected_at))

    # --- writes ---
    counted_remaining = _count_down_hold(session, inspection_plan.hold, now)
    step, standing = _switching_decision(session, row, supplier.id, entry, inspection_plan,
                                         accepted, policy, now)
    lot_row = _store_lot(session, supplier.id, entry, inspection_plan, accepted, now, delivery,
                         after)
    intake, notice = (None, None) if accepted else _rejection_consequences(
        session, lot_row, supplier, entry, inspection_plan, actor=actor, now=now,
        deadline_policy=deadline_policy, intake_policy=intake_policy,
    )
    flagged_notice = _flag_delivery(session, lot_row, supplier, delivery, after, now)
    return LotResult(
        lot=lot_row, supplier=supplier, plan=inspection_plan, accepted=accepted, step=step,
        switching=standing, counted_hold=inspection_plan.hold,
        counted_remaining=counted_remaining,
        hold_after=open_hold(session, supplier.id, entry.part), intake=intake, notice=notice,
        delivery=delivery, delivered_after=after, delivery_notice=flagged_notice,
    )


def _flag_delivery(
    session: Session, lot_row: InspectionLot, supplier: Supplier, delivery: Delivery,
    after: str | None, now: datetime,
) -> Notification | None:
    """A lot delivered without a document, or out of production-lot order, is flagged: its
    supplier's contact is told. The verdict stays what sampling decided."""
    if not delivery.missing and after is None:
        return None
    notice = delivery_notice(lot_row, supplier, delivery.missing, after, now)
    session.add(notice)
    session.flush()
    return notice


def _save_standing(
    session: Session,
    row: SwitchingState | None,
    *,
    supplier_id: int,
    part: str,
    standing: Standing,
    switches: tuple[Switch, ...],
    lot: str | None,
    now: datetime,
    actor: str | None = None,
) -> SwitchingState:
    if row is None:
        row = SwitchingState(supplier_id=supplier_id, part=part, updated_at=as_utc(now))
    row.severity = standing.severity
    row.recent = list(standing.recent)
    row.consecutive_accepted = standing.consecutive_accepted
    row.switching_score = standing.switching_score
    row.rejected_on_tightened = standing.rejected_on_tightened
    row.updated_at = as_utc(now)
    if switches:
        # The last switch and why, so a plan can say since when and a person can ask why.
        last = switches[-1]
        extra = dict(row.extra)
        extra["last_switch"] = {
            "from": last.from_severity, "to": last.to_severity, "reason": last.reason,
            "lot": lot, "at": isoformat(now), **({"by": actor} if actor else {}),
        }
        row.extra = extra
    session.add(row)
    session.flush()
    return row


@dataclass
class Resumed:
    supplier: Supplier
    part: str
    state: SwitchingState
    switch: Switch


def resume_inspection(
    session: Session, *, supplier_code: str, part: str, reason: str, actor: str, now: datetime
) -> Resumed:
    """Resume a discontinued part at tightened inspection (ISO 2859-1 9.4).

    The responsible authority's decision that the supplier's action is likely to be effective;
    `reason` records what the supplier did. Conflict unless the part is discontinued.
    """
    supplier_text = check_code("supplier", supplier_code, limit=SUPPLIER_CODE_LIMIT)
    part_text = check_code("part", part)
    reason_text = check_code("reason", reason, limit=300)
    supplier = _find_supplier(session, supplier_text, lock=True)
    assert supplier.id is not None
    row = _state_row(session, supplier.id, part_text)
    standing = standing_of(row)
    if row is None or standing.severity != STOPPED:
        raise Conflict(
            f"part: inspection of {supplier.code} {part_text} is {standing.severity}, not "
            "discontinued; only a discontinued part is resumed",
            field="part",
        )
    switch = Switch(STOPPED, "tightened", f"resumed after the supplier's action: {reason_text} "
                    "(ISO 2859-1 9.4)")
    row = _save_standing(
        session, row, supplier_id=supplier.id, part=part_text, standing=resume(standing),
        switches=(switch,), lot=None, now=now, actor=actor,
    )
    return Resumed(supplier=supplier, part=part_text, state=row, switch=switch)


__all__ = [
    "AQL_LABELS",
    "HUNDRED_PERCENT",
    "DuplicateLot",
    "InspectionPlan",
    "LotResult",
    "Resumed",
    "accepted_one_step_tighter",
    "is_not_cooperative",
    "plan_for",
    "record_lot",
    "resume_inspection",
    "standing_of",
]
