"""The quality lead's triage of recorded defects (docs/architecture.md, "Defect triage").

Three actions on the nonconformance list, each one transaction: all of it or nothing.

- **reclassify** one defect (batch, sporadic, one_off, unavoidable) with a reason. Its open
  8D case takes the class too (intake.classification's override, on the case's trail); an
  unlinked defect can be given a case of its own (`open_case`).
- **merge** several defects of one supplier into one 8D case: an existing open case, or one
  opened for the selection. A case the merge leaves without any defect, still open, was opened
  for nothing and is cancelled: a signed decision, so the password is asked for then.
- **close** several defects: marked handled, with a reason. With `cancel_cases`, an open case
  whose every defect is now handled is cancelled too (signed).

Each action is recorded on the supplier's hash-chained decision trail (audittrail.decisions),
and on the trail of every case it touches. Checks come first: a bad selection (an unknown
defect, defects of two suppliers, a handled defect) is refused naming `defects`, and nothing
is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from capaflow.accounts.signatures import CANCEL_CASE, sign
from capaflow.accounts.tokens import Principal
from capaflow.audittrail.decisions import chain_decision
from capaflow.casework.engine import advance, get_case, open_case, record_fact
from capaflow.config.policies import IntakeSection
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound, check_text
from capaflow.intake.classification import (
    BATCH,
    EXEMPT,
    OVERRIDE,
    REASON_LIMIT,
    apply_classification,
    check_class,
    classification_of,
    override_classification,
)
from capaflow.models import Case, DefectEvent, Supplier, SupplierDecision

# At most this many defects in one bulk action: a page of the list and then some; a larger
# selection is a filter's job, in several goes.
SELECTION_LIMIT = 500
_FINAL = ("closed", "cancelled")
# The supplier's decision trail keeps these (SupplierDecision.decision, 30 characters).
RECLASSIFIED, MERGED, HANDLED = "defect_reclassified", "defects_merged", "defects_handled"
_DECISION_REASON_LIMIT = 1000
# DefectEvent.outcome of a defect the lead linked to a case (intake.recurrence's OUTCOMES
# say what the intake did; this says the lead moved it since).
MERGED_OUTCOME = "merged"


@dataclass
class TriageResult:
    """What a triage action did: the defects it changed, the case it used or opened, the
    cases it cancelled."""

    action: str
    defects: list[DefectEvent]
    case: Case | None = None
    opened: bool = False
    cancelled: list[int] = field(default_factory=list)
    reclassified_case: bool = False


def check_reason(reason: str | None) -> str:
    text = check_text("reason", reason, limit=REASON_LIMIT, required=True)
    assert text is not None
    return text


def check_selection(ids: list[int] | None) -> list[int]:
    """The defect ids of a bulk action: at least one, at most SELECTION_LIMIT, each once."""
    chosen = list(dict.fromkeys(ids or []))
    if not chosen:
        raise BadInput("defects: choose at least one defect", field="defects")
    if len(chosen) > SELECTION_LIMIT:
        raise BadInput(f"defects: at most {SELECTION_LIMIT} at once (got {len(chosen)})",
                       field="defects")
    bad = [i for i in chosen if isinstance(i, bool) or not isinstance(i, int) or i < 1]
    if bad:
        raise BadInput(f"defects: {bad[0]!r} is not a defect number", field="defects")
    return chosen


def _load(session: Session, ids: list[int]) -> list[DefectEvent]:
    rows = {d.id: d for d in session.exec(
        select(DefectEvent).where(col(DefectEvent.id).in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        shown = ", ".join(f"#{i}" for i in missing[:10])
        raise NotFound(f"defects: no defect {shown}", field="defects")
    return [rows[i] for i in ids]


def _unhandled(defects: list[DefectEvent]) -> None:
    handled = [d.id for d in defects if d.handled_at is not None]
    if handled:
        shown = ", ".join(f"#{i}" for i in handled[:10])
        raise Conflict(f"defects: {shown} already marked handled", field="defects")


def _one_supplier(session: Session, defects: list[DefectEvent]) -> Supplier:
    ids = sorted({d.supplier_id for d in defects})
    if len(ids) > 1:
        codes = [s.code for s in session.exec(
            select(Supplier).where(col(Supplier.id).in_(ids)).order_by(col(Supplier.code)))]
        raise BadInput(
            f"defects: the selection has defects of {len(ids)} suppliers "
            f"({', '.join(codes[:5])}); one case is about one supplier",
            field="defects",
        )
    supplier = session.get(Supplier, ids[0])
    assert supplier is not None  # a foreign key
    return supplier


def _decide(session: Session, supplier_id: int, decision: str, reason: str, *, actor: str,
            now: datetime, signature: dict[str, Any] | None = None) -> None:
    """The action on the supplier's decision trail (audittrail.decisions)."""
    row = SupplierDecision(supplier_id=supplier_id, decision=decision,
                           reason=reason[:_DECISION_REASON_LIMIT], actor=actor, at=now,
                           signature=signature)
    chain_decision(session, row)
    session.add(row)
    session.flush()


