"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import json
from datetime import timedelta

from alembic import command
from sqlalchemy import inspect

from capaflow.accounts import add_user
from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import (
    alembic_config,
    current_revision,
    get_engine,
    head_revision,
    session_scope,
    upgrade,
)
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import capa


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    # `alembic check` autogenerates a diff and fails if a model changed without a migration.
    command.check(alembic_config(db_url))


def test_upgrade_is_safe_to_run_twice(db_url: str) -> None:
    upgrade(db_url)
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"suppliers", "cases", "case_events", "deadlines", "notifications",
            "defect_events"} <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_upgrading_a_database_with_cases_keeps_them_and_sets_deadline_kinds(db_url: str) -> None:
    """0001 → head with data in it: the batch copy of `cases` on SQLite must not trip over
    the foreign keys pointing at it, and the new `kind` column is filled in."""
    command.downgrade(alembic_config(db_url), "base")
    upgrade(db_url, "0001")
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO suppliers (code, name, created_at) VALUES ('ACME', 'Acme', "
            "'2026-03-02 09:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO cases (lifecycle, state, title, supplier_id, severity, complexity, "
            "cycle, reopen_count, occurrences, content, head_hash, event_count, version, "
            "opened_at, updated_at) VALUES ('8d', 'effectiveness_tracking', 'Burr', 1, "
            "'major', 'general', 1, 0, 1, '{}', '', 0, 1, '2026-03-02 09:00:00', "
            "'2026-03-02 09:00:00')")
        for key in ("effectiveness_review", "effectiveness_window", "root_cause"):
            conn.exec_driver_sql(
                "INSERT INTO deadlines (case_id, key, title, sequence, started_by, started_seq,"
                " met_by, started_at, due_at, status, escalation_level, held_seconds) VALUES "
                f"(1, '{key}', 't', 1, 'x', 1, '[]', '2026-03-02 09:00:00', "
                "'2026-04-02 09:00:00', 'pending', 0, 0)")
    upgrade(db_url)
    with engine.connect() as conn:
        kinds = {key: kind for key, kind in conn.exec_driver_sql("SELECT key, kind FROM deadlines")}
        titles = conn.exec_driver_sql("SELECT title FROM cases").scalars().all()
    assert kinds == {"effectiveness_review": "review", "effectiveness_window": "window",
                     "root_cause": "obligation"}
    assert titles == ["Burr"]
    command.check(alembic_config(db_url))


def test_a_command_on_an_older_schema_exits_2_and_says_to_upgrade(sqlite_url: str) -> None:
    command.downgrade(alembic_config(sqlite_url), "0001")
    result = capa("case", "list", "--db", sqlite_url)
    assert result.exit_code == 2
    assert "has schema revision 0001" in result.stderr and "capa db upgrade" in result.stderr


def test_upgrading_marks_the_incoming_defect_a_rejected_lot_wrote_and_keeps_old_grades(
    db_url: str,
) -> None:
    """0009 → head: an incoming defect event that copies a rejected lot (supplier, part,
    defect code, moment, quantity: what `inspect record` wrote) is marked as that lot's; one
    recorded by hand is not, and counts in the grade. Stored grades stay graded."""
    command.downgrade(alembic_config(db_url), "0009")
    engine = get_engine(db_url)
    at = "'2026-02-10 09:00:00'"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO suppliers (code, name, created_at) VALUES ('ACME', 'Acme', {at})")
        conn.exec_driver_sql(
            "INSERT INTO inspection_lots (supplier_id, part, lot, lot_size, sample_size, "
            "defects, defect_code, severity, accepted, inspected_at, recorded_at) VALUES "
            f"(1, 'P-1', 'L1', 500, 50, 4, 'BURR', 'normal', false, {at}, {at})")
        for quantity, code in ((4, "BURR"), (40, "SCRATCH")):
            conn.exec_driver_sql(
                "INSERT INTO defect_events (supplier_id, part, defect_code, quantity, "
                f"occurred_at, recorded_at, source) VALUES (1, 'P-1', '{code}', {quantity}, "
                f"{at}, {at}, 'incoming')")
        conn.exec_driver_sql(
            "INSERT INTO scorecards (supplier_id, month, score, grade, components, "
            f"computed_at) VALUES (1, '2026-02', 91.5, 'A', '{{}}', {at})")
    upgrade(db_url)
    with engine.connect() as conn:
        marks = conn.exec_driver_sql(
            "SELECT quantity, inspection_lot_id FROM defect_events ORDER BY id").all()
        grades = conn.exec_driver_sql(
            "SELECT grade, score, not_graded_reason FROM scorecards").all()
    assert [tuple(m) for m in marks] == [(4, 1), (40, None)]
    assert [tuple(g) for g in grades] == [("A", 91.5, None)]
    command.check(alembic_config(db_url))


def _rows_of(
    url: str, tables: list[str], columns: dict[str, list[str]]
) -> dict[str, list[tuple[str, ...]]]:
    """Every row of the named tables in the named columns, as text (the schema of revision
    0011 is not today's, so tests.helpers.snapshot, which reads today's models, cannot be
    used; a later migration may add columns, which are not compared)."""
    with get_engine(url).connect() as conn:
        return {
            table: sorted(
                tuple(json.dumps(v, sort_keys=True, default=str) for v in row)
                for row in conn.exec_driver_sql(
                    "SELECT " + ", ".join(f'"{c}"' for c in columns[table])
                    + f' FROM "{table}"')
            )
            for table in tables
        }


def test_upgrading_a_database_of_the_previous_release_keeps_every_row_and_the_chain(
    db_url: str, policy: DeadlinePolicy
) -> None:
    """A database of the previous release's schema (0011) filled with what it held in use:
    suppliers, cases stepped with their events, deadlines and notices, a user. The rows are
    written by today's services, then the database is taken down to 0011 (so its rows are
    exactly what that schema holds), and upgraded again with `capa db upgrade`: not a row is
    lost or changed in the columns 0011 had, and the audit chain verifies."""
    engine = get_engine(db_url)
    with session_scope(engine) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1",
                 now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact="mailto://q@x.example",
                         quality_head=None, executive=None, now=T0)
        cases = [
            open_case(session, lifecycle="8d", title=f"Cracked housing from {code}",
                      supplier_code=code, part="P1", defect_code="CRACK", severity="major",
                      complex_cause=False, owner="lead", team=None, problem="cracks",
                      actor="lead", now=T0, policy=policy).case.id
            for code in ("ACME", "BETA")
        ]
        assert cases[0] is not None
        advance(session, case_id=cases[0], trigger="contain",
                fields={"containment": "Sorted 1,200 housings"}, note=None, actor="lead",
                now=T0 + timedelta(hours=5), policy=policy)
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0011")
    engine = get_engine(db_url)
    tables = sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})
    columns = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in tables}
    before = _rows_of(db_url, tables, columns)
    for table in ("suppliers", "cases", "case_events", "deadlines", "notifications", "users"):
        assert before[table], f"no {table} rows to carry over"
    engine.dispose()

    result = capa("db", "upgrade", "--db", db_url)
    assert result.exit_code == 0, result.stderr

    assert _rows_of(db_url, tables, columns) == before
    assert current_revision(get_engine(db_url)) == head_revision()
    verified = capa("audit", "verify", "--db", db_url, "--json")
    assert verified.exit_code == 0, verified.stdout
    assert json.loads(verified.stdout)["events"] == len(before["case_events"])
