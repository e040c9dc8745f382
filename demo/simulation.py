"""`capa demo`: eight months of a quality department, simulated on a fresh SQLite file: the
supplier 8D cases, and beside them a month of the service desk (requests taken in,
dispatched, held, escalated, resolved, followed up).

Nothing here is staged: suppliers are added, cases opened and steps taken through the engine,
defects recorded through the intake, and time moves only through the sweep, exactly as the
scheduled flows would move it, with `now` as an argument. The clock jumps from one moment
that matters to the next (a scheduled action, or the earliest next action of any deadline,
read through the sweep's index), so eight months take seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from capaflow.casework.engine import advance, open_case
from capaflow.casework.sweep import sweep
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.demo.checks import checks_script
from capaflow.demo.incidents import incident_script
from capaflow.demo.inspections import inspection_script
from capaflow.demo.review import close_demo_month, review_script
from capaflow.incidents.plans import load_plans
from capaflow.intake.policy import IntakePolicy
from capaflow.intake.recurrence import record_defect
from capaflow.models import CaseEvent, Deadline, Notification
from capaflow.models.db import session_scope
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import add_customer, add_person, mark_absent
from capaflow.servicedesk.requests import advance_request, open_request
from capaflow.suppliers.registry import add_supplier
from capaflow.targets.policy import ReviewPolicy

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday morning
H = timedelta(hours=1)
D = timedelta(days=1)
M = timedelta(minutes=1)
ACTOR = "lena"


@dataclass(order=True)
class Line:
    """One line of the timeline."""

    at: datetime
    order: int
    case: int | None = field(compare=False)
    what: str = field(compare=False)
    kind: str = field(compare=False)


@dataclass
class Simulation:
    engine: Engine
    policy: DeadlinePolicy
    intake: IntakePolicy
    desk: ServiceDesk
    end: datetime
    lines: list[Line] = field(default_factory=list)
    # The service requests by a short name (their numbers depend on what opened before).
    requests: dict[str, int] = field(default_factory=dict)
    # The monthly review closing each month (demo.review), when the policies are given.
    review: ReviewPolicy | None = None
    _events_seen: int = 0
    _notices_seen: int = 0

    # --- the things people do -----------------------------------------------------------
    def supplier(self, at: datetime, code: str, name: str) -> None:
        with session_scope(self.engine) as session:
            base = f"json://127.0.0.1:8765/{code.lower()}"
            add_supplier(session, code=code, name=name, contact=f"{base}/contact",
                         quality_head=f"{base}/quality-head", executive=f"{base}/executive",
                         now=at)

    def open(self, at: datetime, **kwargs: Any) -> None:
        with session_scope(self.engine) as session:
            open_case(session, lifecycle="8d", severity=kwargs.pop("severity", "major"),
                      complex_cause=False, owner=ACTOR, team="lena, marco", actor=ACTOR,
                      now=at, policy=self.policy, **kwargs)

    def step(self, at: datetime, case_id: int, trigger: str, **fields: str) -> None:
        with session_scope(self.engine) as session:
            advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                    actor=ACTOR, now=at, policy=self.policy)

    def defect(self, at: datetime, supplier: str, part: str, code: str, qty: int) -> None:
        with session_scope(self.engine) as session:
            record_defect(session, supplier_code=supplier, part=part, defect_code=code,
                          quantity=qty, occurred_at=at, source="line", note=None,
                          actor=ACTOR, now=at, policy=self.policy, intake_policy=self.intake)
        self.lines.append(Line(at, 0, None, f"{qty} × {code} on {part} from {supplier} "
                                            "recorded at the line", "defect"))

    # --- the service desk ---------------------------------------------------------------
    def desk_people(self, at: datetime) -> None:
        with session_scope(self.engine) as session:
            for code, name, tier in (("HOTEL-SUN", "Hotel Sun", "key"),
                                     ("CORNER", "Corner Laundry", "standard"),
                                     ("KIOSK", "Station Kiosk", "basic")):
                add_customer(session, desk=self.desk, code=code, name=name, tier=tier,
                             contact=f"json://127.0.0.1:8765/customer/{code.lower()}",
                             now=at)
            for name, team, skills, lead in (
                ("ann", "field", "repair,installation", False), ("bob", "field", "repair", False),
                ("lea", "field", None, True), ("olga", "office", None, False),
                ("dan", "desk", None, True),
            ):
                add_person(session, name=name, team=team, skills=skills, lead=lead, now=at)
            mark_absent(session, name="ann", starts_at=at + 10 * D, ends_at=at + 15 * D,
                        now=at)

    def request(self, at: datetime, key: str, customer: str, kind: str, severity: str,
                category: str, title: str) -> None:
        with session_scope(self.engine) as session:
            opened = open_request(session, desk=self.desk, policy=self.policy,
                                  customer=customer, kind=kind, severity=severity,
                                  category=category, channel="phone", title=title,
                                  description=None, assignee=None, actor="desk", now=at)
            self.requests[key] = opened.request.case_id

    def service(self, at: datetime, key: str, trigger: str, **fields: str) -> None:
        with session_scope(self.engine) as session:
            advance_request(session, desk=self.desk, policy=self.policy,
                            case_id=self.requests[key], trigger=trigger, fields=fields,
                            note=None, actor="ann", now=at)

    def answer(self, at: datetime, key: str, solved: bool, overall: int) -> None:
        with session_scope(self.engine) as session:
            record_follow_up(session, desk=self.desk, policy=self.policy,
                             case_id=self.requests[key],
                             answer=Answer(solved=solved, overall=overall, nps=overall * 2),
                             channel="survey", by="customer", actor="customer", now=at)

    def close_review(self, at: datetime, month: str) -> None:
        assert self.review is not None
        what = close_demo_month(self.engine, at=at, month=month, review=self.review,
                                policy=self.policy)
        self.lines.append(Line(at, 4, None, what, "monthly_review"))

    # --- watching what happened ---------------------------------------------------------
    def _collect(self) -> None:
        with Session(self.engine) as session:
            events = session.exec(select(CaseEvent).where(col(CaseEvent.id) > self._events_seen)
                                  .order_by(col(CaseEvent.id))).all()
            notices = session.exec(select(Notification)
                                   .where(col(Notification.id) > self._notices_seen)
                                   .order_by(col(Notification.id))).all()
        for e in events:
            self._events_seen = max(self._events_seen, e.id or 0)
            # A closure comes last among lines of the same moment: the window's last review
            # went out before it.
            order = 3 if e.action == "close" else 1
            self.lines.append(Line(e.at, order, e.case_id, _describe_event(e), "step"))
        for n in notices:
            self._notices_seen = max(self._notices_seen, n.id or 0)
            if n.kind in ("reminder", "escalation", "review"):
                to = ", ".join(r.replace("_", " ") for r in n.audience)
                level = f" L{n.escalation_level}" if n.escalation_level else ""
                what = n.subject.split(": ", 1)[-1]
                self.lines.append(Line(n.created_at, 2, n.case_id,
                                       f"{n.kind}{level} → {to}: {what}", n.kind))

    def _next_due(self) -> datetime | None:
        with Session(self.engine) as session:
            return session.exec(select(func.min(Deadline.next_action_at))
                                .where(Deadline.status == "pending")).one()

    def run(self, script: list[tuple[datetime, Callable[[], None]]]) -> list[Line]:
        script = sorted(script, key=lambda item: item[0])
        now = START
        while now <= self.end:
            while script and script[0][0] <= now:
                _, action = script.pop(0)
                action()
            sweep(self.engine, now=now, policy=self.policy, batch_size=500, actor="capaflow")
            self._collect()
            upcoming = [m for m in (self._next_due(), script[0][0] if script else None) if m]
            if not upcoming:
                break
            now = max(min(upcoming), now + timedelta(minutes=1))
        return sorted(self.lines)


def _describe_opening(event: CaseEvent) -> str:
    """What was opened, by the fields only its kind of record carries."""
    f = event.fields
    if "customer" in f:
        return (f"service request from {f['customer']} ({f['tier']}): {f['kind']} "
                f"{f['severity']}, {f['title']}")
    if "inspector" in f:
        return f"inspection round of {f['department']}/{f['position']} owed by {f['inspector']}"
    if "item" in f:
        return f"finding: {f['item']} ({f['factor']}) failed, fix owed by {f['owner']}"
    if "week" in f and "person" in f:
        return (f"spot-check drawn for {f['week']}: request #{f['request']} of {f['person']}, "
                f"review owed by {f['reviewer']}")
    if "department" in f and "team" in f and "title" in f:
        return f"work item: {f['title']} ({f['team']}), three-level checks owed"
    if "drill" in f:
        what = "drill" if f["drill"] else "incident"
        return f"{what} declared: {f['type']} {f['severity']}, {f['title']}"
    linked = f.get("linked_case")
    follows = f", follows case #{linked} closed as effective" if linked else ""
    return f"opened: {f.get('title')} ({f.get('supplier', '-')}{follows})"


def _describe_event(event: CaseEvent) -> str:
    if event.action == "open":
        return _describe_opening(event)
    if event.action == "close" and event.fields.get("outcome") in ("no_response", "not_sampled"):
        return f"request closed by the sweep: {event.fields['outcome'].replace('_', ' ')}"
    if event.action == "close" and event.actor == "capaflow":
        return "closed by the sweep: six months with no recurrence, countermeasure effective"
    if event.action == "reopen" and "follow-up" in str(event.fields.get("reason", "")):
        return f"REOPENED by the customer at {event.fields['reason']}"
    if event.action == "reopen":
        return "REOPENED: the defect came back inside the window; containment owed again"
    if event.action == "occurrence":
        return "one more occurrence counted"
    content = "; ".join(f"{k}: {v}" for k, v in event.fields.items())
    return f"{event.action}{f' ({content})' if content else ''}"


def script(sim: Simulation) -> list[tuple[datetime, Callable[[], None]]]:
    s = START
    return [
        (s, lambda: sim.supplier(s, "ACME", "Acme Stamping Ltd.")),
        (s, lambda: sim.supplier(s, "BOLTCO", "Bolt & Co. Fasteners")),
        # Case 1: every step on time; closed as effective after six quiet months.
        (s, lambda: sim.open(s, title="Burr on bracket edge", supplier_code="ACME",
                             part="BRK-220", defect_code="BURR", problem="Cut harnesses")),
        (s + 20 * H, lambda: sim.step(s + 20 * H, 1, "contain", containment="Sorted 2,400")),
        (s + 2 * D, lambda: sim.step(s + 2 * D, 1, "find_root_cause", root_cause="Worn die",
                                     escape_point="No burr check", category="machine")),
        (s + 3 * D, lambda: sim.step(s + 3 * D, 1, "apply_short_term_fix",
                                     short_term_fix="Manual deburr")),
        (s + 8 * D, lambda: sim.step(s + 8 * D, 1, "implement_countermeasure",
                                     countermeasure="Die reground, life limit in PM")),
        # Case 2: a slow supplier, escalated; its countermeasure fails and the case reopens.
        (s + D, lambda: sim.open(s + D, title="Bolt torque below spec", supplier_code="BOLTCO",
                                 part="M8-45", defect_code="TORQUE-LOW", severity="critical",
                                 problem="Clamp load 18 % low")),
        (s + 4 * D, lambda: sim.step(s + 4 * D, 2, "contain", containment="Lots quarantined")),
        (s + 6 * D, lambda: sim.step(s + 6 * D, 2, "find_root_cause", root_cause="Coating",
                                     escape_point="Checked once a shift", category="method",
                                     complexity="complex")),
        (s + 7 * D, lambda: sim.step(s + 7 * D, 2, "apply_short_term_fix",
                                     short_term_fix="Hourly checks")),
        (s + 15 * D, lambda: sim.step(s + 15 * D, 2, "implement_countermeasure",
                                      countermeasure="Bath temperature alarm")),
        (s + 65 * D, lambda: sim.defect(s + 65 * D, "BOLTCO", "M8-45", "TORQUE-LOW", 4)),
        (s + 65 * D + 10 * H, lambda: sim.step(s + 65 * D + 10 * H, 2, "contain",
                                               containment="Lots quarantined again")),
        (s + 68 * D, lambda: sim.step(s + 68 * D, 2, "find_root_cause",
                                      root_cause="Alarm bypassed at shift change",
                                      escape_point="No audit of bypasses", category="man")),
        (s + 69 * D, lambda: sim.step(s + 69 * D, 2, "apply_short_term_fix",
                                      short_term_fix="Supervisor sign-off")),
        (s + 74 * D, lambda: sim.step(s + 74 * D, 2, "implement_countermeasure",
                                      countermeasure="Interlock: no bypass without key")),
        # Case 3: ignored for a week; the ladder climbs to the supplier's executive.
        (s + 30 * D, lambda: sim.open(s + 30 * D, title="Scratches on housing cover",
                                      supplier_code="ACME", part="HSG-10",
                                      defect_code="SCRATCH", severity="minor",
                                      problem="5 % of covers scratched")),
        (s + 37 * D, lambda: sim.step(s + 37 * D, 3, "contain", containment="Sorted at line")),
        # After case 1 closed as effective, the burr is back: a new case, linked to case 1.
        (s + 200 * D, lambda: sim.defect(s + 200 * D, "ACME", "BRK-220", "BURR", 2)),
    ]


def service_script(sim: Simulation) -> list[tuple[datetime, Callable[[], None]]]:
    """A month at the service desk, from Wednesday 4 February (after the 8D script's third
    case opened: that script names its cases by number)."""
    s = START + 30 * D + 2 * H  # Wednesday 10:00
    night = s + 13 * H
    return [
        (s, lambda: sim.desk_people(s)),
        # A key customer's breakdown at night: around the clock, answered, fixed, praised.
        (night, lambda: sim.request(night, "laundry", "HOTEL-SUN", "complaint", "S1",
                                    "repair", "Laundry line down, 200 rooms waiting")),
        (night + 20 * M, lambda: sim.service(night + 20 * M, "laundry", "acknowledge",
                                             response="Technician on the way")),
        (s + 16 * H, lambda: sim.service(s + 16 * H, "laundry", "resolve",
                                         resolution="Drive belt replaced")),
        (s + 2 * D, lambda: sim.answer(s + 2 * D, "laundry", True, 5)),
        # A standard request waits on the customer (held), then is resolved.
        (s + D, lambda: sim.request(s + D, "dryer", "CORNER", "request", "S3",
                                    "installation", "Install a second dryer")),
        (s + D + H, lambda: sim.service(s + D + H, "dryer", "acknowledge",
                                        response="Which voltage is on site?")),
        (s + D + 2 * H, lambda: sim.service(s + D + 2 * H, "dryer", "hold",
                                            reason="Waiting for the site's voltage")),
        (s + 4 * D, lambda: sim.service(s + 4 * D, "dryer", "resume",
                                        reason="400 V confirmed")),
        (s + 5 * D, lambda: sim.service(s + 5 * D, "dryer", "resolve",
                                        resolution="Dryer installed and commissioned")),
        # Nobody answers a basic customer's question: the ladder climbs before a late fix.
        (s + 3 * D, lambda: sim.request(s + 3 * D, "invoice", "KIOSK", "inquiry", "S3",
                                        "billing", "Invoice 4471 charged twice")),
        (s + 9 * D, lambda: sim.service(s + 9 * D, "invoice", "acknowledge",
                                        response="Checking with accounts")),
        (s + 10 * D, lambda: sim.service(s + 10 * D, "invoice", "resolve",
                                         resolution="Credit note issued")),
        # A claim from the key customer: at least S2, management told at once; escalated,
        # resolved, reported not solved at follow-up (reopened), then resolved for good.
        (s + 11 * D, lambda: sim.request(s + 11 * D, "claim", "HOTEL-SUN", "claim", "S3",
                                         "repair", "Linen damaged by the repaired machine")),
        (s + 11 * D + H, lambda: sim.service(s + 11 * D + H, "claim", "escalate",
                                             severity="S1",
                                             reason="Compensation of 2,000 EUR asked")),
        (s + 11 * D + 2 * H, lambda: sim.service(s + 11 * D + 2 * H, "claim", "acknowledge",
                                                 response="Manager calling back today")),
        (s + 12 * D, lambda: sim.service(s + 12 * D, "claim", "resolve",
                                         resolution="Linen replaced at our cost")),
        (s + 13 * D, lambda: sim.answer(s + 13 * D, "claim", False, 2)),
        (s + 14 * D, lambda: sim.service(s + 14 * D, "claim", "resolve",
                                         resolution="Machine rinse program corrected")),
    ]


def simulate(engine: Engine, *, policy: DeadlinePolicy, intake: IntakePolicy,
             desk: ServiceDesk, months: int = 8, policies: Policies | None = None,
             review: ReviewPolicy | None = None) -> list[Line]:
    sim = Simulation(engine=engine, policy=policy, intake=intake, desk=desk,
                     end=START + relativedelta(months=months), review=review)
    steps = script(sim) + service_script(sim)
    if policies is not None:
        # Quality inspections of the field service, after the desk's people are in.
        steps += inspection_script(engine, policy=policy, policies=policies,
                                   start=START + 30 * D + 2 * H + M)
        # An incident and a drill in mid-February, after the desk's month has begun.
        steps += incident_script(engine, policy=policy, plans=load_plans(policies),
                                 start=START + 45 * D)
        # Three-level checks and a week's spot-check draw, on Monday 9 March.
        steps += checks_script(engine, policy=policy, policies=policies, desk=desk,
                               at=START + 63 * D + 2 * H)
    # Each month ends with its review (demo.review).
    if review is not None:
        steps += review_script(START, sim.end, review, sim.close_review)
    return sim.run(steps)
