"""Audit finding answers through the API: a supplier lists and answers the open findings of
its own audits; the lead accepts through the submissions routes and the finding closes.
Another supplier's finding is a 404 worded as a missing one; a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

from capaflow.audits import Failure, conduct_audit, load_audit_policy, plan_audit
from capaflow.config import load_policies
from capaflow.deadlines.policy import load_policy
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.test_api import Api, api  # noqa: F401 (the fixture)


def _finding(url: str, code: str) -> int:
    policy = load_policy(load_policies())
    with session_scope(get_engine(url)) as session:
        planned = plan_audit(session, supplier_code=code, title=None, owner="lena", scope=None,
                             actor="lead", now=T0, policy=policy)
        result = conduct_audit(
            session, case_id=planned.case.id or 0, auditors="lena", owner=None, site=None,
            failures=[Failure("measurement.gauges", "gauges past calibration",
                              due_at=T0 + timedelta(days=7))],
            actor="lead", now=T0, policy=policy,
            audit_policy=load_audit_policy(load_policies()))
        return result.findings[0].id or 0


def test_supplier_answers_its_finding_and_the_lead_accept_closes_it(api: Api) -> None:  # noqa: F811
    mine, theirs = _finding(api.url, "ACME"), _finding(api.url, "BETA")
    assert [f["id"] for f in api.get("ACME", "/findings/owed").json()] == [mine]
    assert api.get("ACME", "/findings/owed?supplier=BETA").status_code == 404
    assert api.get("lead", "/findings/owed").json()["error"]["field"] == "supplier"

    before = snapshot(api.url)
    other = api.post("ACME", f"/findings/{theirs}/answers", {"action": "x"})
    assert other.status_code == 404
    assert other.json()["error"]["message"] == f"finding {theirs} does not exist"
    blank = api.post("ACME", f"/findings/{mine}/answers", {"action": "  "})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "action"
    staff = api.post("lead", f"/findings/{mine}/answers", {"action": "done"})
    assert staff.status_code == 403
    assert snapshot(api.url) == before

    made = api.post("ACME", f"/findings/{mine}/answers",
                    {"action": "Recalibrated", "evidence": "certificates 4711-4713"})
    assert made.status_code == 201, made.text
    submission = made.json()
    assert submission["trigger"] == "answer_finding"
    accepted = api.post("lead", f"/submissions/{submission['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["step"]["event"]["action"] == "close_finding"
    assert api.get("ACME", "/findings/owed").json() == []
