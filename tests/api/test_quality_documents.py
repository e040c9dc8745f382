"""`capa … --json` and the matching route, on the same data, answer the same typed document
(documents/): notices, defects, inspections, audits and charge-back (the scorecards' pair is in
test_grading_routes). Each output validates against the one model and writes back to the very
JSON it came from, so neither interface can add, drop or reformat a field without the other."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import col, select

from capaflow.calendars import isoformat
from capaflow.documents.audits import AuditPublic
from capaflow.documents.base import Public
from capaflow.documents.costs import CostPublic, StatementPublic
from capaflow.documents.defects import DefectRecordPublic
from capaflow.documents.inspections import (
    LotRecordPublic,
    PlanPublic,
    StoredLotPublic,
    SwitchPublic,
)
from capaflow.documents.notifications import NoticePublic
from capaflow.documents.scorecards import GradedMonthPublic, ScorecardRunPublic
from capaflow.models import Notification, Supplier, SwitchingState
from capaflow.models.db import get_engine, session_scope
from tests.api.conftest import World
from tests.api.documents import all_valid, valid
from tests.conftest import T0
from tests.helpers import capa


def _cli(world: World, *args: str) -> Any:
    result = capa(*args, "--json", "--db", world.url, "--now", isoformat(T0))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _unreached_roles_aside(notices: list[NoticePublic]) -> list[dict[str, Any]]:
    # Neither side has a routes file and each names the one it looked for (the app's settings
    # one, the CLI the test's working directory): the rest is the same.
    return [n.model_dump(exclude={"unreached_roles"}) for n in notices]


def test_notify_list_and_get_notifications_answer_the_same_notices(world: World) -> None:
    api = all_valid(NoticePublic, _ok(world.get("viewer", "/notifications")))
    cli = all_valid(NoticePublic, _cli(world, "notify", "list"))
    assert _unreached_roles_aside(api) == _unreached_roles_aside(cli)


def _fail(world: World, notice_id: int) -> None:
    with session_scope(get_engine(world.url)) as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        notice.status, notice.attempts, notice.next_attempt_at = "failed", 5, None
        notice.last_error = "json://****: connection refused"
        session.add(notice)


def test_notify_retry_and_the_retry_route_answer_the_same_notice(world: World) -> None:
    with session_scope(get_engine(world.url)) as session:
        notice_id = session.exec(select(col(Notification.id)).where(
            Notification.case_id == world.cases["ACME"])).first()
    assert notice_id is not None
    _fail(world, notice_id)
    api = valid(NoticePublic, _ok(world.post("manager", f"/notifications/{notice_id}/retry",
                                              {})))
    _fail(world, notice_id)
    cli = valid(NoticePublic, _cli(world, "notify", "retry", str(notice_id)))
    assert api.status == "pending" and api.attempts == 0
    assert _unreached_roles_aside([api]) == _unreached_roles_aside([cli])


def test_defect_record_and_post_defects_answer_the_same_document(world: World) -> None:
    # A part with no case yet: each opens a new case, with its containment deadlines.
    api = valid(DefectRecordPublic, _ok(world.post("lead", "/defects", {
        "supplier": "ACME", "part": "NEW-1", "defect_code": "BURR", "quantity": 2,
    }), 201))
    cli = valid(DefectRecordPublic, _cli(
        world, "defect", "record", "--supplier", "BETA", "--part", "NEW-1", "--defect-code",
        "BURR", "--qty", "2", "--by", "lead"))
    for record, code in ((api, "ACME"), (cli, "BETA")):
        assert record.outcome == "new_case" and record.case is not None
        assert record.case.supplier == code and record.defect.supplier == code
        assert record.inspection_hold.lots_remaining == record.inspection_hold.lots_required
    assert [d.key for d in api.deadlines.started] == [d.key for d in cli.deadlines.started]
    assert api.deadlines.started


def test_inspect_plan_and_get_plan_answer_the_same_plan(world: World) -> None:
    api = valid(PlanPublic, _ok(world.get("viewer", "/inspections/plan", params={
        "supplier": "BETA", "part": "BX-1", "lot_size": 500})))
    cli = valid(PlanPublic, _cli(world, "inspect", "plan", "--supplier", "BETA", "--part",
                                  "BX-1", "--lot-size", "500"))
    assert api == cli


def _tightened_with_four_accepted(world: World, part: str) -> None:
    """One more accepted lot switches the part back to normal (ISO 2859-1 9.3.2)."""
    with session_scope(get_engine(world.url)) as session:
        beta = session.exec(select(Supplier).where(Supplier.code == "BETA")).one()
        assert beta.id is not None
        session.add(SwitchingState(supplier_id=beta.id, part=part, severity="tightened",
                                   consecutive_accepted=4, updated_at=T0))


def test_inspect_record_and_post_inspections_answer_the_same_document(world: World) -> None:
    for part in ("BX-1", "BX-2"):
        _tightened_with_four_accepted(world, part)
    plan = _ok(world.get("viewer", "/inspections/plan",
                         params={"supplier": "BETA", "part": "BX-1", "lot_size": 500}))
    sampled = str(plan["sample_size"])
    api = valid(LotRecordPublic, _ok(world.post("lead", "/inspections", {
        "supplier": "BETA", "part": "BX-1", "lot": "L-1", "lot_size": 500,
        "sampled": plan["sample_size"], "defects": 0}), 201))
    cli = valid(LotRecordPublic, _cli(
        world, "inspect", "record", "--supplier", "BETA", "--part", "BX-2", "--lot", "L-1",
        "--lot-size", "500", "--sampled", sampled, "--defects", "0", "--by", "lead"))
    for record in (api, cli):
        assert record.result == "accepted" and record.plan.severity == "tightened"
        assert record.switches == [SwitchPublic.model_validate(
            {"from": "tightened", "to": "normal", "reason": record.switches[0].reason})]
    assert api.switching == cli.switching
    assert api.model_dump(exclude={"lot", "plan"}) == cli.model_dump(exclude={"lot", "plan"})
    # The stored lot (no command lists lots) is the recorded lot with its verdict.
    listed = all_valid(StoredLotPublic, _ok(world.get("viewer", "/inspections",
                                                       params={"supplier": "BETA"})))
    shown = valid(StoredLotPublic, _ok(world.get("viewer", f"/inspections/{api.lot.id}")))
    assert shown in listed
    assert shown.model_dump(exclude={"accepted"}) == api.lot.model_dump()


def test_a_lot_posted_without_its_certificates_is_flagged_as_inspect_record_flags_it(
    world: World,
) -> None:
    plan = _ok(world.get("viewer", "/inspections/plan",
                         params={"supplier": "BETA", "part": "BX-1", "lot_size": 500}))
    base = {"supplier": "BETA", "part": "BX-1", "lot_size": 500,
            "sampled": plan["sample_size"], "defects": 0}
    # Bad values: 422 naming the field, nothing recorded.
    for bad, field in (({"certificates": "maybe"}, "certificates"),
                       ({"production_lot": "P" * 101}, "production_lot"),
                       ({"production_lot": "P\x00"}, "production_lot")):
        refused = world.post("lead", "/inspections", {**base, "lot": "L-0", **bad})
        assert refused.status_code == 422 and field in refused.text, refused.text
    api = valid(LotRecordPublic, _ok(world.post("lead", "/inspections", {
        **base, "lot": "L-1", "outgoing_report": True, "certificates": False,
        "production_lot": "P-10"}), 201))
    cli = valid(LotRecordPublic, _cli(
        world, "inspect", "record", "--supplier", "BETA", "--part", "BX-1", "--lot", "L-2",
        "--lot-size", "500", "--sampled", str(plan["sample_size"]), "--defects", "0",
        "--outgoing-report", "yes", "--certificates", "no", "--production-lot", "P-9",
        "--by", "lead"))
    assert api.lot.delivery.missing == cli.lot.delivery.missing == ["certificates"]
    assert (api.lot.delivery.out_of_order, cli.lot.delivery.out_of_order) == (False, True)
    assert cli.delivered_after == "P-10"
    assert api.delivery_notice_id is not None and cli.delivery_notice_id is not None
    shown = valid(StoredLotPublic, _ok(world.get("viewer", f"/inspections/{cli.lot.id}")))
    assert shown.delivery == cli.lot.delivery


@pytest.fixture
def audit(world: World) -> int:
    """ACME's audit, conducted, one finding open."""
    planned = _cli(world, "supplier-audit", "plan", "--supplier", "ACME", "--owner", "lead")
    case_id: int = planned["case"]["id"]
    _cli(world, "supplier-audit", "conduct", str(case_id), "--auditors", "lead",
         "--fail", "measurement.calibration=two gauges past their calibration date")
    return case_id


