"""The case list (/cases), its CSV export, saved views, the dashboard's card links and the
menu's review-queue count; the same list through the API and `capa case list`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from tests.caselists.world import build_world
from tests.cli.support import refused
from tests.conftest import T0
from tests.helpers import capa, snapshot
from tests.web.conftest import form_token, sign_in

NOW = T0 + timedelta(days=5)
PASSWORD = "list-password-1"


@dataclass
class Lists:
    url: str
    cases: dict[str, int]
    client: TestClient
    token: str

    def as_(self, who: str) -> TestClient:
        self.client.cookies.clear()
        answer = sign_in(self.client, who, PASSWORD)
        assert answer.status_code == 303, answer.text
        return self.client


@pytest.fixture
def lists(sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None
          ) -> Iterator[Lists]:
    with session_scope(get_engine(sqlite_url)) as session:
        world = build_world(session, policy)
        for name, role in (("lena", "quality_lead"), ("marco", "quality_manager"),
                           ("vera", "viewer")):
            add_user(session, name=name, role=role, password=PASSWORD, now=T0)
        add_user(session, name="beta", role="supplier", password=PASSWORD, now=T0,
                 supplier_code="BETA")
        token = create_token(session, user_name="lena", now=T0)[1]
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(NOW),
                                routes="no-routes.toml"))
    with TestClient(site, follow_redirects=False) as client:
        yield Lists(sqlite_url, world.cases, client, token)


def _listed(html: str) -> list[int]:
    start = html.find('<table id="case-list"')
    part = html[start:html.index("</table>", start)] if start >= 0 else ""
    return [int(n) for n in re.findall(r'<tr data-case="(\d+)"', part)]


def test_lead_filters_searches_and_sees_a_submission_waiting_on_the_case_row(
        lists: Lists) -> None:
    client, c = lists.as_("lena"), lists.cases
    assert _listed(client.get("/cases").text) == [c["pdca"], c["percent"], c["burr"], c["crack"]]
    page = client.get("/cases", params={"supplier": "BETA"}).text
    assert _listed(page) == [c["percent"]] and "submission waiting" in page
    assert _listed(client.get("/cases", params={"state": "D4 root cause"}).text) == [c["burr"]]
    assert _listed(client.get("/cases", params={"q": "50%", "status": "all"}).text) == [
        c["percent"]]
    # My work: lena owns the crack and the PDCA cases.
    assert _listed(client.get("/cases?mine=1").text) == [c["pdca"], c["crack"]]
    # An empty form field means "any" (the form sends every field).
    blank = client.get("/cases?q=&lifecycle=&state=&supplier=&owner=&severity=&due_days=")
    assert blank.status_code == 200 and len(_listed(blank.text)) == 4
    # States show in the lead's words, not the lifecycle's names.
    assert "D4 root cause" in page or "D3 containment" in page
    assert "root_cause" not in client.get("/cases").text.split('<table id="case-list"')[1]


def test_a_bad_filter_re_renders_the_form_naming_the_field_and_a_bad_save_writes_nothing(
        lists: Lists) -> None:
    client = lists.as_("lena")
    before = snapshot(lists.url)
    bad = client.get("/cases", params={"due_days": "seven", "part": "P-100"})
    assert bad.status_code == 422
    assert 'data-field="due_days"' in bad.text and 'value="P-100"' in bad.text
    assert re.search(r'name="due_days"[^>]*aria-invalid="true"', bad.text)
    unknown = client.get("/cases", params={"supplier": "NOPE"})
    assert unknown.status_code == 404 and 'data-field="supplier"' in unknown.text
    assert client.get("/cases.csv", params={"sort": "colour"}).status_code == 422
    token = form_token(client.get("/cases").text)
    saved = client.post("/cases/views", data={"name": "Late", "query": "overdue=1",
                                               "csrf_token": token})
    assert saved.status_code == 303
    after_save = snapshot(lists.url)
    for data, status, field in (
        ({"name": "late", "query": ""}, 409, "name"),
        ({"name": "", "query": ""}, 422, "name"),
        ({"name": "x" * 61, "query": ""}, 422, "name"),
        ({"name": "Odd", "query": "sort=colour"}, 422, "sort"),
    ):
        answer = client.post("/cases/views", data={**data, "csrf_token": token})
        assert answer.status_code == status, answer.text
        assert f'data-field="{field}"' in answer.text
    assert snapshot(lists.url) == after_save
    assert before != after_save


def test_csv_exports_follow_the_filters_and_are_safe_to_open(lists: Lists) -> None:
    client = lists.as_("vera")  # a viewer reads lists and exports them
    answer = client.get("/cases.csv", params={"severity": "critical", "status": "all"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:4] == ["Case", "Type", "State", "Title"]
    assert [r[3] for r in rows[1:]] == ["50% off_spec washers"]
    for path in ("/submissions.csv", "/notifications.csv"):
        listed = client.get(path)
        assert listed.status_code == 200 and listed.headers["content-type"].startswith("text/csv")
    submissions = list(csv.reader(io.StringIO(client.get("/submissions.csv").text)))
    assert submissions[1][1] == str(lists.cases["percent"])
    assert client.get("/notifications.csv?status=lost").status_code == 422
    assert 'href="/submissions.csv"' in client.get("/submissions").text
    assert 'id="export-csv"' in client.get("/notifications").text


def test_views_are_each_persons_own_and_a_viewer_gets_no_forms(lists: Lists) -> None:
    client = lists.as_("lena")
    token = form_token(client.get("/cases").text)
    client.post("/cases/views", data={"name": "BETA critical",
                                      "query": "supplier=BETA&severity=critical",
                                      "csrf_token": token})
    page = client.get("/cases").text
    view_id = int(re.findall(r'<li data-view="(\d+)"', page)[0])
    assert "BETA critical" in page
    client = lists.as_("marco")
    page = client.get("/cases").text
    assert "BETA critical" not in page
    before = snapshot(lists.url)
    refused_delete = client.post(f"/cases/views/{view_id}/delete",
                                 data={"csrf_token": form_token(page)})
    assert refused_delete.status_code == 404
    client = lists.as_("vera")
    page = client.get("/cases").text
    assert "Save view" not in page and 'action="/cases/views' not in page
    assert client.post("/cases/views", data={"name": "mine", "query": "",
                                             "csrf_token": form_token(page)}
                       ).status_code == 403
    assert snapshot(lists.url) == before
    client = lists.as_("beta")  # a supplier's person: its portal, not the team's lists
    for path in ("/cases", "/cases.csv", "/submissions.csv"):
        assert client.get(path).headers.get("location", "").endswith("/portal")


def test_dashboard_cards_link_to_the_filtered_list_and_the_menu_counts_the_review_queue(
        lists: Lists) -> None:
    client = lists.as_("lena")
    dashboard = client.get("/").text
    late = int(re.search(r'id="late-total" href="([^"]+)"><div class="figure[^"]*">(\d+)',
                         dashboard).group(2))  # type: ignore[union-attr]
    href = re.search(r'id="late-total" href="([^"]+)"', dashboard).group(1)  # type: ignore[union-attr]
    assert href.replace("&amp;", "&") == "/cases?overdue=1&sort=due"
    assert len(_listed(client.get(href.replace("&amp;", "&")).text)) == late > 0
    assert 'href="/cases?severity=critical"' in dashboard
    assert re.search(r'id="review-total" href="/submissions"><div class="figure">1<', dashboard)
    assert re.search(r'id="menu-submissions">Submissions \(1\)<', dashboard)
    assert re.search(r'id="menu-submissions">Submissions \(1\)<', client.get("/cases").text)


def test_api_and_cli_list_take_the_same_filters(lists: Lists) -> None:
    auth = {"Authorization": f"Bearer {lists.token}"}
    answer = lists.client.get("/api/v1/cases", headers=auth,
                              params={"q": "50%", "sort": "-severity", "limit": 1})
    assert answer.status_code == 200, answer.text
    assert [r["id"] for r in answer.json()] == [lists.cases["percent"]]
    assert answer.headers["x-total-count"] == "1"
    mine = lists.client.get("/api/v1/cases", headers=auth, params={"mine": "1",
                                                                   "status": "open"})
    assert [r["id"] for r in mine.json()] == [lists.cases["crack"], lists.cases["pdca"]]
    bad = lists.client.get("/api/v1/cases", headers=auth, params={"opened_from": "soon"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "opened_from"

    result = capa("case", "list", "--format", "csv", "--severity", "critical", "--db",
                  lists.url, "--now", isoformat(NOW))
    assert result.exit_code == 0, result.stdout
    assert list(csv.reader(io.StringIO(result.stdout)))[1][3] == "50% off_spec washers"
    refused(lists.url, "case", "list", "--sort", "colour", exit_code=2, field="sort",
            says=["sort", "colour"])
    refused(lists.url, "case", "list", "--format", "xlsx", exit_code=2, field="format",
            says=["format", "xlsx"])
