"""Docs that match the code: the data model page names every table, column and rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecograph.errors import Findings
from ecograph.schema import ENUMS, RULES, TABLES

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "data-model.md").read_text()
@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_and_column_is_documented(table):
    section = DOC.split(f"### `{table}`", 1)
    assert len(section) == 2, f"docs/data-model.md has no section for {table}"
    body = re.split(r"^##", section[1], maxsplit=1, flags=re.M)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.M)
    assert documented == [c.name for c in TABLES[table].columns]


def test_every_enum_value_is_documented():
    for values in ENUMS.values():
        for v in values:
            assert f"`{v}`" in DOC or v in ("true", "false")


def test_every_validation_rule_is_documented():
    table = DOC.split("## Validation rules", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert set(RULES) <= documented
    assert len(RULES) >= 30


def test_an_undocumented_rule_cannot_be_reported():
    with pytest.raises(KeyError, match="schema.RULES"):
        Findings().add("x.csv", 2, "id", "made_up_rule", "", "nope")


def _public_analysis_functions():
    import inspect

    import ecograph.analysis as analysis

    for module in analysis.__all__:
        mod = getattr(analysis, module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module}.{name}", obj


@pytest.mark.parametrize("name,obj", list(_public_analysis_functions()))
def test_every_analysis_function_has_an_example_and_a_docs_entry(name, obj):
    import inspect

    assert ">>>" in (inspect.getdoc(obj) or ""), f"{name} has no example in its docstring"
    analytics = (ROOT / "docs" / "analytics.md").read_text()
    assert f"`{name.split('.')[1]}" in analytics, f"docs/analytics.md does not mention {name}"


def test_readme_python_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def _public_objects():
    """Every function and class a module of ecograph exports in ``__all__`` (defined there)."""
    import importlib
    import inspect
    import pkgutil

    import ecograph

    names = ["ecograph"] + [m.name for m in pkgutil.walk_packages(ecograph.__path__, "ecograph.")]
    for name in names:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if getattr(obj, "__module__", None) == name and (inspect.isfunction(obj)
                                                             or inspect.isclass(obj)):
                yield f"{name}.{attr}", obj


def _section(doc: str, title: str) -> str | None:
    """The body of the numpydoc section ``title`` (``None`` when absent)."""
    found = re.search(rf"^{title}\n-{{3,}}\n(.*?)(?=^\w[\w ]*\n-{{3,}}\n|\Z)", doc, flags=re.M | re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("name,obj", list(_public_objects()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_function_has_a_numpydoc_docstring(name, obj):
    """Parameters (naming each one), Returns (unless it returns None) and a runnable Example."""
    import inspect

    doc = inspect.getdoc(obj) or ""
    examples = _section(doc, "Examples")
    assert examples and ">>>" in examples, f"{name}: no Examples section with a >>> example"
    if not inspect.isfunction(obj):
        return
    signature = inspect.signature(obj)
    params = [p for p in signature.parameters if p not in ("self", "cls")]
    if params:
        body = _section(doc, "Parameters") or ""
        missing = [p for p in params if not re.search(rf"\b{p}\b", body)]
        assert body and not missing, f"{name}: Parameters section lacks {missing or params}"
    if signature.return_annotation not in (None, "None", inspect.Signature.empty):
        assert _section(doc, "Returns") or _section(doc, "Yields"), f"{name}: no Returns section"
