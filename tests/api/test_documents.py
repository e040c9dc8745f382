"""`capa X --json` and the matching route answer the same document (documents/): on the same
data, each output validates against the same Public model, and where both read the same rows
they answer the same JSON. Every route of the API declares the model of its answer, so
OpenAPI describes every response."""

from __future__ import annotations

import importlib
import json
import pkgutil
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from capaflow.api import routes as route_modules
from capaflow.api.app import PREFIX
from capaflow.documents.base import Public
from capaflow.documents.cases import (
    CaseHistoryPublic,
    CaseListItem,
    CasePublic,
    CaseReportPublic,
    StepPublic,
)
from capaflow.documents.errors import ErrorPublic
from capaflow.documents.submissions import AcceptedPublic, SubmissionPublic
from capaflow.documents.suppliers import RatingPublic, SupplierDetail, SupplierPublic
from tests.api.conftest import World
from tests.cli.support import ok
from tests.conftest import T0
from tests.helpers import capa

CASES = TypeAdapter(list[CaseListItem])
SUPPLIERS = TypeAdapter(list[SupplierPublic])
CONTAINMENT = {"containment": "Sorted the stock at the supplier and in transit."}
TYPED_ROUTE_FILES = ("cases.py", "suppliers.py", "submissions.py")


def _api(world: World, path: str, body: Any = None, *, who: str = "lead",
         status: int = 200) -> Any:
    answer = world.post(who, path, body) if body is not None else world.get(who, path)
    assert answer.status_code == status, answer.text
    return answer.json()


# -- cases -----------------------------------------------------------------------------------

def test_case_show_and_get_case_are_one_case_document(world: World) -> None:
    case_id = world.cases["ACME"]
    ok(world.url, "case", "advance", str(case_id), "contain",
       f"--field=containment={CONTAINMENT['containment']}")
    cli = ok(world.url, "case", "show", str(case_id))
    api = _api(world, f"/cases/{case_id}")
    assert CasePublic.model_validate(cli) == CasePublic.model_validate(api)
    assert cli == api
    assert cli["supplier"] == "ACME" and len(cli["events"]) == 2


def test_case_list_and_get_cases_are_one_list_of_case_rows(world: World) -> None:
    cli = ok(world.url, "case", "list")
    api = _api(world, "/cases")
    assert CASES.validate_python(cli) == CASES.validate_python(api)
    assert cli == api
    assert all(row["next_deadline"]["key"] == "containment" for row in cli)


def test_case_report_and_get_report_are_one_report_document(world: World) -> None:
    case_id = world.cases["BETA"]
    cli = ok(world.url, "case", "report", str(case_id))
    api = _api(world, f"/cases/{case_id}/report")
    assert CaseReportPublic.model_validate(cli) == CaseReportPublic.model_validate(api)
    assert cli == api


def test_case_history_is_a_history_document(world: World) -> None:
    cli = ok(world.url, "case", "history", str(world.cases["ACME"]))
    CaseHistoryPublic.model_validate(cli)


def test_case_open_and_post_cases_are_step_documents(world: World) -> None:
    cli = ok(world.url, "case", "open", "--title", "Burr on flange", "--supplier", "ACME",
             "--by", "lead")
    api = _api(world, "/cases", {"title": "Burr on flange", "supplier": "ACME"}, status=201)
    for document in (cli, api):
        step = StepPublic.model_validate(document)
        assert step.case.supplier == "ACME"
        assert [d.key for d in step.deadlines.started] == ["containment"]
    # Apart from the case's own number and its hashes, the same step gives the same document.
    differs = {"id", "hash", "prev_hash"}
    assert _without(cli, differs) == _without(api, differs)


def test_case_advance_and_post_advance_are_step_documents(world: World) -> None:
    cli = ok(world.url, "case", "advance", str(world.cases["ACME"]), "contain",
             f"--field=containment={CONTAINMENT['containment']}")
    api = _api(world, f"/cases/{world.cases['BETA']}/advance",
               {"trigger": "contain", "fields": CONTAINMENT})
    for document in (cli, api):
        step = StepPublic.model_validate(document)
        assert step.case.state == "root_cause"
        assert [d.key for d in step.deadlines.met] == ["containment"]


def test_a_suppliers_step_is_a_submission_document(world: World) -> None:
    api = _api(world, f"/cases/{world.cases['ACME']}/advance",
               {"trigger": "contain", "fields": CONTAINMENT}, who="ACME", status=202)
    assert SubmissionPublic.model_validate(api).status == "pending"


def test_a_refusal_is_one_error_document(world: World) -> None:
    result = capa("case", "advance", str(world.cases["ACME"]), "close", "--json",
                  "--db", world.url, "--now", T0.isoformat())
    assert result.exit_code == 4
    cli = json.loads(result.stdout)
    api = world.post("lead", f"/cases/{world.cases['ACME']}/advance", {"trigger": "close"})
    assert api.status_code == 409
    assert ErrorPublic.model_validate(cli) == ErrorPublic.model_validate(api.json())
    assert cli == api.json()
    assert cli["error"]["code"] == "conflict" and cli["error"]["allowed"]
    missing = capa("case", "show", "999", "--json", "--db", world.url, "--now", T0.isoformat())
    assert missing.exit_code == 3
    assert json.loads(missing.stdout) == _api(world, "/cases/999", status=404)
    assert "allowed" not in json.loads(missing.stdout)["error"]


# -- suppliers -------------------------------------------------------------------------------

def test_supplier_add_and_post_suppliers_are_supplier_documents(world: World) -> None:
    cli = ok(world.url, "supplier", "add", "GAMMA", "--name", "Gamma Castings",
             "--contact", "json://localhost/gamma")
    api = _api(world, "/suppliers", {"code": "DELTA", "name": "Delta Castings",
                                     "contact": "json://localhost/delta"}, status=201)
    for document in (cli, api):
        assert SupplierPublic.model_validate(document).contact is not None


