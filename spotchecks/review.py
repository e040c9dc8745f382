"""Reviewing a drawn request against the standard (docs/architecture.md, "Service quality
control"): each item of the current standard of the person's department and position passed
or failed, scored by `standards.scoring.score` ("100 − 1 = 0"), recorded as the spot-check's
`review` step (which meets its deadline), and a training item for the person per failed item.

The training items are the desk's (`training_items`, servicedesk/feedback.py): each has a
deadline `training:<id>` on the spot-check, which the one sweep reminds and escalates with the
person as its owner, and `capa training done ID` meets it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from capaflow.casework.engine import advance
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import start_obligation, training_key
from capaflow.errors import BadInput, Conflict, NotFound, check_id, check_text
from capaflow.models import Case, ServicePerson, SpotCheck, TrainingItem
from capaflow.standards.catalogue import current_standard
from capaflow.standards.scoring import score

RESULTS = {"pass": True, "fail": False}


@dataclass
class SpotCheckView:
    spot_check: SpotCheck
    case: Case


def get_spot_check(session: Session, case_id: int) -> SpotCheckView:
    row = session.get(SpotCheck, check_id("spotcheck", case_id))
    if row is None:
        raise NotFound(f"spotcheck: spot-check {case_id} does not exist", field="spotcheck")
    case = session.get(Case, case_id, populate_existing=True)
    assert case is not None
    return SpotCheckView(spot_check=row, case=case)


def parse_results(pairs: Mapping[str, str]) -> dict[str, bool]:
    """Item code → passed, from "pass"/"fail"; BadInput naming `result` for anything else."""
    if not pairs:
        raise BadInput("result: give each item of the standard as CODE=pass or CODE=fail",
                       field="result")
    results: dict[str, bool] = {}
    for code, value in pairs.items():
        verdict = RESULTS.get(value.strip().lower())
        if verdict is None:
            raise BadInput(f"result: '{code}={value}': the result is pass or fail",
                           field="result")
        results[code.strip()] = verdict
    return results


def review_spot_check(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, case_id: int,
    results: Mapping[str, str], by: str, note: str | None, now: datetime,
) -> SpotCheckView:
    """Review a spot-check. BadInput (result, item, by, note), NotFound (spotcheck, by, and
    department/position when no standard is imported), Conflict (spotcheck: already
    reviewed; department: the person is in no department with a reviewed position). The
    step's actor is the reviewer."""
    verdicts = parse_results(results)
    note_text = check_text("note", note, limit=4000)
    view = get_spot_check(session, case_id)
    row = view.spot_check
    if view.case.state != "owed":
        raise Conflict(f"spotcheck: spot-check {case_id} is {view.case.state}; it is reviewed "
                       "once", field="spotcheck")
    reviewer = session.exec(select(ServicePerson).where(ServicePerson.name == by)).first()
    if reviewer is None:
        raise NotFound(f"by: person '{by}' does not exist (capa person add)", field="by")
    if reviewer.name == row.person:
        raise BadInput(f"by: {by} handled the request; nobody reviews their own work",
                       field="by")
    if row.department is None or row.position is None:
        raise Conflict(f"department: {row.person} is in no department with a position "
                       "reviewed by spot-checks ([departments] teams, [spotchecks.positions])",
                       field="department")
    standard = current_standard(session, row.department, row.position)
    scored = score(standard.items, verdicts)
    step = advance(
        session, case_id=case_id, trigger="review",
        fields={"score": f"{scored.value:g}", "passed": "true" if not scored.failed else "false",
                "version": str(standard.version),
                **({"failed_items": ",".join(scored.failed)} if scored.failed else {})},
        note=note_text, actor=reviewer.name, now=now, policy=policy, stepping_service=True,
    )
    row.reviewed_at = now
    row.reviewed_by = reviewer.name
    row.standard_version = standard.version
    row.score = scored.value
    row.passed = not scored.failed
    row.items_total = len(standard.items)
    row.items_passed = scored.passed
    row.items = [{"code": i.code, "passed": verdicts[i.code], "weight": i.weight,
                  "factor": i.factor, "critical": i.critical} for i in standard.items]
    session.add(row)
    due = policy.calendar.add(now, policies.spotchecks.training_due)
    for code in scored.failed:
        item = standard.item(code)
        assert item is not None
        title = (f"Training for {row.person}: {code} ({item.text[:120]}) failed in spot-check "
                 f"#{case_id}")
        training = TrainingItem(
            person=row.person, case_id=case_id, dimension=code[:40], title=title[:300],
            created_at=now, due_at=due,
            # "corrective_case": where its deadline is, which `capa training done` meets.
            detail={"corrective_case": case_id, "spotcheck": case_id,
                    "request": row.request_case_id, "standard_version": standard.version,
                    "factor": item.factor, "critical": item.critical})
        session.add(training)
        session.flush()
        assert training.id is not None
        start_obligation(session, case=step.case, key=training_key(training.id),
                         title=title, started_by="review", started_seq=step.event.seq,
                         due_at=due, now=now, policy=policy)
    session.flush()
    return get_spot_check(session, case_id)


def training_of_spot_check(session: Session, case_id: int) -> list[TrainingItem]:
    return list(session.exec(select(TrainingItem).where(TrainingItem.case_id == case_id)))