def test_supplier_audit_show_and_get_audits_answer_the_same_audit(
    world: World, audit: int
) -> None:
    cli = valid(AuditPublic, _cli(world, "supplier-audit", "show", str(audit)))
    api = valid(AuditPublic, _ok(world.get("viewer", f"/audits/{audit}")))
    listed = all_valid(AuditPublic, _ok(world.get("viewer", "/audits")))
    assert api == cli and listed == [cli]
    assert cli.open_findings == 1 and cli.findings[0].item == "measurement.calibration"


REWORK = {"kind": "rework", "amount": "120.50", "currency": "EUR", "note": "re-machined"}


def test_cost_add_and_list_answer_what_the_cost_routes_answer(world: World) -> None:
    case_id = world.cases["ACME"]
    api = valid(CostPublic, _ok(world.post("lead", f"/cases/{case_id}/costs", REWORK), 201))
    cli = valid(CostPublic, _cli(world, "cost", "add", str(case_id), "--kind", "rework",
                                  "--amount", "120.50", "--currency", "EUR", "--note",
                                  "re-machined", "--by", "lead"))
    assert api.model_dump(exclude={"id"}) == cli.model_dump(exclude={"id"})
    listed_api = all_valid(CostPublic, _ok(world.get("viewer", f"/cases/{case_id}/costs")))
    listed_cli = all_valid(CostPublic, _cli(world, "cost", "list", str(case_id)))
    assert listed_api == listed_cli == [api, cli]


