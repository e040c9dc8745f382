"""The package graph keeps the layers of docs/architecture.md: no cycle between packages, each
package imports only its own layer or those below, and no interface imports another.

Computed from the code (every `import` and `from … import` of a `capaflow` package), so a
new edge that breaks a rule fails here, naming the module and the line.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top, as docs/architecture.md ("Layers") draws them.
LAYERS: dict[str, tuple[str, ...]] = {
    "foundation": ("errors", "calendars", "config"),
    "models": ("models",),
    "rules and data": (
        "statemachines", "deadlines", "sampling", "audittrail", "notifications", "suppliers",
        "accounts", "csvfiles",
    ),
    "services": (
        "casework", "intake", "inspection", "scorecards", "servicedesk", "audits",
        "standards", "workchecks", "spotchecks", "incidents", "targets",
        "submissions", "chargeback", "reports", "demo",
        "conversation",
        "caselists",
        "submissions", "chargeback", "reports", "demo", "attachments",
    ),
    "read models": ("documents",),
    "composition": ("runtime", "serving"),
    "interfaces": ("cli", "api", "web", "flows"),
    # The site: one ASGI application of the API and the pages, which `capa web` names to the
    # server by string and nothing imports (docs/architecture.md, "Layers").
    "entry points": ("asgi",),
}
INTERFACES = set(LAYERS["interfaces"])
RANK = {package: rank for rank, packages in enumerate(LAYERS.values()) for package in packages}


def installed_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapped = pyproject["tool"]["setuptools"]["package-dir"]
    return sorted(name.removeprefix("capaflow.") for name in mapped)


def imports_of(package: str) -> list[tuple[str, str, int]]:
    """(imported package, file, line) for every import of another capaflow package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module == "capaflow":
                    names = [f"capaflow.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "capaflow" and len(parts) > 1 and parts[1] != package:
                    found.append((parts[1], str(path.relative_to(ROOT)), node.lineno))
    return found


def package_graph() -> dict[str, dict[str, tuple[str, int]]]:
    graph: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for package in installed_packages():
        graph.setdefault(package, {})  # every package is a node, with edges or not
        for target, path, line in imports_of(package):
            graph[package].setdefault(target, (path, line))
    return graph


def test_every_installed_package_has_a_layer() -> None:
    missing = [p for p in installed_packages() if p not in RANK]
    assert not missing, f"give these packages a layer in docs/architecture.md: {missing}"


def test_every_installed_package_is_type_checked() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    files = pyproject["tool"]["mypy"]["files"]
    checked = [f.removeprefix(".typecheck/capaflow/") for f in files if f.startswith(".typecheck/")]
    assert sorted(checked) == installed_packages()
    assert "tests" in files


def test_imports_only_name_installed_packages() -> None:
    installed = set(installed_packages())
    unknown = [
        f"{path}:{line} imports capaflow.{target}"
        for package, edges in package_graph().items()
        for target, (path, line) in edges.items()
        if target not in installed
    ]
    assert not unknown


def test_no_package_imports_a_layer_above_it() -> None:
    upward = [
        f"{path}:{line}: {package} ({_layer(package)}) imports {target} ({_layer(target)})"
        for package, edges in package_graph().items()
        for target, (path, line) in edges.items()
        if target in RANK and package in RANK and RANK[target] > RANK[package]
    ]
    assert not upward, "\n".join(upward)


def test_no_interface_imports_another_interface() -> None:
    crossing = [
        f"{path}:{line}: {package} imports {target}"
        for package, edges in package_graph().items()
        for target, (path, line) in edges.items()
        if package in INTERFACES and target in INTERFACES
    ]
    assert not crossing, "\n".join(crossing)


def test_the_package_graph_has_no_cycle() -> None:
    cycle = find_cycle({p: set(edges) for p, edges in package_graph().items()})
    assert cycle is None, " -> ".join(cycle or [])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as the list of its packages (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"b"}}, ["b", "b"]),
        ({"a": set(), "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle_finds_what_is_there(
    graph: dict[str, set[str]], cycle: list[str] | None
) -> None:
    assert find_cycle(graph) == cycle


def _layer(package: str) -> str:
    return next(name for name, packages in LAYERS.items() if package in packages)
