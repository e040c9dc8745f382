"""The FastAPI application: `create_app(settings)` builds one per server (or per test)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from capaflow.api.routes import (
    audits,
    cases,
    chargeback,
    defects,
    inspections,
    notifications,
    reports,
    scorecards,
    submissions,
    suppliers,
)
from capaflow.config import Settings
from capaflow.serving import errors
from capaflow.serving.context import ApiContext

PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for these settings (default: from CAPA_* variables).

    Database, policies and routes are resolved here, once: a bad setting raises a CapaError
    at start (the `capa web` command turns it into its exit code) instead of failing later.
    """
    context = ApiContext.start(settings or Settings())
    app = FastAPI(
        title="capaflow",
        version="1",
        description="8D corrective actions, supplier quality and PDCA cycles.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.capa = context
    errors.install(app)
    api = APIRouter(prefix=PREFIX)
    for module in (cases, reports, suppliers, defects, inspections, scorecards, notifications,
                   chargeback, audits, submissions):
        api.include_router(module.router)
    app.include_router(api)
    return app
