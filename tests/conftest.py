"""Shared fixtures: the committed bundles, their planted truth, and a tiny editable bundle."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

import ecograph

# Property tests draw the same examples every run, so CI is repeatable;
# ECOGRAPH_FUZZ=1 explores fresh ones.
settings.register_profile("repeatable", derandomize=True)
settings.load_profile("default" if os.environ.get("ECOGRAPH_FUZZ") else "repeatable")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
BUNDLES = ["it_ecosystem", "manufacturing"]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session", params=BUNDLES)
def bundle_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def ecosystems() -> dict[str, ecograph.Ecosystem]:
    return {name: ecograph.load_bundle(FIXTURES / name) for name in BUNDLES}


@pytest.fixture(scope="session")
def truths() -> dict[str, dict]:
    return {name: json.loads((FIXTURES / name / "truth.json").read_text()) for name in BUNDLES}


@pytest.fixture(scope="session")
def it_eco(ecosystems) -> ecograph.Ecosystem:
    return ecosystems["it_ecosystem"]


@pytest.fixture(scope="session")
def mfg_eco(ecosystems) -> ecograph.Ecosystem:
    return ecosystems["manufacturing"]


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A writable copy of the tiny valid bundle (fixtures/tiny)."""
    dest = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", dest)
    return dest


def edit(bundle: Path, file: str, old: str, new: str) -> None:
    """Replace the first ``old`` with ``new`` in one file of a bundle."""
    path = bundle / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def append_rows(bundle: Path, file: str, *rows: str) -> None:
    """Append CSV ``rows`` to one file of a bundle (tiny's movements: spreadsheet rows 9, 10, ...)."""
    with (bundle / file).open("a") as out:
        out.write("\n".join(rows) + "\n")


@pytest.fixture
def run():
    """Invoke the ``ecograph`` command in-process: ``run("validate", path, ...)``."""
    from click.testing import CliRunner

    from ecograph.cli import main

    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