def test_chargeback_and_get_chargeback_answer_the_same_statement(world: World) -> None:
    case_id = world.cases["ACME"]
    for body in (REWORK, REWORK | {"amount": "79.50"},
                 {"kind": "line_stop", "amount": "1000", "currency": "USD"}):
        _ok(world.post("lead", f"/cases/{case_id}/costs", body), 201)
    api = valid(StatementPublic, _ok(world.get(
        "viewer", "/chargeback", params={"supplier": "ACME", "month": "2026-03"})))
    cli = valid(StatementPublic, _cli(world, "chargeback", "--supplier", "ACME", "--month",
                                       "2026-03"))
    assert api == cli and api.totals == {"EUR": "200.00", "USD": "1000.00"}


@pytest.mark.parametrize(("method", "path", "status", "model"), [
    ("get", "/notifications", "200", NoticePublic),
    ("post", "/notifications/{notice_id}/retry", "200", NoticePublic),
    ("post", "/defects", "201", DefectRecordPublic),
    ("get", "/inspections/plan", "200", PlanPublic),
    ("post", "/inspections", "201", LotRecordPublic),
    ("get", "/inspections", "200", StoredLotPublic),
    ("get", "/inspections/{lot_id}", "200", StoredLotPublic),
    ("get", "/scorecards", "200", GradedMonthPublic),
    ("post", "/scorecards/runs", "200", ScorecardRunPublic),
    ("get", "/audits", "200", AuditPublic),
    ("get", "/audits/{case_id}", "200", AuditPublic),
    ("get", "/cases/{case_id}/costs", "200", CostPublic),
    ("post", "/cases/{case_id}/costs", "201", CostPublic),
    ("get", "/chargeback", "200", StatementPublic),
])
def test_openapi_describes_each_response_by_its_document(
    world: World, method: str, path: str, status: str, model: type[Public]
) -> None:
    schema = world.client.get("/api/v1/openapi.json").json()
    answered = schema["paths"][f"/api/v1{path}"][method]["responses"][status]
    described = answered["content"]["application/json"]["schema"]
    ref = described.get("items", described).get("$ref", "")
    assert ref.rsplit("/", 1)[-1] == model.__name__
    assert model.__name__ in schema["components"]["schemas"]
