"""Supplier performance explained from the pages (issue 12, point 8), on the demo data set
`make run` seeds: the supplier page's grade components (summing to the score), PPM trend and
Pareto; the 8D KPIs page and its CSV; the suppliers list's CSV; "met late" in amber. A
Chromium walk through both pages keeps screenshots in tests/artifacts/screenshots/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlmodel import select

from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope
from tests.helpers import capa, snapshot
from tests.web.conftest import form_token
from tests.web.live import served

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
LEAD = ("lena", "lena-demo-2026")
SUPPLIER = ("acme-sqe", "acme-demo-2026")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    """The demo data set, seeded once for the module: the pages only read it."""
    path = tmp_path_factory.mktemp("demo") / "capa.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    seeded = capa("demo", "seed", "--db", url, "--now", NOW.isoformat())
    assert seeded.exit_code == 0, seeded.stderr
    return url


@pytest.fixture
def client(demo_url: str) -> Iterator[TestClient]:
    site = create_site(Settings(database_url=demo_url, now=isoformat(NOW),
                                routes="no-routes.toml"))
    with TestClient(site, follow_redirects=False) as found:
        yield found


def sign_in(client: TestClient, who: tuple[str, str]) -> None:
    form = client.get("/login")
    answer = client.post("/login", data={"name": who[0], "password": who[1], "next": "",
                                         "csrf_token": form_token(form.text)})
    assert answer.status_code == 303, answer.text


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section class="panel" id="{section_id}"')
    return html[start:html.index("</section>", start)]


def test_the_supplier_page_explains_the_grade_its_components_summing_to_the_score(
    client: TestClient,
) -> None:
    sign_in(client, LEAD)
    html = client.get("/suppliers/ACME").text
    explained = section(html, "components")
    # The demo's last graded month, November: ACME B.
    assert "for 2026-11 is" in explained and "grade-B" in explained
    latest = explained.split('id="latest-components"', 1)[1].split("</table>", 1)[0]
    adds = [float(v) for v in re.findall(
        r'<td class="count">([\d.]+)</td></tr>', latest)]
    score = float(re.search(r'<tr class="total"><th colspan="4">Score</th>'
                            r'<th class="count">([\d.]+)</th>', latest).group(1))  # type: ignore[union-attr]
    assert len(re.findall(r"<tr data-factor=", latest)) == 7
    assert abs(sum(adds) - score) <= 0.05 * len(adds)
    assert "Lots accepted at incoming inspection" in latest and "100.0 %" in latest
    # Earlier months: each factor's share of each month's score, the detail on hover.
    by_month = explained.split('id="components-by-month"', 1)[1].split("</table>", 1)[0]
    assert all(f">{m}</th>" in by_month for m in ("2026-06", "2026-10", "2026-11"))
    assert 'title="' in by_month and "points × weight" in by_month
    trend = section(html, "ppm-trend")
    assert 'class="sparkline"' in trend and 'data-month="2026-11"' in trend
    pareto = section(html, "pareto")
    assert "defective pieces by defect code" in pareto and 'data-code="BURR"' in pareto


def test_kpis_page_its_csv_and_the_suppliers_csv_for_staff_only(
    client: TestClient, demo_url: str,
) -> None:
    sign_in(client, LEAD)
    html = client.get("/kpis").text
    for panel in ("cycle-times", "on-time", "ageing"):
        assert f'id="{panel}"' in html
    assert 'data-discipline="containment"' in html and 'data-supplier="BOLTCO"' in html
    assert 'href="/kpis.csv"' in html and 'href="/kpis"' in html  # the menu's link
    csv_answer = client.get("/kpis.csv?from=2026-11-01")
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.text.splitlines()[0].startswith("section,name,title,samples_or_count")
    grades = client.get("/suppliers.csv")
    assert grades.headers["content-type"].startswith("text/csv")
    assert "ACME,Acme Stamping Ltd.,B,85.5,2026-11,no," in grades.text
    assert 'href="/suppliers.csv"' in client.get("/suppliers").text

    # A window that is not one: the form again naming the field, nothing written.
    before = snapshot(demo_url)
    refused = client.get("/kpis?from=2026-12-10&to=2026-12-01")
    assert refused.status_code == 422 and 'data-field="from"' in refused.text
    assert client.get("/kpis.csv?to=soon").status_code == 422
    assert snapshot(demo_url) == before


def test_a_supplier_sees_neither_the_kpis_nor_the_grade_lists(demo_url: str) -> None:
    site = create_site(Settings(database_url=demo_url, now=isoformat(NOW),
                                routes="no-routes.toml"))
    with TestClient(site, follow_redirects=False) as supplier:
        sign_in(supplier, SUPPLIER)
        for path in ("/kpis", "/kpis.csv", "/suppliers.csv", "/suppliers/ACME"):
            assert supplier.get(path).status_code in (403, 303), path


def test_a_deadline_met_late_is_amber_not_green_on_the_case_page_and_report(
    client: TestClient, demo_url: str,
) -> None:
    with session_scope(get_engine(demo_url)) as session:
        torque = session.exec(select(Case).where(Case.title == "Bolt torque below spec")).one()
        case_id = torque.id
    sign_in(client, LEAD)
    html = client.get(f"/cases/{case_id}").text
    late = html.split('data-status="met-late"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge met-late">met late</span>' in late
    report = client.get(f"/cases/{case_id}/report.html").text
    assert '<td class="status status-met-late">met late</td>' in report
    css = client.get("/static/capa.css").text
    assert ".badge.met-late" in css and "var(--soon)" in css.split(".badge.met-late", 1)[1]


@pytest.mark.slow
def test_supplier_performance_and_kpis_in_chromium_at_desktop_and_phone_width(
    browser: Browser, demo_url: str,
) -> None:
    site = create_site(Settings(database_url=demo_url, now=isoformat(NOW),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(site) as base:
        for width, name in ((1280, "desktop"), (390, "phone")):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/login")
            page.get_by_label("Name").fill(LEAD[0])
            page.get_by_label("Password").fill(LEAD[1])
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(f"{base}/")

            page.goto(f"{base}/suppliers/ACME")
            expect(page.locator("#latest-components tr[data-factor]")).to_have_count(7)
            expect(page.locator("#ppm-trend svg.sparkline")).to_be_visible()
            expect(page.locator("#pareto svg")).to_be_visible()
            for panel in ("components", "ppm-trend", "pareto"):
                box = page.locator(f"#{panel}").bounding_box()
                assert box is not None and box["width"] <= width, (panel, box)
            page.locator("#components").screenshot(
                path=str(SCREENSHOTS / f"supplier-performance-{name}.png"))

            page.goto(f"{base}/kpis")
            expect(page.locator("#cycle-times tr[data-discipline]")).to_have_count(5)
            met_late = page.locator("#on-time tr[data-supplier='BOLTCO'] .badge.met-late")
            expect(met_late).to_be_visible()
            for panel in ("cycle-times", "on-time", "ageing"):
                box = page.locator(f"#{panel}").bounding_box()
                assert box is not None and box["width"] <= width, (panel, box)
            page.screenshot(path=str(SCREENSHOTS / f"kpis-{name}.png"), full_page=True)
            page.context.close()
