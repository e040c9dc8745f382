"""The site as one ASGI application: the REST API under /api/v1 and the pages.

An entry point above the interfaces (docs/architecture.md, "Layers"): it composes two of them,
so neither imports the other, and nothing imports it: `capa web` names it to the server as a
string (`capaflow.asgi:create_site`), as a Prefect deployment names its flow.
"""

from __future__ import annotations

from fastapi import FastAPI

from capaflow.api import create_app
from capaflow.config import Settings
from capaflow.web import add_pages


def create_site(settings: Settings | None = None) -> FastAPI:
    """The API and the pages in one FastAPI application. Bad settings raise a CapaError at
    start."""
    return add_pages(create_app(settings or Settings()))
