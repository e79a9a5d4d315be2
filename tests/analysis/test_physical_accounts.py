"""Physical accounts of an Ecosystem: the ledger (tests/test_ledger.py) with party names,
every asset class, and the installed base per partner or region."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import ecograph
from ecograph import ledger, load_bundle
from ecograph.analysis import physical_accounts as pa
from ecograph.errors import ParameterError

from ..conftest import append_rows, edit
from ..test_ledger import SITES, START, held_on, histories, props, tiny_eco


def _names_and_kinds(eco: ecograph.Ecosystem) -> pd.DataFrame:
    """Each party's name and kind, straight from the party tables."""
    return pd.concat([eco.tables[t][["id", "name"]].assign(kind=kind) for t, kind in
                      (("company", "company"), ("partners", "partner"),
                       ("customers", "customer"), ("suppliers", "supplier"))]).set_index("id")


def test_holdings_name_every_holder(tiny):
    h = pa.holdings(load_bundle(tiny), as_of="2025-01-10")
    assert h.columns.tolist() == ["id", "name", "kind", "sku", "units"]
    assert h.values.tolist() == [["NIMBUS", "Nimbus Cloud", "company", "SRV", 4.0],
                                 ["P2", "Delta Distribution", "partner", "SRV", 6.0],
                                 ["S1", "Helix Hardware", "supplier", "STEEL", 12.5]]


