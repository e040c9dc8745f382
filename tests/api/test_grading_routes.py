"""POST /suppliers/{code}/ratings and POST /scorecards/runs: the cooperation rating and the
monthly grading, through the same services as `capa supplier rate` and `capa scorecard run`,
answering the same documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from capaflow.calendars import isoformat
from capaflow.documents.scorecards import GradedMonthPublic, ScorecardRunPublic
from tests.api.conftest import World
from tests.api.documents import all_valid, valid
from tests.conftest import T0
from tests.helpers import capa, snapshot

RATING = {"month": "2026-02", "attitude": "cooperative"}


def _record_february_lots(world: World) -> None:
    for code in ("ACME", "BETA"):  # a month with lots, so both suppliers are graded
        lot = capa("inspect", "record", "--supplier", code, "--part", "P-9", "--lot", "F-1",
                   "--lot-size", "500", "--sampled", "50", "--defects", "0", "--db", world.url,
                   "--now", "2026-02-10T09:00:00+00:00")
        assert lot.exit_code == 0, lot.stderr


def test_rating_a_supplier_answers_the_document_of_capa_supplier_rate(world: World) -> None:
    response = world.post("manager", "/suppliers/ACME/ratings", RATING)
    assert response.status_code == 200, response.text
    assert response.json() == {"supplier": "ACME", "month": "2026-02",
                               "attitude": "cooperative", "rated_by": "manager",
                               "rated_at": isoformat(T0)}
    cli = capa("supplier", "rate", "ACME", "--month", "2026-02", "--attitude", "cooperative",
               "--by", "manager", "--json", "--db", world.url, "--now", isoformat(T0))
    assert cli.exit_code == 0, cli.stderr
    assert json.loads(cli.stdout) == response.json()


def test_rating_the_same_month_again_changes_it(world: World) -> None:
    world.post("lead", "/suppliers/BETA/ratings", RATING)
    again = world.post("lead", "/suppliers/BETA/ratings",
                       {"month": "2026-02", "attitude": " NOT_cooperative "})
    assert again.status_code == 200, again.text
    assert again.json()["attitude"] == "not_cooperative"


def test_a_rating_counts_in_the_grade_of_the_month_run_through_the_api(world: World) -> None:
    _record_february_lots(world)
    assert world.post("lead", "/suppliers/BETA/ratings",
                      {"month": "2026-02", "attitude": "not_cooperative"}).status_code == 200
    ran = world.post("lead", "/scorecards/runs", {"month": "2026-02"})
    assert ran.status_code == 200, ran.text
    grades = {s["supplier"]: s for s in ran.json()["suppliers"]}
    assert set(grades) == {"ACME", "BETA"}
    assert grades["BETA"]["score"] < grades["ACME"]["score"]


def test_a_scorecard_run_answers_the_document_of_capa_scorecard_run(world: World) -> None:
    _record_february_lots(world)
    response = world.post("manager", "/scorecards/runs", {"month": "2026-02"})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["month"] == "2026-02"
    assert [s["supplier"] for s in document["suppliers"]] == ["ACME", "BETA"]
    assert all(not s["provisional"] for s in document["suppliers"])
    # The stored grades are what GET /scorecards (`capa scorecard show`) lists.
    stored = world.get("viewer", "/scorecards", params={"months": 2}).json()
    assert {(g["supplier"], g["grade"]) for g in stored} == {
        (s["supplier"], s["grade"]) for s in document["suppliers"]
    }
    # Running it again recomputes the same grades, as the CLI does.
    cli = capa("scorecard", "run", "--month", "2026-02", "--by", "manager", "--json",
               "--db", world.url, "--now", isoformat(T0))
    assert cli.exit_code == 0, cli.stderr
    assert json.loads(cli.stdout) == document
    # Both are the one typed document.
    assert valid(ScorecardRunPublic, document) == valid(ScorecardRunPublic,
                                                        json.loads(cli.stdout))


def test_the_stored_grades_answer_the_document_of_capa_scorecard_show(world: World) -> None:
    _record_february_lots(world)
    assert world.post("lead", "/scorecards/runs", {"month": "2026-02"}).status_code == 200
    response = world.get("viewer", "/scorecards", params={"months": 2})
    assert response.status_code == 200, response.text
    cli = capa("scorecard", "show", "--months", "2", "--json", "--db", world.url,
               "--now", isoformat(T0))
    assert cli.exit_code == 0, cli.stderr
    stored = all_valid(GradedMonthPublic, response.json())
    assert stored == all_valid(GradedMonthPublic, json.loads(cli.stdout))
    assert [(g.supplier, g.month) for g in stored] == [("ACME", "2026-02"), ("BETA", "2026-02")]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/suppliers/ACME/ratings", {"month": "2026-13", "attitude": "cooperative"}, "month"),
    ("/suppliers/ACME/ratings", {"month": "2026-04", "attitude": "cooperative"}, "month"),
    ("/suppliers/ACME/ratings", {"month": "2026-02", "attitude": "grumpy"}, "attitude"),
    ("/suppliers/ACME/ratings", {"attitude": "cooperative"}, "month"),
    ("/suppliers/ACME/ratings", RATING | {"by": "someone"}, "by"),
    ("/suppliers/ACME/ratings", {"month": "2026-02", "attitude": "nul\x00"}, "attitude"),
    ("/scorecards/runs", {"month": "February"}, "month"),
    ("/scorecards/runs", {"month": "2026-04"}, "month"),
    ("/scorecards/runs", {}, "month"),
    ("/scorecards/runs", {"month": 202602}, "month"),
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    world: World, path: str, body: dict[str, Any], field: str
) -> None:
    _record_february_lots(world)
    before = snapshot(world.url)
    response = world.post("lead", path, body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "bad_input"
    assert response.json()["error"]["field"] == field
    assert snapshot(world.url) == before


def test_rating_an_unknown_supplier_is_404(world: World) -> None:
    before = snapshot(world.url)
    response = world.post("lead", "/suppliers/NOPE/ratings", RATING)
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "supplier"
    assert snapshot(world.url) == before


def test_a_supplier_rating_another_supplier_gets_the_404_of_an_unknown_one(
    world: World
) -> None:
    before = snapshot(world.url)
    beta = world.post("ACME", "/suppliers/BETA/ratings", RATING)
    unknown = world.post("ACME", "/suppliers/NOPE/ratings", RATING)
    assert beta.status_code == unknown.status_code == 404
    assert beta.text == unknown.text.replace("NOPE", "BETA")
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("who", "path", "body"), [
    ("viewer", "/suppliers/ACME/ratings", RATING),
    ("ACME", "/suppliers/ACME/ratings", RATING),  # not even its own cooperation
    ("viewer", "/scorecards/runs", {"month": "2026-02"}),
    ("ACME", "/scorecards/runs", {"month": "2026-02"}),
])
def test_only_a_writer_may_rate_or_grade(
    world: World, who: str, path: str, body: dict[str, Any]
) -> None:
    before = snapshot(world.url)
    response = world.post(who, path, body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("path", "body"), [
    ("/suppliers/ACME/ratings", RATING),
    ("/scorecards/runs", {"month": "2026-02"}),
])
def test_rating_and_grading_without_a_token_is_401(
    world: World, path: str, body: dict[str, Any]
) -> None:
    before = snapshot(world.url)
    response = world.client.post(f"/api/v1{path}", json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert snapshot(world.url) == before
