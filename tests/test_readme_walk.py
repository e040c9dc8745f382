"""The README's commands work when followed as written, in order, on a fresh clone.

Every shell block of README.md is marked in the file's source, just before its fence:
`<!-- walk: NAME -->` puts the block in walk NAME (its blocks run in README order, in one
scratch folder, so they share the scratch database the walk's `export` names), and
`<!-- not walked: REASON -->` leaves it out, saying why (a server that runs until Ctrl-C, the
network, a password prompt). An unmarked block fails the test, so no block is left out
silently. Each command must exit 0, or the code a `# exit N: ...` comment beside it gives.

The scratch folder stands for the clone: the files the commands name by a relative path
(`config/routes.example.toml`, `examples/defects.csv`) are copied in from the repository, and
each command runs in bash with a clean environment: only the venv's `bin` on PATH (where
`capa` is installed) and what the README's own `export` lines set.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from capaflow.models.db import dispose_engines
from tests.helpers import capa, capa_json

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
PER_COMMAND = 60  # seconds; a command takes well under one, its Python start-up a few

_FENCE = re.compile(r"^\s*```(\w*)\s*$")
_MARK = re.compile(r"^\s*<!--\s*(walk:\s*(?P<walk>[\w-]+)|not walked:\s*(?P<why>.+?))\s*-->\s*$")
_EXIT = re.compile(r"#\s*exit (\d+)\b")
_SHELLS = {"", "sh", "bash", "shell", "console"}
_SHELL_SYNTAX = re.compile(r"[|<>;&`$]")


@dataclass(frozen=True)
class Command:
    line: int  # README line the command starts on
    text: str  # as written, continuation lines joined
    expected: int


@dataclass(frozen=True)
class Block:
    line: int  # README line of the opening fence
    walk: str | None
    reason: str | None
    commands: tuple[Command, ...]


def _commands(lines: list[tuple[int, str]]) -> tuple[Command, ...]:
    """The block's commands: a trailing backslash continues one; a line holding only a comment
    belongs to the command before it (where the README explains an outcome)."""
    found: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, text in lines:
        stripped = text.strip()
        if not pending and stripped.startswith("#"):
            if found:
                found[-1] = (found[-1][0], f"{found[-1][1]}\n{stripped}")
            continue
        if not stripped and not pending:
            continue
        if not pending:
            start = number
        if stripped.endswith("\\") and "#" not in stripped:
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        found.append((start, " ".join(pending)))
        pending = []
    assert not pending, f"README.md:{start}: a command ends with a continuation backslash"
    commands = []
    for number, text in found:
        expected = _EXIT.search(text)
        commands.append(Command(number, text, int(expected.group(1)) if expected else 0))
    return tuple(commands)


def readme_blocks() -> list[Block]:
    blocks: list[Block] = []
    mark: re.Match[str] | None = None
    body: list[tuple[int, str]] | None = None
    opened = 0
    language = ""
    for number, text in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        fence = _FENCE.match(text)
        if body is not None:
            if fence:
                if language in _SHELLS:
                    blocks.append(Block(
                        opened,
                        mark.group("walk") if mark else None,
                        mark.group("why") if mark else None,
                        _commands(body),
                    ))
                body, mark = None, None
            else:
                body.append((number, text))
            continue
        if fence:
            body, opened, language = [], number, fence.group(1)
            continue
        if text.strip():
            mark = _MARK.match(text)
    return blocks


def walk(name: str) -> list[Command]:
    return [c for b in readme_blocks() if b.walk == name for c in b.commands]


def _clone_files(commands: list[Command], scratch: Path) -> None:
    """Copy in the repository files the commands name by a relative path with a folder."""
    for command in commands:
        for word in shlex.split(command.text, comments=True):
            candidate = ROOT / word
            if "/" in word and not word.startswith(("/", "-")) and candidate.is_file():
                (scratch / word).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(candidate, scratch / word)


def _in_shell(command: Command, env: dict[str, str], scratch: Path) -> tuple[int, str, str]:
    """The command as a reader's shell runs it: bash, the clean environment, the installed
    `capa` console script found on PATH."""
    clean = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(scratch), "LC_ALL": "C.UTF-8",
             "COLUMNS": "120", **env}
    try:
        done = subprocess.run([shutil.which("bash") or "/bin/bash", "-c", command.text],
                              cwd=scratch, env=clean, capture_output=True, text=True,
                              timeout=PER_COMMAND, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"README.md:{command.line}: no answer within {PER_COMMAND} s:\n"
                    f"{command.text}")
    return done.returncode, done.stdout, done.stderr


def _timed_out(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError


def _in_process(command: Command, env: dict[str, str]) -> tuple[int, str, str]:
    """The same command line run by the CLI in this process: the same arguments after the
    shell's quoting, without a Python start-up per command (seconds each on a busy machine)."""
    words = shlex.split(command.text, comments=True)
    assert words[0] == "capa", f"README.md:{command.line}: not a capa command: {command.text}"
    previous = signal.signal(signal.SIGALRM, _timed_out)
    signal.alarm(PER_COMMAND)
    try:
        result = capa(*words[1:], env=env)
    except TimeoutError:
        pytest.fail(f"README.md:{command.line}: no answer within {PER_COMMAND} s:\n"
                    f"{command.text}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return result.exit_code, result.stdout, result.stderr


def follow(name: str, scratch: Path) -> list[Command]:
    """Run walk `name` in `scratch` (the working directory); fails at the first command whose
    exit code is not the README's, naming its line and showing its output.

    The walk's first `capa` command, and every command that needs the shell (a redirect, a
    pipe), run in bash through the installed console script; the others run the same
    arguments through the CLI in this process, which keeps the walk well under a minute."""
    commands = walk(name)
    _clone_files(commands, scratch)
    env: dict[str, str] = {}
    shelled = False
    dispose_engines()  # a relative SQLite URL names a file in this folder, not a cached one
    for command in commands:
        if command.text.startswith("export "):
            # The walk's environment, as the reader's shell would keep it.
            for assignment in shlex.split(command.text[len("export "):], comments=True):
                key, _, value = assignment.partition("=")
                env[key] = value
            continue
        code_only = command.text.split("#", 1)[0]
        if not shelled or _SHELL_SYNTAX.search(code_only):
            shelled = True
            dispose_engines()
            code, stdout, stderr = _in_shell(command, env, scratch)
        else:
            code, stdout, stderr = _in_process(command, env)
        # A usage error (a missing option, a typo) exits 2 too, but is never the refusal a
        # `# exit 2` comment explains: that one names the field the rule refuses.
        assert "Usage: capa" not in stderr, (
            f"README.md:{command.line}: the command line itself is wrong:\n{command.text}\n"
            f"{stderr}"
        )
        assert code == command.expected, (
            f"README.md:{command.line}: exit {code}, the README says "
            f"{command.expected}:\n{command.text}\n--- stderr:\n{stderr}"
            f"--- stdout (end):\n{stdout[-2000:]}"
        )
    dispose_engines()
    return commands


def test_every_shell_block_of_the_readme_is_walked_or_says_why_not() -> None:
    unmarked = [b.line for b in readme_blocks() if b.walk is None and b.reason is None]
    assert not unmarked, (
        f"README.md lines {unmarked}: mark each shell block with <!-- walk: NAME --> or "
        "<!-- not walked: REASON --> just before its fence"
    )
    names = {b.walk for b in readme_blocks() if b.walk}
    assert names == {"cases", "service-desk"}


def test_a_case_in_two_minutes_and_what_follows_works_in_order(tmp_path: Path) -> None:
    """The README's supplier-quality walk: a case by hand, time, notices, defects, lots,
    grades, audits and charge-back, on one scratch database, each exit code as written."""
    if not (BIN / "capa").exists() or shutil.which("bash") is None:
        pytest.skip("needs bash and the installed capa console script")
    commands = follow("cases", tmp_path)
    assert commands[0].text == "export CAPA_DATABASE_URL=sqlite:///walk.db"
    assert (tmp_path / "walk.db").is_file()
    # The refusals the README shows are walked too, not only the happy path.
    assert {c.expected for c in commands} >= {0, 2, 4}
    assert (tmp_path / "8d-report.md").read_text(encoding="utf-8").strip()
    assert (tmp_path / "acme.svg").is_file()


def test_the_service_desk_section_works_in_order_on_its_own_database(tmp_path: Path) -> None:
    if not (BIN / "capa").exists() or shutil.which("bash") is None:
        pytest.skip("needs bash and the installed capa console script")
    commands = follow("service-desk", tmp_path)
    assert commands[0].text.startswith("export CAPA_DATABASE_URL=sqlite:///desk.db")
    assert (tmp_path / "desk.db").is_file()
    assert not (tmp_path / "walk.db").exists()


def test_commands_left_out_are_the_ones_needing_a_server_a_prompt_or_a_prefect_pool() -> None:
    reasons = [b.reason or "" for b in readme_blocks() if b.walk is None]
    assert reasons and all(reasons)
    walked = " ".join(c.text for name in ("cases", "service-desk") for c in walk(name))
    for never in ("make run", "capa web", "curl ", "prefect "):
        assert never not in walked


def test_make_run_sweeps_once_before_it_serves_the_flows() -> None:
    """"The notices appear within a minute": the demo case's escalation is queued by a sweep
    at start, not by the first scheduled sweep up to 5 minutes later (the dispatch runs every
    minute)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0].splitlines()
    sweep = next(i for i, line in enumerate(recipe) if line.strip() == "$(BIN)/capa sweep")
    serve = next(i for i, line in enumerate(recipe) if "capaflow.flows.run" in line)
    seed = next(i for i, line in enumerate(recipe) if "demo seed" in line)
    assert seed < sweep < serve


def test_a_sweep_right_after_the_demo_seed_queues_an_escalation(db_url: str) -> None:
    """What the sweep at `make run`'s start finds: a demo case past its containment."""
    seeded, started = "2026-12-01T08:00:00+00:00", "2026-12-01T08:05:00+00:00"
    assert capa("demo", "seed", "--db", db_url, "--now", seeded).exit_code == 0
    swept = capa_json("sweep", "--db", db_url, "--now", started)
    assert swept["escalations"], swept
    pending = capa_json("notify", "list", "--status", "pending", "--db", db_url, "--now", started)
    assert any(n["escalation_level"] >= 1 for n in pending)
