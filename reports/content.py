"""What a case's report says, once: the content model the Markdown, HTML and PDF renderings
(and the web app's case page) all read.

The disciplines are rebuilt from the audit trail, not from `Case.content`: the trail says who
filled each one and when, and a `reject` must un-fill what it sent back (the content column
keeps a rejected submission's text, because the engine only ever adds to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from capaflow.attachments import ATTACHED, INTERNAL, SHARED, evidence
from capaflow.audittrail.chain import verify
from capaflow.calendars import readable
from capaflow.casework.engine import get_case
from capaflow.chargeback import case_costs
from capaflow.deadlines.status import is_overdue
from capaflow.models import Case, CaseCost, CaseEvent, Deadline, Supplier
from capaflow.models.queries import case_deadlines, case_events
from capaflow.statemachines import LIFECYCLES

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    """One piece of a discipline's content: "Containment", "Escape point", ..."""

    label: str
    value: str | tuple[str, ...]  # a tuple is a list (the team's members)


@dataclass(frozen=True)
class Section:
    """An 8D discipline (D1..D8) or a PDCA phase, as filled so far."""

    key: str  # "D3", or "plan", "do", "check", "act"
    title: str  # "D3 Containment"
    filled: bool
    entries: tuple[Entry, ...] = ()
    filled_by: str | None = None
    filled_at: datetime | None = None
    seq: int | None = None  # the audit event that filled it


@dataclass(frozen=True)
class PdcaCycle:
    number: int
    phases: tuple[Section, ...]  # plan, do, check, act
    target: str | None = None
    plan: str | None = None
    result: str | None = None
    met: bool | None = None
    analysis: str | None = None
    standard: str | None = None
    lessons: str | None = None
    next_cycle_reason: str | None = None


@dataclass(frozen=True)
class DeadlineLine:
    key: str
    title: str  # "Monthly effectiveness review #3" for the n-th of a repeating deadline
    kind: str  # obligation, review, window
    # met, open, overdue, on_hold or cancelled: what the case page colours by
    status: str
    # The words the CLI's tables use: "met on time", "met late", "overdue", "pending", ...
    label: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    closed_at: datetime | None
    met_on_time: bool | None


@dataclass(frozen=True)
class Signature:
    """An electronic signature carried by an event (its fields' "signature")."""

    signed_by: str | None
    signed_at: str | None  # as people read it: "2026-03-02 09:00 UTC"
    meaning: str | None
    method: str | None  # how the signer proved it was them: "password re-entry"
    fields: Mapping[str, Any]  # as stored (accounts.signatures.sign)

    def describe(self) -> str:
        parts = [f"signed by {self.signed_by or 'unknown'}"]
        if self.signed_at:
            parts.append(f"at {self.signed_at}")
        if self.method:
            parts.append(f"by {self.method}")
        if self.meaning:
            parts.append(f"meaning: {self.meaning}")
        return ", ".join(parts)


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str | None
    reason: str | None  # the step's "reason" field (reject, cancel, reopen, next cycle)
    fields: Mapping[str, Any]  # the step's content, without the signature
    signature: Signature | None

    @property
    def moved(self) -> str:
        # An occurrence or a refused close leaves the state as it was: named once.
        if self.from_state is None or self.from_state == self.to_state:
            return self.to_state
        return f"{self.from_state} → {self.to_state}"


@dataclass(frozen=True)
class CostLine:
    kind: str
    amount: Decimal
    currency: str
    incurred_at: datetime
    note: str | None
    recorded_by: str


@dataclass(frozen=True)
class EvidenceLine:
    """A file attached to the case as evidence; its sha256 is the one chained in the audit
    trail when it was attached (docs/architecture.md, "Attachments")."""

    file_name: str
    kind: str  # the media type detected from the file's bytes
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    shared: bool  # the supplier sees it


@dataclass(frozen=True)
class LinkedCase:
    case_id: int
    title: str
    state: str
    supplier_id: int | None
    # "follows": this case was opened for a recurrence after that one closed;
    # "followed_by": that case was opened for a recurrence after this one closed.
    relation: str


