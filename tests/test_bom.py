"""Bills of materials as one table: listed inputs take their bom quantity, or 1 without a line."""

from __future__ import annotations

import pandas as pd

import ecograph
from ecograph.bom import bom_lines, input_pairs

ASSETS = pd.DataFrame({"sku": ["PUMP", "SEAL", "MOTOR", "CASE"],
                       "inputs": [("SEAL", "MOTOR", "CASE"), (), None, ("SEAL",)]})


def test_each_listed_input_takes_its_bom_quantity_or_one():
    bom = pd.DataFrame({"id": ["B1", "B2"], "sku": ["PUMP", "CASE"], "input": ["SEAL", "SEAL"],
                        "quantity": [4.0, 0.25]})
    lines = bom_lines(ASSETS, bom)
    assert lines.values.tolist() == [["PUMP", "SEAL", 4.0, "B1"], ["PUMP", "MOTOR", 1.0, None],
                                     ["PUMP", "CASE", 1.0, None], ["CASE", "SEAL", 0.25, "B2"]]
    assert lines["quantity"].dtype == "float64"


def test_without_a_bom_every_input_takes_one():
    for bom in (None, pd.DataFrame({"id": [], "sku": [], "input": [], "quantity": []})):
        assert bom_lines(ASSETS, bom)["quantity"].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_a_line_for_a_pair_that_is_not_an_input_is_ignored_and_a_repeated_line_counts_once():
    bom = pd.DataFrame({"id": ["B1", "B2", "B3"], "sku": ["SEAL", "PUMP", "PUMP"],
                        "input": ["PUMP", "MOTOR", "MOTOR"], "quantity": [9.0, 2.0, 3.0]})
    lines = bom_lines(ASSETS, bom)
    assert len(lines) == 4 and "SEAL" not in set(lines.loc[lines["input"] == "PUMP", "sku"])
    assert lines.set_index(["sku", "input"]).at[("PUMP", "MOTOR"), "quantity"] == 2.0


def test_input_pairs_lists_each_pair_once():
    twice = pd.DataFrame({"sku": ["PUMP"], "inputs": [("SEAL", "SEAL")]})
    assert input_pairs(twice).values.tolist() == [["PUMP", "SEAL"]]
    assert input_pairs(ASSETS.iloc[1:3]).empty


def test_the_bom_of_a_loaded_bundle():
    eco = ecograph.load_bundle("fixtures/tiny")
    assert bom_lines(eco.asset_classes, eco.bom).values.tolist() == [["SRV", "STEEL", 12.5, "B1"]]
