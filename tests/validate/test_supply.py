"""Supply data: capacity covers the normal flow, bill-of-materials lines are listed inputs (once, above
zero), and every new column and table is optional, so a bundle without them means what it meant."""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import load_bundle, load_tables, validate_bundle, validate_tables

from ..conftest import edit


def _errors(result) -> list[tuple]:
    return [(e.file, e.row, e.column, e.rule, e.value) for e in result.errors.itertuples()]


def _drop(bundle, file: str, *columns: str) -> None:
    frame = pd.read_csv(bundle / file, dtype=str, keep_default_na=False)
    frame.drop(columns=list(columns)).to_csv(bundle / file, index=False)


# --- back-compatibility ---------------------------------------------------------------------------

def test_a_bundle_without_any_supply_column_or_bom_validates_and_means_what_it_meant(tiny):
    _drop(tiny, "relationships.csv", "capacity")
    _drop(tiny, "suppliers.csv", "capacity", "ttr_days")
    _drop(tiny, "partners.csv", "ttr_days")
    _drop(tiny, "asset_classes.csv", "unit_value")
    (tiny / "bom.csv").unlink()
    result = validate_bundle(tiny)
    assert result.ok and result.warnings.empty
    eco = load_bundle(tiny)
    assert eco.relationships["capacity"].isna().all()
    assert eco.suppliers[["capacity", "ttr_days"]].isna().all().all()
    assert eco.bom.empty and eco.bom.columns.tolist() == ["id", "sku", "input", "quantity"]
    assert eco.relationships.set_index("id").at["R2", "volume"] == 100
    assert load_tables(eco.tables) == eco  # an absent table reads back exactly as one loaded empty


def test_the_supply_columns_load_typed_and_the_bom_is_a_table_of_the_ecosystem(tiny):
    eco = load_bundle(tiny)
    assert eco.relationships.set_index("id")["capacity"].to_dict() == pytest.approx(
        {"R1": float("nan"), "R2": 120.0, "R3": float("nan"), "R4": float("nan")}, nan_ok=True)
    assert eco.suppliers.set_index("id").loc["S1", ["capacity", "ttr_days"]].tolist() == [150.0, 21.0]
    assert eco.partners.set_index("id")["ttr_days"].dropna().to_dict() == {"P2": 14.0}
    assert eco.asset_classes.set_index("sku")["unit_value"].dropna().to_dict() == {"SRV": 2500.0}
    assert eco.bom.values.tolist() == [["B1", "SRV", "STEEL", 12.5]]
    assert {"capacity", "ttr_days"} <= set(eco.parties.columns)


def test_the_bom_survives_a_round_trip_through_parquet(tiny, tmp_path):
    eco = load_bundle(tiny)
    back = load_bundle(eco.to_bundle(tmp_path / "pq", format="parquet"))
    assert (tmp_path / "pq" / "bom.parquet").exists()
    assert back == eco


# --- capacity ---------------------------------------------------------------------------------------

def test_capacity_below_volume_is_an_error_on_that_edge_only(tiny):
    edit(tiny, "relationships.csv", "R1,P1,C1,sells_to,SRV,3,,", "R1,P1,C1,sells_to,SRV,3,3,")  # equal: ok
    edit(tiny, "relationships.csv", "SRV,100,120,", "SRV,100,99.5,")  # planted
    edit(tiny, "relationships.csv", "R4,P1,P2,co_sells_with,,,,", "R4,P1,P2,co_sells_with,,,7,")  # no volume
    result = validate_bundle(tiny)
    assert _errors(result) == [("relationships.csv", 3, "capacity", "capacity_below_volume", "99.5")]
    assert "volume 100" in result.errors["message"].iat[0]


def test_capacity_below_volume_in_frames_is_the_same_finding():
    eco = load_bundle("fixtures/tiny")
    tables = dict(eco.tables)
    rel = tables["relationships"].copy()
    rel.loc[rel["id"] == "R3", "capacity"] = 10.0
    tables["relationships"] = rel
    assert _errors(validate_tables(tables)) == [("relationships", 4, "capacity", "capacity_below_volume",
                                                 "10.0")]


@pytest.mark.parametrize(("file", "old", "new", "column"), [
    ("relationships.csv", "SRV,100,120,", "SRV,100,-1,", "capacity"),
    ("suppliers.csv", ",150,21", ",-150,21", "capacity"),
    ("suppliers.csv", ",150,21", ",150,-0.5", "ttr_days"),
    ("partners.csv", "2020-01-15,14", "2020-01-15,-14", "ttr_days"),
    ("asset_classes.csv", "STEEL,2500", "STEEL,-2500", "unit_value"),
])
def test_a_negative_capacity_duration_or_value_is_below_minimum(tiny, file, old, new, column):
    edit(tiny, file, old, new)
    assert [(e.file, e.column, e.rule) for e in validate_bundle(tiny).errors.itertuples()] == [
        (file, column, "below_minimum")]


