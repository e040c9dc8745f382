"""Refusals keep the CLI contract (docs/architecture.md, "Exit codes"): exit 2 bad input, 3 not
found, 4 conflict; a
one-line message naming the field on stderr; with `--json` an error document on stdout; and on
any non-zero exit not one row written (every table compared before and after).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cli.support import D, add_supplier, deadline, iso, ok, open_8d, refused, show, step
from tests.conftest import T0
from tests.helpers import capa, capa_json

# The world every refusal is tried against: a supplier, an 8D case in containment (1), one in
# root cause (2), and a PDCA case in plan (3).
IN_CONTAINMENT, IN_ROOT_CAUSE, PDCA_IN_PLAN = "1", "2", "3"


@pytest.fixture
def world(db_url: str) -> str:
    add_supplier(db_url, "ACME", "--contact", "mailto://quality:secret@example.com")
    assert open_8d(db_url, "--supplier", "ACME") == 1
    assert open_8d(db_url, "--supplier", "ACME", title="Burr on bracket") == 2
    step(db_url, 2, "contain", T0 + D, containment="Sorted stock")
    ok(db_url, "case", "open", "--lifecycle", "pdca", "--title", "Less rework")
    return db_url


# --- steps of a case -------------------------------------------------------------------------


def test_advance_with_unknown_trigger_exits_2_names_the_trigger_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "fly",
            exit_code=2, field="trigger", says=["trigger", "'fly'", "contain"])


def test_advance_with_trigger_not_allowed_in_state_exits_4_lists_allowed_and_writes_nothing(
    world: str,
) -> None:
    error = refused(
        world, "case", "advance", IN_CONTAINMENT, "implement_countermeasure",
        "--field", "countermeasure=New die",
        exit_code=4, field="trigger",
        says=["implement_countermeasure", "containment", "allowed: contain, cancel"],
    )
    assert error["allowed"] == ["contain", "cancel"]


def test_advance_with_missing_field_exits_2_names_the_field_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain",
            exit_code=2, field="containment", says=["containment"])


def test_advance_missing_one_of_several_required_fields_names_that_field(world: str) -> None:
    refused(world, "case", "advance", IN_ROOT_CAUSE, "find_root_cause",
            "--field", "root_cause=Worn punch", "--field", "category=machine",
            exit_code=2, field="escape_point", says=["escape_point"])


def test_advance_with_blank_required_field_exits_2_names_the_field(world: str) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain", "--field", "containment=   ",
            exit_code=2, field="containment", says=["containment"])


def test_advance_with_unknown_field_exits_2_names_the_field_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain",
            "--field", "containment=Sorted stock", "--field", "colour=red",
            exit_code=2, field="colour", says=["colour", "containment"])


def test_advance_with_category_outside_5m1e_exits_2_names_category_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "advance", IN_ROOT_CAUSE, "find_root_cause",
            "--field", "root_cause=Worn punch", "--field", "escape_point=No gauge",
            "--field", "category=money",
            exit_code=2, field="category", says=["category", "money", "measurement"])


def test_advance_with_bad_complexity_exits_2_names_complexity(world: str) -> None:
    refused(world, "case", "advance", IN_ROOT_CAUSE, "find_root_cause",
            "--field", "root_cause=Worn punch", "--field", "escape_point=No gauge",
            "--field", "category=machine", "--field", "complexity=tricky",
            exit_code=2, field="complexity", says=["complexity", "general", "complex"])


def test_pdca_evaluate_with_met_not_true_or_false_exits_2_names_met(world: str) -> None:
    step(world, int(PDCA_IN_PLAN), "execute", T0 + D, target="rework < 1 %", plan="Poka-yoke")
    step(world, int(PDCA_IN_PLAN), "measure", T0 + 2 * D, result="0.8 %")
    refused(world, "case", "advance", PDCA_IN_PLAN, "evaluate", "--field", "met=maybe",
            exit_code=2, field="met", says=["met", "true", "false"], now=T0 + 3 * D)


def test_advance_with_field_missing_equals_sign_exits_2_and_writes_nothing(world: str) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain", "--field", "containment",
            exit_code=2, field="field", says=["--field", "'containment'", "NAME=VALUE"])


def test_advance_with_the_same_field_twice_exits_2_names_the_field(world: str) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain",
            "--field", "containment=a", "--field", "containment=b",
            exit_code=2, field="containment", says=["containment", "twice"])


def test_advance_with_stale_version_exits_4_and_writes_nothing(world: str) -> None:
    version = show(world, 1)["version"]
    step_args = ("--field", "containment=Sorted stock", "--version", str(version))
    moved = ok(world, "case", "advance", IN_CONTAINMENT, "contain", *step_args, now=T0 + 1 * D)
    assert moved["case"]["version"] > version
    # A second person, still looking at the old version, tries a step: refused.
    refused(world, "case", "advance", IN_CONTAINMENT, "cancel", "--field", "reason=duplicate",
            "--version", str(version),
            exit_code=4, field="version", says=[f"not {version}", "version"], now=T0 + 2 * D)
    assert show(world, 1)["state"] == "root_cause"


# --- not found ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "history", "report"])
def test_reading_an_unknown_case_exits_3(world: str, command: str) -> None:
    refused(world, "case", command, "99", exit_code=3, field="case", says=["case 99"])


def test_advancing_an_unknown_case_exits_3_and_writes_nothing(world: str) -> None:
    refused(world, "case", "advance", "99", "contain", "--field", "containment=Sorted",
            exit_code=3, field="case", says=["case 99"])


def test_open_with_unknown_supplier_exits_3_names_the_supplier_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "open", "--title", "Dent", "--supplier", "NOPE",
            exit_code=3, field="supplier", says=["supplier", "'NOPE'"])


def test_supplier_show_and_case_list_of_unknown_supplier_exit_3(world: str) -> None:
    refused(world, "supplier", "show", "NOPE", exit_code=3, field="supplier", says=["'NOPE'"])
    refused(world, "case", "list", "--supplier", "NOPE",
            exit_code=3, field="supplier", says=["'NOPE'"])


# --- suppliers ---------------------------------------------------------------------------------


def test_adding_a_supplier_code_twice_exits_4_and_writes_nothing(world: str) -> None:
    refused(world, "supplier", "add", "ACME", "--name", "Another Acme",
            exit_code=4, field="code", says=["code", "'ACME'", "already exists"])


def test_supplier_add_with_a_non_apprise_url_exits_2_names_the_role_and_hides_the_password(
    world: str,
) -> None:
    error = refused(world, "supplier", "add", "NEWCO", "--name", "New Co",
                    "--contact", "bogus://quality:secret@example.com",
                    exit_code=2, field="contact", says=["contact", "Apprise URL"])
    assert "secret" not in error["message"]
    refused(world, "supplier", "add", "NEWCO", "--name", "New Co",
            "--executive", "ceo@example.com",
            exit_code=2, field="executive", says=["executive"])


def test_supplier_add_with_a_malformed_code_exits_2_names_code(world: str) -> None:
    refused(world, "supplier", "add", "has space", "--name", "X",
            exit_code=2, field="code", says=["code"])


# --- opening a case ----------------------------------------------------------------------------


def test_open_with_unknown_severity_exits_2_names_severity_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "open", "--title", "Dent", "--severity", "catastrophic",
            exit_code=2, field="severity", says=["severity", "minor, major, critical"])


def test_open_with_unknown_lifecycle_exits_2_names_lifecycle_and_writes_nothing(
    world: str,
) -> None:
    refused(world, "case", "open", "--title", "Dent", "--lifecycle", "six_sigma",
            exit_code=2, field="lifecycle", says=["lifecycle", "six_sigma", "8d", "pdca"])


def test_open_with_blank_title_exits_2_names_title(world: str) -> None:
    refused(world, "case", "open", "--title", "   ",
            exit_code=2, field="title", says=["title"])


def test_unknown_lifecycle_or_state_in_list_and_lifecycle_show_exits_2(world: str) -> None:
    refused(world, "case", "list", "--lifecycle", "six_sigma",
            exit_code=2, field="lifecycle", says=["lifecycle", "six_sigma"])
    refused(world, "case", "list", "--state", "limbo",
            exit_code=2, field="state", says=["state", "limbo"])
    refused(None, "lifecycle", "show", "six_sigma",
            exit_code=2, field="lifecycle", says=["lifecycle", "six_sigma"])


# --- the clock ---------------------------------------------------------------------------------


def test_malformed_now_exits_2_names_now_and_writes_nothing(world: str) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain", "--field", "containment=Sorted",
            exit_code=2, field="now", says=["now", "next tuesday", "ISO-8601"],
            now="next tuesday")
    refused(world, "case", "open", "--title", "Dent",
            exit_code=2, field="now", says=["now"], now="2026-13-45T09:00:00+00:00")


def test_naive_now_without_offset_exits_2_names_now_and_writes_nothing(world: str) -> None:
    refused(world, "case", "advance", IN_CONTAINMENT, "contain", "--field", "containment=Sorted",
            exit_code=2, field="now", says=["now", "offset"], now="2026-03-02T09:00:00")
    refused(world, "case", "open", "--title", "Dent",
            exit_code=2, field="now", says=["now", "offset"], now="2026-03-02T09:00:00")


# --- the database ------------------------------------------------------------------------------


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]


def test_db_never_upgraded_exits_2_says_run_capa_db_upgrade_and_creates_no_tables(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fresh.db"
    path.touch()
    url = f"sqlite:///{path}"
    refused(url, "case", "open", "--title", "Dent",
            exit_code=2, field="db", says=["db", "capa db upgrade"], unchanged=False)
    refused(url, "supplier", "add", "ACME", "--name", "Acme",
            exit_code=2, field="db", says=["capa db upgrade"], unchanged=False)
    refused(url, "case", "show", "1",
            exit_code=2, field="db", says=["capa db upgrade"], unchanged=False)
    assert _tables(path) == []


# --- the policy override file ------------------------------------------------------------------


def test_config_override_file_that_does_not_exist_exits_2_names_it_and_writes_nothing(
    world: str, tmp_path: Path,
) -> None:
    missing = str(tmp_path / "site.toml")
    refused(world, "case", "open", "--title", "Dent", "--config", missing,
            exit_code=2, field="config", says=["config", missing])
    refused(world, "case", "advance", IN_CONTAINMENT, "contain",
            "--field", "containment=Sorted", "--config", missing,
            exit_code=2, field="config", says=[missing])
    refused(None, "config", "show", "--config", missing,
            exit_code=2, field="config", says=[missing])


def test_config_override_with_bad_duration_exits_2_names_the_key_path_and_writes_nothing(
    world: str, tmp_path: Path,
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[deadlines.8d.containment]\ndue = "7x"\n', encoding="utf-8")
    key = "deadlines.8d.containment.due"
    refused(world, "case", "open", "--title", "Dent", "--config", str(site),
            exit_code=2, field=key, says=[key, "7x"])
    refused(world, "case", "advance", IN_CONTAINMENT, "contain",
            "--field", "containment=Sorted", "--config", str(site),
            exit_code=2, field=key, says=[key])
    refused(None, "config", "show", "--config", str(site),
            exit_code=2, field=key, says=[key])


def test_config_override_that_is_not_toml_exits_2_names_the_file(
    world: str, tmp_path: Path,
) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[deadlines.8d.containment\n", encoding="utf-8")
    refused(world, "case", "open", "--title", "Dent", "--config", str(site),
            exit_code=2, field="config", says=[str(site), "TOML"])


def test_config_override_of_containment_to_12h_sets_the_due_time_of_a_new_case(
    db_url: str, tmp_path: Path,
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[deadlines.8d.containment]\ndue = "12h"\n', encoding="utf-8")

    policies = capa_json("config", "show", "--config", str(site))
    containment = policies["deadlines"]["8d"]["containment"]
    assert containment["due"] == "12h"
    # Tables merge key by key: the rest of the milestone and the other milestones stay.
    assert containment["met_by"] == ["contain"]
    assert policies["deadlines"]["8d"]["root_cause"]["due"] == "3d"

    strict = ok(db_url, "case", "open", "--title", "Dent", "--config", str(site))["case"]["id"]
    default = open_8d(db_url, title="Scratch")
    assert deadline(show(db_url, strict), "containment")["due_at"] == iso(T0 + D / 2)
    assert deadline(show(db_url, default), "containment")["due_at"] == iso(T0 + D)



# --- refused before anything is read or printed ------------------------------------------------


def test_case_show_with_naive_now_exits_2_before_printing_any_of_the_case(world: str) -> None:
    # Without --json the case is printed as text; none of it may come before the refusal.
    refused(world, "case", "show", IN_CONTAINMENT,
            exit_code=2, field="now", says=["now", "offset"], now="2026-03-02T09:00:00")


@pytest.mark.parametrize("command", [
    ("case", "history", "1"),
    ("case", "report", "1"),
    ("supplier", "list"),
    ("audit", "verify"),
    ("config", "show"),
    ("lifecycle", "show", "8d"),
])
def test_commands_that_never_read_the_clock_still_refuse_a_malformed_now(
    sqlite_url: str, command: tuple[str, ...],
) -> None:
    open_8d(sqlite_url)
    refused(sqlite_url, *command, exit_code=2, field="now", says=["now"], now="next tuesday")
    result = capa(*command, "--db", sqlite_url, env={"CAPA_NOW": "next tuesday"})
    assert result.exit_code == 2, "CAPA_NOW is checked like --now"


# --- a database that cannot be used ------------------------------------------------------------


def test_db_url_that_is_not_a_url_exits_2_names_db() -> None:
    refused("notaurl", "case", "show", "1",
            exit_code=2, field="db", says=["db", "notaurl"], unchanged=False)


def test_db_that_cannot_be_opened_exits_2_with_a_one_line_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'capa.db'}"
    # A SQLite file that is not there is refused before connecting: no file is left behind.
    refused(url, "case", "show", "1",
            exit_code=2, field="db", says=["db", "does not exist yet", "capa db upgrade"],
            unchanged=False)
    assert not (tmp_path / "no").exists()


def test_database_password_never_appears_in_output_even_when_the_login_fails(
    postgres_migrated: str,
) -> None:
    # The test's own migrated database (under xdist, the worker's; the one named otherwise).
    password = "Pw-not-to-be-shown-42"
    wrong = (make_url(postgres_migrated).set(password=password)
             .render_as_string(hide_password=False))
    error = refused(wrong, "case", "show", "1",
                    exit_code=2, field="db", says=["db", "cannot open"], unchanged=False)
    assert password not in error["message"]
    result = capa("case", "show", "1", "--db", wrong, "--now", iso(T0))
    assert password not in result.stdout + result.stderr

    # A working login is echoed by `db upgrade`, masked too.
    real_password = make_url(postgres_migrated).password
    assert real_password
    upgraded = capa_json("db", "upgrade", "--db", postgres_migrated, "--now", iso(T0))
    assert f":{real_password}@" not in upgraded["database"]
    assert upgraded["status"] == "up to date"
