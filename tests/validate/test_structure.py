"""Structural damage — a column, a file, a whole folder gone or doubled — is a finding, never a
traceback, and one finding: nothing echoes it (a reference into a table with no ids is not
reported as dangling, a SKU whose ``counted`` flag is missing is not checked for whole units)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ecograph import load_bundle, validate_bundle, validate_tables
from ecograph.schema import TABLES

from ..conftest import FIXTURES

TINY = FIXTURES / "tiny"
FILES = sorted(p.name for p in TINY.glob("*.csv"))


def _rows(file: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((TINY / file).read_text())))


COLUMNS = [(file, column) for file in FILES for column in _rows(file)[0]]


def _sample(table) -> list[str]:
    """Per table, the kinds of column whose loss breaks different things: the key, the first
    required reference, the first optional column."""
    picks = [table.key,
             next((c.name for c in table.columns if c.ref and c.required), None),
             next((c.name for c in table.columns if not c.required), None)]
    return list(dict.fromkeys(p for p in picks if p))


#: The other readers (frames, Parquet) are checked on a sample of the same columns.
SAMPLE = [(f"{t.name}.csv", c) for t in TABLES.values() for c in _sample(t)]


def _copy(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(TINY, bundle)
    return bundle


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue())


def _errors(result) -> list[tuple]:
    return [(e.file, e.row, e.column, e.rule) for e in result.errors.itertuples()]


def _all_empty(values: pd.Series) -> bool:
    return all((not v) if isinstance(v, list) else pd.isna(v) for v in values)


def test_the_family_covers_every_column_of_every_table():
    assert len(FILES) == len(TABLES)
    assert {(f"{t.name}.csv", c.name) for t in TABLES.values() for c in t.columns} == set(COLUMNS)


def _expect_column_gone(result, table: str, column: str, label: str) -> None:
    """A required column gone is exactly one missing_column error; an optional one, none:
    the table then holds the column, empty."""
    if TABLES[table].by_name[column].required:
        assert _errors(result) == [(label, 1, column, "missing_column")]
    else:
        assert "missing_column" not in set(result.errors["rule"])
        assert _all_empty(result.tables[table][column])


@pytest.mark.parametrize(("file", "column"), COLUMNS, ids=[f"{f}:{c}" for f, c in COLUMNS])
def test_deleting_any_column_is_a_finding_never_a_crash(tmp_path, file, column):
    bundle = _copy(tmp_path)
    rows = _rows(file)
    i = rows[0].index(column)
    _write(bundle / file, [r[:i] + r[i + 1:] for r in rows])
    _expect_column_gone(validate_bundle(bundle), file.removesuffix(".csv"), column, file)


@pytest.mark.parametrize(("file", "column"), SAMPLE, ids=[f"{f}:{c}" for f, c in SAMPLE])
def test_a_frame_without_any_column_is_a_finding_never_a_crash(file, column):
    tables = {f.removesuffix(".csv"): pd.read_csv(TINY / f, dtype=str, keep_default_na=False)
              for f in FILES}
    table = file.removesuffix(".csv")
    tables[table] = tables[table].drop(columns=column)
    _expect_column_gone(validate_tables(tables), table, column, table)


@pytest.fixture(scope="module")
def tiny_parquet(tmp_path_factory) -> Path:
    return load_bundle(TINY).to_bundle(tmp_path_factory.mktemp("pq") / "tiny", format="parquet")


@pytest.mark.parametrize(("file", "column"), SAMPLE, ids=[f"{f}:{c}" for f, c in SAMPLE])
def test_a_parquet_table_without_any_column_is_a_finding_never_a_crash(tmp_path, tiny_parquet,
                                                                       file, column):
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_parquet, bundle)
    path = bundle / file.replace(".csv", ".parquet")
    pq.write_table(pq.read_table(path).drop_columns([column]), path)
    _expect_column_gone(validate_bundle(bundle), file.removesuffix(".csv"), column, path.name)


@pytest.mark.parametrize("file", FILES)
def test_an_empty_file_is_one_finding(tmp_path, file):
    bundle = _copy(tmp_path)
    (bundle / file).write_bytes(b"")
    assert _errors(validate_bundle(bundle)) == [(file, 0, "", "empty_file")]


@pytest.mark.parametrize("file", FILES)
def test_a_header_only_table_is_valid_as_a_table(tmp_path, file):
    bundle = _copy(tmp_path)
    _write(bundle / file, _rows(file)[:1])
    result = validate_bundle(bundle)
    table = file.removesuffix(".csv")
    assert len(result.tables[table]) == 0
    # Only what the data then lacks: references into the emptied table, the one company row.
    assert set(result.errors["rule"]) <= {"dangling_reference", "company_rows"}
    assert ("company_rows" in set(result.errors["rule"])) == (table == "company")
    if table in ("deals", "relationships", "movements", "audits"):  # nothing refers to these
        assert result.ok


@pytest.mark.parametrize("file", FILES)
def test_a_table_of_unknown_columns_only_is_missing_each_required_one(tmp_path, file):
    bundle = _copy(tmp_path)
    _write(bundle / file, [["colour", "size"], ["red", "9"]])
    result = validate_bundle(bundle)
    table = TABLES[file.removesuffix(".csv")]
    assert _errors(result) == sorted((file, 1, c.name, "missing_column")
                                     for c in table.columns if c.required)
    assert result.warnings[["file", "column", "rule"]].values.tolist() == [
        [file, "colour", "unknown_column"], [file, "size", "unknown_column"]]


@pytest.mark.parametrize("file", FILES)
def test_a_duplicated_key_column_is_one_finding(tmp_path, file):
    bundle = _copy(tmp_path)
    rows = _rows(file)
    column = TABLES[file.removesuffix(".csv")].key
    i = rows[0].index(column)
    _write(bundle / file, [r + [r[i]] for r in rows])
    assert _errors(validate_bundle(bundle)) == [(file, 1, column, "duplicate_column")]


def test_an_empty_folder_is_a_missing_file_finding_per_required_table(tmp_path):
    result = validate_bundle(tmp_path)
    assert _errors(result) == [(f"{t.name}.csv", 0, "", "missing_file")
                               for t in sorted(TABLES.values(), key=lambda t: t.name) if t.required]
    assert result.warnings.empty and result.tables == {}


def test_no_tables_at_all_as_frames_is_a_missing_file_finding_per_required_table():
    result = validate_tables({})
    assert sorted(e[0] for e in _errors(result)) == sorted(t for t in TABLES if TABLES[t].required)


def test_every_table_empty_leaves_only_the_missing_company(tmp_path):
    bundle = _copy(tmp_path)
    for file in FILES:
        _write(bundle / file, _rows(file)[:1])
    assert _errors(validate_bundle(bundle)) == [("company.csv", 0, "", "company_rows")]


def test_every_file_empty_is_one_finding_each(tmp_path):
    bundle = _copy(tmp_path)
    for file in FILES:
        (bundle / file).write_bytes(b"")
    assert _errors(validate_bundle(bundle)) == [(f, 0, "", "empty_file") for f in FILES]


@pytest.mark.parametrize("end", ["source", "target"])
def test_relationships_with_an_endpoint_column_of_empty_cells_are_findings(tmp_path, end):
    # The column is there but every cell is empty: each row needs a value, nothing crashes.
    bundle = _copy(tmp_path)
    rows = _rows("relationships.csv")
    i = rows[0].index(end)
    _write(bundle / "relationships.csv", [rows[0]] + [r[:i] + [""] + r[i + 1:] for r in rows[1:]])
    errors = _errors(validate_bundle(bundle))
    assert errors == [("relationships.csv", row, end, "required") for row in range(2, len(rows) + 1)]
