"""Test helpers: the CLI in-process, and a snapshot of every row to prove "nothing written"."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

from capaflow.cli.app import app
from capaflow.models.db import get_engine

runner = CliRunner()


def capa(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Run `capa ARGS` in this process, as a user would type it (`input`: its stdin)."""
    return runner.invoke(app, list(args), env=env, catch_exceptions=False, input=input)


def capa_json(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    result = capa(*args, "--json", env=env, input=input)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table; equal snapshots before and after mean nothing was written."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with get_engine(url).connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            found = conn.execute(select(table)).all()
            rows[table.name] = sorted(
                tuple(json.dumps(v, sort_keys=True, default=str) for v in r) for r in found
            )
    return rows


def beside_guesses(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """A snapshot without the password throttle's counts: a wrong password is refused and
    writes nothing else, but its miss is counted on purpose (accounts.throttle)."""
    return {table: found for table, found in rows.items() if table != "password_throttles"}
