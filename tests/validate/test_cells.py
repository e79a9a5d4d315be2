"""Cell rules: the date and number model (ecograph.validate.cells).

Dates are calendar days 0001-01-01 ... 9999-12-31, only ASCII digits make
numbers, whole numbers are exact to 64 bits, and a number a float64 would
write back changed is a finding: a value is kept exactly or rejected, never
changed.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecograph import load_bundle, validate_bundle
from ecograph.errors import Findings
from ecograph.ingest import TEXT
from ecograph.schema import TABLES
from ecograph.validate.cells import parse_table

from ..conftest import edit


def parse(table: str, column: str, cells: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """One column of text cells through the cell rules: its typed values and the
    findings on it (the other columns of the table are absent, so not reported)."""
    raw = pd.DataFrame({column: pd.Series(cells, dtype=TEXT), "_row": range(2, len(cells) + 2)})
    findings = Findings()
    out = parse_table(TABLES[table], raw, f"{table}.csv", findings)
    found = findings.frame()
    return out[column], found[found["column"] == column].reset_index(drop=True)


# --- dates ---------------------------------------------------------------------------------

def test_dates_span_the_whole_iso_range_as_calendar_days():
    values, found = parse("relationships", "end", ["0001-01-01", "9999-12-31", "2024-02-29", ""])
    assert found.empty
    assert str(values.dtype) == "datetime64[s]"
    assert [d.date().isoformat() if pd.notna(d) else None for d in values] == [
        "0001-01-01", "9999-12-31", "2024-02-29", None]


@pytest.mark.parametrize("cell", ["0000-01-01", "2023-02-29", "2022-02-30", "2025-13-01",
                                  "2025-00-10", "2025-01-00", "2025-04-31"])
def test_a_day_the_calendar_does_not_have_is_invalid_not_rolled_over(cell):
    values, found = parse("partners", "joined", [cell])
    assert found[["row", "rule", "value"]].values.tolist() == [[2, "invalid_date", cell]]
    assert values.isna().all()


@pytest.mark.parametrize("cell", ["\uff12\uff10\uff12\uff12-06-30", "\u0662\u0660\u0662\u0665-01-01",
                                  "2025-01-01\n", " 2025-01-01", "10000-01-01", "2025-1-01"])
def test_a_date_in_any_other_form_or_script_is_a_date_format_finding(cell):
    values, found = parse("partners", "joined", [cell])
    assert found[["row", "rule"]].values.tolist() == [[2, "date_format"]]
    assert values.isna().all()


def test_an_open_ended_relationship_validates_and_loads(tiny):
    edit(tiny, "relationships.csv", "R1,P1,C1,sells_to,SRV,3,,,2024-01-01,",
         "R1,P1,C1,sells_to,SRV,3,,,0001-01-01,9999-12-31")
    eco = load_bundle(tiny)
    r1 = eco.relationships.set_index("id").loc["R1"]
    assert (r1["start"], r1["end"]) == (pd.Timestamp("0001-01-01"), pd.Timestamp("9999-12-31"))


# --- whole numbers -------------------------------------------------------------------------

def test_whole_numbers_are_exact_to_64_bits():
    cells = ["9007199254740993", str(2**63 - 1), "+42", "007", "0"]
    values, found = parse("customers", "employees", cells)
    assert found.empty
    assert str(values.dtype) == "Int64"
    assert values.tolist() == [9007199254740993, 2**63 - 1, 42, 7, 0]


def test_the_64_bit_limits_are_exact_on_both_sides():
    values, found = parse("suppliers", "supply_tier", [str(2**63 - 1), str(2**63), str(-2**63),
                                                       str(-2**63 - 1), "1" + "0" * 30])
    assert found[["row", "rule"]].values.tolist() == [
        [3, "out_of_range"], [4, "below_minimum"], [5, "out_of_range"], [6, "out_of_range"]]
    assert values.iat[0] == 2**63 - 1
    assert values.iloc[1:].isna().all()


@pytest.mark.parametrize("cell", ["\u0665\u0660", "\uff15", "\u0969", "5.0", "1e3", "5\n", "1,000",
                                  "NaN", "٣"])
def test_a_whole_number_in_another_script_or_form_is_a_type_finding(cell):
    values, found = parse("customers", "employees", [cell])
    assert found[["row", "rule", "value"]].values.tolist() == [[2, "type", cell[:80]]]
    assert "ASCII" in found["message"].iat[0]
    assert values.isna().all()


# --- other numbers -------------------------------------------------------------------------

@pytest.mark.parametrize("cell,value", [("0.1", 0.1), ("1.50", 1.5), ("1e3", 1000.0), (".5", 0.5),
                                        ("5.", 5.0), ("12345678901234.5", 12345678901234.5),
                                        ("0.000000000000000000000001", 1e-24),
                                        ("1.2300000000000000000000", 1.23), ("-0", 0.0)])
def test_a_number_a_float64_writes_back_unchanged_is_kept(cell, value):
    values, found = parse("relationships", "weight", [cell])
    assert found.empty
    assert values.iat[0] == value


@pytest.mark.parametrize("cell", ["0.30000000000000001", "1234567.123456789012", "500.00000000000001",
                                  "1e-400", "4.9e-324", "9007199254740991.5"])
def test_a_number_a_float64_would_write_back_changed_is_a_finding(cell):
    values, found = parse("deals", "amount", [cell])
    assert found["rule"].tolist() in (["precision"], ["out_of_range"])
    assert values.isna().all()


def test_units_keep_their_exact_counting_limit():
    values, found = parse("movements", "units", ["9007199254740991", "9007199254740992",
                                                 "9007199254740993"])
    assert found[["row", "rule"]].values.tolist() == [[3, "out_of_range"], [4, "out_of_range"]]
    assert values.iat[0] == 2**53 - 1


@pytest.mark.parametrize("cell", ["\u0661\u0660\u0660\u0660", "\uff11\uff10\uff10\uff10", "1\u06f0",
                                  "\u0967.5"])
def test_an_amount_in_another_script_is_a_type_finding_never_an_empty_cell(tiny, cell):
    edit(tiny, "deals.csv", "won,1000,", f"won,{cell},")
    errors = validate_bundle(tiny).errors
    assert errors[["file", "row", "column", "rule", "value"]].values.tolist() == [
        ["deals.csv", 2, "amount", "type", cell]]


def test_a_bad_number_is_reported_once_not_again_as_missing():
    # employees is optional, amount too: use a required number column (movements.units)
    values, found = parse("movements", "units", ["\u0665", "1e-400", ""])
    assert found[["row", "rule"]].values.tolist() == [[2, "type"], [3, "precision"], [4, "required"]]


# --- properties: every value is kept exactly or rejected ------------------------------------

@given(st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=40))
def test_every_64_bit_integer_comes_back_exactly(numbers):
    values, found = parse("customers", "employees", [str(n) for n in numbers])
    negative = [i + 2 for i, n in enumerate(numbers) if n < 0]  # employees may not be negative
    assert found["row"].tolist() == negative and set(found["rule"]) <= {"below_minimum"}
    assert [v for v, n in zip(values, numbers, strict=True) if n >= 0] == [n for n in numbers if n >= 0]


@given(st.lists(st.dates(), min_size=1, max_size=40))
def test_every_calendar_day_comes_back_as_that_day(days):
    values, found = parse("movements", "date", [d.isoformat() for d in days])
    assert found.empty
    assert [v.date() for v in values] == days


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False).map(str), min_size=1, max_size=40))
def test_a_number_is_kept_as_written_or_reported_never_rounded(texts):
    values, found = parse("relationships", "weight", texts)
    reported = set(found["row"] - 2)
    for i, text in enumerate(texts):
        if i in reported:
            assert pd.isna(values.iat[i])
        else:  # kept: its float writes back as the very number the cell holds
            assert Decimal(repr(float(values.iat[i]))) == Decimal(text), text