def _open_8d(case: Case) -> bool:
    return case.lifecycle == "8d" and case.state not in _FINAL


def _refs(defects: list[DefectEvent]) -> str:
    shown = ", ".join(f"#{d.id}" for d in defects[:20])
    return shown + (f" and {len(defects) - 20} more" if len(defects) > 20 else "")


class _Signer:
    """The signature of the cases an action cancels, taken before anything is written: a
    wrong password is counted by the throttle on a connection of its own, which must not wait
    on this transaction's writes. An action that cancels nothing asks for no password
    (casework.decisions asks for it only for a decision, likewise)."""

    def __init__(self, session: Session, principal: Principal, password: str | None,
                 now: datetime, *, needed: bool) -> None:
        self.principal = principal
        self.signature: dict[str, Any] | None = None
        if needed:
            self.signature = sign(session, principal=principal, password=password or "",
                                  meaning=CANCEL_CASE, now=now)

    def __call__(self) -> dict[str, Any]:
        assert self.signature is not None, "the cases to cancel were foreseen"
        return self.signature


def _to_cancel(session: Session, defects: list[DefectEvent], *, unhandled: bool,
               keep: int | None = None) -> list[int]:
    """The open 8D cases whose every (unhandled) defect is in the selection: the action
    leaves them without any, so it cancels them."""
    chosen = Counter(d.case_id for d in defects if d.case_id is not None and d.case_id != keep)
    found = []
    for case_id, count in sorted(chosen.items()):
        assert case_id is not None
        if _open_8d(get_case(session, case_id)) and \
                _defect_count(session, case_id, unhandled=unhandled) == count:
            found.append(case_id)
    return found


def _cancel(session: Session, case_id: int, reason: str, signer: _Signer, *, now: datetime,
            policy: DeadlinePolicy) -> None:
    advance(session, case_id=case_id, trigger="cancel", fields={"reason": reason}, note=None,
            actor=signer.principal.actor, now=now, policy=policy, signature=signer(),
            require_signature=True)


def _defect_count(session: Session, case_id: int, *, unhandled: bool = False) -> int:
    query = select(DefectEvent.id).where(DefectEvent.case_id == case_id)
    if unhandled:
        query = query.where(col(DefectEvent.handled_at).is_(None))
    return len(session.exec(query).all())


def defect_id_case(defect: DefectEvent) -> int:
    assert defect.case_id is not None
    return defect.case_id


