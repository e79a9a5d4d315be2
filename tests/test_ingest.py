"""Reading files: encodings, delimiters, blank rows, sizes, Parquet."""

from __future__ import annotations

import pandas as pd

from ecograph import validate_bundle
from ecograph.ingest import MAX_CELL_CHARS

from .conftest import edit


def test_utf8_bom_is_accepted_and_stripped(tiny):
    path = tiny / "partners.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = validate_bundle(tiny)
    assert result.ok
    assert result.tables["partners"].columns[0] == "id"


def test_blank_row_is_skipped_with_a_warning_and_rows_keep_spreadsheet_numbers(tiny):
    edit(tiny, "customers.csv", "C2,", "\nC2,")
    edit(tiny, "customers.csv", ",300,", ",many,")
    result = validate_bundle(tiny)
    assert result.warnings[["row", "rule"]].values.tolist() == [[3, "blank_row"]]
    # C3 moved from row 4 to row 5 because the blank line is row 3
    assert result.errors[["row", "column", "rule"]].values.tolist() == [[5, "employees", "type"]]


def test_header_only_optional_table_means_zero_rows(tiny):
    (tiny / "audits.csv").write_text("id,date,party,sku,counted\n")
    result = validate_bundle(tiny)
    assert result.ok
    assert len(result.tables["audits"]) == 0


def test_quoted_newline_in_a_cell_keeps_record_row_numbers(tiny):
    edit(tiny, "customers.csv", "Maple Retail", '"Maple\nRetail"')
    edit(tiny, "customers.csv", ",300,", ",lots,")
    result = validate_bundle(tiny)
    assert result.errors[["row", "column"]].values.tolist() == [[4, "employees"]]
    assert "Maple\nRetail" in result.tables["customers"]["name"].tolist()


def test_oversized_cell_is_reported_at_its_row_and_column(tiny):
    edit(tiny, "customers.csv", "Ridge Clinic", "x" * (MAX_CELL_CHARS + 1))
    err = validate_bundle(tiny).errors
    assert err[["file", "row", "column", "rule"]].values.tolist() == [
        ["customers.csv", 4, "name", "cell_too_large"]]


def test_file_over_the_size_limit_is_refused(tiny, monkeypatch):
    monkeypatch.setenv("ECOGRAPH_MAX_FILE_MB", "0.0001")  # about 100 bytes
    err = validate_bundle(tiny).errors
    assert "file_too_large" in set(err["rule"])
    assert "ECOGRAPH_MAX_FILE_MB" in err.loc[err["rule"] == "file_too_large", "message"].iat[0]


def test_both_csv_and_parquet_of_one_table_is_ambiguous(tiny):
    pd.read_csv(tiny / "company.csv").to_parquet(tiny / "company.parquet")
    err = validate_bundle(tiny).errors
    assert err["rule"].tolist() == ["ambiguous_file"]


def test_parquet_with_native_types_reads_like_csv(tiny):
    frame = pd.read_csv(tiny / "audits.csv", parse_dates=["date"])
    frame["counted"] = frame["counted"].astype("int64")
    frame.to_parquet(tiny / "audits.parquet")
    (tiny / "audits.csv").unlink()
    result = validate_bundle(tiny)
    assert result.ok
    assert result.tables["audits"]["counted"].tolist() == [1.0]
    assert result.tables["audits"]["date"].iat[0] == pd.Timestamp("2025-03-01")


def test_unreadable_parquet_is_an_error_not_a_traceback(tiny):
    (tiny / "audits.csv").unlink()
    (tiny / "audits.parquet").write_bytes(b"PAR1 not really")
    err = validate_bundle(tiny).errors
    assert err[["file", "rule"]].values.tolist() == [["audits.parquet", "unreadable_file"]]
