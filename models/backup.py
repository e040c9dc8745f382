"""Backing up and restoring a SQLite database with SQLite's online backup API; for PostgreSQL,
the refusal says how with pg_dump and pg_restore (docs/architecture.md, "Rows, not timers": the
database is the source of truth, so a copy of it is a copy of everything).

A backup is one self-contained SQLite file (journal mode DELETE, no -wal beside it), copied
page by page while the site keeps running: readers and writers go on, and the copy is one
consistent moment. A restore checks first that the file is an intact capaflow database at a
migration this code knows, and refuses to overwrite a database holding data unless forced.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from capaflow.errors import BadInput, Conflict
from capaflow.models.db import alembic_config, dispose_engines, head_revision


@dataclass(frozen=True)
class Copied:
    """What a backup or restore copied: the file, its schema revision and its rows."""

    path: str
    revision: str
    rows: int
    head: str | None  # the newest revision this code knows; revision != head: upgrade it

    @property
    def current(self) -> bool:
        return self.revision == self.head


def _pg_howto(what: str) -> str:
    if what == "backup":
        return ("db: capa db backup copies SQLite files only; back PostgreSQL up with "
                "pg_dump: pg_dump --format=custom --file=capaflow.dump \"$DATABASE_URL\" "
                "(the URL without '+psycopg')")
    return ("db: capa db restore writes SQLite files only; restore PostgreSQL with "
            "pg_restore: pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" "
            "capaflow.dump (the URL without '+psycopg')")


def sqlite_file(url: str, what: str) -> Path:
    """The file of a SQLite URL; BadInput (field "db") for PostgreSQL or a database in memory."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(f"db: {url!r} is not a database URL", field="db") from None
    if parsed.get_backend_name() == "postgresql":
        raise BadInput(_pg_howto(what), field="db")
    if parsed.get_backend_name() != "sqlite":
        raise BadInput(f"db: capa db {what} supports SQLite files (and says how for "
                       "PostgreSQL)", field="db")
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BadInput(f"db: a database in memory or given as a URI cannot be {what}d; "
                       "name a file", field="db")
    return Path(name)


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {r.revision for r in script.walk_revisions()}


def _describe(connection: sqlite3.Connection, path: Path, field: str) -> tuple[str, int]:
    """The capaflow revision and row count of an open SQLite database; BadInput otherwise."""
    try:
        check = connection.execute("PRAGMA quick_check").fetchone()
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"{field}: {path} is not a SQLite database ({exc})", field=field) from None
    if not check or check[0] != "ok":
        raise BadInput(f"{field}: {path} is damaged (quick_check: {check and check[0]})",
                       field=field)
    if "alembic_version" not in tables:
        raise BadInput(f"{field}: {path} is not a capaflow database (no schema revision)",
                       field=field)
    versions = [r[0] for r in connection.execute("SELECT version_num FROM alembic_version")]
    if len(versions) != 1 or versions[0] not in _known_revisions():
        raise BadInput(
            f"{field}: {path} is at schema revision {', '.join(versions) or 'none'}, which "
            f"this capaflow does not know (newest: {head_revision()})", field=field)
    rows = sum(
        connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables if table != "alembic_version"
    )
    return versions[0], rows


def _open_existing(path: Path, field: str) -> sqlite3.Connection:
    if not path.is_file():
        raise BadInput(f"{field}: {path} does not exist or is not a file", field=field)
    try:
        # Read-only: checking a file must not create or change it.
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BadInput(f"{field}: cannot open {path}: {exc}", field=field) from None


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # The online backup API: a consistent copy while others keep reading and writing; pages
    # are copied in steps so a busy site is not held up for the whole copy.
    source.backup(target, pages=1024)


def _path(value: str | Path, field: str) -> Path:
    """A path the operator typed, or BadInput naming `field`: the operating system refuses
    some (a NUL byte, a name too long) with errors that are not about the database."""
    text = str(value)
    if not text.strip() or "\x00" in text or len(text) > 4096:
        raise BadInput(f"{field}: {text[:80]!r} is not a file path", field=field)
    path = Path(text)
    try:
        path.exists()
    except (OSError, ValueError) as exc:
        raise BadInput(f"{field}: {text[:80]!r} is not a usable path: {exc}",
                       field=field) from None
    return path


def backup(url: str, target: str | Path) -> Copied:
    """Copy the SQLite database of `url` to the new file `target`."""
    source_path = sqlite_file(url, "backup")
    target = _path(target, "path")
    if target.exists():
        raise BadInput(f"path: {target} exists; a backup never overwrites a file", field="path")
    if not target.parent.is_dir():
        raise BadInput(f"path: the folder {target.parent} does not exist", field="path")
    with closing(_open_existing(source_path, "db")) as source:
        revision, rows = _describe(source, source_path, "db")
        # Written under a temporary name and renamed when complete: a backup cut short
        # (disk full, a kill) never leaves a file that looks like a good one.
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            with closing(sqlite3.connect(partial)) as copy:
                _copy(source, copy)
                # One self-contained file, whatever the live database's journal mode.
                copy.execute("PRAGMA journal_mode=DELETE")
            os.replace(partial, target)
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise BadInput(f"path: cannot write {target}: {exc}", field="path") from None
    return Copied(path=str(target), revision=revision, rows=rows, head=head_revision())


def restore(url: str, source: str | Path, *, force: bool = False) -> Copied:
    """Replace the SQLite database of `url` with the backup `source`.

    BadInput when the backup is not an intact capaflow database at a known revision; Conflict
    (field "db") when the database holds rows and `force` is not given."""
    target_path = sqlite_file(url, "restore")
    source = _path(source, "path")
    with closing(_open_existing(source, "path")) as backup_file:
        revision, rows = _describe(backup_file, source, "path")
        if target_path.exists() and target_path.stat().st_size > 0 and not force:
            with closing(_open_existing(target_path, "db")) as existing:
                try:
                    held = _describe(existing, target_path, "db")[1]
                except BadInput:
                    held = -1  # not an (intact) capaflow database: not ours to overwrite
            if held != 0:
                what = f"holds {held} rows" if held > 0 else "is not an empty capaflow database"
                raise Conflict(f"db: {target_path} {what}; restoring would replace them: "
                               "give --force to replace it", field="db")
        if not target_path.parent.is_dir():
            raise BadInput(f"db: the folder {target_path.parent} does not exist", field="db")
        # This process's pooled connections would keep reading the old pages.
        dispose_engines()
        try:
            # Into the live file through SQLite itself (not a file copy): its -wal and locks
            # are honoured, and a process that has it open sees the restored database.
            with closing(sqlite3.connect(target_path, timeout=10)) as target:
                _copy(backup_file, target)
        except sqlite3.Error as exc:
            raise Conflict(f"db: cannot write {target_path}: {exc}", field="db") from None
    return Copied(path=str(target_path), revision=revision, rows=rows, head=head_revision())
