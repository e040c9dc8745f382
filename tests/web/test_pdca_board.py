"""The PDCA board: open PDCA cases in a column per phase with their cycle, target, measured
result and due date, and the cycles closed in the last 30 days below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.web.pages import pdca as pdca_page
from tests.conftest import T0
from tests.web.conftest import Site
from tests.web.test_overview import open_8d, step

DAY = timedelta(days=1)
TARGET = {"target": "scrap below 2 %", "plan": "new clamping fixture"}


def pdca_case(session: Session, policy: DeadlinePolicy, title: str, opened: datetime,
              steps: tuple[tuple[str, dict[str, str]], ...] = ()) -> int:
    case_id = open_8d(session, policy, title=title, at=opened, supplier=None,
                      lifecycle="pdca")
    for n, (trigger, fields) in enumerate(steps, start=1):
        step(session, policy, case_id, trigger, fields, opened + n * timedelta(hours=1))
    return case_id


@pytest.fixture
def cycles(site: Site, policy: DeadlinePolicy) -> Iterator[dict[str, int]]:
    executed = (("execute", TARGET),)
    measured = (*executed, ("measure", {"result": "scrap 1.5 %"}))
    met = (*measured, ("evaluate", {"met": "true"}))
    missed = (*executed, ("measure", {"result": "scrap 3.1 %"}), ("evaluate", {"met": "false"}),
              ("next_cycle", {"reason": "the fixture alone was not enough"}))
    with session_scope(get_engine(site.url)) as session:
        found = {
            "plan": pdca_case(session, policy, "Cut paint scrap", T0 - DAY),
            "late": pdca_case(session, policy, "Shorter changeover", T0 - 20 * DAY),
            "do": pdca_case(session, policy, "Fewer weld spatters", T0 - 3 * DAY, executed),
            "check": pdca_case(session, policy, "Less rework", T0 - 4 * DAY, measured),
            "act": pdca_case(session, policy, "Faster release", T0 - 5 * DAY, met),
            "second": pdca_case(session, policy, "Lower PPM", T0 - 6 * DAY, missed),
            "closed": pdca_case(session, policy, "Cleaner bench", T0 - 6 * DAY,
                                (*met, ("standardize", {"standard": "work instruction WI-7"}))),
            "old": pdca_case(session, policy, "Old cycle", T0 - 60 * DAY,
                             (*met, ("standardize", {"standard": "WI-1"}))),
            "cancelled": pdca_case(session, policy, "Dropped idea", T0 - 2 * DAY,
                                   (("cancel", {"reason": "merged into Lower PPM"}),)),
        }
    yield found


def column(html: str, phase: str) -> str:
    start = html.index(f'id="phase-{phase}"')
    return html[start:html.index("</section>", start)]


def cards(html: str, phase: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="pdca-card" data-case="(\d+)"',
                                       column(html, phase))]


def card(html: str, case_id: int) -> str:
    start = html.index(f'<article class="pdca-card" data-case="{case_id}"')
    return html[start:html.index("</article>", start)]


def closed_rows(html: str) -> list[int]:
    start = html.index('id="recently-closed"')
    part = html[start:html.index("</section>", start)]
    return [int(n) for n in re.findall(r'<tr data-case="(\d+)"', part)]


def test_open_cycles_sit_in_the_column_of_their_phase(site: Site,
                                                      cycles: dict[str, int]) -> None:
    html = site.signed_in("viewer").get("/pdca").text
    assert cards(html, "plan") == [cycles["plan"], cycles["late"], cycles["second"]]
    assert cards(html, "do") == [cycles["do"]]
    assert cards(html, "check") == [cycles["check"]]
    assert cards(html, "act") == [cycles["act"]]
    assert f'href="/cases/{site.cases["ACME"]}"' not in html  # 8D cases are not on the board
    assert "6 open improvement cycle(s)" in html


def test_a_card_shows_cycle_target_measured_result_and_due_date(
        site: Site, cycles: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/pdca").text
    checking = card(html, cycles["check"])
    assert "Less rework" in checking and "cycle 1" in checking
    assert "scrap below 2 %" in checking and "scrap 1.5 %" in checking
    assert f'href="/cases/{cycles["check"]}"' in checking
    assert "Check:" in checking  # the deadline owed in check, with its due date
    assert "UTC" in checking
    assert "target met" in card(html, cycles["act"])
    fresh = card(html, cycles["plan"])
    assert "Plan: target and plan" in fresh and "2026-03-15 09:00 UTC" in fresh  # 14 days
    assert "late" not in fresh


def test_a_second_cycle_shows_its_number_and_what_the_first_one_measured(
        site: Site, cycles: dict[str, int]) -> None:
    second = card(site.signed_in("lead").get("/pdca").text, cycles["second"])
    assert "cycle 2" in second
    assert "scrap 3.1 %" in second and "the fixture alone was not enough" in second


def test_a_late_cycle_says_how_late(site: Site, cycles: dict[str, int]) -> None:
    late = card(site.signed_in("lead").get("/pdca").text, cycles["late"])
    assert "late 6 d" in late  # opened 20 days ago, plan due in 14


def test_cycles_closed_in_the_last_30_days_are_listed_below(site: Site,
                                                            cycles: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/pdca").text
    closed = closed_rows(html)
    assert cycles["closed"] in closed and cycles["cancelled"] in closed
    assert cycles["old"] not in closed
    start = html.index(f'<tr data-case="{cycles["closed"]}"')
    standardised = html[start:html.index("</tr>", start)]
    assert "standardised" in standardised and "work instruction WI-7" in standardised
    for phase in pdca_page.PHASES:
        assert cycles["closed"] not in cards(html, phase)


def test_columns_are_bounded_and_say_how_many_more(site: Site, cycles: dict[str, int],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdca_page, "COLUMN_LIMIT", 1)
    html = site.signed_in("lead").get("/pdca").text
    assert cards(html, "plan") == [cycles["plan"]]
    assert "and 2 more" in column(html, "plan")
    assert len(closed_rows(html)) == 1 and "and 1 more" in html


def test_an_empty_board_says_so(site: Site) -> None:
    html = site.signed_in("lead").get("/pdca").text
    assert html.count("None.") == 4 and "None closed in the last 30 days." in html


@pytest.mark.parametrize("who", ["acme", "beta"])
def test_a_supplier_is_sent_to_its_portal(site: Site, cycles: dict[str, int],
                                          who: str) -> None:
    answer = site.signed_in(who).get("/pdca")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    assert "scrap" not in answer.text
