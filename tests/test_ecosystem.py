"""The Ecosystem object: loading, round trips, and what it exposes."""

from __future__ import annotations

import pandas as pd
import pytest

import ecograph
from ecograph import BundleError, BundleNotFoundError, ParameterError, load_bundle, load_tables, view

from .conftest import edit


def test_fixture_sizes_match_the_issue(it_eco, mfg_eco):
    assert len(it_eco.partners) >= 60 and len(it_eco.customers) >= 400
    assert it_eco.customers["region"].nunique() >= 5
    assert it_eco.customers["segment"].nunique() >= 6
    assert set(it_eco.partners["partner_type"]) >= {"reseller", "msp", "system_integrator",
                                                      "isv", "distributor"}
    deal_days = it_eco.deals["registered"]
    assert (deal_days.max() - deal_days.min()).days >= 300  # a year of registrations
    kinds = set(mfg_eco.suppliers["supplier_type"])
    assert {"raw_material", "component"} <= kinds
    assert {"distributor", "reseller"} <= set(mfg_eco.partners["partner_type"])


@pytest.mark.parametrize("name", ["it_ecosystem", "manufacturing"])
def test_csv_and_parquet_bundles_give_identical_ecosystems(name, ecosystems, tmp_path):
    eco = ecosystems[name]
    parquet = eco.to_bundle(tmp_path / "pq", format="parquet")
    assert {p.suffix for p in parquet.iterdir()} == {".parquet"}
    assert load_bundle(parquet) == eco


def test_writing_and_reading_csv_round_trips(it_eco, tmp_path):
    assert load_bundle(it_eco.to_bundle(tmp_path / "csv")) == it_eco


def test_equality_sees_a_changed_cell(it_eco, tmp_path):
    path = it_eco.to_bundle(tmp_path / "csv")
    edit(path, "partners.csv", "registered", "silver")
    assert load_bundle(path) != it_eco


def test_invalid_bundle_raises_one_error_with_the_whole_table(tiny):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    edit(tiny, "audits.csv", "SRV,1", "SRV,-1")
    with pytest.raises(BundleError) as info:
        load_bundle(tiny)
    err = info.value
    assert isinstance(err, ValueError)
    assert sorted(err.errors["rule"]) == ["dangling_reference", "negative_units"]
    assert "deals.csv row 2 column customer" in str(err)


def test_missing_folder_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_bundle(tmp_path / "nope")
    assert issubclass(BundleNotFoundError, ecograph.EcographError)


def test_parties_frame_has_one_row_per_party_with_kind(it_eco):
    parties = it_eco.parties
    assert parties["id"].is_unique
    expected = len(it_eco.partners) + len(it_eco.customers) + len(it_eco.suppliers) + 1
    assert len(parties) == expected
    home = parties.loc[parties["kind"] == "partner", "region"]
    assert (home == it_eco.partners["regions"].map(lambda r: r[0]).to_numpy()).all()


def test_optional_tables_absent_are_empty_frames(tiny):
    (tiny / "movements.csv").unlink()
    (tiny / "audits.csv").unlink()
    eco = load_bundle(tiny)
    assert eco.movements.empty and "units" in eco.movements.columns
    assert view(eco, "asset_flow").number_of_edges() == 0


def test_unknown_view_name_says_which_exist(it_eco):
    with pytest.raises(ParameterError, match="bipartite") as info:
        view(it_eco, "social")
    assert isinstance(info.value, ValueError)


def test_tables_are_read_only_and_a_copy_validates_like_a_bundle(tiny):
    eco = load_bundle(tiny)
    with pytest.raises(TypeError):
        eco.tables["deals"] = eco.deals.head(0)
    assert load_tables(eco.tables) == eco
    tables = dict(eco.tables)
    tables["deals"] = tables["deals"].assign(customer="C9")
    with pytest.raises(BundleError) as info:
        load_tables(tables)
    assert set(info.value.errors["rule"]) == {"dangling_reference"}
    assert len(eco.deals) == 2 and "C9" not in set(eco.deals["customer"])  # the original is intact


def test_names_and_kinds_of_parties_in_the_order_asked(tiny):
    eco = load_bundle(tiny)
    ids = ["S1", "P1", "nobody", "C2", "NIMBUS"]
    assert eco.names(ids).fillna("?").tolist() == [
        "Helix Hardware", "Apex Systems", "?", "Maple Retail", "Nimbus Cloud"]
    assert eco.kinds(ids).fillna("?").tolist() == [
        "supplier", "partner", "?", "customer", "company"]


def test_reference_date_is_the_last_dated_day(tiny):
    # tiny's latest records: deal D2 registered and audit A1 counted on 2025-03-01
    assert load_bundle(tiny).reference_date == pd.Timestamp("2025-03-01")
    edit(tiny, "audits.csv", "A1,2025-03-01", "A1,2025-04-02")
    assert load_bundle(tiny).reference_date == pd.Timestamp("2025-04-02")  # no day added
