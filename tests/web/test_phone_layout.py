"""Every page fits a phone: at 390 px wide no page scrolls sideways (a wide table scrolls inside
itself instead), for the quality lead, the service manager and the supplier, on the demo's data.

The pages are found the way a person finds them: from the menu and the links on each page
(a bounded crawl, GET only), so a page added later is checked without being listed here. A
screenshot of a few of them at that width is kept in tests/artifacts/screenshots/."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from typer.testing import CliRunner

from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.cli.app import app as cli
from capaflow.config import Settings
from capaflow.demo.accounts import DEMO_ACCOUNTS
from capaflow.models.db import upgrade
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
# Enough to reach every kind of page through the menu and one record of each list.
MOST_PAGES = 45
SHOTS = {"/": "phone-dashboard.png", "/portal": "phone-portal.png"}

pytestmark = pytest.mark.slow


def _sign_in(page: Page, base: str, name: str) -> None:
    password = next(a.password for a in DEMO_ACCOUNTS if a.name == name)
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _worth_visiting(path: str) -> bool:
    return not (path.startswith(("/api", "/static", "/logout", "/login"))
                or path.endswith((".csv", ".pdf", ".md", ".json")) or "/download" in path
                or "/attachments/" in path)


def _kind(path: str) -> str:
    """/cases/12 and /cases/13 are the same page: visit one of each."""
    return "/".join("N" if part.isdigit() else part for part in path.split("/"))


def _overflowing(page: Page, base: str, start: str) -> tuple[list[str], int]:
    """Crawl from `start`; the pages wider than the screen, with how many were seen."""
    seen_kinds: set[str] = set()
    queue = deque([start])
    wide: list[str] = []
    visited = 0
    while queue and visited < MOST_PAGES:
        path = queue.popleft()
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        response = page.goto(f"{base}{path}")
        if response is None or response.status >= 400:
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            wide.append(f"{path} is {width} px wide")
        if path in SHOTS:
            page.screenshot(path=str(SCREENSHOTS / SHOTS[path]), full_page=True)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base).netloc:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if _worth_visiting(parts.path) and _kind(link) not in seen_kinds:
                queue.append(link)
    return wide, visited


def test_no_page_scrolls_sideways_on_a_390_px_phone(browser: Browser, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    seeded = CliRunner().invoke(cli, ["demo", "seed", "--db", url, "--now", isoformat(T0)])
    assert seeded.exit_code == 0, seeded.output
    site = create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        report: dict[str, tuple[list[str], int]] = {}
        for name, start in (("lena", "/"), ("sam", "/service"), ("acme-sqe", "/portal")):
            page = browser.new_context(viewport=PHONE).new_page()
            _sign_in(page, base, name)
            report[name] = _overflowing(page, base, start)
            page.context.close()

    wide = [f"{who}: {line}" for who, (lines, _count) in report.items() for line in lines]
    assert not wide, "\n".join(wide)
    # The crawl reached the pages it is about, not just the sign-in page.
    assert report["lena"][1] >= 15 and report["sam"][1] >= 5 and report["acme-sqe"][1] >= 2
    assert (SCREENSHOTS / "phone-dashboard.png").stat().st_size > 5_000
