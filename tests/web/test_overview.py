"""The dashboard (/): open cases counted by state and severity, what is late and what falls
due this week (oldest first, bounded), reopened cases flagged, for the quality team only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session

from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.web.pages import overview
from tests.conftest import T0
from tests.web.conftest import Site

# The 8D steps from opening to effectiveness tracking, each with the content it needs.
TO_TRACKING = (
    ("contain", {"containment": "sorted the stock"}),
    ("find_root_cause", {"root_cause": "worn die", "escape_point": "no check",
                         "category": "machine"}),
    ("apply_short_term_fix", {"short_term_fix": "100 % check"}),
    ("implement_countermeasure", {"countermeasure": "new die"}),
)


def open_8d(session: Session, policy: DeadlinePolicy, *, title: str, at: datetime,
            supplier: str | None = "ACME", severity: str = "major",
            lifecycle: str = "8d") -> int:
    result = open_case(
        session, lifecycle=lifecycle, title=title, supplier_code=supplier,
        part="P-7" if supplier else None, defect_code="CRACK" if supplier else None,
        severity=severity, complex_cause=False, owner="lead", team=None, problem=None,
        actor="lead", now=at, policy=policy,
    )
    assert result.case.id is not None
    return result.case.id


def step(session: Session, policy: DeadlinePolicy, case_id: int, trigger: str,
         fields: dict[str, str], at: datetime) -> None:
    advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None, actor="lead",
            now=at, policy=policy)


def reopened_case(session: Session, policy: DeadlinePolicy, *, at: datetime) -> int:
    """An 8D case whose countermeasure failed: reopened once, back in containment at `at`."""
    case_id = open_8d(session, policy, title="Burr on flange", at=at - timedelta(days=20))
    for n, (trigger, fields) in enumerate(TO_TRACKING, start=1):
        step(session, policy, case_id, trigger, fields, at - timedelta(days=20 - n))
    step(session, policy, case_id, "reopen", {"reason": "burr again on lot 12"}, at)
    return case_id


def table(html: str, table_id: str) -> str:
    """The HTML of one table of the page ("" when the page has none)."""
    start = html.find(f'<table id="{table_id}"')
    return html[start:html.index("</table>", start)] if start >= 0 else ""


def listed(html: str, table_id: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-case="(\d+)"', table(html, table_id))]


def row(html: str, table_id: str, case_id: int) -> str:
    part = table(html, table_id)
    start = part.index(f'<tr data-case="{case_id}"')
    return part[start:part.index("</tr>", start)]


def figure(html: str, marker: str) -> int:
    found = re.search(marker + r'[^>]*><div class="figure[^"]*">(\d+)</div>', html)
    assert found, marker
    return int(found.group(1))


@pytest.fixture
def board(site: Site, policy: DeadlinePolicy) -> Iterator[dict[str, int]]:
    """Beside the fixture's two major 8D cases in containment (opened at T0, due in 24 h):
    one late critical, one minor in root cause, one reopened, one PDCA, one cancelled."""
    with session_scope(get_engine(site.url)) as session:
        late = open_8d(session, policy, title="Cracked weld", at=T0 - timedelta(days=3),
                       severity="critical")
        minor = open_8d(session, policy, title="Scratch", at=T0 - timedelta(hours=2),
                        supplier="BETA", severity="minor")
        step(session, policy, minor, "contain", {"containment": "sorted"}, T0 - timedelta(hours=1))
        reopened = reopened_case(session, policy, at=T0 - timedelta(hours=30))
        pdca = open_8d(session, policy, title="Cut scrap", at=T0, supplier=None,
                       lifecycle="pdca")
        cancelled = open_8d(session, policy, title="Duplicate", at=T0 - timedelta(days=5))
        step(session, policy, cancelled, "cancel", {"reason": "duplicate of another"},
             T0 - timedelta(days=5))
    yield {"late": late, "minor": minor, "reopened": reopened, "pdca": pdca,
           "cancelled": cancelled}


def test_open_cases_are_counted_by_state_and_by_severity(site: Site,
                                                         board: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/").text
    states = dict(re.findall(
        # The state's words link to the list of those cases (web/pages/case_list.py).
        r'data-state="(\w+)"><td>[^<]*</td><td><a href="/cases\?[^"]*">[^<]*</a></td>'
        r'<td class="count">(\d+)</td>',
        table(html, "by-state")))
    # ACME, BETA, the late one and the reopened one in containment; the cancelled one nowhere.
    assert states == {"containment": "4", "root_cause": "1", "plan": "1"}
    assert "D3 containment" in table(html, "by-state")
    assert figure(html, 'data-severity="critical"') == 1
    assert figure(html, 'data-severity="major"') == 4  # ACME, BETA, reopened, PDCA
    assert figure(html, 'data-severity="minor"') == 1
    assert figure(html, 'id="open-total"') == 6
    assert figure(html, 'id="reopened-total"') == 1


def test_a_late_case_is_listed_late_and_not_as_due_this_week(site: Site,
                                                             board: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/").text
    late = listed(html, "late")
    soon = listed(html, "due-soon")
    assert board["late"] in late and board["late"] not in soon
    # Opened 3 days ago, containment was due 24 h later: 2 days late. Oldest due first.
    assert late == [board["late"], board["reopened"]]
    shown = row(html, "late", board["late"])
    assert "D3 emergency containment" in shown and "2 d" in shown
    assert f'href="/cases/{board["late"]}"' in shown
    assert "ACME" in shown and "P-7" in shown and "D3 containment" in shown
    assert "2026-02-28 09:00 UTC" in shown  # by when


def test_cases_due_this_week_are_listed_oldest_first_with_what_they_owe(
        site: Site, board: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/").text
    soon = listed(html, "due-soon")
    # The two fixture cases' containment (due T0 + 24 h) before the minor case's root cause
    # (contained an hour ago: due in 3 days less an hour); the PDCA plan (14 days) is not due.
    assert soon == [site.cases["ACME"], site.cases["BETA"], board["minor"]]
    assert board["pdca"] not in soon and board["cancelled"] not in soon
    shown = row(html, "due-soon", board["minor"])
    assert "D4 root cause and escape point" in shown and "2 d 23 h" in shown
    assert "BETA" in shown


def test_a_reopened_case_is_flagged_with_its_reopen_count(site: Site,
                                                          board: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/").text
    flagged = row(html, "late", board["reopened"])
    assert 'class="badge reopened"' in flagged and "reopened ×1" in flagged
    assert "reopened" not in row(html, "late", board["late"])


def test_long_lists_are_cut_and_say_how_many_more(site: Site, board: dict[str, int],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "LIST_LIMIT", 1)
    html = site.signed_in("lead").get("/").text
    assert listed(html, "due-soon") == [site.cases["ACME"]]
    assert "and 2 more" in html  # due soon: 3 in all
    assert "and 1 more" in html  # late: 2 in all
    assert figure(html, 'id="soon-total"') == 3 and figure(html, 'id="late-total"') == 2


def test_the_dashboard_costs_the_same_statements_for_many_cases(
        site: Site, policy: DeadlinePolicy, board: dict[str, int]) -> None:
    """Counts by GROUP BY and lists in one go: no statement per row."""
    engine = get_engine(site.url)
    client = site.signed_in("lead")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def cost() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = cost()
    with session_scope(engine) as session:
        for n in range(15):
            open_8d(session, policy, title=f"late {n}", at=T0 - timedelta(days=2, hours=n),
                    supplier="BETA" if n % 2 else "ACME")
            reopened_case(session, policy, at=T0 - timedelta(hours=n + 1))
    assert cost() == few


def test_with_nothing_open_the_dashboard_says_so(site: Site, policy: DeadlinePolicy) -> None:
    with session_scope(get_engine(site.url)) as session:
        for case_id in site.cases.values():
            step(session, policy, case_id, "cancel", {"reason": "opened by mistake"}, T0)
    html = site.signed_in("viewer").get("/").text
    assert "No open cases." in html and "Nothing is late." in html
    assert "Nothing falls due in the next 7 days." in html
    assert figure(html, 'id="open-total"') == 0


def test_a_viewer_sees_the_dashboard_without_the_open_a_case_link(site: Site) -> None:
    viewer = site.signed_in("viewer").get("/")
    assert viewer.status_code == 200
    assert 'href="/cases/new"' not in viewer.text
    assert 'href="/cases/new"' in site.signed_in("lead").get("/").text


@pytest.mark.parametrize("who", ["acme", "beta"])
def test_a_supplier_is_sent_to_its_portal(site: Site, who: str) -> None:
    answer = site.signed_in(who).get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    assert "ACME" not in answer.text and "BETA" not in answer.text


def test_the_dashboard_needs_a_session(site: Site) -> None:
    answer = site.anonymous().get("/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
