"""One fault, one finding: references to a row that was itself rejected are summarised, not repeated."""

from __future__ import annotations

from ecograph.validate import validate_bundle

from ..conftest import edit

RACK = "SRV,Rack server,each,server,true,"


def test_a_ragged_row_is_reported_once_with_its_echoes_summarised(tiny):
    edit(tiny, "asset_classes.csv", RACK, RACK + ",x")
    errors = validate_bundle(tiny).errors
    assert errors["rule"].tolist() == ["ragged_row", "rejected_reference"]
    echo = errors.iloc[1]
    assert echo["value"] == "SRV" and "asset_classes.csv row 2" in echo["message"]
    referring = sum(text.count("SRV") for text in [(tiny / f).read_text() for f in
                                                  ("audits.csv", "bom.csv", "movements.csv",
                                                   "products.csv", "relationships.csv")])
    assert echo["message"].startswith(f"{referring} rows ")  # every referencing row counted, none listed


def test_a_reference_to_an_id_that_never_existed_is_still_reported_per_row(tiny):
    edit(tiny, "asset_classes.csv", RACK, RACK + ",x")
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    errors = validate_bundle(tiny).errors
    dangling = errors[errors["rule"] == "dangling_reference"]
    assert dangling[["file", "row", "column", "value"]].values.tolist() == [
        ["deals.csv", 2, "customer", "C9"]]
