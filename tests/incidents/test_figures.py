"""The incidents' figures the monthly review reads (incidents.figures), over incidents made
through the services: counts by department and period with drills apart, each incident's
late steps and review, and the reviews' causes by the six factors (5M1E)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from capaflow.config import load_policies
from capaflow.config.policies import validate_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.incidents import figures, response
from capaflow.incidents.plans import Plans, load_plans

DEC = datetime(2026, 12, 1, tzinfo=UTC)
JAN = datetime(2027, 1, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)


def _plans() -> tuple[Plans, tuple[str, ...]]:
    policies = validate_policies(load_policies())
    return load_plans(policies), tuple(policies.departments)


def _declare(session: Session, policy: DeadlinePolicy, type: str, severity: str, at: datetime,
             *, drill: bool = False, department: str | None = None) -> int:
    plans, departments = _plans()
    view = response.declare(session, plans=plans, departments=departments, policy=policy,
                            type=type, severity=severity, title=None, department=department,
                            drill=drill, actor="ann", now=at)
    session.commit()
    return view.incident.case_id


def test_figures_count_incidents_by_department_and_period_with_drills_apart(
    session: Session, policy: DeadlinePolicy
) -> None:
    plans, _ = _plans()
    outage = _declare(session, policy, "power_outage", "S2", DEC + 2 * H)
    _declare(session, policy, "data_breach", "S1", DEC + 5 * H)
    _declare(session, policy, "power_outage", "S3", DEC + 6 * H, department="service_desk")
    _declare(session, policy, "power_outage", "S3", DEC + 7 * H, drill=True)
    _declare(session, policy, "power_outage", "S1", JAN + H)
    assert figures.incident_count(session, None, DEC, JAN) == 3
    assert figures.incident_count(session, "field_service", DEC, JAN) == 1
    assert figures.incident_count(session, "back_office", DEC, JAN) == 1
    assert figures.incident_count(session, None, DEC, JAN, drills=True) == 1
    # Step 1 (15 min at S2) done late; step 2 done on time; step 3 still owed at the close,
    # due before it: late. Then reviewed, machines.
    response.step_done(session, policy=policy, case_id=outage, number=1, note=None,
                       actor="bo", now=DEC + 2 * H + 20 * MIN)
    response.step_done(session, policy=policy, case_id=outage, number=2, note=None,
                       actor="bo", now=DEC + 2 * H + 30 * MIN)
    response.close(session, plans=plans, policy=policy, case_id=outage, summary="back",
                   actor="ann", now=DEC + 5 * H)
    response.review(session, policy=policy, case_id=outage, cause="cable", factor="machines",
                    open_action=None, actor="qm", now=DEC + 30 * H)
    session.commit()
    listed = figures.incidents_in(session, DEC, JAN)
    assert [(f.type, f.severity, f.steps, f.review_done) for f in listed] == [
        ("power_outage", "S2", 3, True), ("data_breach", "S1", 3, False),
        ("power_outage", "S3", 3, False)]
    assert listed[0].steps_late == 2 and listed[0].factor == "machines"
    causes = figures.causes_by_factor(session, None, DEC, JAN)
    assert causes == {"people": 0, "machines": 1, "materials": 0, "methods": 0,
                      "environment": 0, "measurement": 0}
    assert figures.causes_by_factor(session, "back_office", DEC, JAN)["machines"] == 0
