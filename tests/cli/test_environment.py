"""How `capa` meets its environment (docs/architecture.md, "Command line"): CAPA_DATABASE_URL,
CAPA_NOW and CAPA_CONFIG
in place of the options, one JSON document per `--json` command, times with offsets, and the
installed console script with its exit codes outside the in-process runner.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import D, H, deadline, iso
from tests.conftest import T0
from tests.helpers import capa, capa_json


def _env(db_url: str, now: datetime) -> dict[str, str]:
    return {"CAPA_DATABASE_URL": db_url, "CAPA_NOW": iso(now)}


def test_capa_database_url_and_capa_now_stand_in_for_db_and_now(
    db_url: str, tmp_path: Path,
) -> None:
    env = _env(db_url, T0)
    added = capa("supplier", "add", "ACME", "--name", "Acme Castings", env=env)
    assert added.exit_code == 0, added.stderr
    opened = capa("case", "open", "--title", "Dent", "--supplier", "ACME", env=env)
    assert opened.exit_code == 0, opened.stderr

    case = capa_json("case", "show", "1", env=env)
    assert (case["supplier"], case["state"]) == ("ACME", "containment")
    assert case["opened_at"] == iso(T0)
    containment = deadline(case, "containment")
    assert containment["due_at"] == iso(T0 + D)
    assert containment["overdue"] is False

    # CAPA_NOW is the clock the command judges by: 25 h later containment is overdue.
    later = capa_json("case", "show", "1", env=_env(db_url, T0 + 25 * H))
    assert deadline(later, "containment")["overdue"] is True
    # The default database (a SQLite file in the working directory) was never touched.
    assert not (tmp_path / "capaflow.db").exists()


def test_db_and_now_options_win_over_the_environment_variables(
    db_url: str, tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    env = {"CAPA_DATABASE_URL": f"sqlite:///{elsewhere}", "CAPA_NOW": iso(T0)}
    result = capa("case", "open", "--title", "Dent", "--json",
                  "--db", db_url, "--now", iso(T0 + 3 * H), env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["case"]["opened_at"] == iso(T0 + 3 * H)
    assert _opened_at(db_url) == iso(T0 + 3 * H)
    assert not elsewhere.exists()


def _opened_at(db_url: str) -> str:
    opened_at: str = capa_json("case", "show", "1", env=_env(db_url, T0))["opened_at"]
    return opened_at


def test_capa_config_stands_in_for_config(db_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[deadlines.8d.containment]\ndue = "12h"\n', encoding="utf-8")
    env = _env(db_url, T0) | {"CAPA_CONFIG": str(site)}

    policies = capa_json("config", "show", env=env)
    assert policies["deadlines"]["8d"]["containment"]["due"] == "12h"
    opened = capa_json("case", "open", "--title", "Dent", env=env)
    assert [d["due_at"] for d in opened["deadlines"]["started"]] == [iso(T0 + 12 * H)]
    case = capa_json("case", "show", str(opened["case"]["id"]), env=env)
    assert deadline(case, "containment")["due_at"] == iso(T0 + 12 * H)


def test_every_json_command_prints_exactly_one_json_document_and_nothing_on_stderr(
    db_url: str,
) -> None:
    commands: list[tuple[str, ...]] = [
        ("db", "upgrade"),
        ("supplier", "add", "ACME", "--name", "Acme Castings",
         "--contact", "mailto://quality:secret@example.com"),
        ("supplier", "list"),
        ("case", "open", "--title", "Dent", "--supplier", "ACME", "--team", "lena"),
        ("case", "advance", "1", "contain", "--field", "containment=Sorted stock",
         "--note", "all 3 lots"),
        ("case", "show", "1"),
        ("case", "list"),
        ("case", "history", "1"),
        ("case", "report", "1"),
        ("supplier", "show", "ACME"),
        ("audit", "verify"),
        ("lifecycle", "show", "8d"),
        ("lifecycle", "show", "pdca"),
        ("config", "show"),
    ]
    for command in commands:
        result = capa(*command, "--json", "--db", db_url, "--now", iso(T0 + H))
        assert result.exit_code == 0, (command, result.stderr)
        assert result.stderr == "", (command, result.stderr)
        # json.loads refuses trailing text, so this also proves there is only one document.
        document = json.loads(result.stdout)
        assert isinstance(document, dict | list), command


def _times(value: Any, key: str = "") -> list[str]:
    """Every value under a key that names a moment (`at`, `..._at`) in a JSON document."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _times(v, k)]
    if isinstance(value, list):
        return [t for item in value for t in _times(item, key)]
    if (key == "at" or key.endswith("_at")) and value is not None:
        assert isinstance(value, str), (key, value)
        return [value]
    return []


def test_times_in_json_are_iso8601_with_offset_written_in_utc(db_url: str) -> None:
    tokyo = "2026-03-02T18:00:00+09:00"  # the same instant as T0
    assert datetime.fromisoformat(tokyo) == T0

    def run(*args: str, at: str = tokyo) -> Any:
        return capa_json(*args, "--db", db_url, "--now", at)

    documents = [
        run("supplier", "add", "ACME", "--name", "Acme Castings"),
        run("case", "open", "--title", "Dent", "--supplier", "ACME"),
        run("case", "advance", "1", "contain", "--field", "containment=Sorted",
            at="2026-03-02T12:30:00-05:00"),
        run("case", "show", "1"),
        run("case", "list"),
        run("case", "history", "1"),
        run("supplier", "show", "ACME"),
    ]
    times = [t for document in documents for t in _times(document)]
    assert len(times) >= 15, times
    for text in times:
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == timedelta(0), text
        assert text.endswith("+00:00"), text

    case = documents[3]
    assert case["opened_at"] == iso(T0)
    assert deadline(case, "containment")["due_at"] == iso(T0 + D)
    # -05:00 12:30 is 17:30 UTC: stored and shown as that instant.
    assert deadline(case, "containment")["closed_at"] == "2026-03-02T17:30:00+00:00"
    assert deadline(case, "root_cause")["due_at"] == "2026-03-05T17:30:00+00:00"


def _installed_capa() -> str:
    beside_python = Path(sys.executable).parent / "capa"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("capa")
    assert found, "the `capa` console script is not installed (pip install -e .)"
    return found


@pytest.mark.slow
def test_installed_capa_binary_exits_4_with_a_json_error_for_a_disallowed_trigger(
    tmp_path: Path,
) -> None:
    binary = _installed_capa()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    url = f"sqlite:///{tmp_path / 'capa.db'}"

    def capa_binary(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [binary, *args, "--db", url, "--now", iso(T0)],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
        )

    for args in (
        ("db", "upgrade"),
        ("supplier", "add", "ACME", "--name", "Acme Castings"),
        ("case", "open", "--title", "Dent", "--supplier", "ACME"),
    ):
        done = capa_binary(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)

    refused = capa_binary("case", "advance", "1", "close", "--json")
    assert refused.returncode == 4, (refused.stdout, refused.stderr)
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "conflict"
    assert error["field"] == "trigger"
    assert error["allowed"] == ["contain", "cancel"]
    assert "allowed: contain, cancel" in error["message"]
    assert refused.stderr.strip() == f"error: {error['message']}"


@pytest.mark.parametrize("command", [("case", "show", "5"), ("case", "list"),
                                     ("service", "list"), ("sweep",)])
def test_a_command_on_a_sqlite_file_that_does_not_exist_leaves_no_file_behind(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "typo.db"
    result = capa(*command, "--db", f"sqlite:///{missing}", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["field"] == "db"
    assert "does not exist yet" in error["message"]
    assert not missing.exists()
