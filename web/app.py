"""The pages as a set of routers of their own, added to an application that already serves
the REST API: the site composes the two (capaflow.asgi), so the pages never import the API,
nor the API the pages."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from capaflow.serving.context import ApiContext
from capaflow.web import errors, pages
from capaflow.web.context import WebContext
from capaflow.web.headers import PageHeaders

COOKIE = "capa_session"


def add_pages(app: FastAPI) -> FastAPI:
    """`app` with the pages added: their session cookie, headers, error pages, routers and
    static files. `app` holds the request context in `app.state.capa` (serving.context), as
    the API's application does; its exception handlers keep answering /api/ paths."""
    context: ApiContext = app.state.capa
    signing = WebContext.start(context, context.now())
    app.state.web = signing
    # Signed (itsdangerous) and HTTP-only; SameSite=Lax keeps other sites' forms from
    # carrying it, and the CSRF token in every form is checked as well (web.csrf).
    app.add_middleware(
        SessionMiddleware, secret_key=signing.secret, session_cookie=COOKIE,
        max_age=int(signing.session_valid.total_seconds()), same_site="lax",
        https_only=signing.https_only,
    )
    app.add_middleware(PageHeaders)
    errors.install(app)
    # Every module of web/pages is a page (or a group of them) with its own router.
    for found in sorted(pkgutil.iter_modules(pages.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"capaflow.web.pages.{found.name}")
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
