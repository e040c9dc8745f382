"""POST /audits, /audits/{id}/conduct, /audits/{id}/findings, /audits/findings/{id}/close:
planning and conducting a supplier audit, raising and closing its findings through the API, as
`capa supplier-audit plan|conduct|finding add|finding close`, the same checks, answering the
audit's document. Writers only: a viewer and a supplier are refused with nothing written."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
from tests.helpers import snapshot


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    document: dict[str, Any] = response.json()
    return document


def test_an_audit_planned_conducted_and_its_findings_raised_and_closed_through_the_api(
    world: World,
) -> None:
    planned = _ok(world.post("lead", "/audits", {"supplier": "ACME", "owner": "lead"}), 201)
    audit = planned["id"]
    assert planned["state"] == "planned" and planned["supplier"] == "ACME"
    conducted = _ok(world.post("lead", f"/audits/{audit}/conduct", {
        "auditors": "lead, marco",
        "failures": [{"item": "measurement.calibration",
                      "description": "two gauges past their calibration date"}],
    }))
    assert conducted["state"] == "findings_open" and conducted["open_findings"] == 1
    added = _ok(world.post("lead", f"/audits/{audit}/findings", {
        "item": "people.training", "description": "night shift untrained",
        "owner": "marco"}), 201)
    assert added["open_findings"] == 2
    for finding in added["findings"]:
        closed = _ok(world.post("lead", f"/audits/findings/{finding['id']}/close",
                                {"resolution": "fixed; evidence in record R-7"}))
    assert closed["open_findings"] == 0
    # The document is the one GET /audits/{id} answers.
    assert closed == _ok(world.get("lead", f"/audits/{audit}"))


def test_an_audit_with_no_failed_item_closes_at_once(world: World) -> None:
    audit = _ok(world.post("manager", "/audits", {"supplier": "BETA", "owner": "lead"}),
                201)["id"]
    done = _ok(world.post("manager", f"/audits/{audit}/conduct", {"auditors": "manager"}))
    assert done["state"] == "closed" and done["findings"] == []


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(world: World) -> None:
    audit = _ok(world.post("lead", "/audits", {"supplier": "ACME", "owner": "lead"}), 201)["id"]
    refusals = [
        ("/audits", {"supplier": "NOPE"}, 404, "supplier"),
        ("/audits", {"supplier": "ACME", "colour": "red"}, 422, "colour"),
        (f"/audits/{audit}/conduct", {"auditors": "lead", "failures": [
            {"item": "people.flying", "description": "x"}]}, 422, "fail"),
        (f"/audits/{audit}/conduct", {"auditors": "lead", "failures": [
            {"item": "people.training", "description": " "}]}, 422, "description"),
        (f"/audits/{audit}/findings", {"item": "people.training", "description": "x",
                                       "owner": "lead"}, 409, None),  # not conducted yet
        (f"/audits/{audit}/findings", {"item": "people.training", "description": "x",
                                       "owner": "lead", "due": "soon"}, 422, "due"),
        (f"/audits/{world.cases['ACME']}/conduct", {"auditors": "lead"}, 422, "case"),
        ("/audits/findings/424242/close", {"resolution": "done"}, 404, "finding"),
    ]
    before = snapshot(world.url)
    for path, body, status, field in refusals:
        response = world.post("lead", path, body)
        assert response.status_code == status, (path, body, response.text)
        if field is not None:
            assert response.json()["error"]["field"] == field, (path, response.text)
    assert snapshot(world.url) == before


def test_a_viewer_and_a_supplier_may_not_plan_or_conduct_and_nothing_is_written(
    world: World,
) -> None:
    audit = _ok(world.post("lead", "/audits", {"supplier": "ACME", "owner": "lead"}), 201)["id"]
    before = snapshot(world.url)
    for who in ("viewer", "ACME"):
        assert world.post(who, "/audits", {"supplier": "ACME"}).status_code == 403
        assert world.post(who, f"/audits/{audit}/conduct",
                          {"auditors": "x"}).status_code == 403
    assert snapshot(world.url) == before
