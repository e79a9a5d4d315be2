"""The layer contract: imports run one way, from higher layers to lower ones, and never in a circle.

Every import counts — module level, inside a function, under ``TYPE_CHECKING``.
``make lint`` and ``make test`` both run this file. The layers, lowest first,
are also drawn in the package docstring (``ecograph/__init__.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ecograph"

#: Lowest first. A module is in the layer of its first name under ``ecograph``.
LAYERS = (
    ("foundation", {"schema", "errors", "frames", "dates", "files", "wording"}),
    ("tables", {"ingest", "ledger", "validate", "bom"}),
    ("ecosystem", {"ecosystem", "ties"}),
    ("views", {"twins", "graphs"}),
    ("analysis", {"analysis"}),
    ("outputs and adapters", {"pipeline", "report", "summary", "outputs", "flags", "nightly", "console",
                              "store", "synth", "plots", "explore", "explorer", "export",
                              "statements"}),
    ("commands", {"store_commands", "export_commands", "job_commands", "risk_commands", "cli"}),
)
_RANK = {top: rank for rank, (_, tops) in enumerate(LAYERS) for top in tops}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The ecograph modules ``name`` imports, by any kind of import statement."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets |= {source} | {f"{source}.{alias.name}" for alias in node.names}
    resolved = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name and not name.startswith(target + "."):
            resolved.add(target)
    return resolved


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int | None:
    parts = name.split(".")
    return _RANK.get(parts[1]) if len(parts) > 1 else None  # the root package is the API facade


def test_every_module_has_a_layer():
    unplaced = sorted(n for n in MODULES if n != "ecograph" and _layer(n) is None)
    assert not unplaced, f"add these modules to a layer of tests/test_architecture.py: {unplaced}"


def test_imports_run_from_higher_layers_to_lower_ones():
    wrong = [f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
             for name, targets in GRAPH.items() if _layer(name) is not None
             for target in sorted(targets)
             if target == "ecograph" or (_layer(target) or 0) > _layer(name)]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles():
    assert _circles(GRAPH) == []


@pytest.mark.parametrize("graph,expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_circle_finder_finds_circles(graph, expected):
    assert _circles(graph) == expected


def test_a_wrong_way_import_is_caught(tmp_path, monkeypatch):
    assert _layer("ecograph.schema") < _layer("ecograph.graphs")
    module = tmp_path / "ecograph" / "schema.py"
    module.parent.mkdir()
    module.write_text("from .graphs import view\n")
    monkeypatch.setitem(MODULES, "ecograph.schema", module)
    assert _imports("ecograph.schema", module) == {"ecograph.graphs"}
