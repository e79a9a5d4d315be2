"""Writing result tables: a folder replaced as a whole, all or nothing under faults, never over an input."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

from ecograph.errors import ParameterError
from ecograph.files import MANIFEST
from ecograph.outputs import write_json, write_tables

from .faults import every_step_is_all_or_nothing, faulty_disk, snapshot

TABLES = {"pairs": pd.DataFrame({"a": ["P1", "=P2"], "n": [3, 4]}),
          "gaps": pd.DataFrame({"region": ["EMEA"], "units": [1.5]})}


def test_a_new_run_replaces_every_table_of_the_old_one(tmp_path):
    out = tmp_path / "out"
    write_tables(out, {"old_only": TABLES["gaps"], "pairs": TABLES["gaps"]})
    write_tables(out, TABLES, formats=("csv", "json", "parquet"))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MANIFEST] + [f"{t}.{f}" for t in TABLES for f in ("csv", "json", "parquet")])
    assert pd.read_parquet(out / "pairs.parquet").equals(TABLES["pairs"])
    assert json.loads((out / MANIFEST).read_text())["files"] == sorted(
        f"{t}.{f}" for t in TABLES for f in ("csv", "json", "parquet"))


@pytest.mark.parametrize("formats", [("csv",), ("csv", "json", "parquet")])
def test_a_fault_at_any_file_leaves_the_old_tables_complete(tmp_path, monkeypatch, formats):
    out = tmp_path / "out"
    write_tables(out, {"old": pd.DataFrame({"x": [1]}), "pairs": pd.DataFrame({"x": [2]})})
    (tmp_path / "neighbour.txt").write_text("not ours, not touched")
    steps = every_step_is_all_or_nothing(monkeypatch, tmp_path,
                                         lambda: write_tables(out, TABLES, formats=formats))
    assert steps == len(TABLES) * len(formats) + 1  # every table file, then the manifest


def test_a_write_error_names_the_path_the_user_asked_for_never_a_temporary_one(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with faulty_disk(monkeypatch, at=2), pytest.raises(OSError) as caught:
        write_tables(out, TABLES)  # a full disk names no file: the folder it happened in
    assert str(caught.value) == f"[Errno 28] No space left on device: '{out}'"

    def refused(frame, path, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", refused)
    with pytest.raises(PermissionError) as caught:
        write_tables(out, TABLES)
    assert str(caught.value) == f"[Errno 13] Permission denied: '{out / 'pairs.csv'}'"
    assert list(tmp_path.iterdir()) == []


def test_concurrent_runs_to_one_folder_both_finish_with_one_complete_output(tmp_path):
    out = tmp_path / "out"
    runs = {n: {"pairs": pd.DataFrame({"run": [n] * 50}), "gaps": pd.DataFrame({"run": [n]})}
            for n in range(6)}
    start, errors = threading.Barrier(len(runs)), []

    def run(n):
        try:
            start.wait()
            for _ in range(3):
                write_tables(out, runs[n], formats=("csv", "parquet"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    written = {pd.read_csv(out / f"{t}.{'csv'}")["run"].iat[0] for t in ("pairs", "gaps")}
    written |= {pd.read_parquet(out / f"{t}.parquet")["run"].iat[0] for t in ("pairs", "gaps")}
    assert len(written) == 1  # four files, one run
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_tables_are_never_written_over_an_input(tmp_path):
    bundle = tmp_path / "B"
    bundle.mkdir()
    (bundle / "relationships.csv").write_text("id\nR1\n")
    before = snapshot(tmp_path)
    for out in (bundle, bundle / "sub", tmp_path):
        with pytest.raises(ParameterError, match="input"):
            write_tables(out, TABLES, protect=[bundle])
    assert snapshot(tmp_path) == before


def test_a_folder_of_someone_elses_files_is_not_replaced(tmp_path):
    (tmp_path / "thesis.docx").write_text("years of work")
    with pytest.raises(ParameterError, match=r"did not write \(thesis.docx\)"):
        write_tables(tmp_path, TABLES)
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


def test_write_json_names_the_file_in_the_way(tmp_path):
    (tmp_path / "state").write_text("a file")
    with pytest.raises(NotADirectoryError, match=str(tmp_path / "state")):
        write_json(tmp_path / "state" / "flags.json", {})
