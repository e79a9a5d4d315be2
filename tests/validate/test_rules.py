"""Validation rules that need more than one broken thing, or a look at ordering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecograph import validate_bundle

from ..conftest import edit


def test_all_errors_are_collected_before_failing(tiny):
    edit(tiny, "partners.csv", "referral,registered", "referral,diamond")
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    edit(tiny, "movements.csv", "P1,C1,3,", "P1,C1,0,")
    edit(tiny, "customers.csv", ",300,", ",lots,")
    errors = validate_bundle(tiny).errors
    assert set(errors["rule"]) == {"enum", "dangling_reference", "non_positive_units", "type"}
    assert set(errors["file"]) == {"partners.csv", "deals.csv", "movements.csv", "customers.csv"}


def test_duplicate_id_names_both_rows(tiny):
    (tiny / "customers.csv").write_text((tiny / "customers.csv").read_text()
                                        + "C1,Copy,customer,smb,retail,EMEA,5,\n")
    err = validate_bundle(tiny).errors.iloc[0]
    assert (err.row, err.rule) == (5, "duplicate_id")
    assert "customers.csv row 2" in err.message


def test_overdrawn_transfer_names_movement_and_date_even_if_final_balance_is_positive(tiny):
    # P2 holds 6 on Jan 20 but sends 8; a later supply makes its final balance positive.
    edit(tiny, "movements.csv", "transfer,P2,P1,4,", "transfer,P2,P1,8,")
    (tiny / "movements.csv").write_text((tiny / "movements.csv").read_text()
                                        + "M8,2025-03-01,SRV,supply,S1,P2,10,,\n")
    err = validate_bundle(tiny).errors
    assert err["rule"].tolist() == ["overdraft"]
    assert "M3" in err["message"].iat[0] and "2025-01-20" in err["message"].iat[0]


def test_same_day_receipt_listed_after_the_debit_is_not_an_overdraft(tiny):
    # Day resolution: a receipt and a dispatch on the same day net out, whatever the order.
    edit(tiny, "movements.csv", "M3,2025-01-20,SRV,transfer,P2,P1,4,",
         "M3,2025-01-10,SRV,transfer,P2,P1,4,")
    assert validate_bundle(tiny).ok


@pytest.mark.parametrize("seed", range(5))
def test_ledger_validation_is_independent_of_row_order(fixtures_dir, tmp_path, seed):
    src = fixtures_dir / "it_ecosystem"
    moves = pd.read_csv(src / "movements.csv", dtype=str, keep_default_na=False)
    bundle = tmp_path / "b"
    bundle.mkdir()
    for f in src.iterdir():
        if f.suffix == ".csv":
            (bundle / f.name).write_bytes(f.read_bytes())
    # Break the ledger: the first deployment now sends far more than the partner holds.
    first = moves.index[moves["kind"] == "deploy"][0]
    moves.loc[first, "units"] = "100000"
    shuffled = moves.sample(frac=1.0, random_state=np.random.default_rng(seed).integers(1e9))
    shuffled.to_csv(bundle / "movements.csv", index=False)
    err = validate_bundle(bundle).errors
    assert err["rule"].tolist() == ["overdraft"]
    assert err["value"].iat[0] == moves.at[first, "id"]


def test_unknown_column_is_a_warning_not_an_error(tiny):
    edit(tiny, "suppliers.csv", "ttr_days\n", "ttr_days,notes\n")
    edit(tiny, "suppliers.csv", ",21\n", ",21,preferred\n")
    result = validate_bundle(tiny)
    assert result.ok
    assert result.warnings[["file", "column", "rule"]].values.tolist() == [
        ["suppliers.csv", "notes", "unknown_column"]]


def test_cypher_and_formula_looking_text_is_accepted_verbatim(tiny):
    weird = "=cmd|' /C calc'!A0 ') DETACH DELETE n //"
    edit(tiny, "partners.csv", "Echo Referrals", weird)
    result = validate_bundle(tiny)
    assert result.ok
    assert weird in result.tables["partners"]["name"].tolist()
