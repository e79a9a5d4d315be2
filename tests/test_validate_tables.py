"""Tables given as DataFrames meet the same rules as a bundle folder
(``ecograph.validate_tables`` / ``ecograph.load_tables``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ecograph import BundleError, load_bundle, load_tables, validate_bundle, validate_tables
from ecograph.schema import TABLES

from .conftest import FIXTURES

#: Rules about the bytes of a file (encoding, quoting, delimiter...): a DataFrame has none.
FILE_RULES = {"empty_file", "encoding", "ragged_row", "delimiter", "csv_syntax", "duplicate_column"}
#: Cases about a CSV file's cells (a Parquet column's physical type is the file's, as its bytes are).
INVALID = sorted(p.name for p in (FIXTURES / "invalid").iterdir()
                 if p.is_dir() and json.loads((p / "expected.json").read_text())["rule"]
                 not in FILE_RULES and not any(p.glob("*.parquet")))
FINDING = ["severity", "file", "row", "column", "rule", "value"]


def text_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every CSV of a bundle as a frame of text cells, as a spreadsheet export would give."""
    return {f.stem: pd.read_csv(f, dtype=str, keep_default_na=False)
            for f in sorted(folder.glob("*.csv"))}


def as_tables(findings: pd.DataFrame) -> pd.DataFrame:
    """A folder's findings with ``partners.csv`` called ``partners``, as frames are called."""
    return findings.assign(file=findings["file"].str.removesuffix(".csv"))[FINDING]


@pytest.mark.parametrize("name", ["tiny", "it_ecosystem", "manufacturing"])
def test_a_bundle_as_frames_validates_as_its_folder_does(name):
    folder = FIXTURES / name
    on_disk = validate_bundle(folder)
    typed = dict(load_bundle(folder).tables)
    for tables in (typed, text_tables(folder)):
        result = validate_tables(tables)
        assert result.ok
        assert_frame_equal(result.findings[FINDING], as_tables(on_disk.findings))
        for table, frame in on_disk.tables.items():
            assert_frame_equal(result.tables[table], frame, obj=table)
        assert load_tables(tables) == load_bundle(folder)


@pytest.mark.parametrize("case", INVALID)
def test_each_broken_bundle_as_text_frames_breaks_the_same_rule_at_the_same_cell(case):
    folder = FIXTURES / "invalid" / case
    expected = json.loads((folder / "expected.json").read_text())
    on_disk = validate_bundle(folder)
    got = validate_tables(text_tables(folder))
    assert not got.ok
    assert_frame_equal(got.findings[FINDING], as_tables(on_disk.findings))
    first = got.errors.iloc[0]
    assert (first["file"], first["row"], first["column"], first["rule"]) == (
        expected["file"].removesuffix(".csv"), expected["row"], expected["column"], expected["rule"])


def test_a_bad_cell_in_a_typed_frame_is_reported_with_table_row_and_column():
    tables = dict(load_bundle(FIXTURES / "tiny").tables)
    partners = tables["partners"].copy()
    partners.loc[2, "tier"] = "diamond"
    deals = tables["deals"].copy()
    deals.loc[1, "customer"] = "C9"
    broken = tables | {"partners": partners, "deals": deals}
    errors = validate_tables(broken).errors
    # rows count as in a spreadsheet: the header is row 1, the first record row 2
    assert errors[["file", "row", "column", "rule", "value"]].values.tolist() == [
        ["deals", 3, "customer", "dangling_reference", "C9"],
        ["partners", 4, "tier", "enum", "diamond"]]
    # by position in the frame, whatever its index says
    shuffled = broken | {"partners": partners.iloc[[2, 0, 1]]}
    assert validate_tables(shuffled).errors.query("file == 'partners'")["row"].tolist() == [2]
    with pytest.raises(BundleError) as info:
        load_tables(broken, source="notebook")
    assert info.value.path == "notebook"
    assert "partners row 4 column tier: [enum]" in str(info.value)
    assert info.value.errors[["file", "rule"]].values.tolist() == [
        ["deals", "dangling_reference"], ["partners", "enum"]]


def test_typed_cells_of_any_reasonable_python_type_read_as_the_file_does(tiny):
    eco = load_bundle(tiny)
    tables = dict(eco.tables)
    partners = tables["partners"].copy()
    partners["regions"] = partners["regions"].map(list)  # lists instead of tuples
    partners["joined"] = partners["joined"].map(lambda d: d.date())  # datetime.date
    movements = tables["movements"].copy()
    movements["date"] = movements["date"].dt.strftime("%Y-%m-%d")  # ISO text
    movements = movements.set_index("id", drop=False)  # an index that is not a range
    before = movements.copy()
    again = load_tables(tables | {"partners": partners, "movements": movements})
    assert again == eco
    assert_frame_equal(movements, before)  # the caller's frames are left alone


def test_missing_required_tables_and_unknown_ones_are_findings():
    only = {"partners": load_bundle(FIXTURES / "tiny").partners,
            "notes": pd.DataFrame({"text": ["hello"]})}
    result = validate_tables(only)
    assert not result.ok
    required = {t for t, spec in TABLES.items() if spec.required}
    missing = result.errors.query("rule == 'missing_file'")["file"]
    assert set(missing) == required - {"partners"}
    assert result.warnings[["file", "rule"]].values.tolist() == [["notes", "unknown_file"]]


def test_a_duplicated_column_in_a_frame_is_reported_once():
    tables = dict(load_bundle(FIXTURES / "tiny").tables)
    caps = tables["capabilities"]
    dup = pd.concat([caps, caps[["name"]]], axis=1)  # two columns called name
    errors = validate_tables(tables | {"capabilities": dup}).errors
    assert errors[["file", "row", "column", "rule"]].values.tolist() == [
        ["capabilities", 1, "name", "duplicate_column"]]
