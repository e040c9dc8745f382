"""The API's documentation page works where no CDN is reachable (README.md, "Dependencies"):
in a real browser that may reach nothing but the site, Swagger UI renders the API's routes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Route, expect

from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import upgrade
from tests.conftest import T0
from tests.web.live import served

pytestmark = pytest.mark.slow



def test_api_docs_render_with_nothing_reachable_but_the_site(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    site = create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))
    outside: list[str] = []
    with served(site) as base:
        page = browser.new_page()

        def only_the_site(route: Route) -> None:
            if urlparse(route.request.url).netloc == urlparse(base).netloc:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_site)
        page.goto(f"{base}/api/v1/docs")
        # Swagger UI parses the whole schema before it draws: generous on a busy machine.
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("capaflow",
                                                                          timeout=60_000)
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        page.close()
    assert outside == []