@dataclass(frozen=True)
class ChainStatus:
    """Whether the case's hash-chained audit trail is intact (audittrail.chain.verify)."""

    ok: bool
    events: int
    problem: str | None = None
    seq: int | None = None  # the first event that does not match


@dataclass(frozen=True)
class Header:
    case_id: int
    title: str
    lifecycle: str  # 8d, pdca, audit, cause_report
    lifecycle_title: str
    state: str
    discipline: str | None  # what the state stands for: "D4 root cause", "Check", ...
    severity: str
    complexity: str
    supplier_code: str | None
    supplier_name: str | None
    part: str | None
    defect_code: str | None
    owner: str | None
    team: tuple[str, ...]
    opened_at: datetime
    closed_at: datetime | None
    reopen_count: int
    occurrences: int
    cycle: int
    cancelled_reason: str | None


@dataclass(frozen=True)
class CaseReport:
    header: Header
    kind: str  # "8d" (disciplines) or "pdca" (cycles)
    disciplines: tuple[Section, ...]
    cycles: tuple[PdcaCycle, ...]
    # 8D: countermeasures a recurrence inside the window proved ineffective, and why.
    ineffective_countermeasures: tuple[str, ...]
    recurrences: tuple[str, ...]
    deadlines: tuple[DeadlineLine, ...]
    timeline: tuple[TimelineEntry, ...]
    costs: tuple[CostLine, ...] = ()
    cost_totals: Mapping[str, Decimal] = field(default_factory=dict)  # by currency, sorted
    links: tuple[LinkedCase, ...] = ()
    chain: ChainStatus | None = None  # None: not checked
    evidence: tuple[EvidenceLine, ...] = ()
    # The moment the report describes ("overdue" is relative to it); None: not dated, and
    # then nothing is called overdue.
    as_of: datetime | None = None

    def section(self, key: str) -> Section:
        return next(s for s in self.disciplines if s.key == key)


# -- the 8D disciplines ---------------------------------------------------------------------

DISCIPLINE_TITLES = {
    "D1": "D1 Team",
    "D2": "D2 Problem description",
    "D3": "D3 Containment",
    "D4": "D4 Root cause",
    "D5": "D5 Chosen corrective action / short-term fix",
    "D6": "D6 Implemented countermeasure and effectiveness",
    "D7": "D7 Prevent recurrence",
    "D8": "D8 Closure and recognition",
}

# Which discipline each step's fields fill (statemachines/eightd.py FIELDS); the first field
# of each is the one that fills it. A step that does not carry that field leaves the
# discipline as it was: `close` without `prevention` does not un-fill D7.
_FILLS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "open": (
        ("D1", (("team", "Team"),)),
        ("D2", (("problem", "Problem"),)),
    ),
    "contain": (
        ("D3", (("containment", "Containment"), ("verification", "Verification"))),
    ),
    "find_root_cause": (
        ("D4", (
            ("root_cause", "Occurrence (why it happened)"),
            ("escape_point", "Escape point (why it was not detected)"),
            ("category", "5M1E category"),
            ("complexity", "Complexity"),
        )),
    ),
    "apply_short_term_fix": (
        ("D5", (("short_term_fix", "Short-term fix"), ("verification", "Verification"))),
    ),
    "implement_countermeasure": (
        ("D6", (("countermeasure", "Countermeasure"), ("verification", "Verification"))),
        ("D7", (("prevention", "Prevention"),)),
    ),
    "close": (
        ("D7", (("prevention", "Prevention"),)),
    ),
}


@dataclass
class _Filling:
    entries: tuple[Entry, ...]
    event: CaseEvent


def _value(raw: Any) -> str | tuple[str, ...]:
    if isinstance(raw, list | tuple):
        return tuple(str(item) for item in raw)
    return str(raw)


