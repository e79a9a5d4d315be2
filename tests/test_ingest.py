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


# --- Parquet types against the schema (the date and number model) --------------------------

def _parquet(bundle, table: str, **columns) -> None:
    """Replace ``table``.csv of ``bundle`` by Parquet: text columns but ``columns`` (Arrow arrays)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pd.read_csv(bundle / f"{table}.csv", dtype=str, keep_default_na=False)
    (bundle / f"{table}.csv").unlink()
    pq.write_table(pa.table({c: columns.get(c, pa.array(text[c], pa.string())) for c in text}),
                   bundle / f"{table}.parquet")


def test_a_parquet_list_column_of_a_list_column_loads_as_its_items(tiny):
    import pyarrow as pa

    from ecograph import load_bundle

    csv = load_bundle(tiny)
    _parquet(tiny, "partners", regions=pa.array([["EMEA"], ["EMEA", "APAC"], ["APAC"]]),
             capabilities=pa.array([["security"], ["networking"], []]))
    assert load_bundle(tiny) == csv


def test_a_parquet_list_or_binary_column_where_one_value_belongs_is_a_type_finding(tiny):
    import pyarrow as pa

    _parquet(tiny, "customers", region=pa.array([["EMEA", "APAC"], ["EMEA"], ["APAC"]]))
    _parquet(tiny, "partners", name=pa.array([b"Apex Systems", b"Delta Distribution", b"Echo"]))
    result = validate_bundle(tiny)
    errors = result.errors
    assert errors[["file", "row", "column", "rule"]].values.tolist() == [
        ["customers.parquet", 1, "region", "type"], ["partners.parquet", 1, "name", "type"]]
    assert "list" in errors["value"].iat[0] and "binary" in errors["value"].iat[1]
    assert not (result.findings["value"].str.contains("b'|\\['", regex=True)).any()


def test_a_parquet_list_item_a_cell_cannot_hold_is_reported_at_its_row(tiny):
    import pyarrow as pa

    _parquet(tiny, "partners", regions=pa.array([["EMEA"], ["EMEA;APAC"], [" APAC", None]]))
    errors = validate_bundle(tiny).errors
    assert errors[["file", "row", "column", "rule"]].values.tolist() == [
        ["partners.parquet", 3, "regions", "type"], ["partners.parquet", 4, "regions", "type"]]


def test_parquet_dates_and_numbers_keep_their_values_at_the_limits(tiny):
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa

    from ecograph import load_bundle

    _parquet(tiny, "relationships",
             start=pa.array([dt.date(1, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 1, 1),
                             dt.date(2024, 5, 1)]),
             end=pa.array([dt.datetime(9999, 12, 31), None, None, dt.datetime(2025, 5, 1)],
                          pa.timestamp("s")),
             volume=pa.array([Decimal("3.00"), Decimal("100"), Decimal("50"), None],
                             pa.decimal128(10, 2)))
    _parquet(tiny, "customers", employees=pa.array([2**63 - 1, 9007199254740993, None]))
    eco = load_bundle(tiny)
    rel = eco.relationships.set_index("id")
    assert rel.loc["R1", "start"] == pd.Timestamp("0001-01-01")
    assert rel.loc["R1", "end"] == pd.Timestamp("9999-12-31")
    assert rel["volume"].tolist()[:3] == [3.0, 100.0, 50.0]
    assert eco.customers["employees"].tolist()[:2] == [2**63 - 1, 9007199254740993]


def test_parquet_values_the_schema_cannot_hold_exactly_are_findings(tiny):
    import datetime as dt

    import pyarrow as pa

    _parquet(tiny, "customers", employees=pa.array([2**64 - 1, 5, 6], pa.uint64()))
    _parquet(tiny, "deals", amount=pa.array([float("nan"), 500.0]),
             registered=pa.array([dt.datetime(2025, 1, 10, 9, 30), dt.datetime(2025, 3, 1)]))
    _parquet(tiny, "audits", counted=pa.array([{"n": 1}]))
    errors = validate_bundle(tiny).errors
    assert sorted(errors[["file", "row", "column", "rule"]].values.tolist()) == [
        ["audits.parquet", 1, "counted", "type"],
        ["customers.parquet", 2, "employees", "out_of_range"],
        ["deals.parquet", 2, "amount", "type"],
        ["deals.parquet", 2, "registered", "date_format"]]


def test_a_typed_frame_with_bytes_or_a_list_where_one_value_belongs_is_a_type_finding(tiny):
    from ecograph import load_bundle, validate_tables

    tables = dict(load_bundle(tiny).tables)
    partners = tables["partners"].astype({"name": object})
    partners.loc[1, "name"] = b"Delta Distribution"
    customers = tables["customers"].astype({"region": object})
    customers.loc[0, "region"] = ("EMEA", "APAC")
    errors = validate_tables(tables | {"partners": partners, "customers": customers}).errors
    assert sorted(errors[["file", "row", "column", "rule"]].values.tolist()) == [
        ["customers", 2, "region", "type"], ["partners", 3, "name", "type"]]
