"""Production lots in validation: a produce and the consumes of its components, tied by ``lot``,
on one day at one factory, in the quantities the bill of materials says (the invalid fixtures
produce_without_lot, produce_with_vendor, lot_* hold one break each)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecograph import validate_bundle, validate_tables

from ..conftest import append_rows, edit
from ..test_ledger import ASSETS, BOM, UNIT, factories, props, tiny_eco

#: A balanced lot at S1 in the tiny bundle: 12.5 kg of STEEL (its bom line) make one SRV.
PRODUCE = "M8,2025-01-07,SRV,produce,,S1,1,,L1"
CONSUME = "M9,2025-01-07,STEEL,consume,S1,,12.5,,L1"


def _with_lot(bundle, *rows: str) -> None:
    append_rows(bundle, "movements.csv", *rows)


def _errors(bundle) -> list:
    return validate_bundle(bundle).errors[["row", "column", "rule"]].values.tolist()


def test_a_balanced_lot_validates_and_moves_the_steel_into_the_server(tiny):
    _with_lot(tiny, PRODUCE, CONSUME)
    result = validate_bundle(tiny)
    assert result.ok, result.errors
    moves = result.tables["movements"]
    assert moves.loc[moves["id"] == "M9", "lot"].tolist() == ["L1"]


def test_a_bundle_without_a_lot_column_is_still_valid(tiny):
    path = tiny / "movements.csv"
    lines = path.read_text().splitlines()
    assert lines[0].endswith(",lot")
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    assert "lot" not in path.read_text()
    assert validate_bundle(tiny).ok  # old bundles mean what they meant


def test_a_lot_on_other_kinds_of_movement_is_free_text(tiny):
    _with_lot(tiny, PRODUCE, CONSUME, "M10,2025-01-08,SRV,transfer,S1,P3,1,,L1")
    assert _errors(tiny) == []


@pytest.mark.parametrize("rows, want", [
    # the bom line says 12.5 kg per server: one unit too much, and the default of 1 is not used
    ((PRODUCE, CONSUME.replace(",12.5,", ",13.5,")), [[10, "units", "lot_unbalanced"]]),
    ((PRODUCE, CONSUME.replace(",12.5,", ",1,")), [[10, "units", "lot_unbalanced"]]),
    ((PRODUCE, CONSUME.replace("2025-01-07", "2025-01-08")), [[10, "date", "lot_unbalanced"]]),
    ((PRODUCE, CONSUME, PRODUCE.replace("M8,", "M10,")), [[11, "lot", "lot_unbalanced"]]),
    ((PRODUCE,), [[9, "units", "lot_unbalanced"]]),  # its steel never consumed: the produce row
    ((PRODUCE, CONSUME, "M10,2025-01-07,SRV,consume,S1,,1,,L1"), [[11, "sku", "lot_unbalanced"]]),
    ((PRODUCE.replace(",L1", ","), CONSUME.replace(",L1", ",")), [[9, "lot", "lot_required"],
                                                                 [10, "lot", "lot_required"]]),
    ((PRODUCE, CONSUME.replace("consume,S1,", "consume,,")), [[10, "from_party", "missing_party"]]),
    ((PRODUCE, CONSUME.replace(",,12.5", ",P1,12.5")), [[10, "to_party", "unexpected_party"]]),
    ((PRODUCE.replace(",S1,1,", ",,1,"), CONSUME), [[9, "to_party", "missing_party"]]),
], ids=["too_much", "default_quantity_not_used", "off_day", "second_produce", "input_not_consumed",
        "not_an_input", "no_lot", "consume_without_factory", "consume_with_destination",
        "produce_without_factory"])
def test_each_break_of_a_lot_is_one_finding_on_the_row_that_breaks_it(tiny, rows, want):
    _with_lot(tiny, *rows)
    assert _errors(tiny) == want


def test_the_message_says_what_the_lot_needed(tiny):
    _with_lot(tiny, PRODUCE.replace(",1,,L1", ",2,,L1"), CONSUME)
    err = validate_bundle(tiny).errors.iloc[0]
    assert err.message == "lot L1 makes 2 SRV, which take 25 STEEL (2 x 12.5 per unit); 12.5 consumed"


@pytest.mark.parametrize("steel, want", [("37.50000000001", []),  # float dust: a relative 3e-13
                                         ("37.5001", [[10, "units", "lot_unbalanced"]])])
def test_quantities_are_compared_with_a_relative_tolerance_of_a_billionth(tiny, steel, want):
    edit(tiny, "movements.csv", "STEEL,supply,,S1,12.5,", "STEEL,supply,,S1,50,")
    _with_lot(tiny, PRODUCE.replace(",1,,L1", ",3,,L1"), CONSUME.replace(",12.5,", f",{steel},"))
    assert _errors(tiny) == want


def test_a_lot_error_stops_the_overdraft_replay_so_it_is_not_echoed(tiny):
    # consumed at P1, which holds no steel: the lot error only, not an overdraft too
    _with_lot(tiny, PRODUCE, CONSUME.replace("consume,S1", "consume,P1"))
    assert _errors(tiny) == [[10, "from_party", "lot_unbalanced"]]


def test_an_overdrawn_lot_is_an_overdraft(tiny):
    _with_lot(tiny, PRODUCE.replace(",1,,L1", ",2,,L1"), CONSUME.replace(",12.5,", ",25,"))
    errors = validate_bundle(tiny).errors
    assert errors[["row", "rule", "value"]].values.tolist() == [[10, "overdraft", "M9"]]
    assert "S1's balance of STEEL would be -12.5" in errors["message"].iat[0]


def _tables(moves: pd.DataFrame) -> dict:
    return {**tiny_eco().tables, "movements": moves, "asset_classes": ASSETS, "bom": BOM}


@props(8)  # each example validates a whole bundle twice
@given(factories(), st.integers(0, 10**6))
def test_random_factory_ledgers_validate_and_a_changed_consume_is_named(case, pick):
    moves, _ = case
    assert validate_tables(_tables(moves)).ok
    used = moves.index[moves["kind"] == "consume"]
    if len(used) == 0:
        return
    row = used[pick % len(used)]
    moves.loc[row, "units"] += UNIT[moves.at[row, "sku"]]  # more than the bill: never an overdraft
    errors = validate_tables(_tables(moves)).errors
    assert errors[["file", "row", "column", "rule"]].values.tolist() == [
        ["movements", row + 2, "units", "lot_unbalanced"]]
