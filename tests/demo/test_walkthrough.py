"""The tour's "Try next" works when followed as written in a new shell, from another folder:
it names the database (a second, empty one otherwise) and where `capa` is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import capa


def test_the_tours_try_next_commands_work_in_a_new_shell(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None or not (Path(sys.executable).parent / "capa").exists():
        pytest.skip("needs bash and the installed capa console script")
    db = tmp_path / "demo" / "capaflow.db"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    assert capa("db", "upgrade", "--db", url).exit_code == 0
    assert capa("demo", "seed", "--db", url).exit_code == 0
    tour = capa("demo", "walkthrough", "--db", url)
    assert tour.exit_code == 0
    lines = tour.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Try next"))
    commands = [line.strip() for line in lines[start + 1:start + 4]]
    assert commands[0].startswith("export CAPA_DATABASE_URL=")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A new shell: none of this process's environment, not the Makefile's, not the venv's.
    clean = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", str(tmp_path))}
    followed = subprocess.run([bash, "-ec", "\n".join(commands)], cwd=elsewhere, env=clean,
                              capture_output=True, text=True, timeout=120, check=False)
    assert followed.returncode == 0, followed.stderr
    assert "Case #3" in followed.stdout
    assert "containment → root_cause" in followed.stdout
    assert list(elsewhere.iterdir()) == []