def test_holdings_are_the_ledger_balances_with_names(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    for as_of in ("2025-06-30", None):
        h = pa.holdings(eco, as_of=as_of)
        bal = ledger.balances(eco.movements, as_of=as_of)
        assert h[["id", "sku", "units"]].values.tolist() == bal.values.tolist()
        who = _names_and_kinds(eco).loc[h["id"]]
        assert h["name"].tolist() == who["name"].tolist()
        assert h["kind"].tolist() == who["kind"].tolist()
        assert h["name"].notna().all()  # every holder is a party of the bundle


def test_reconcile_names_the_audited_party(ecosystems, truths, bundle_name):
    eco = ecosystems[bundle_name]
    planted = truths[bundle_name]["audit_discrepancy"]
    rec = pa.reconcile(eco)
    frame = ledger.reconcile(eco.movements, eco.audits)
    assert rec.columns.tolist() == [*frame.columns[:3], "party_name", *frame.columns[3:]]
    assert_frame_equal(rec.drop(columns="party_name"), frame)
    top = rec.iloc[0]
    assert (top["audit"], top["party"]) == (planted["audit"], planted["party"])
    assert top["party_name"] == _names_and_kinds(eco).at[planted["party"], "name"]
    assert rec["party_name"].tolist() == _names_and_kinds(eco).loc[rec["party"], "name"].tolist()
    loose = pa.reconcile(eco, tolerance=2).set_index("audit")
    assert loose.at[planted["audit"], "status"] == "ok"


def test_adjustments_name_the_party(tiny):
    edit(tiny, "audits.csv", "A1,2025-03-01,P1,SRV,1", "A1,2025-03-01,P1,SRV,0\nA2,2025-03-01,C1,SRV,5")
    eco = load_bundle(tiny)
    adj = pa.adjustments(eco)
    assert adj[["id", "party", "party_name", "change"]].values.tolist() == [
        ["ADJ-A2", "C1", "Harbor Bank", 3.0], ["ADJ-A1", "P1", "Apex Systems", -1.0]]
    assert_frame_equal(adj.drop(columns="party_name"), ledger.adjustments(eco.movements, eco.audits))


@pytest.mark.parametrize("as_of", ["2025-07-01", None])
def test_deployed_by_region_is_what_customers_hold(ecosystems, bundle_name, as_of):
    eco = ecosystems[bundle_name]
    held = ledger.balances(eco.movements, as_of=as_of).merge(eco.customers[["id", "region"]],
                                                             left_on="party", right_on="id")
    want = held.groupby(["region", "sku"])["units"].sum()
    got = pa.deployed(eco, as_of=as_of, by="region").set_index(["region", "sku"])["net"]
    assert got[got != 0].sort_index().to_dict() == want[want != 0].sort_index().to_dict()
    assert got.is_monotonic_decreasing


def test_deployed_by_partner_adds_up_the_deploy_movements(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    m = eco.movements
    table = pa.deployed(eco)
    assert table.columns.tolist()[:4] == ["id", "name", "kind", "sku"]
    who = _names_and_kinds(eco).loc[table["id"]]
    assert table["name"].tolist() == who["name"].tolist()
    assert table["kind"].tolist() == who["kind"].tolist()
    out = table.set_index(["id", "sku"])
    want = m[m["kind"] == "deploy"].groupby(["from_party", "sku"])["units"].sum()
    assert out["deployed"].sort_index().to_dict() == want.sort_index().to_dict()
    assert (out["net"] == out["deployed"] - out["returned"]).all()
    by_region = pa.deployed(eco, by="region").groupby("sku")["net"].sum()
    assert out.groupby("sku")["net"].sum().to_dict() == by_region.to_dict()
    # demo units handed back to the company are not deployment returns
    demo_back = m[(m["kind"] == "return") & m["from_party"].isin(eco.partners["id"])]
    customer_back = m[(m["kind"] == "return") & m["from_party"].isin(eco.customers["id"])]
    assert out["returned"].sum() == customer_back["units"].sum()
    assert bundle_name == "manufacturing" or len(demo_back) > 0


def test_deployed_rejects_an_unknown_grouping(it_eco):
    with pytest.raises(ParameterError, match="by must be"):
        pa.deployed(it_eco, by="segment")


def test_custody_names_both_sides(tiny):
    eco = load_bundle(tiny)
    chain = pa.custody(eco, "SRV")
    assert_frame_equal(chain.drop(columns=["from_party_name", "to_party_name"]),
                       ledger.custody_chain(eco.movements, "SRV"))
    assert chain[["from_party", "from_party_name", "to_party", "to_party_name"]].head(2) \
        .values.tolist() == [["S1", "Helix Hardware", "NIMBUS", "Nimbus Cloud"],
                             ["NIMBUS", "Nimbus Cloud", "P2", "Delta Distribution"]]
    mine = pa.custody(eco, "SRV", party="C1")
    assert mine[["step", "kind", "to_party_name"]].values.tolist() == [
        [4, "deploy", "Harbor Bank"], [5, "return", "Apex Systems"]]


def test_custody_rejects_unknown_sku_and_party(tiny):
    eco = load_bundle(tiny)
    with pytest.raises(ParameterError, match="sku"):
        pa.custody(eco, "NOPE")
    with pytest.raises(ParameterError, match="party"):
        pa.custody(eco, "SRV", party="NOPE")
    assert pa.custody(eco, "STEEL", party="P3").empty  # known party, never touched it


def test_custody_of_an_asset_class_that_never_moved_is_empty(tiny):
    tables = dict(load_bundle(tiny).tables)
    tables["asset_classes"] = pd.concat([tables["asset_classes"], tables["asset_classes"].iloc[:1]
                                         .assign(sku="GPU", name="Accelerator")], ignore_index=True)
    eco = ecograph.load_tables(tables)
    chain = pa.custody(eco, "GPU")
    assert chain.empty
    assert chain.columns.tolist() == pa.custody(eco, "SRV").columns.tolist()
    table = pa.conservation(eco).set_index("sku")
    assert table.index.tolist() == ["SRV", "STEEL", "GPU"]
    assert table.loc["GPU"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, True]


def test_fixture_units_are_conserved_for_every_asset_class(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    table = pa.conservation(eco)
    assert table["sku"].tolist() == eco.asset_classes["sku"].tolist()
    assert table["balanced"].all()
    held = pa.holdings(eco).groupby("sku")["units"].sum().reindex(table["sku"], fill_value=0)
    assert table.set_index("sku")["held"].to_dict() == pytest.approx(held.to_dict())
    mid = pa.conservation(eco, as_of="2025-06-30").set_index("sku")
    moved = eco.movements[eco.movements["date"] <= "2025-06-30"]
    supplied = moved[moved["kind"] == "supply"].groupby("sku")["units"].sum()
    assert mid["supplied"].to_dict() == pytest.approx(supplied.reindex(mid.index, fill_value=0)
                                                      .to_dict())
    assert mid["balanced"].all()


# --- production: components followed through a lot at the factory ------------------------------

def test_production_names_the_factory_and_checks_the_lot_against_the_bom(tiny):
    # S1 turns 25 kg of steel (12.5 kg per server, the tiny bundle's bom line) into 2 servers
    edit(tiny, "movements.csv", "STEEL,supply,,S1,12.5,", "STEEL,supply,,S1,30,")
    append_rows(tiny, "movements.csv", "M8,2025-01-07,SRV,produce,,S1,2,,L1",
                "M9,2025-01-07,STEEL,consume,S1,,25,,L1", "M10,2025-01-09,SRV,transfer,S1,P3,2,,")
    eco = load_bundle(tiny)
    lots = pa.production(eco)
    assert lots.values.tolist() == [["L1", pd.Timestamp("2025-01-07"), "S1", "Helix Hardware", "supplier",
                                     "SRV", 2.0, "STEEL", 12.5, 25.0, 25.0, True]]
    assert pa.production(eco, as_of="2025-01-06").empty
    # the components do not vanish at the factory door: the steel left S1's account into the lot,
    # and the servers it made are on the books and move on
    assert pa.holdings(eco, as_of="2025-01-07").query("id == 'S1'")[["sku", "units"]].values.tolist() == [
        ["STEEL", 5.0], ["SRV", 2.0]]
    assert pa.holdings(eco).query("id == 'P3'")[["sku", "units"]].values.tolist() == [["SRV", 2.0]]
    steel = pa.custody(eco, "STEEL")
    assert steel[["kind", "from_party_name", "lot", "from_balance"]].values.tolist()[-1] == [
        "consume", "Helix Hardware", "L1", 5.0]
    table = pa.conservation(eco).set_index("sku")
    steel_books = table.loc["STEEL", ["supplied", "consumed", "required", "held"]].tolist()
    assert steel_books == [30.0, 25.0, 25.0, 5.0]
    assert table.loc["SRV", ["supplied", "produced", "held"]].tolist() == [10.0, 2.0, 11.0]
    assert table["balanced"].all()


def test_conservation_of_an_ecosystem_checks_consumption_against_its_bom():
    eco = tiny_eco()
    moves = pd.DataFrame({"id": ["X1", "X2", "X3"], "date": pd.to_datetime(["2025-01-07"] * 3),
                          "sku": ["STEEL", "SRV", "STEEL"], "kind": ["supply", "produce", "consume"],
                          "from_party": [None, None, "S1"], "to_party": ["S1", "S1", None],
                          "units": [20.0, 1.0, 10.0], "note": None, "lot": [None, "L1", "L1"]})
    off = ecograph.Ecosystem({**eco.tables, "movements": moves})  # unvalidated: 10 kg, not 12.5
    table = pa.conservation(off).set_index("sku")
    assert table["balanced"].to_dict() == {"SRV": True, "STEEL": False}
    assert table.loc["STEEL", ["consumed", "required"]].tolist() == [10.0, 12.5]
    assert pa.production(off)["balanced"].tolist() == [False]


# --- property tests: random valid ledgers over the tiny bundle's parties -----------------------

def _eco(moves: pd.DataFrame, audits: pd.DataFrame) -> ecograph.Ecosystem:
    return ecograph.Ecosystem({**tiny_eco().tables, "movements": moves, "audits": audits})


@props(40)
@given(histories(), st.sampled_from([None, 3, 10]))
def test_deployed_units_match_the_running_count_of_deployments(case, cutoff):
    moves, audits, oracle = case
    eco = _eco(moves, audits)
    as_of = None if cutoff is None else START + pd.Timedelta(days=cutoff)
    by_partner = pa.deployed(eco, as_of=as_of).set_index(["id", "sku"])["net"]
    by_region = pa.deployed(eco, as_of=as_of, by="region").set_index(["region", "sku"])["net"]
    if cutoff is None:
        want = defaultdict(float)
        for (partner, _, sku), n in oracle["pairs"].items():
            want[(partner, sku)] += n
        assert by_partner.to_dict() == pytest.approx(dict(want))
        held = oracle["held"]
    else:
        held = held_on(oracle["snaps"], cutoff)
    region = defaultdict(float)
    for (party, sku), n in held.items():
        if party in SITES:
            region[(SITES[party], sku)] += n
    assert by_region.to_dict() == pytest.approx(dict(region))
    assert (by_partner >= 0).all()


@pytest.mark.slow
@props(25)
@given(histories(), st.randoms(use_true_random=False))
def test_accounts_do_not_depend_on_row_order_or_file_splitting(case, rnd):
    moves, audits, _ = case
    eco = _eco(moves, audits)
    order = list(moves.index)
    rnd.shuffle(order)
    cut = rnd.randint(0, len(moves))
    first, second = moves.loc[order[:cut]], moves.loc[order[cut:]]  # two files, concatenated
    other = _eco(pd.concat([second, first]),
                 audits.sample(frac=1.0, random_state=rnd.randint(0, 2**31)))
    for by in ("partner", "region"):
        assert_frame_equal(pa.deployed(other, by=by), pa.deployed(eco, by=by))
    assert_frame_equal(pa.reconcile(other), pa.reconcile(eco))
    assert_frame_equal(pa.adjustments(other), pa.adjustments(eco))
    assert_frame_equal(pa.conservation(other), pa.conservation(eco))
    keys = ["id", "sku"]
    assert_frame_equal(pa.holdings(other).sort_values(keys, ignore_index=True),
                       pa.holdings(eco).sort_values(keys, ignore_index=True))
