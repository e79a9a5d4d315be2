"""The summary's folder: written as a whole, all or nothing, never into its bundle."""

from __future__ import annotations

import json

import pytest

from ecograph import load_bundle
from ecograph.errors import ParameterError
from ecograph.files import MANIFEST
from ecograph.summary import summarize, write_summary

from .faults import every_step_is_all_or_nothing, snapshot


def test_the_summary_folder_is_all_or_nothing_at_every_file(tmp_path, monkeypatch, fixtures_dir):
    summary = summarize(load_bundle(fixtures_dir / "tiny"))
    out = tmp_path / "out"
    write_summary(summarize(load_bundle(fixtures_dir / "manufacturing")), out)  # an earlier run
    steps = every_step_is_all_or_nothing(monkeypatch, tmp_path, lambda: write_summary(summary, out))
    assert steps == 8 + 2  # eight tables, summary.json, the manifest
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        json.dumps(summary.headline(), default=str))
    assert json.loads((out / MANIFEST).read_text())["files"][-1] == "summary.json"


def test_the_summary_is_never_written_over_its_bundle(tiny, tmp_path):
    summary = summarize(load_bundle(tiny))
    before = snapshot(tmp_path)
    for out in (tiny, tiny / "out", tmp_path):
        with pytest.raises(ParameterError, match="input"):
            write_summary(summary, out, protect=[tiny])
    assert snapshot(tmp_path) == before