def _present(raw: Any) -> bool:
    return raw is not None and raw != "" and raw != [] and raw != ()


def _undone_event(
    lifecycle: str, reject: CaseEvent, history: Sequence[CaseEvent]
) -> CaseEvent | None:
    """The submission a reject sent back: the latest step that brought the case into the
    state the reject left (the engine's _undone_seq, read from the trail)."""
    machine = LIFECYCLES[lifecycle]
    forward = {
        s.trigger for s in machine.steps if s.dest == reject.from_state and s.trigger != "reject"
    }
    return next((e for e in reversed(history) if e.action in forward), None)


@dataclass
class _Replay:
    """The 8D's disciplines as the trail leaves them, replayed event by event."""

    filled: dict[str, _Filling] = field(default_factory=dict)
    ineffective: list[str] = field(default_factory=list)
    recurrences: list[str] = field(default_factory=list)
    closed_by: CaseEvent | None = None


def _eight_d(
    case: Case, events: Sequence[CaseEvent], deadlines: Sequence[Deadline]
) -> tuple[tuple[Section, ...], tuple[str, ...], tuple[str, ...]]:
    replay = _replay(case, events)
    filled = replay.filled
    if "D6" in filled:
        effectiveness = _effectiveness(filled["D6"].event, deadlines)
        if effectiveness:
            d6 = filled["D6"]
            filled["D6"] = _Filling((*d6.entries, Entry("Effectiveness", effectiveness)), d6.event)
    if replay.closed_by is not None:
        filled["D8"] = _closure(replay.closed_by)
    sections = tuple(
        Section(key=key, title=title, filled=False)
        if key not in filled
        else Section(
            key=key, title=title, filled=True, entries=filled[key].entries,
            filled_by=filled[key].event.actor, filled_at=filled[key].event.at,
            seq=filled[key].event.seq,
        )
        for key, title in DISCIPLINE_TITLES.items()
    )
    return sections, tuple(replay.ineffective), tuple(replay.recurrences)


def _replay(case: Case, events: Sequence[CaseEvent]) -> _Replay:
    replay = _Replay()
    filled = replay.filled
    for index, event in enumerate(events):
        if event.action == "reject":
            undone = _undone_event(case.lifecycle, event, events[:index])
            if undone is not None:
                for key in [k for k, f in filled.items() if f.event.seq == undone.seq]:
                    del filled[key]
        elif event.action == "reopen":
            # The countermeasure did not hold: on record as ineffective, a new one is owed.
            d6 = filled.pop("D6", None)
            if d6 is not None:
                replay.ineffective.append(str(d6.event.fields.get("countermeasure", "")))
            if _present(event.fields.get("reason")):
                replay.recurrences.append(str(event.fields["reason"]))
            # A closed case reopened by a late-reported recurrence: its closure was revoked,
            # so D8 is owed again (the close event stays in the trail below).
            replay.closed_by = None
        else:
            if event.action == "close":
                replay.closed_by = event
            _fill(filled, event)
    return replay


def _fill(filled: dict[str, _Filling], event: CaseEvent) -> None:
    """The disciplines this step's fields fill in (a later step overwrites an earlier one)."""
    for key, wanted in _FILLS.get(event.action, ()):
        if not _present(event.fields.get(wanted[0][0])):
            continue
        entries = tuple(
            Entry(label, _value(event.fields[name]))
            for name, label in wanted
            if _present(event.fields.get(name))
        )
        filled[key] = _Filling(entries, event)


def _closure(closed_by: CaseEvent) -> _Filling:
    """D8: who closed the case and when, with its note, lessons and signature."""
    closure = [Entry("Closed", f"{readable(closed_by.at)} by {closed_by.actor}")]
    if closed_by.note:
        closure.append(Entry("Note", closed_by.note))
    if _present(closed_by.fields.get("lessons")):
        closure.append(Entry("Lessons learned", str(closed_by.fields["lessons"])))
    return _Filling((*closure, *_signed(closed_by)), closed_by)


