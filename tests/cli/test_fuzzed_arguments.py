"""Every command, fed random and extreme arguments, answers by the contract: exit 0, 2, 3 or 4,
never a traceback (docs/architecture.md, "Exit codes"; issue 14, point 5).

The commands are read from the Typer app (capaflow.cli.app), so a new command is fuzzed as soon
as it exists. Each gets a modest number of examples against one migrated SQLite file, reused
(with a supplier, an 8D case, a customer and a person in it, so ids and codes sometimes hit).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from capaflow.cli.app import app
from capaflow.models.db import dispose_engines
from tests.cli.support import ok
from tests.conftest import T0

runner = CliRunner()

# Not fuzzed: `web` serves until stopped, `demo` runs an eight-month simulation, and
# `notify dispatch` sends to whatever Apprise URLs the fuzzed suppliers were given.
SKIPPED = {("web",), ("demo", "seed"), ("demo", "walkthrough"), ("notify", "dispatch")}
# Options every command shares; --db stays on the fuzzing database, --config on the defaults.
COMMON = {"as_json", "db", "now", "config"}
# Parameters naming a file to read or write: fuzzed with names inside the test's directory
# (and /dev/zero for what is read), never a path elsewhere on the machine.
PATHS = {"file", "out", "routes"}


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    root = typer.main.get_command(app)
    context = typer.Context(root)

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(context):
                yield from walk(command.get_command(context, name), (*path, name))
        elif path not in SKIPPED:
            yield path, command

    yield from walk(root, ())


COMMANDS = dict(_commands())
# Built once: building the Typer app's command tree costs more than most commands' runs.
CLI = typer.main.get_command(app)

EXTREME_INTS = ["0", "-1", "1", "2147483647", "2147483648", "-2147483649",
                "9223372036854775808", "99999999999999999999", "1e400", "NaN"]
DATES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-03-02T09:00:00+00:00",
         "2026-02-30T00:00:00Z", "2026-03-02", "1899-12-31T23:59:59Z", "3000-01-01T00:00:00Z",
         "2026-03-01T09:00:00+14:00", "9999-12", "0000-01", "2026-13", "2026-W53", "2026-W99"]
PLAUSIBLE = ["ACME", "SHOP", "ann", "HSG-100", "CRACK", "S2", "standard", "key", "8d", "pdca",
             "contain", "cancel", "dispatch", "repair", "phone", "complaint", "quality_lead",
             "very_cooperative", "yes", "no", "md", "csv", "json", "man", "7d", "2026-02",
             "containment=x", "reason=y", "mailto://a@example.com", "1.0", "II", "EUR",
             "scrap", "12.50", "open", "pending"]
text = st.one_of(
    st.sampled_from(EXTREME_INTS + DATES + PLAUSIBLE + ["", " ", "\x00", "a\x00b", "=1+1"]),
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(lambda s: s * 400),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["é" * 5000, "\u202e\u200b", "😀" * 300, "x" * 100_000, "\r\n", "a=b=c"]),
)


def _path_values(directory: Path, reading: bool) -> st.SearchStrategy[str]:
    names = ["missing.csv", "fuzz.csv", "out.svg", str(directory), "sub/none/x.csv"]
    if reading:
        names.append("/dev/zero")
    return st.sampled_from([str(directory / n) if not n.startswith("/") else n for n in names])


def _repeated(flag: str, values: list[str]) -> list[str]:
    return [x for value in values for x in (flag, value)]


def _option(flag: str, given: tuple[bool, str]) -> list[str]:
    return [flag, given[1]] if given[0] else []


def _arguments(command: Any, directory: Path) -> st.SearchStrategy[list[str]]:
    parts: list[st.SearchStrategy[list[str]]] = []
    for param in command.params:
        if param.name in COMMON:
            continue
        is_path = param.name in PATHS
        value = _path_values(directory, reading=param.name != "out") if is_path else text
        if param.bare_type() in ("int", "float"):
            # Numbers mostly at their edges: ids beyond the INTEGER column, negative, huge.
            edges = st.sampled_from(EXTREME_INTS)
            value = st.one_of(edges, edges, edges, value)
        if param.param_type_name == "argument":
            # A required argument is nearly always given: without it only the usage error runs.
            parts.append(st.one_of(value.map(lambda v: [v]), st.just([])) if not param.required
                         else value.map(lambda v: [v]))
            continue
        flag = param.opts[0]
        if getattr(param, "is_flag", False):
            parts.append(st.sampled_from([[], [flag]]))
        elif param.multiple:
            parts.append(st.lists(value, max_size=3).map(partial(_repeated, flag)))
        else:
            present = st.just(True) if param.required else st.booleans()
            parts.append(st.tuples(present, value).map(partial(_option, flag)))
    return st.tuples(*parts).map(lambda lists: [x for item in lists for x in item])


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("fuzz")
    path = directory / "capa.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    ok(url, "supplier", "add", "ACME", "--name", "Acme Castings")
    ok(url, "case", "open", "--title", "Cracked housing", "--supplier", "ACME")
    ok(url, "customer", "add", "SHOP", "--name", "Corner Shop", "--tier", "standard")
    ok(url, "person", "add", "ann", "--team", "field", "--skills", "repair")
    yield url
    dispose_engines()


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_random_and_extreme_arguments_exit_0_2_3_or_4_never_a_traceback(
    path: tuple[str, ...], data: st.DataObject, fuzz_db: str, tmp_path: Path
) -> None:
    command = COMMANDS[path]
    (tmp_path / "fuzz.csv").write_text(data.draw(text, label="csv"), encoding="utf-8",
                                       errors="surrogatepass")
    args = data.draw(_arguments(command, tmp_path), label="args")
    now = data.draw(st.one_of(st.just(T0.isoformat()), st.sampled_from(DATES), text),
                    label="now")
    extra = data.draw(st.sampled_from([[], ["--json"]]), label="json")
    code, failure = _invoke([*path, *args, *extra, "--db", fuzz_db, "--now", now])
    assert failure is None, failure
    assert code in (0, 2, 3, 4), code


def _invoke(args: list[str]) -> tuple[int, str | None]:
    """`capa ARGS` in this process (what CliRunner.invoke does, on the prebuilt command): the
    exit code and the traceback of an exception, if one escaped."""
    with runner.isolation(input=""):
        try:
            CLI.main(args=args, prog_name="capa")
        except SystemExit as exit_:
            return (exit_.code if isinstance(exit_.code, int) else 1), None
        except Exception as error:  # any escaping exception is the failure
            return 1, "".join(traceback.format_exception(error))
    return 0, None
