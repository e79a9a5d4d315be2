"""The Ecosystem object: loading, round trips, and what it exposes."""

from __future__ import annotations

import pandas as pd
import pytest

import ecograph
from ecograph import BundleError, BundleNotFoundError, ParameterError, load_bundle, load_tables, view
from ecograph.files import MANIFEST

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
    assert {p.suffix for p in parquet.iterdir() if p.name != MANIFEST} == {".parquet"}
    assert load_bundle(parquet) == eco


def test_writing_and_reading_csv_round_trips(it_eco, tmp_path):
    assert load_bundle(it_eco.to_bundle(tmp_path / "csv")) == it_eco


def test_list_cells_are_lists_in_frames_and_joined_with_semicolons_in_csv(it_eco, tmp_path):
    regions = it_eco.partners["regions"]
    assert all(isinstance(r, list) and r for r in regions)
    wide = it_eco.partners[regions.map(len) > 1].iloc[0]
    assert len(it_eco.partners.explode("regions")) == int(regions.map(len).sum())
    it_eco.to_bundle(tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "partners.csv", dtype=str).set_index("id")
    assert written.at[wide["id"], "regions"] == ";".join(wide["regions"])


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


# --- the date and number model at its limits ------------------------------------------------

BIG = 2**63 - 1


def _limits_bundle(bundle):
    """tiny at the limits of the model: days 0001-01-01 and 9999-12-31 (an open-ended
    relationship, a ledger from the first day, an audit on the last), whole numbers at
    the 64-bit limit and past float64's exact range, amounts with all the digits a
    float64 keeps, and partners as Parquet with a list-valued ``regions`` column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    edit(bundle, "relationships.csv", "R1,P1,C1,sells_to,SRV,3,,,2024-01-01,",
         "R1,P1,C1,sells_to,SRV,3,,,0001-01-01,9999-12-31")
    edit(bundle, "customers.csv", ",5000,", f",{BIG},")
    edit(bundle, "customers.csv", ",40,", ",9007199254740993,")
    edit(bundle, "deals.csv", "won,1000,", "won,0.1,")
    edit(bundle, "deals.csv", "registered,500,", "registered,123456789012.345,")
    edit(bundle, "movements.csv", "M1,2025-01-05,", "M1,0001-01-01,")
    (bundle / "audits.csv").write_text((bundle / "audits.csv").read_text()
                                       + "A2,9999-12-31,P1,SRV,1\n")
    partners = pd.read_csv(bundle / "partners.csv", dtype=str, keep_default_na=False)
    partners.loc[0, "joined"] = "0001-01-01"
    table = pa.table({c: pa.array(partners[c]) for c in partners})
    regions = pa.array([r.split(";") for r in partners["regions"]])
    pq.write_table(table.set_column(4, "regions", regions), bundle / "partners.parquet")
    (bundle / "partners.csv").unlink()
    return bundle


def test_a_bundle_at_the_limits_round_trips_exactly_through_parquet_and_csv(tiny, tmp_path):
    eco = load_bundle(_limits_bundle(tiny))
    rel = eco.relationships.set_index("id")
    assert (rel.at["R1", "start"], rel.at["R1", "end"]) == (pd.Timestamp("0001-01-01"),
                                                            pd.Timestamp("9999-12-31"))
    assert eco.customers["employees"].tolist() == [BIG, 9007199254740993, 300]
    assert eco.deals["amount"].tolist() == [0.1, 123456789012.345]
    assert eco.partners["regions"].tolist() == [["EMEA"], ["EMEA", "APAC"], ["APAC"]]
    assert {str(eco.tables[t][c.name].dtype) for t, spec in ecograph.schema.TABLES.items()
            for c in spec.columns if c.kind == "date"} == {"datetime64[s]"}
    for fmt in ("parquet", "csv"):
        back = load_bundle(eco.to_bundle(tmp_path / fmt, format=fmt))
        assert back == eco, fmt
        again = load_bundle(back.to_bundle(tmp_path / f"{fmt}-again", format=fmt))
        assert again == eco, fmt
    text = (tmp_path / "csv" / "relationships.csv").read_text()
    assert "0001-01-01" in text and "9999-12-31" in text
    assert str(BIG) in (tmp_path / "csv" / "customers.csv").read_text()


def test_ledger_snapshots_and_ties_read_a_bundle_at_the_limits(tiny):
    from ecograph import ledger
    from ecograph.analysis.activity import partner_activity
    from ecograph.analysis.snapshots import snapshot
    from ecograph.dates import in_force
    from ecograph.ties import partner_accounts

    eco = load_bundle(_limits_bundle(tiny))
    assert eco.reference_date == pd.Timestamp("9999-12-31")  # the audit on the last day
    rec = ledger.reconcile(eco.movements, eco.audits).set_index("audit")
    assert rec.at["A2", "expected"] == 1.0  # P1 holds 1 SRV from 2025-02-15 to the end of time
    assert ledger.balances(eco.movements, as_of="0001-01-01").to_dict("records") == [
        {"party": "NIMBUS", "sku": "SRV", "units": 10.0}]
    for day in ("0001-01-01", "2025-06-30", "9999-12-31"):
        assert "R1" in set(eco.relationships.loc[in_force(eco.relationships, day), "id"])
        snap = snapshot(eco, day)
        assert "R1" in set(snap.relationships["id"]), day
        assert ("P1", "C1") in set(zip(*partner_accounts(eco, as_of=day)[["partner", "customer"]]
                                       .to_numpy().T, strict=True)), day
        assert len(partner_activity(eco, as_of=day)) == 3
    first = snapshot(eco, "0001-01-01")
    assert first.partners["id"].tolist() == ["P1"] and first.movements["id"].tolist() == ["M1"]
    last = snapshot(eco, eco.reference_date)  # only R4, ended 2025-05-01, is no longer in force
    assert set(eco.relationships["id"]) - set(last.relationships["id"]) == {"R4"}
    assert last.deals.equals(eco.deals) and last.audits.equals(eco.audits)


def test_an_absent_optional_table_has_date_columns_of_days(tiny):
    (tiny / "movements.csv").unlink()
    (tiny / "audits.csv").unlink()
    eco = load_bundle(tiny)
    assert str(eco.movements["date"].dtype) == str(eco.audits["date"].dtype) == "datetime64[s]"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_writing_a_bundle_is_all_or_nothing_at_every_file(tmp_path, monkeypatch, fixtures_dir, fmt):
    from .faults import every_step_is_all_or_nothing

    eco = load_bundle(fixtures_dir / "tiny")
    out = tmp_path / "out"
    eco.to_bundle(out, format="parquet" if fmt == "csv" else "csv")  # an earlier conversion
    steps = every_step_is_all_or_nothing(monkeypatch, tmp_path, lambda: eco.to_bundle(out, format=fmt))
    assert steps == len(list(out.glob(f"*.{fmt}"))) + 1  # each table, then the manifest
    assert load_bundle(out) == eco  # one format only: no ambiguous_file


def test_a_bundle_is_never_written_over_or_into_its_source(tiny, tmp_path):
    from .faults import snapshot

    eco = load_bundle(tiny)
    before = snapshot(tmp_path)
    for out, says in ((tiny, "is the input"), (tiny / "sub", "is inside the input"),
                      (tmp_path, "holds the input")):
        with pytest.raises(ParameterError, match=says):
            eco.to_bundle(out, format="parquet")
    assert snapshot(tmp_path) == before
    assert load_bundle(tiny) == eco
