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
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.documents.errors import refusal_document
from capaflow.errors import BadInput, CapaError, Conflict
from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from capaflow.servicedesk.policy import ServiceDesk

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
    """The settings a command runs with, options winning over environment variables; resolved
    by the composition root (capaflow.runtime), as the API, the pages and the flows are."""

    as_json: bool
    db: str | None = None
    now_text: str | None = None
    config_path: str | None = None
    actor_name: str | None = None

    @cached_property
    def runtime(self) -> Runtime:
        return Runtime(database_url=self.db, now_text=self.now_text,
                       config_path=self.config_path)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def url(self) -> str:
        return self.runtime.url

    @property
    def now(self) -> datetime:
        return self.runtime.now

    @property
    def actor(self) -> str:
        if self.actor_name and self.actor_name.strip():
            return self.actor_name.strip()[:100]
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            return "unknown"

    @property
    def policies(self) -> dict[str, Any]:
        """The merged policy document (checked as a whole by the typed model)."""
        return self.runtime.document

    @property
    def deadline_policy(self) -> DeadlinePolicy:
        return self.runtime.deadline_policy

    @property
    def desk(self) -> ServiceDesk:
        return self.runtime.service_desk

    @property
    def shown_url(self) -> str:
        """The database URL as it may be printed: with its password masked."""
        return self.runtime.shown_url

    def engine(self) -> Engine:
        return self.runtime.engine()

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
