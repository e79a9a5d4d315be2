"""The four strategist notebooks are templates: they run top to bottom on either fixture through their
``parameters`` cell, assert nothing about a fixture themselves, and their closing sentences name what
was planted (checked here, not in the notebooks)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_four_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_templates_committed_with_their_outputs(path):
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "BUNDLE =" in params[0].source and "AS_OF =" in params[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code.index(params[0]) == 0  # first code cell, so papermill's injected one follows it
    assert not any("assert " in c.source for c in code)  # checks on fixture answers live in tests
    assert all(c.get("execution_count") for c in code), "committed without running"
    assert code[-1].get("outputs") and sum(bool(c.get("outputs")) for c in code) > len(code) / 2, \
        "committed without outputs"
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    assert words >= 150, f"{path.name}: {words} words of prose"


def _run(path: Path, bundle: str) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # strategists' notebooks use the public API only
        if cell.cell_type == "code":
            assert "ecograph._" not in cell.source and "._common" not in cell.source
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = f'BUNDLE = "{bundle}"\nAS_OF = None'
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert images, f"{path.name} draws no figure"
    return "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("bundle", ["it_ecosystem", "manufacturing"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_either_fixture_and_ends_on_the_planted_finding(path, bundle):
    truth = json.loads((ROOT / "fixtures" / bundle / "truth.json").read_text())
    said = _run(path, f"fixtures/{bundle}")
    gap = truth["coverage_gap"]
    planted = {"01": [truth["broker_partner"]["id"]], "02": [gap["capability"], gap["region"]],
               "03": [truth["chokepoint_supplier"]["id"]] if bundle == "manufacturing" else [],
               "04": [truth["audit_discrepancy"]["party"], truth["mis_tiered_partner"]["id"]]}[path.name[:2]]
    assert said.strip(), f"{path.name} ends without a sentence"
    for expected in planted:
        assert expected in said, (path.name, bundle, expected, said)
