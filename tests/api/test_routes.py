"""Every route's happy path, answering the same documents as the CLI's --json."""

from __future__ import annotations

import json

from capaflow.calendars import isoformat
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import capa


def test_case_list_shows_every_case_to_the_quality_team(world: World) -> None:
    response = world.get("viewer", "/cases")
    assert response.status_code == 200
    assert {c["supplier"] for c in response.json()} == {"ACME", "BETA"}
    only = world.get("lead", "/cases", params={"supplier": "BETA", "state": "containment"})
    assert [c["id"] for c in only.json()] == [world.cases["BETA"]]
    assert only.json()[0]["next_deadline"]["key"] == "containment"


def test_the_case_list_answers_the_document_of_capa_case_list(world: World) -> None:
    # The list reads through the shared statements of models.queries; same rows, same JSON.
    api = world.get("lead", "/cases", params={"state": "containment", "limit": 50})
    cli = capa("case", "list", "--state", "containment", "--limit", "50", "--json",
               "--db", world.url, "--now", isoformat(T0))
    assert cli.exit_code == 0, cli.stderr
    assert api.json() == json.loads(cli.stdout)
    overdue = world.get("lead", "/cases", params={"overdue": True}).json()
    assert overdue == json.loads(capa("case", "list", "--overdue", "--json", "--db", world.url,
                                      "--now", isoformat(T0)).stdout)


def test_case_show_answers_the_same_document_as_the_cli(world: World) -> None:
    case_id = world.cases["ACME"]
    response = world.get("viewer", f"/cases/{case_id}")
    assert response.status_code == 200
    cli = capa("case", "show", str(case_id), "--json", "--db", world.url, "--now", isoformat(T0))
    assert response.json() == json.loads(cli.stdout)


def test_open_case_starts_in_containment_and_records_the_user_as_actor(world: World) -> None:
    response = world.post("manager", "/cases", {
        "title": "Burr on bracket", "supplier": "ACME", "part": "BR-1", "defect_code": "BURR",
    })
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["case"]["state"] == "containment"
    assert document["case"]["supplier"] == "ACME"
    assert document["event"]["actor"] == "manager"
    assert [d["key"] for d in document["deadlines"]["started"]] == ["containment"]


def test_advance_takes_the_step_with_its_fields_and_note(world: World) -> None:
    case_id = world.cases["ACME"]
    version = world.get("lead", f"/cases/{case_id}").json()["version"]
    response = world.post("lead", f"/cases/{case_id}/advance", {
        "trigger": "contain", "fields": {"containment": "sorted stock"}, "note": "done",
        "version": version,
    })
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["case"]["state"] == "root_cause"
    assert document["case"]["supplier"] == "ACME"
    assert document["event"]["fields"] == {"containment": "sorted stock"}
    assert document["event"]["note"] == "done"
    assert document["event"]["actor"] == "lead"


def test_report_renders_the_markdown_8d_report(world: World) -> None:
    case_id = world.cases["BETA"]
    response = world.get("viewer", f"/cases/{case_id}/report")
    assert response.status_code == 200
    assert response.json()["format"] == "markdown"
    assert "Cracked housing from BETA" in response.json()["report"]


def test_suppliers_can_be_listed_added_and_shown(world: World) -> None:
    assert [s["code"] for s in world.get("viewer", "/suppliers").json()] == ["ACME", "BETA"]
    added = world.post("lead", "/suppliers", {"code": "GAMMA", "name": "Gamma GmbH",
                                               "contact": "json://127.0.0.1:9/x"})
    assert added.status_code == 201, added.text
    assert added.json()["code"] == "GAMMA"
    shown = world.get("viewer", "/suppliers/ACME")
    assert shown.status_code == 200
    assert [c["id"] for c in shown.json()["cases"]] == [world.cases["ACME"]]


def test_defect_is_counted_on_the_open_case_of_its_part(world: World) -> None:
    response = world.post("lead", "/defects", {
        "supplier": "ACME", "part": "ACME-P1", "defect_code": "CRACK", "quantity": 3,
    })
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "occurrence"
    assert response.json()["case_id"] == world.cases["ACME"]
    assert response.json()["defect"]["quantity"] == 3


def test_inspection_plan_record_list_and_show(world: World) -> None:
    plan = world.get("viewer", "/inspections/plan",
                     params={"supplier": "BETA", "part": "BX-1", "lot_size": 500})
    assert plan.status_code == 200, plan.text
    assert plan.json()["sample_size"] > 0
    recorded = world.post("lead", "/inspections", {
        "supplier": "BETA", "part": "BX-1", "lot": "L-1", "lot_size": 500,
        "sampled": plan.json()["sample_size"], "defects": 0,
    })
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["result"] == "accepted"
    lot_id = recorded.json()["lot"]["id"]
    listed = world.get("viewer", "/inspections", params={"supplier": "BETA"})
    assert [lot["id"] for lot in listed.json()] == [lot_id]
    shown = world.get("BETA", f"/inspections/{lot_id}")
    assert shown.status_code == 200
    assert shown.json()["lot"] == "L-1" and shown.json()["accepted"] is True


def test_scorecards_list_the_stored_grades(world: World) -> None:
    for code in ("ACME", "BETA"):  # a month with lots, so both suppliers are graded
        lot = capa("inspect", "record", "--supplier", code, "--part", "P-9", "--lot", "F-1",
                   "--lot-size", "500", "--sampled", "50", "--defects", "0", "--db", world.url,
                   "--now", "2026-02-10T09:00:00+00:00")
        assert lot.exit_code == 0, lot.stderr
    ran = capa("scorecard", "run", "--month", "2026-02", "--json", "--db", world.url,
               "--now", isoformat(T0))
    assert ran.exit_code == 0, ran.stdout
    response = world.get("viewer", "/scorecards", params={"months": 3})
    assert response.status_code == 200
    assert {(g["supplier"], g["month"]) for g in response.json()} == {
        ("ACME", "2026-02"), ("BETA", "2026-02")
    }


def test_notifications_list_the_outbox(world: World) -> None:
    response = world.get("viewer", "/notifications", params={"status": "pending"})
    assert response.status_code == 200
    assert all(n["status"] == "pending" for n in response.json())


def test_openapi_schema_is_served_under_the_prefix(world: World) -> None:
    schema = world.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/advance" in schema["paths"]


def test_the_lead_classifies_a_case_one_off_through_the_api(world: World) -> None:
    # README, "Batch versus sporadic": the same override as `capa defect classify`.
    case_id = world.cases["ACME"]
    answer = world.post("lead", f"/cases/{case_id}/classification",
                        {"as": "one_off", "reason": "dropped at goods-in"})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["classification"], document["source"]) == ("one_off", "override")
    assert document["case"]["state"] == "root_cause" and document["contained"]
    assert document["case"]["supplier"] == "ACME"
    bad = world.post("lead", f"/cases/{case_id}/classification", {"as": "odd", "reason": "x"})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "as")
    assert world.post("viewer", f"/cases/{case_id}/classification",
                      {"as": "batch", "reason": "x"}).status_code == 403
