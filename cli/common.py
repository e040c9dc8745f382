"""What every command shares: `--json`, `--db`, `--now`, `--config`, errors and exit codes.

Each command resolves its environment once (`Env`), runs its service inside one transaction,
and prints either rich tables or one JSON document. A refusal (errors.CapaError) becomes a
one-line message on stderr, the contract's exit code, and with `--json` an error document on
stdout; the transaction has rolled back, so nothing was written.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from capaflow.calendars import as_utc, isoformat, resolve_now
from capaflow.config import PolicyFileError, Settings, load_policies
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.documents.errors import refusal_document
from capaflow.errors import BadInput, CapaError, Conflict
from capaflow.models.db import (
    current_revision,
    get_engine,
    head_revision,
    is_initialised,
    session_scope,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="CAPA_DATABASE_URL", help="Database URL.", show_default=False),
]
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now", envvar="CAPA_NOW", help="Treat this ISO-8601 time as now.", show_default=False
    ),
]
ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config", envvar="CAPA_CONFIG", help="TOML file overriding config/default.toml.",
        show_default=False,
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option("--by", envvar="CAPA_ACTOR", help="Who takes this step (default: your login).",
                 show_default=False),
]

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, default=_default, ensure_ascii=False, indent=2) + "\n")


def fail(error: CapaError, *, as_json: bool) -> NoReturn:
    if as_json:
        print_json(refusal_document(error).as_json())
    stderr.print(f"error: {error.message}", markup=False, highlight=False)
    raise typer.Exit(error.exit_code)


@dataclass
class Env:
    """The settings a command runs with, options winning over environment variables."""

    as_json: bool
    db: str | None = None
    now_text: str | None = None
    config_path: str | None = None
    actor_name: str | None = None

    @cached_property
    def settings(self) -> Settings:
        return Settings()

    @property
    def url(self) -> str:
        return self.db or self.settings.database_url

    @cached_property
    def now(self) -> datetime:
        try:
            return as_utc(resolve_now(self.now_text))
        except ValueError as exc:
            raise BadInput(str(exc), field="now") from exc

    @property
    def actor(self) -> str:
        if self.actor_name and self.actor_name.strip():
            return self.actor_name.strip()[:100]
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            return "unknown"

    @cached_property
    def policies(self) -> dict[str, Any]:
        try:
            return load_policies(self.config_path or self.settings.config)
        except PolicyFileError as exc:
            raise BadInput(str(exc), field="config") from exc

    @cached_property
    def deadline_policy(self) -> DeadlinePolicy:
        return load_policy(self.policies)

    @property
    def shown_url(self) -> str:
        """The database URL as it may be printed: with its password masked."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return repr(self.url)

    def engine(self) -> Engine:
        try:
            engine = get_engine(self.url)
            ready = is_initialised(engine)
        except (DBAPIError, ArgumentError, ValueError, ImportError) as exc:
            # The driver's own first line says why (refused, no such file, bad password);
            # SQLAlchemy's SQL and help-link lines after it say nothing to a user.
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            if "locked" in reason.lower():
                raise Conflict("the database is busy with another update; try again") from exc
            raise BadInput(f"db: cannot open {self.shown_url}: {reason}", field="db") from exc
        if not ready:
            raise BadInput(
                f"db: {self.shown_url} has no capaflow schema yet; run `capa db upgrade` first",
                field="db",
            )
        current, head = current_revision(engine), head_revision()
        if current != head:
            # An older schema (after an upgrade of capaflow) would fail mid-command on a
            # missing column; say what to do instead.
            raise BadInput(
                f"db: {self.shown_url} has schema revision {current}, this capaflow needs "
                f"{head}; run `capa db upgrade`",
                field="db",
            )
        return engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One command, one transaction (its database errors are mapped in `run`)."""
        with session_scope(self.engine()) as session:
            yield session


def run(env: Env, body: Callable[[], T]) -> T:
    """Run a command body, turning refusals into the contract's exit codes."""
    try:
        # Every command takes --now / CAPA_NOW; a malformed one is refused up front, before
        # anything is read, printed or written, even by commands that never look at the clock.
        env.now  # noqa: B018
        try:
            return body()
        # Here rather than around each transaction: commands such as the sweep and the
        # dispatch run several transactions of their own, and keep the contract all the same.
        except IntegrityError as exc:
            raise Conflict(
                f"the change conflicts with data written at the same time: {exc.orig}",
            ) from exc
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise Conflict("the database is busy with another update; try again") from exc
            raise
    except CapaError as error:
        fail(error, as_json=env.as_json)


def parse_fields(pairs: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"--field: '{pair}' is not NAME=VALUE", field="field")
        if name in fields:
            raise BadInput(f"--field: '{name}' is given twice", field=name)
        fields[name] = value
    return fields
