"""`capa db backup PATH` and `capa db restore PATH`: SQLite's online backup, a restore that
checks what it restores and never overwrites data unasked, and PostgreSQL told how with
pg_dump / pg_restore. Real SQLite files throughout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from capaflow.models.db import dispose_engines, head_revision, upgrade
from tests.cli.support import add_supplier, ok, open_8d, refused, step
from tests.conftest import T0
from tests.helpers import capa, snapshot

PG = "postgresql+psycopg://capa:secret@127.0.0.1:9/capa"


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "live.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


def _fill(url: str) -> int:
    add_supplier(url)
    case = open_8d(url, "--supplier", "ACME")
    step(url, case, "contain", T0, containment="Sorted 1,200 housings")
    return case


def test_a_backup_restored_over_later_changes_gives_back_every_row(
    sqlite_db: str, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    at_backup = snapshot(sqlite_db)
    made = ok(sqlite_db, "db", "backup", str(tmp_path / "capa.backup"))
    assert made["revision"] == head_revision() and made["current"] and made["rows"] > 0
    # The backup is one file of its own: no -wal beside it, readable with sqlite3 alone.
    assert not (tmp_path / "capa.backup-wal").exists()
    with sqlite3.connect(tmp_path / "capa.backup") as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    open_8d(sqlite_db, title="Opened after the backup")
    assert snapshot(sqlite_db) != at_backup
    # The database holds data: only with --force.
    refused(sqlite_db, "db", "restore", str(tmp_path / "capa.backup"), exit_code=4,
            field="db", says=("--force",))
    restored = ok(sqlite_db, "db", "restore", str(tmp_path / "capa.backup"), "--force")
    assert restored["rows"] == made["rows"]
    dispose_engines()
    assert snapshot(sqlite_db) == at_backup
    assert ok(sqlite_db, "audit", "verify")["ok"] is True
    # And the restored database is in use as ever.
    open_8d(sqlite_db, title="Opened after the restore")


def test_a_backup_copies_what_is_committed_while_a_writer_holds_a_transaction(
    sqlite_db: str, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    at_backup = snapshot(sqlite_db)
    writer = sqlite3.connect(sqlite_db.removeprefix("sqlite:///"))
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE cases SET title = 'not committed'")
        ok(sqlite_db, "db", "backup", str(tmp_path / "online.backup"))
    finally:
        writer.rollback()
        writer.close()
    fresh = tmp_path / "fresh.db"
    ok(f"sqlite:///{fresh}", "db", "restore", str(tmp_path / "online.backup"))
    assert snapshot(f"sqlite:///{fresh}") == at_backup


def test_a_restore_into_an_empty_database_needs_no_force(
    sqlite_db: str, tmp_path: Path, sqlite_template: Path
) -> None:
    _fill(sqlite_db)
    ok(sqlite_db, "db", "backup", str(tmp_path / "b.db"))
    empty = tmp_path / "empty.db"
    empty.write_bytes(sqlite_template.read_bytes())
    ok(f"sqlite:///{empty}", "db", "restore", str(tmp_path / "b.db"))
    assert snapshot(f"sqlite:///{empty}") == snapshot(sqlite_db)


def test_a_backup_never_overwrites_a_file(sqlite_db: str, tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("mine")
    refused(sqlite_db, "db", "backup", str(kept), exit_code=2, field="path", says=("exists",))
    refused(sqlite_db, "db", "backup", str(tmp_path / "no" / "such" / "b.db"), exit_code=2,
            field="path")
    assert kept.read_text() == "mine"


def _not_capaflow(path: Path) -> None:
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
        other.execute("INSERT INTO notes VALUES ('x')")


def _unknown_revision(path: Path, template: Path) -> None:
    path.write_bytes(template.read_bytes())
    with sqlite3.connect(path) as other:
        other.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")


@pytest.mark.parametrize(("make", "says"), [
    ("missing", "does not exist"),
    ("text", "not a SQLite database"),
    ("other_sqlite", "not a capaflow database"),
    ("future", "does not know"),
])
def test_a_restore_checks_the_backup_is_a_capaflow_database_at_a_known_migration(
    sqlite_db: str, tmp_path: Path, sqlite_template: Path, make: str, says: str
) -> None:
    _fill(sqlite_db)
    bad = tmp_path / "bad.db"
    if make == "text":
        bad.write_text("supplier,part\nACME,P1\n" * 100)
    elif make == "other_sqlite":
        _not_capaflow(bad)
    elif make == "future":
        _unknown_revision(bad, sqlite_template)
    # Even --force does not restore what is not a capaflow backup.
    refused(sqlite_db, "db", "restore", str(bad), "--force", exit_code=2, field="path",
            says=(says,))


def test_a_restore_over_a_file_that_is_not_an_empty_capaflow_database_needs_force(
    sqlite_db: str, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    ok(sqlite_db, "db", "backup", str(tmp_path / "b.db"))
    other = tmp_path / "other.db"
    _not_capaflow(other)
    refused(f"sqlite:///{other}", "db", "restore", str(tmp_path / "b.db"), exit_code=4,
            field="db", unchanged=False)
    with sqlite3.connect(other) as still:
        assert still.execute("SELECT text FROM notes").fetchall() == [("x",)]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_is_refused_with_how_to_do_it_with_its_own_tools(
    tmp_path: Path, command: str
) -> None:
    tool = "pg_dump" if command == "backup" else "pg_restore"
    error = refused(None, "db", command, str(tmp_path / "capa.dump"), "--db", PG,
                    exit_code=2, field="db", says=(tool,), now=None, unchanged=False)
    assert "secret" not in error["message"]
    assert not (tmp_path / "capa.dump").exists()


def test_an_older_backup_is_restored_and_says_to_upgrade(
    sqlite_db: str, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0011")
    dispose_engines()
    fresh = tmp_path / "fresh.db"
    result = capa("db", "restore", str(old), "--db", f"sqlite:///{fresh}")
    assert result.exit_code == 0, result.stderr
    assert "capa db upgrade" in result.stdout
    assert capa("db", "upgrade", "--db", f"sqlite:///{fresh}").exit_code == 0