def _effectiveness(countermeasure: CaseEvent, deadlines: Sequence[Deadline]) -> str | None:
    """How the six-month tracking of this countermeasure stands (its window deadline)."""
    window = next(
        (d for d in deadlines
         if d.key == "effectiveness_window" and d.started_seq == countermeasure.seq),
        None,
    )
    if window is None:
        return None
    if window.status == "met":
        ended = readable(window.closed_at)
        return f"effective: no recurrence in the tracking window (ended {ended})"
    if window.status in ("pending", "on_hold"):
        return f"being tracked for recurrence until {readable(window.due_at)}"
    return None


# -- PDCA -----------------------------------------------------------------------------------

_PHASES = (
    ("plan", "Plan", "execute", (("target", "Target"), ("plan", "Plan"))),
    ("do", "Do", "measure", (("result", "Result"),)),
    ("check", "Check", "evaluate", (("met", "Target met"), ("analysis", "Analysis"))),
    ("act", "Act", "standardize", (("standard", "Standardised as"), ("lessons", "Lessons"))),
)


def _met(raw: Any) -> bool | None:
    # The engine stores met as a bool; the event keeps the text the user gave.
    if isinstance(raw, bool):
        return bool(raw)
    if raw in ("true", "false"):
        return bool(raw == "true")
    return None


def _pdca(events: Sequence[CaseEvent]) -> tuple[PdcaCycle, ...]:
    """Each plan-do-check-act turn; `next_cycle` closes a turn's act and starts the next."""
    number = 1
    steps: dict[int, dict[str, CaseEvent]] = {1: {}}
    for event in events:
        if event.action in ("execute", "measure", "evaluate", "standardize", "next_cycle"):
            steps.setdefault(number, {})[event.action] = event
        if event.action == "next_cycle":
            number += 1
            steps.setdefault(number, {})
    cycles = []
    for n in sorted(steps):
        taken = steps[n]

        def field_of(trigger: str, name: str, taken: dict[str, CaseEvent] = taken) -> Any:
            event = taken.get(trigger)
            return event.fields.get(name) if event is not None else None

        phases = []
        for key, title, trigger, wanted in _PHASES:
            step = taken.get(trigger)
            if key == "act" and step is None:
                # An act that started the next cycle instead of standardising.
                step = taken.get("next_cycle")
                wanted = (("reason", "Next cycle because"),)
            if step is None:
                phases.append(Section(key=key, title=title, filled=False))
                continue
            entries = tuple(
                Entry(label, _yes_no(step.fields[name]) if name == "met"
                      else _value(step.fields[name]))
                for name, label in wanted
                if _present(step.fields.get(name))
            ) + _signed(step)
            phases.append(Section(key=key, title=title, filled=True, entries=entries,
                                  filled_by=step.actor, filled_at=step.at, seq=step.seq))
        cycles.append(PdcaCycle(
            number=n,
            phases=tuple(phases),
            target=_text(field_of("execute", "target")),
            plan=_text(field_of("execute", "plan")),
            result=_text(field_of("measure", "result")),
            met=_met(field_of("evaluate", "met")),
            analysis=_text(field_of("evaluate", "analysis")),
            standard=_text(field_of("standardize", "standard")),
            lessons=_text(field_of("standardize", "lessons")),
            next_cycle_reason=_text(field_of("next_cycle", "reason")),
        ))
    return tuple(cycles)


def _yes_no(raw: Any) -> str:
    met = _met(raw)
    return "yes" if met is True else "no" if met is False else str(raw)


def _text(raw: Any) -> str | None:
    return str(raw) if _present(raw) else None


# -- the rest -------------------------------------------------------------------------------

_SIGNER_KEYS = ("signed_by", "by", "signer", "user", "name", "actor")
_SIGNED_AT_KEYS = ("signed_at", "at", "when", "time")
_MEANING_KEYS = ("meaning", "purpose", "statement")


