"""capaflow installs under one import name: a wheel built from this checkout holds nothing but
`capaflow/…` and its metadata, and, installed in a fresh environment, runs `capa --help` and
`capa demo` from a folder that has modules of its own called `config` and `models`
(docs/architecture.md, "Layout").

The fresh environment borrows this one's dependencies through a path file rather than
downloading them again: only capaflow itself is installed from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the files git tracks: a build writes build/ and *.egg-info beside
    # the sources, which must not happen in the checkout under test.
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file() and not (ROOT / name).is_symlink():
            shutil.copy2(ROOT / name, target)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out),
         str(source)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (built,) = out.glob("capaflow-*.whl")
    return built


def _dependencies_folder() -> Path:
    """Where this environment's dependencies are installed (typer stands for them all)."""
    return Path(typer.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("fresh") / "venv"
    venv.create(home, with_pip=True)
    purelib = Path(
        subprocess.run(
            [str(home / "bin" / "python"), "-c",
             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )
    # This environment's packages (prefect, sqlmodel, …) but not its editable capaflow: a
    # path line adds the folder without running the editable install's own path hook.
    (purelib / "borrowed_dependencies.pth").write_text(f"{_dependencies_folder()}\n")
    subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    return home / "bin"


def test_the_wheel_holds_only_the_capaflow_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        names = set(archive.namelist())
    assert tops == {"capaflow", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1]
                    + ".dist-info"}
    # The data files the code reads at run time travel with it.
    for needed in ("capaflow/config/default.toml", "capaflow/models/migrations/env.py",
                   "capaflow/web/templates/base.html"):
        assert needed in names, needed


def _beside_clashing_modules(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    # What another project (or a user's working folder) may well hold: were capaflow installed
    # as top-level `config` and `models`, these would be imported instead, or overwritten.
    (folder / "config.py").write_text("raise ImportError('the local config.py was imported')\n")
    (folder / "models.py").write_text("raise ImportError('the local models.py was imported')\n")
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    env["PYTHONPATH"] = "."  # the clashing modules first on the path, as a project's own are
    return env


def test_installed_capa_runs_beside_modules_named_config_and_models(
    installed: Path, tmp_path: Path
) -> None:
    folder = _beside_clashing_modules(tmp_path / "project")
    shown = subprocess.run([str(installed / "capa"), "--help"], cwd=folder, env=_env(),
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "case" in shown.stdout

    demo = subprocess.run(
        [str(installed / "capa"), "demo", "--db", f"sqlite:///{folder / 'demo.db'}", "--json"],
        cwd=folder, env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)

    where = subprocess.run(
        [str(installed / "python"), "-c",
         "import capaflow.models, capaflow.config; print(capaflow.models.__file__)"],
        cwd=folder, env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout
