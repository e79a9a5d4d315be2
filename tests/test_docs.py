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