def reclassify_defect(
    session: Session, *, defect_id: int, kind: str, reason: str, open_new_case: bool,
    actor: str, now: datetime, policy: DeadlinePolicy, intake_policy: IntakeSection,
) -> TriageResult:
    """The lead's class for one defect, with a reason. Exit 2: a bad class or an empty
    reason, or a case asked for a one-off; 3: no such defect; 4: handled, already of that
    class, or a case asked for a defect that has an open one."""
    cleaned = check_class(kind)
    why = check_reason(reason)
    if open_new_case and cleaned in EXEMPT:
        raise BadInput(f"open_case: a {cleaned.replace('_', '-')} defect asks for no 8D case",
                       field="open_case")
    defect = _load(session, [defect_id])[0]
    _unhandled([defect])
    if defect.classification == cleaned:
        raise Conflict(f"as: defect #{defect_id} is already classified {cleaned}", field="as")
    case = get_case(session, defect.case_id) if defect.case_id is not None else None
    if open_new_case and case is not None and _open_8d(case):
        raise Conflict(f"open_case: defect #{defect_id} is already on open case #{case.id}",
                       field="open_case")
    previous = defect.classification
    defect.classification = cleaned
    defect.classification_source = OVERRIDE
    defect.classification_reason = why
    session.add(defect)
    session.flush()
    result = TriageResult(action=RECLASSIFIED, defects=[defect], case=case)
    if case is not None and _open_8d(case) and classification_of(case) != cleaned and (
            cleaned == BATCH or _defect_count(session, defect_id_case(defect)) == 1):
        # The case takes the class when this is its only defect, or when the defect is now
        # batch (the case owes parts confirmed good); one defect of several taken down to
        # sporadic or one-off does not exempt the case the others still make.
        assert case.id is not None
        result.case = override_classification(
            session, case_id=case.id, kind=cleaned, reason=f"defect #{defect_id}: {why}",
            actor=actor, now=now, policy=policy, intake_policy=intake_policy).case
        result.reclassified_case = True
    elif open_new_case:
        opened = _open_for(session, [defect], reason=why, actor=actor, now=now, policy=policy)
        defect.outcome = "new_case"
        session.add(defect)
        assert opened.id is not None
        result.case = apply_classification(
            session, case_id=opened.id, kind=cleaned, source=OVERRIDE, basis=why,
            fields={"reason": why, "defect": f"defect event {defect_id}"}, actor=actor,
            now=now, policy=policy, intake_policy=intake_policy).case
        result.opened = True
    _decide(session, defect.supplier_id, RECLASSIFIED,
            f"defect #{defect_id}: {previous or 'unclassified'} -> {cleaned}"
            + (f", case #{result.case.id} opened" if result.opened and result.case else "")
            + f": {why}", actor=actor, now=now)
    return result


def _open_for(session: Session, defects: list[DefectEvent], *, reason: str, actor: str,
              now: datetime, policy: DeadlinePolicy) -> Case:
    """One 8D case for the selection: the part and defect code most of them share."""
    supplier = session.get(Supplier, defects[0].supplier_id)
    assert supplier is not None
    part, code = Counter((d.part, d.defect_code) for d in defects).most_common(1)[0][0]
    pieces = sum(d.quantity for d in defects)
    problem = (f"{len(defects)} defect(s), {pieces} piece(s), opened from the nonconformance "
               f"list: {_refs(defects)}.\n{reason}")
    step = open_case(
        session, lifecycle="8d", title=f"{code} on {part} from {supplier.code}",
        supplier_code=supplier.code, part=part, defect_code=code, severity="major",
        complex_cause=False, owner=None, team=None, problem=problem[:20_000], actor=actor,
        now=now, policy=policy,
    )
    case = step.case
    for d in defects:
        d.case_id = case.id
        session.add(d)
    session.flush()
    return case


