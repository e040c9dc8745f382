"""`capa web`: serve the site (the REST API and the pages) with uvicorn, one worker process
per core (serving.server)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from uvicorn.importer import import_from_string

from capaflow.cli.common import ConfigOpt, DbOpt, Env, NowOpt, run
from capaflow.config import Settings
from capaflow.serving.server import MAX_WORKERS, default_workers, serve

# What every worker process imports and calls, with the settings passed to it as CAPA_*
# variables (a worker is a fresh interpreter; it cannot be handed an object). Named, not
# imported: the site composes the API and the pages, and the CLI imports neither.
SITE = "capaflow.asgi:create_site"


def _export(settings: Settings) -> None:
    # The options win over CAPA_* variables, as in every command: the workers read these.
    os.environ["CAPA_DATABASE_URL"] = settings.database_url
    for name, value in (("CAPA_NOW", settings.now), ("CAPA_CONFIG", settings.config)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def web_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=64,
                     help=f"Worker processes (default: one per core, at most {MAX_WORKERS}).",
                     show_default=False),
    ] = None,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the pages and the REST API under /api/v1 (OpenAPI at /api/v1/docs)."""
    env = Env(False, db, now, config)

    def body() -> None:
        settings = Settings().model_copy(
            update={"database_url": env.url, "now": now, "config": config or env.settings.config}
        )
        # Built once here, and thrown away, so that a bad setting (database, policies, keys)
        # exits 2 before anything listens, rather than in every worker.
        import_from_string(SITE)(settings)
        _export(settings)
        serve(SITE, host=host, port=port, workers=workers or default_workers())

    run(env, body)
