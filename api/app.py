"""The FastAPI application: `create_app(settings)` builds one per server (or per test)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from capaflow.api.routes import (
    attachments,
    audits,
    cases,
    chargeback,
    comments,
    customers,
    defects,
    extensions,
    incidents,
    inspections,
    kpis,
    notifications,
    people,
    reports,
    reviews,
    scorecards,
    service_report,
    service_requests,
    spotchecks,
    standards,
    submissions,
    suppliers,
    work_items,
)
from capaflow.config import Settings
from capaflow.documents.errors import ErrorPublic
from capaflow.serving import errors
from capaflow.serving.context import ApiContext

PREFIX = "/api/v1"
# Swagger UI's files, from the package that carries them (README.md, "Dependencies"): the
# documentation page loads nothing from outside the site.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# Every route may refuse with the error document (serving.errors), a 422 included: FastAPI's
# own validation document is never sent.
REFUSALS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorPublic, "description": description}
    for status, description in (
        (401, "No valid API token."),
        (403, "The token's role or supplier may not do this."),
        (404, "No such record, or one of another supplier."),
        (409, "Not allowed in the record's state, or a concurrent update won."),
        (422, "Bad input; the message names the field."),
    )
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for these settings (default: from CAPA_* variables).

    Database, policies and routes are resolved here, once: a bad setting raises a CapaError
    at start (the `capa web` command turns it into its exit code) instead of failing later.
    """
    context = ApiContext.start(settings or Settings())
    app = FastAPI(
        title="capaflow",
        version="1",
        description="8D corrective actions, supplier quality, PDCA cycles and the service desk.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.capa = context
    _serve_docs(app)
    errors.install(app)
    api = APIRouter(prefix=PREFIX, responses=REFUSALS)
    for module in (cases, reports, suppliers, defects, inspections, scorecards, notifications,
                   chargeback, audits, submissions):
        api.include_router(module.router)
    # The service desk (docs/architecture.md, "Service desk").
    for module in (customers, people, service_requests):
        api.include_router(module.router)
    api.include_router(service_report.router)
    # Service quality control (docs/architecture.md, "Service quality control").
    for module in (standards, work_items, spotchecks):
        api.include_router(module.router)
    # Emergency incidents (docs/architecture.md, "Service quality control").
    api.include_router(incidents.router)
    # The monthly service quality review (docs/architecture.md, "Service quality control").
    api.include_router(reviews.router)
    # The conversation on a case (docs/architecture.md, "The supplier conversation").
    api.include_router(comments.router)
    # The 8D KPIs (docs/architecture.md, "Supplier performance explained").
    api.include_router(kpis.router)
    api.include_router(attachments.router)
    # Changes after opening (docs/architecture.md, "Edits and extensions").
    api.include_router(extensions.router)
    app.include_router(api)
    return app


def _serve_docs(app: FastAPI) -> None:
    """/api/v1/docs, with Swagger UI's script and style served from /api/v1/docs/assets."""
    assets = f"{PREFIX}/docs/assets"
    app.mount(assets, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get(f"{PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{PREFIX}/openapi.json", title="capaflow API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
        )