def _first(raw: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    return next((str(raw[k]) for k in keys if _present(raw.get(k))), None)


def signature_of(fields: Mapping[str, Any]) -> Signature | None:
    raw = fields.get("signature")
    if not isinstance(raw, Mapping):
        return None
    signed_at = _first(raw, _SIGNED_AT_KEYS)
    if signed_at is not None:
        # Shown as stored when it is not a time: a signature's own words are never dropped.
        with suppress(ValueError):
            signed_at = readable(datetime.fromisoformat(signed_at))
    return Signature(
        signed_by=_first(raw, _SIGNER_KEYS), signed_at=signed_at,
        meaning=_first(raw, _MEANING_KEYS), method=_first(raw, ("method",)), fields=dict(raw),
    )


def _signed(event: CaseEvent) -> tuple[Entry, ...]:
    """The decision's signature as an entry of the section it filled (D8, a PDCA act)."""
    signature = signature_of(event.fields)
    return (Entry("Signed", signature.describe()),) if signature is not None else ()


def _timeline(events: Sequence[CaseEvent]) -> tuple[TimelineEntry, ...]:
    return tuple(
        TimelineEntry(
            seq=e.seq, at=e.at, actor=e.actor, action=e.action, from_state=e.from_state,
            to_state=e.to_state, note=e.note, reason=_text(e.fields.get("reason")),
            fields={k: v for k, v in e.fields.items() if k != "signature"},
            signature=signature_of(e.fields),
        )
        for e in events
    )


def _deadline_line(deadline: Deadline, now: datetime | None) -> DeadlineLine:
    # Overdue as `capa case list --overdue` and the CLI's tables decide it (cli.views); an
    # undated report calls nothing overdue.
    overdue = now is not None and is_overdue(deadline, now)
    status = "overdue" if overdue else "open" if deadline.status == "pending" else deadline.status
    if deadline.status == "met":
        label = "met on time" if deadline.met_on_time else "met late"
    else:
        label = "overdue" if overdue else deadline.status
    title = deadline.title + (
        f" #{deadline.sequence}" if deadline.key == "effectiveness_review" else ""
    )
    return DeadlineLine(
        key=deadline.key, title=title, kind=deadline.kind, status=status, label=label,
        started_at=deadline.started_at, due_at=deadline.due_at,
        met_at=deadline.closed_at if deadline.status == "met" else None,
        closed_at=deadline.closed_at, met_on_time=deadline.met_on_time,
    )


def _cost_lines(costs: Sequence[CaseCost]) -> tuple[tuple[CostLine, ...], dict[str, Decimal]]:
    lines = tuple(
        CostLine(kind=c.kind, amount=Decimal(c.amount).quantize(ZERO), currency=c.currency,
                 incurred_at=c.incurred_at, note=c.note, recorded_by=c.recorded_by)
        for c in costs
    )
    # Never added across currencies: no exchange rate is known here (chargeback.statement).
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, ZERO) + line.amount
    return lines, dict(sorted(totals.items()))