def test_zero_capacity_ttr_and_value_are_allowed(tiny):
    edit(tiny, "suppliers.csv", ",150,21", ",0,0")
    edit(tiny, "asset_classes.csv", "STEEL,2500", "STEEL,0")
    assert validate_bundle(tiny).ok


# --- bill of materials --------------------------------------------------------------------------------

@pytest.mark.parametrize("quantity", ["0", "-2", "0.0"])
def test_a_bom_quantity_must_be_above_zero(tiny, quantity):
    edit(tiny, "bom.csv", "STEEL,12.5", f"STEEL,{quantity}")
    result = validate_bundle(tiny)
    assert _errors(result) == [("bom.csv", 2, "quantity", "below_minimum", quantity)]
    assert "greater than 0" in result.errors["message"].iat[0]


def test_a_tiny_positive_bom_quantity_is_fine(tiny):
    edit(tiny, "bom.csv", "STEEL,12.5", "STEEL,0.000001")
    assert validate_bundle(tiny).ok


def _assets_with_two_inputs(tiny) -> None:
    """SRV takes STEEL and CHIP; CHIP takes nothing."""
    edit(tiny, "asset_classes.csv", "true,STEEL,2500", "true,STEEL;CHIP,2500")
    (tiny / "asset_classes.csv").write_text((tiny / "asset_classes.csv").read_text()
                                            + "CHIP,Chip,each,component,true,,\n")


def test_a_bom_line_for_a_pair_that_is_not_an_input_is_an_error(tiny):
    _assets_with_two_inputs(tiny)
    (tiny / "bom.csv").write_text((tiny / "bom.csv").read_text()
                                  + "B2,SRV,CHIP,4\n"      # decoy: a listed input with a line
                                  + "B3,CHIP,STEEL,2\n"    # planted: CHIP lists no inputs
                                  + "B4,STEEL,SRV,1\n")    # planted: the pair the other way round
    result = validate_bundle(tiny)
    assert _errors(result) == [("bom.csv", 4, "input", "bom_not_an_input", "STEEL"),
                               ("bom.csv", 5, "input", "bom_not_an_input", "SRV")]
    assert "inputs of CHIP" in result.errors["message"].iat[0]


def test_a_listed_input_without_a_bom_line_is_fine(tiny):
    _assets_with_two_inputs(tiny)  # CHIP has no line: it takes 1
    assert validate_bundle(tiny).ok


def test_a_second_line_for_the_same_pair_is_one_error_naming_the_first(tiny):
    (tiny / "bom.csv").write_text((tiny / "bom.csv").read_text()
                                  + "B2,SRV,STEEL,3\nB3,SRV,STEEL,4\n"
                                  + "B4,STEEL,SRV,1\nB5,STEEL,SRV,1\n")  # a stray pair, twice
    result = validate_bundle(tiny)
    assert _errors(result) == [("bom.csv", 3, "input", "duplicate_bom_line", "STEEL"),
                               ("bom.csv", 4, "input", "duplicate_bom_line", "STEEL"),
                               ("bom.csv", 5, "input", "bom_not_an_input", "SRV"),
                               ("bom.csv", 6, "input", "duplicate_bom_line", "SRV")]
    messages = result.errors["message"].tolist()
    assert "bom.csv row 2" in messages[0] and "bom.csv row 2" in messages[1]
    assert "bom.csv row 5" in messages[3]


def test_a_bom_line_naming_no_asset_class_is_only_a_dangling_reference(tiny):
    (tiny / "bom.csv").write_text((tiny / "bom.csv").read_text() + "B2,SRV,GLASS,1\nB3,GLASS,STEEL,1\n")
    assert [(e.row, e.column, e.rule) for e in validate_bundle(tiny).errors.itertuples()] == [
        (3, "input", "dangling_reference"), (4, "sku", "dangling_reference")]


def test_a_bom_line_of_a_rejected_asset_class_is_not_checked_again(tiny):
    edit(tiny, "asset_classes.csv", "SRV,Rack server,each,server,true,STEEL,2500",
         "SRV,Rack server,each,server,true,STEEL,2500,extra")
    rules = validate_bundle(tiny).errors["rule"].tolist()
    assert rules == ["ragged_row", "rejected_reference"]


def test_a_bom_id_shares_the_bundle_namespace(tiny):
    edit(tiny, "bom.csv", "B1,", "D1,")
    errors = validate_bundle(tiny).errors
    assert [(e.file, e.row, e.column, e.rule) for e in errors.itertuples()] == [
        ("deals.csv", 2, "id", "duplicate_id")]
    assert "bom.csv row 2" in errors["message"].iat[0]
