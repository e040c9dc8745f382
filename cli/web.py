"""`capa web`: serve the REST API and the pages with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from cli.common import ConfigOpt, DbOpt, Env, NowOpt, run
from config import Settings
from web import create_site


def web_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the pages and the REST API under /api/v1 (OpenAPI at /api/v1/docs)."""
    env = Env(False, db, now, config)

    def body() -> None:
        # The options win over CAPA_* variables, as in every command; the app checks the
        # database and policies at start, so a bad setting exits 2 before anything listens.
        settings = Settings().model_copy(
            update={"database_url": env.url, "now": now, "config": config or env.settings.config}
        )
        app = create_site(settings)
        uvicorn.run(app, host=host, port=port, log_level="info")

    run(env, body)
