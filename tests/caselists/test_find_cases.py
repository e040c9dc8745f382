"""The case list's service (caselists): filters, free-text search, sort, pages, the review
queue's count, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from sqlmodel import Session

from capaflow.caselists.filters import CaseFilter, parse_filter
from capaflow.caselists.search import find_cases
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, NotFound
from capaflow.models.db import get_engine, session_scope
from capaflow.models.queries import read_owed_cases
from capaflow.submissions.queue import waiting_for_review
from tests.caselists.world import World, build_world
from tests.conftest import T0
from tests.helpers import snapshot

NOW = T0 + timedelta(days=5)


@pytest.fixture
def world(db_url: str, policy: DeadlinePolicy) -> World:
    with session_scope(get_engine(db_url)) as session:
        return build_world(session, policy)


@pytest.fixture
def reading(db_url: str, world: World) -> Iterator[Session]:
    with session_scope(get_engine(db_url)) as session:
        yield session


def _ids(session: Session, query: dict[str, str], *, user: str | None = None) -> list[int]:
    page = find_cases(session, filter=parse_filter(query), now=NOW, user=user)
    return [row.case.id or 0 for row in page.rows]


def test_each_filter_narrows_the_list_to_the_cases_it_names(
        world: World, reading: Session) -> None:
    c = world.cases
    # Open cases by default, newest opened first; the cancelled case only when asked.
    assert _ids(reading, {}) == [c["pdca"], c["percent"], c["burr"], c["crack"]]
    assert _ids(reading, {"status": "closed"}) == [c["cancelled"]]
    assert len(_ids(reading, {"status": "all"})) == 5
    assert _ids(reading, {"supplier": "BETA"}) == [c["percent"]]
    assert _ids(reading, {"severity": "minor"}) == [c["burr"]]
    assert _ids(reading, {"owner": "Marco"}) == [c["percent"], c["burr"]]
    assert _ids(reading, {"part": "p-200"}) == [c["burr"]]
    assert _ids(reading, {"defect": "BURR"}) == [c["burr"]]
    assert _ids(reading, {"lifecycle": "pdca"}) == [c["pdca"]]
    # States in readable words, as the page's menu offers them, or by their name.
    assert _ids(reading, {"state": "D4 root cause"}) == [c["burr"]]
    assert _ids(reading, {"state": "root_cause"}) == [c["burr"]]
    assert _ids(reading, {"opened_from": "2026-03-03", "opened_to": "2026-03-04"}) == [
        c["percent"], c["burr"]]
    assert _ids(reading, {"reopened": "1"}) == []
    assert _ids(reading, {"mine": "1"}, user="lena") == [c["pdca"], c["crack"]]
    assert _ids(reading, {"mine": "1"}, user=None) == []


def test_overdue_and_due_soon_filters_count_what_the_dashboard_counts(
        world: World, reading: Session) -> None:
    owed = read_owed_cases(reading, now=NOW, until=NOW + timedelta(days=7))
    late = find_cases(reading, filter=CaseFilter(overdue=True), now=NOW)
    soon = find_cases(reading, filter=CaseFilter(due_days=7), now=NOW)
    assert late.total == owed.late_total > 0
    assert {r.case.id for r in late.rows} == {o.case.id for o in owed.late}
    assert soon.total == owed.due_soon_total
    assert all(r.overdue and r.next_title for r in late.rows)


def test_search_covers_title_description_part_and_number_and_binds_sql_metacharacters(
        db_url: str, world: World, reading: Session) -> None:
    c = world.cases
    assert _ids(reading, {"q": "hairline"}) == [c["crack"]]  # the problem description (D2)
    assert _ids(reading, {"q": "L-2211"}) == [c["crack"]]
    assert _ids(reading, {"q": "p-200"}) == [c["burr"]]
    assert _ids(reading, {"q": f"#{c['burr']}"}) == [c["burr"]]
    # % and _ are the case's own characters, not LIKE wildcards.
    assert _ids(reading, {"q": "50%"}) == [c["percent"]]
    assert _ids(reading, {"q": "%"}) == [c["percent"]]
    assert _ids(reading, {"q": "f_s"}) == [c["percent"]]
    assert _ids(reading, {"q": "_"}) == [c["percent"]]
    before = snapshot(db_url)
    for hostile in ("'; DROP TABLE cases; --", "\" OR 1=1 --", "\\", "' OR ''='"):
        assert _ids(reading, {"q": hostile}) == []
    assert snapshot(db_url) == before


def test_sorts_by_severity_state_supplier_and_due_both_ways(
        world: World, reading: Session) -> None:
    c = world.cases
    assert _ids(reading, {"sort": "-severity", "lifecycle": "8d"}) == [
        c["percent"], c["crack"], c["burr"]]
    assert _ids(reading, {"sort": "severity", "lifecycle": "8d"}) == [
        c["burr"], c["crack"], c["percent"]]
    # Lifecycle order: containment (D3) before root cause (D4); PDCA after 8D.
    assert _ids(reading, {"sort": "state"}) == [c["crack"], c["percent"], c["burr"], c["pdca"]]
    # Without a supplier comes last either way.
    assert _ids(reading, {"sort": "supplier"})[-1] == c["pdca"]
    assert _ids(reading, {"sort": "-supplier"})[0] == c["percent"]
    assert _ids(reading, {"sort": "-supplier"})[-1] == c["pdca"]
    due = find_cases(reading, filter=parse_filter({"sort": "due"}), now=NOW).rows
    times = [r.next_due for r in due if r.next_due is not None]
    assert times == sorted(times) and len(times) >= 2
    assert all(r.next_due is None for r in due[len(times):])


def test_pages_carry_the_total_and_a_page_past_the_end_is_empty(
        world: World, reading: Session) -> None:
    first = find_cases(reading, filter=CaseFilter(status="all", sort="opened"), now=NOW,
                       page_size=2)
    assert (first.total, first.pages, first.first, first.last) == (5, 3, 1, 2)
    third = find_cases(reading, filter=CaseFilter(status="all", sort="opened", page=3),
                       now=NOW, page_size=2)
    assert [r.case.id for r in third.rows] == [world.cases["cancelled"]]
    beyond = find_cases(reading, filter=CaseFilter(status="all", page=9), now=NOW,
                        page_size=2)
    assert (beyond.rows, beyond.total) == ([], 5)


def test_a_case_row_shows_a_submission_waiting_and_the_queue_counts_it(
        world: World, reading: Session) -> None:
    rows = {r.case.id: r for r in find_cases(reading, filter=CaseFilter(), now=NOW).rows}
    assert rows[world.cases["percent"]].submissions_waiting == 1
    assert rows[world.cases["crack"]].submissions_waiting == 0
    assert waiting_for_review(reading) == 1


@pytest.mark.parametrize(("query", "field"), [
    ({"lifecycle": "9d"}, "lifecycle"),
    ({"state": "nowhere"}, "state"),
    ({"status": "gone"}, "status"),
    ({"severity": "huge"}, "severity"),
    ({"opened_from": "2026-13-01"}, "opened_from"),
    ({"opened_from": "2026-03-05", "opened_to": "2026-03-01"}, "opened_to"),
    ({"overdue": "maybe"}, "overdue"),
    ({"due_days": "0"}, "due_days"),
    ({"due_days": "seven"}, "due_days"),
    ({"sort": "colour"}, "sort"),
    ({"page": "-1"}, "page"),
    ({"q": "x" * 101}, "q"),
    ({"part": "a\x00b"}, "part"),
])
def test_a_bad_filter_is_refused_naming_its_parameter(
        query: dict[str, str], field: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse_filter(query)
    assert refused.value.field == field


def test_an_unknown_supplier_is_not_found_naming_the_supplier(
        world: World, reading: Session) -> None:
    with pytest.raises(NotFound) as refused:
        find_cases(reading, filter=CaseFilter(supplier="NOPE"), now=NOW)
    assert refused.value.field == "supplier"


def test_a_filter_round_trips_through_its_query_string() -> None:
    query = {"q": "crack & burr", "state": "D4 root cause", "overdue": "1", "sort": "-due",
             "opened_from": "2026-03-01", "page": "2", "mine": "yes"}
    found = parse_filter(query)
    assert parse_filter(dict(_pairs(found.query_string()))) == found
    assert "page" not in found.query_string(page=False)


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)
