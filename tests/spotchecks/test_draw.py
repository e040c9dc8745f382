"""The weekly draw (docs/architecture.md, "Service quality control"): random but
reproducible, each person's sample at the rate with a minimum, owed by a reviewer with a due
date; bad input names its field and writes nothing."""

from __future__ import annotations

import pytest

from capaflow.spotchecks.draw import choose, default_seed, rank, sample_size
from tests.cli.support import ok, refused
from tests.helpers import snapshot
from tests.spotchecks.support import AFTER_WEEK, WEEK, add_people, close_requests


def _sample(document: dict[str, object]) -> list[tuple[str, int]]:
    rows = document["spotchecks"]
    assert isinstance(rows, list)
    return sorted((r["person"], r["request"]) for r in rows)


def test_sample_size_is_the_rate_with_a_minimum_capped_at_what_was_closed() -> None:
    assert sample_size(100, 0.05, 2) == 5
    assert sample_size(10, 0.05, 2) == 2
    assert sample_size(1, 0.05, 2) == 1
    assert sample_size(0, 0.05, 2) == 0
    assert sample_size(41, 0.05, 2) == 3


def test_the_draw_does_not_depend_on_the_order_rows_come_in() -> None:
    closed = {"ann": list(range(1, 60)), "ben": list(range(100, 110))}
    shuffled = {"ben": list(reversed(closed["ben"])), "ann": closed["ann"][::2] +
                closed["ann"][1::2]}
    assert choose(closed, seed=7, rate=0.05, minimum=2) == choose(
        shuffled, seed=7, rate=0.05, minimum=2)
    assert rank(7, 5) == rank(7, 5) and rank(7, 5) != rank(8, 5)
    assert default_seed(WEEK) == default_seed(WEEK) != default_seed("2026-W50")


@pytest.fixture
def week_db(db_url: str) -> str:
    add_people(db_url)
    close_requests(db_url, {"ann": 60, "ben": 10, "dan": 1})
    return db_url


def test_each_person_gets_the_rate_at_least_the_minimum_owed_by_the_team_lead(
    week_db: str,
) -> None:
    drawn = ok(week_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    assert (drawn["closed_requests"], drawn["drawn"], drawn["already_drawn"]) == (71, 6, False)
    per_person: dict[str, int] = {}
    for row in drawn["spotchecks"]:
        per_person[row["person"]] = per_person.get(row["person"], 0) + 1
    assert per_person == {"ann": 3, "ben": 2, "dan": 1}
    field = [r for r in drawn["spotchecks"] if r["team"] == "field"]
    assert {(r["reviewer"], r["department"], r["position"], r["state"]) for r in field} == {
        ("lea", "field_service", "technician", "owed")}
    desk = [r for r in drawn["spotchecks"] if r["team"] == "desk"]
    assert desk[0]["reviewer"] == "service_manager"  # no lead of the desk: the fallback
    case = ok(week_db, "case", "show", str(field[0]["id"]), now=AFTER_WEEK)
    review = [d for d in case["deadlines"] if d["key"] == "review"]
    assert review and review[0]["due_at"] == field[0]["due_at"]
    assert case["owner"] == "lea"


def test_the_same_week_drawn_again_gives_the_same_sample_and_writes_nothing(
    week_db: str,
) -> None:
    first = ok(week_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    before = snapshot(week_db)
    again = ok(week_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    assert again["already_drawn"] is True and again["seed"] == first["seed"]
    assert _sample(again) == _sample(first)
    assert snapshot(week_db) == before
    listed = ok(week_db, "spotcheck", "list", "--week", WEEK, now=AFTER_WEEK)
    assert _sample(listed) == _sample(first)


def test_a_fresh_database_with_the_same_data_draws_the_same_sample(
    week_db: str, other_db: str,
) -> None:
    first = ok(week_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    add_people(other_db)
    close_requests(other_db, {"ann": 60, "ben": 10, "dan": 1})
    other = ok(other_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    assert _sample(other) == _sample(first)


def test_another_seed_draws_another_sample_but_not_for_a_drawn_week(
    week_db: str, other_db: str,
) -> None:
    first = ok(week_db, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    add_people(other_db)
    close_requests(other_db, {"ann": 60, "ben": 10, "dan": 1})
    seeded = ok(other_db, "spotcheck", "draw", "--week", WEEK, "--seed", "12345",
                now=AFTER_WEEK)
    assert seeded["seed"] == 12345 and _sample(seeded) != _sample(first)
    refused(week_db, "spotcheck", "draw", "--week", WEEK, "--seed", "12345", exit_code=4,
            field="seed", says=["drawn"], now=AFTER_WEEK)
    same = ok(week_db, "spotcheck", "draw", "--week", WEEK, "--seed", str(first["seed"]),
              now=AFTER_WEEK)
    assert same["already_drawn"] is True


def test_only_requests_closed_inside_the_week_are_drawn(db_url: str) -> None:
    add_people(db_url)
    inside = close_requests(db_url, {"ann": 3})
    close_requests(db_url, {"ann": 3}, start=AFTER_WEEK)
    drawn = ok(db_url, "spotcheck", "draw", "--week", WEEK, now=AFTER_WEEK)
    assert {r["request"] for r in drawn["spotchecks"]} <= set(inside["ann"])


@pytest.mark.parametrize(("args", "exit_code", "field"), [
    (("--week", "2026-49"), 2, "week"),
    (("--week", "2026-W54"), 2, "week"),
    (("--week", "2021-W53"), 2, "week"),
    (("--week", WEEK, "--seed", "-1"), 2, "seed"),
    (("--week", "2026-W50"), 4, "week"),  # not over yet at the draw's now
])
def test_a_bad_draw_names_its_field_and_writes_nothing(
    week_db: str, args: tuple[str, ...], exit_code: int, field: str,
) -> None:
    refused(week_db, "spotcheck", "draw", *args, exit_code=exit_code, field=field,
            now=AFTER_WEEK)


def test_listing_a_week_not_drawn_is_not_found(week_db: str) -> None:
    refused(week_db, "spotcheck", "list", "--week", WEEK, exit_code=3, field="week",
            now=AFTER_WEEK)
