"""One way to resolve what a command, a server or a flow runs with.

Settings come from `CAPA_*` (config.Settings); an interface's own options (the CLI's `--db`,
`--now`, `--config`) win over them. From there: the clock (`now`), the policies (default.toml
with the site's override merged in, validated once by the typed model), the deadline policy
built on them, the database engine and the internal notification routes. Each is resolved on
first use and kept, so a command that never reads the policies is not refused for them, and a
server resolves them all at start (`start`) rather than failing every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from capaflow.accounts.passwords import set_hash_slots
from capaflow.accounts.throttle import ThrottlePolicy, set_throttle_policy
from capaflow.audits.checklist import load_audit_policy
from capaflow.calendars import as_utc, resolve_now
from capaflow.config import PolicyFileError, Settings, load_policies
from capaflow.config.policies import Policies, validate_policies
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.errors import BadInput, Conflict
from capaflow.incidents.plans import load_plans
from capaflow.inspection.policy import load_inspection_policy
from capaflow.models.db import current_revision, get_engine, head_revision, is_initialised
from capaflow.notifications.routing import Routes, load_routes
from capaflow.scorecards.policy import load_scorecard_policy
from capaflow.servicedesk.policy import ServiceDesk, load_desk


@dataclass
class Runtime:
    """The resolved environment; the `*_text`/`database_url`/`config_path` given here win
    over the settings (None: the setting applies)."""

    settings: Settings = field(default_factory=Settings)
    database_url: str | None = None
    now_text: str | None = None
    config_path: str | None = None
    _checked_engine: Engine | None = field(default=None, init=False, repr=False)

    # --- the database ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.database_url or self.settings.database_url

    @property
    def shown_url(self) -> str:
        """The database URL as it may be printed: with its password masked."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return repr(self.url)

    def engine(self, *, check_schema: bool = True) -> Engine:
        """The engine of `url`; with `check_schema`, BadInput (field "db") unless the database
        can be opened and carries this capaflow's schema revision."""
        if not check_schema:
            return get_engine(self.url)
        if self._checked_engine is not None:
            return self._checked_engine
        self._refuse_missing_file()
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
        self._checked_engine = engine
        return engine

    def _refuse_missing_file(self) -> None:
        """A SQLite file that is not there: refused before connecting, since connecting would
        leave an empty file behind, and a refused command writes nothing."""
        try:
            url = make_url(self.url)
        except ArgumentError:
            return  # said by the engine's own refusal
        database = url.database or ""
        if (url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
                and not database.startswith("file:") and not Path(database).exists()):
            raise BadInput(
                f"db: {self.shown_url} does not exist yet; run `capa db upgrade` first "
                "(it creates it), or point CAPA_DATABASE_URL at the one you have",
                field="db",
            )

    # --- the clock ------------------------------------------------------------------------

    def clock(self) -> datetime:
        """Now, read afresh: the real clock unless `--now`/CAPA_NOW pins it."""
        try:
            text = self.now_text if self.now_text is not None else self.settings.now
            return as_utc(resolve_now(text))
        except ValueError as exc:
            raise BadInput(str(exc), field="now") from exc

    @cached_property
    def now(self) -> datetime:
        """Now, read once: a command's whole run sees one instant."""
        return self.clock()

    # --- the policies ---------------------------------------------------------------------

    @cached_property
    def _policies(self) -> tuple[dict[str, Any], Policies]:
        try:
            document = load_policies(self.config_path or self.settings.config)
        except PolicyFileError as exc:
            raise BadInput(str(exc), field="config") from exc
        return document, validate_policies(document)

    @property
    def document(self) -> dict[str, Any]:
        """The merged policy document, as `capa config show` prints it (checked)."""
        return self._policies[0]

    @property
    def policies(self) -> Policies:
        """The policies in force, typed."""
        return self._policies[1]

    @cached_property
    def deadline_policy(self) -> DeadlinePolicy:
        return load_policy(self.policies)

    @cached_property
    def service_desk(self) -> ServiceDesk:
        """`[service]` with each tier's hours resolved."""
        return load_desk(self.policies, signing_key=self.settings.secret_key)

    # --- the routes -----------------------------------------------------------------------

    @cached_property
    def routes(self) -> Routes:
        """The internal routes of the settings' routes file (absent: none)."""
        return load_routes(self.settings.routes)

    def check_policies(self) -> None:
        """Build every policy whose rules go beyond the typed model (the lifecycles' steps, the
        notice roles, the AQL series, the weights measured every month), so a bad override is
        refused here, naming its key, rather than on the first night a sweep or a monthly
        grading runs."""
        policies = self.policies
        load_inspection_policy(policies.inspection, timezone=policies.calendar.timezone)
        load_scorecard_policy(policies, self.deadline_policy.calendar,
                              deadlines=self.deadline_policy)
        load_audit_policy(policies)
        load_plans(policies)

    def start(self, *, check_schema: bool = True) -> Runtime:
        """Resolve the clock, the engine and every policy now, so a bad setting stops a
        server or a flow at its start. The routes stay lazy: only notifying reads them."""
        self.now  # noqa: B018
        self.engine(check_schema=check_schema)
        self.check_policies()
        self.apply_security()
        return self

    def apply_security(self) -> None:
        """`[security]` into this process's password hashing and throttle (per process: the
        hash slots bound this process's memory; the throttle's counts are rows)."""
        security = self.policies.security
        set_hash_slots(security.hash_slots)
        set_throttle_policy(ThrottlePolicy(
            throttle_after=security.throttle_after,
            base_delay=timedelta(seconds=security.throttle_base_delay),
            max_delay=timedelta(seconds=security.throttle_max_delay),
            reset=timedelta(seconds=security.throttle_reset),
            lockout_after=security.lockout_after,
        ))