def build_report(
    *,
    case: Case,
    supplier: Supplier | None,
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
    now: datetime | None,
    costs: Sequence[CaseCost] = (),
    links: Sequence[LinkedCase] = (),
    chain: ChainStatus | None = None,
    evidence: Sequence[EvidenceLine] = (),
) -> CaseReport:
    """The report from rows already loaded (events in seq order); reads no database."""
    assert case.id is not None
    lifecycle = LIFECYCLES[case.lifecycle]
    opened = events[0] if events and events[0].action == "open" else None
    team = opened.fields.get("team") if opened is not None else case.content.get("team")
    cancelled = next((e for e in reversed(events) if e.action == "cancel"), None)
    header = Header(
        case_id=case.id, title=case.title, lifecycle=case.lifecycle,
        lifecycle_title=lifecycle.title, state=case.state,
        discipline=lifecycle.disciplines.get(case.state), severity=case.severity,
        complexity=case.complexity, supplier_code=supplier.code if supplier else None,
        supplier_name=supplier.name if supplier else None, part=case.part,
        defect_code=case.defect_code, owner=case.owner,
        team=tuple(str(m) for m in team) if isinstance(team, list) else (),
        opened_at=case.opened_at, closed_at=case.closed_at, reopen_count=case.reopen_count,
        occurrences=case.occurrences, cycle=case.cycle,
        cancelled_reason=_text(cancelled.fields.get("reason")) if cancelled else None,
    )
    kind = "pdca" if case.lifecycle == "pdca" else "8d"
    disciplines: tuple[Section, ...] = ()
    ineffective: tuple[str, ...] = ()
    recurrences: tuple[str, ...] = ()
    cycles: tuple[PdcaCycle, ...] = ()
    if kind == "pdca":
        cycles = _pdca(events)
    else:
        disciplines, ineffective, recurrences = _eight_d(case, events, deadlines)
    cost_lines, totals = _cost_lines(costs)
    return CaseReport(
        header=header, kind=kind, disciplines=disciplines, cycles=cycles,
        ineffective_countermeasures=ineffective, recurrences=recurrences,
        deadlines=tuple(_deadline_line(d, now) for d in deadlines),
        timeline=_timeline(events), costs=cost_lines, cost_totals=totals,
        links=tuple(links), chain=chain, as_of=now, evidence=tuple(evidence),
    )


def _links(session: Session, case: Case) -> list[LinkedCase]:
    conditions = [col(Case.linked_case_id) == case.id]
    if case.linked_case_id is not None:
        conditions.append(col(Case.id) == case.linked_case_id)
    rows = session.exec(
        select(Case.id, Case.title, Case.state, Case.supplier_id)
        .where(or_(*conditions))
        .order_by(col(Case.id))
    ).all()
    return [
        LinkedCase(case_id=row[0], title=row[1], state=row[2], supplier_id=row[3],
                   relation="follows" if row[0] == case.linked_case_id else "followed_by")
        for row in rows
        if row[0] is not None and row[0] != case.id
    ]


def _chain(session: Session, case_id: int) -> ChainStatus:
    verification = verify(session, case_id=case_id)
    broken = verification.breaks[0] if verification.breaks else None
    return ChainStatus(
        ok=verification.ok, events=verification.events,
        problem=broken.problem if broken else None, seq=broken.seq if broken else None,
    )


def case_report(
    session: Session, *, case_id: int, now: datetime, for_supplier: int | None = None
) -> CaseReport:
    """Everything a case's report shows, in a fixed number of queries (none per event).

    `for_supplier`: the copy a supplier's people get. Recurrence links join cases of one
    supplier; should one ever point elsewhere, the other supplier's case stays out of it.
    """
    case = get_case(session, case_id)  # NotFound (exit 3, 404) names the case
    supplier = session.get(Supplier, case.supplier_id) if case.supplier_id else None
    links = _links(session, case)
    events = case_events(session, case_id)
    if for_supplier is not None:
        links = [link for link in links if link.supplier_id == for_supplier]
        # An internal file stays internal in the supplier's copy: its name and digest too.
        events = [e for e in events if not _internal_file(e)]
    return build_report(
        case=case, supplier=supplier, events=events,
        deadlines=case_deadlines(session, case_id), now=now,
        costs=case_costs(session, case_id), links=links,
        chain=_chain(session, case_id), evidence=_evidence(session, case_id, for_supplier),
    )


def _internal_file(event: CaseEvent) -> bool:
    return event.action == ATTACHED and event.fields.get("visibility") == INTERNAL


def _evidence(session: Session, case_id: int, for_supplier: int | None) -> list[EvidenceLine]:
    return [
        EvidenceLine(file_name=a.file_name, kind=a.media_type, size=a.size, sha256=a.sha256,
                     uploaded_by=a.uploaded_by, uploaded_at=a.uploaded_at,
                     shared=a.visibility == SHARED)
        for a in evidence(session, case_id=case_id, for_supplier=for_supplier)
    ]