def test_supplier_list_and_get_suppliers_are_one_list(world: World) -> None:
    cli = ok(world.url, "supplier", "list")
    api = _api(world, "/suppliers")
    assert SUPPLIERS.validate_python(cli) == SUPPLIERS.validate_python(api)
    assert cli == api


def test_supplier_show_and_get_supplier_are_one_supplier_document(world: World) -> None:
    cli = ok(world.url, "supplier", "show", "ACME")
    api = _api(world, "/suppliers/ACME")
    assert SupplierDetail.model_validate(cli) == SupplierDetail.model_validate(api)
    assert cli == api
    assert [c["id"] for c in cli["cases"]] == [world.cases["ACME"]]


def test_supplier_rate_and_post_rating_are_rating_documents(world: World) -> None:
    cli = ok(world.url, "supplier", "rate", "ACME", "--month", "2026-02",
             "--attitude", "cooperative", "--by", "lead")
    api = _api(world, "/suppliers/BETA/ratings",
               {"month": "2026-02", "attitude": "cooperative"})
    for document in (cli, api):
        rating = RatingPublic.model_validate(document)
        assert (rating.month, rating.attitude, rating.rated_by) == ("2026-02", "cooperative",
                                                                   "lead")


# -- submissions (the API only: the CLI has no submission commands) -------------------------

def test_submission_routes_answer_submission_documents(world: World) -> None:
    case_id = world.cases["ACME"]
    submitted = _api(world, f"/cases/{case_id}/submissions",
                     {"trigger": "contain", "fields": CONTAINMENT}, who="ACME", status=201)
    submission_id = SubmissionPublic.model_validate(submitted).id
    for listed in (_api(world, "/submissions"), _api(world, "/submissions", who="ACME")):
        assert [SubmissionPublic.model_validate(s).id for s in listed] == [submission_id]
    assert _api(world, f"/submissions/{submission_id}") == submitted
    accepted = AcceptedPublic.model_validate(
        _api(world, f"/submissions/{submission_id}/accept", {}))
    assert accepted.submission.status == "accepted"
    assert accepted.step.case.supplier == "ACME"
    # The step inside is the document `capa case advance` prints.
    assert accepted.step.event == CasePublic.model_validate(
        ok(world.url, "case", "show", str(case_id))).events[-1]
    second = _api(world, f"/cases/{world.cases['BETA']}/submissions",
                  {"trigger": "contain", "fields": CONTAINMENT}, who="BETA", status=201)
    rejected = _api(world, f"/submissions/{second['id']}/reject", {"reason": "Too vague."})
    assert SubmissionPublic.model_validate(rejected).status == "rejected"


# -- every route -----------------------------------------------------------------------------

def _routes() -> dict[str, list[APIRoute]]:
    """The API's routes by the file of api/routes that declares them."""
    found: dict[str, list[APIRoute]] = {}
    for module in pkgutil.iter_modules(route_modules.__path__):
        router = importlib.import_module(f"{route_modules.__name__}.{module.name}").router
        found[f"{module.name}.py"] = [r for r in router.routes if isinstance(r, APIRoute)]
    return found


def _is_document(model: Any) -> bool:
    """A Public document, a list of them, or one of several (202 or 200)."""
    if isinstance(model, type):
        return issubclass(model, Public)
    arguments = get_args(model)
    return bool(arguments) and get_origin(model) in (list, Union, UnionType) and all(
        _is_document(argument) for argument in arguments)


def _answers_json(route: APIRoute) -> bool:
    answer = route.response_class
    if isinstance(answer, DefaultPlaceholder):
        answer = answer.value
    return answer is JSONResponse


def test_every_json_api_route_declares_its_response_model() -> None:
    """Every route answering JSON names its document; only the report's HTML and PDF and an
    evidence file's download, which are not JSON, declare their media type instead."""
    missing = {
        source: [f"{'|'.join(sorted(r.methods or ()))} {r.path}" for r in routes
                 if _answers_json(r) and not _is_document(r.response_model)]
        for source, routes in _routes().items()
    }
    assert not {source: routes for source, routes in missing.items() if routes}
    answers_otherwise = sorted(
        r.path for routes in _routes().values() for r in routes
        if not _answers_json(r)
    )
    assert answers_otherwise == ["/attachments/{attachment_id}",
                                 "/cases/{case_id}/report.html", "/cases/{case_id}/report.pdf"]


def test_openapi_describes_every_answer_of_the_case_supplier_and_submission_routes(
    world: World,
) -> None:
    paths = _api(world, "/openapi.json")["paths"]
    routes = [r for source in TYPED_ROUTE_FILES for r in _routes()[source]]
    # 15 since POST /cases/{case_id}/classification (issue 13, point 5); 16 with
    # PATCH /suppliers/{code} (issue 12, point 6); 18 with the audit findings a supplier owes
    # and answers (GET /findings/owed, POST /findings/{id}/answers); 19 with POST
    # /suppliers/{code}/link (issue 12, point 7).
    assert len(routes) == 19
    for route in routes:
        for method in route.methods or ():
            operation = paths[f"{PREFIX}{route.path}"][method.lower()]
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                assert schema, (method, route.path, status)
    advance = paths["/api/v1/cases/{case_id}/advance"]["post"]["responses"]
    assert advance["202"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SubmissionPublic")
    assert advance["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorPublic")


def _without(document: Any, keys: set[str]) -> Any:
    if isinstance(document, dict):
        return {k: _without(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [_without(v, keys) for v in document]
    return document