def merge_defects(
    session: Session, *, defect_ids: list[int], case_id: int | None, reason: str,
    principal: Principal, password: str | None, now: datetime, policy: DeadlinePolicy,
) -> TriageResult:
    """Link the selected defects of one supplier to one 8D case: `case_id`, or a case opened
    for them. Open cases left without any defect are cancelled, signed with `password`.
    Exit 2: an empty or too large selection, two suppliers, an empty reason, a wrong
    password; 3: an unknown defect or case; 4: a handled defect, a case that is not an open
    8D case of that supplier."""
    ids = check_selection(defect_ids)
    why = check_reason(reason)
    defects = _load(session, ids)
    supplier = _one_supplier(session, defects)
    _unhandled(defects)
    actor = principal.actor
    target: Case | None = None
    if case_id is not None:
        target = get_case(session, case_id)
        if not _open_8d(target) or target.supplier_id != supplier.id:
            raise Conflict(f"case: case #{case_id} is not an open 8D case of {supplier.code}",
                           field="case")
    doomed = _to_cancel(session, defects, unhandled=False,
                        keep=target.id if target is not None else None)
    signer = _Signer(session, principal, password, now, needed=bool(doomed))
    opened = target is None
    if target is None:
        target = _open_for(session, defects, reason=why, actor=actor, now=now, policy=policy)
    for d in defects:
        if d.case_id != target.id or opened:
            d.case_id, d.outcome = target.id, MERGED_OUTCOME
            session.add(d)
    session.flush()
    assert target.id is not None
    record_fact(session, case_id=target.id, action="merge_defects",
                fields={"defects": _refs(defects), "reason": why}, note=None, actor=actor,
                now=now, policy=policy, tell_owner=False)
    result = TriageResult(action=MERGED, defects=defects, case=get_case(session, target.id),
                          opened=opened)
    for old in doomed:
        _cancel(session, old, f"its defects were merged into case #{target.id}: {why}",
                signer, now=now, policy=policy)
        result.cancelled.append(old)
    _decide(session, supplier.id or 0, MERGED,
            f"defects {_refs(defects)} into case #{target.id}"
            + (" (opened)" if opened else "")
            + (f"; cancelled case(s) {', '.join(f'#{c}' for c in result.cancelled)}"
               if result.cancelled else "") + f": {why}",
            actor=actor, now=now, signature=signer.signature)
    return result


def close_defects(
    session: Session, *, defect_ids: list[int], reason: str, cancel_cases: bool,
    principal: Principal, password: str | None, now: datetime, policy: DeadlinePolicy,
) -> TriageResult:
    """Mark the selected defects handled, with a reason. With `cancel_cases`, each open 8D
    case whose defects are now all handled is cancelled (signed with `password`). Exit 2: a
    bad selection or an empty reason, a wrong password; 3: an unknown defect; 4: a defect
    already handled."""
    ids = check_selection(defect_ids)
    why = check_reason(reason)
    defects = _load(session, ids)
    _unhandled(defects)
    actor = principal.actor
    doomed = _to_cancel(session, defects, unhandled=True) if cancel_cases else []
    signer = _Signer(session, principal, password, now, needed=bool(doomed))
    for d in defects:
        d.handled_at, d.handled_by, d.handled_reason = now, actor, why
        session.add(d)
    session.flush()
    result = TriageResult(action=HANDLED, defects=defects)
    for case_id in sorted({d.case_id for d in defects if d.case_id is not None}):
        case = get_case(session, case_id)
        if not _open_8d(case):
            continue
        mine = [d for d in defects if d.case_id == case_id]
        if case_id in doomed:
            _cancel(session, case_id, f"its defects {_refs(mine)} were marked handled: {why}",
                    signer, now=now, policy=policy)
            result.cancelled.append(case_id)
        else:
            record_fact(session, case_id=case_id, action="defects_handled",
                        fields={"defects": _refs(mine), "reason": why}, note=None,
                        actor=actor, now=now, policy=policy, tell_owner=False)
    by_supplier: dict[int, list[DefectEvent]] = {}
    for d in defects:
        by_supplier.setdefault(d.supplier_id, []).append(d)
    for supplier_id, mine in sorted(by_supplier.items()):
        cancelled = [c for c in result.cancelled if any(d.case_id == c for d in mine)]
        _decide(session, supplier_id, HANDLED,
                f"defects {_refs(mine)} marked handled"
                + (f"; cancelled case(s) {', '.join(f'#{c}' for c in cancelled)}"
                   if cancelled else "") + f": {why}",
                actor=actor, now=now, signature=signer.signature if cancelled else None)
    return result
