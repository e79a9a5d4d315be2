"""Supply-chain risk: the planted chokepoint is found, unmet demand matches hand sums,
max-flow equals min-cut (and NetworkX), and bad requests are refused."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ecograph import Ecosystem
from ecograph.analysis import bottlenecks as bn
from ecograph.synth import generate_tables


def _dependent_skus(eco, sku: str) -> set[str]:
    """The SKU and every SKU whose bill of materials needs it, transitively."""
    inputs = dict(zip(eco.asset_classes["sku"], eco.asset_classes["inputs"], strict=True))
    found = {sku}
    while True:
        more = {s for s, need in inputs.items() if set(need) & found} - found
        if not more:
            return found
        found |= more


def _demand_by_hand(eco, skus: set[str]) -> tuple[float, set[str]]:
    rel = eco.relationships
    sold = rel[(rel["type"] == "sells_to") & rel["sku"].isin(skus)
               & rel["target"].isin(eco.customers["id"])]
    return float(sold["volume"].fillna(1.0).sum()), set(sold["target"])


def test_planted_chokepoint_is_the_top_bottleneck(ecosystems, truths, bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]["chokepoint_supplier"]
    table = bn.bottlenecks(eco)
    top = table.iloc[0]
    assert top["id"] == truth["id"]
    assert top["name"] == eco.names([truth["id"]]).iat[0] and top["kind"] == "supplier"
    assert top["single_source"] and top["articulation_point"] and top["dominator"]
    assert truth["id"] in top["why"] or "single source" in top["why"]
    assert table["risk_score"].is_monotonic_decreasing
    assert eco.company["id"].iat[0] not in set(table["id"])  # the hub is left out
    assert eco.company["id"].iat[0] in set(bn.bottlenecks(eco, include_company=True)["id"])


def test_chokepoint_removal_loses_exactly_the_demand_that_needs_it(ecosystems, truths,
                                                                   bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]["chokepoint_supplier"]
    expected, customers = _demand_by_hand(eco, _dependent_skus(eco, truth["sku"]))
    hit = bn.simulate(eco, remove=[truth["id"]])
    assert hit.unmet_total == pytest.approx(expected)
    rows = hit.customers
    assert set(rows.loc[rows["unmet"] > 0, "customer"]) == customers
    assert rows["customer_name"].tolist() == eco.names(rows["customer"]).tolist()
    assert hit.by_sku["unmet"].sum() == pytest.approx(expected)
    assert hit.by_region["unmet"].sum() == pytest.approx(expected)
    # the exclusive upstream supplier takes the chokepoint down with it
    upstream = bn.simulate(eco, remove=truth["exclusive_upstream"])
    assert upstream.unmet_total == pytest.approx(expected)
    # a quarter of its capacity gone: a quarter of that demand unmet (proportional model)
    cut = bn.simulate(eco, capacity_cut={truth["id"]: 0.25})
    assert cut.unmet_total == pytest.approx(0.25 * expected)
    # nothing removed, nothing unmet
    assert bn.simulate(eco).unmet_total == pytest.approx(0.0, abs=1e-9)


def test_chokepoint_dominates_every_customer_it_feeds(ecosystems, truths, bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]["chokepoint_supplier"]
    _, customers = _demand_by_hand(eco, _dependent_skus(eco, truth["sku"]))
    d = bn.dominators(eco)
    assert set(d.loc[d["dominator"] == truth["id"], "customer"]) == customers
    # screening does not lose dominators on the fixtures
    full = bn.dominators(eco, exact=None)
    assert len(full) == len(d)


def test_dominators_are_exactly_the_parties_whose_removal_cuts_a_customer_off(mfg_eco):
    d = bn.dominators(mfg_eco, exact=None)
    for party in ["S0002", "S0005", "P00003"]:
        hit = bn.simulate(mfg_eco, remove=[party]).customers
        cut_off = hit[(hit["delivered"] < 1e-9) & (hit["demand"] > 0)]
        assert set(zip(cut_off["customer"], cut_off["sku"], strict=True)) == set(
            zip(*d.loc[d["dominator"] == party, ["customer", "sku"]].T.values, strict=True))


def test_cascade_spreads_round_by_round(mfg_eco, truths):
    truth = truths["manufacturing"]["chokepoint_supplier"]
    result = bn.cascade(mfg_eco, truth["exclusive_upstream"], threshold=0.5)
    chain = result.failures
    assert chain.loc[chain["round"] == 0, "id"].tolist() == truth["exclusive_upstream"]
    first = chain[chain["round"] == 1]
    assert truth["id"] in set(first["id"]) and (first["lost"] > 0.5).all()
    assert chain["round"].is_monotonic_increasing and chain["id"].is_unique
    assert chain["name"].tolist() == mfg_eco.names(chain["id"]).tolist()
    assert chain["kind"].tolist() == mfg_eco.kinds(chain["id"]).tolist()
    lenient = bn.cascade(mfg_eco, truth["exclusive_upstream"], threshold=0.99).failures
    assert len(lenient) <= len(chain)
    assert result.disruption.unmet_total >= bn.simulate(
        mfg_eco, remove=truth["exclusive_upstream"]).unmet_total


def test_single_sourced_inputs_equal_brute_force(it_eco):
    flows = bn.supply_flows(it_eco)
    flows = flows[~flows["target"].isin(it_eco.customers["id"])]
    expected = {(b, s) for (b, s), g in flows.groupby(["target", "sku"])
                if g["source"].nunique() == 1}
    got = bn.single_sourced(it_eco)
    assert set(zip(got["buyer"], got["sku"], strict=True)) == expected


def test_concentration_is_the_sum_of_squared_shares(mfg_eco):
    flows = bn.supply_flows(mfg_eco)
    steel = flows[(flows["sku"] == "STEEL") & flows["source"].isin(mfg_eco.suppliers["id"])]
    shares = steel.groupby("source")["capacity"].sum() / steel["capacity"].sum()
    c = bn.concentration(mfg_eco).set_index(["scope", "key"])
    assert c.loc[("sku", "STEEL"), "hhi"] == pytest.approx(((100 * shares) ** 2).sum())
    assert c.loc[("sku", "STEEL"), "suppliers"] == len(shares)
    assert c["hhi"].between(0, 10_000).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_max_flow_equals_min_cut_and_networkx(seed):
    tables, _ = generate_tables(partners=40, customers=300, seed=seed, domain="manufacturing")
    rel = tables["relationships"]
    upstream = rel["type"].isin(["supplies", "distributes_for"]).to_numpy()
    shrink = np.random.default_rng(seed).uniform(0.05, 1.0, upstream.sum())
    rel.loc[upstream, "volume"] = np.ceil(rel.loc[upstream, "volume"] * shrink)  # make cuts bind
    eco = Ecosystem(tables)
    flows = bn.supply_flows(eco)
    binding = 0
    for sku in ("PUMP", "VALVE"):
        cut = bn.max_flow(eco, sku)
        assert cut.flow == pytest.approx(cut.cut_capacity)
        assert cut.cut_capacity == pytest.approx(cut.cut["capacity"].sum())
        assert cut.flow <= cut.demand + 1e-9
        binding += cut.flow < cut.demand
        f = flows[flows["sku"] == sku]
        G = nx.DiGraph()
        for u, v, c in zip(f["source"], f["target"], f["capacity"], strict=True):
            G.add_edge(u, v, capacity=c)
        for p in set(f["source"]) - set(f["target"]):
            G.add_edge("<producers>", p)  # no capacity: unlimited
        for c, d in f[f["target"].isin(eco.customers["id"])].groupby("target")["capacity"]:
            G.add_edge(c, "<demand>", capacity=float(d.sum()))
        assert cut.flow == pytest.approx(nx.maximum_flow_value(G, "<producers>", "<demand>"))
    assert binding  # the shrunken network really is capacity-limited somewhere


def test_bad_requests_are_refused(mfg_eco):
    with pytest.raises(ValueError, match="not in the supply network"):
        bn.simulate(mfg_eco, remove=["NOPE"])
    with pytest.raises(ValueError, match="fraction"):
        bn.simulate(mfg_eco, capacity_cut={"S0001": 1.5})
    with pytest.raises(ValueError, match="threshold"):
        bn.cascade(mfg_eco, ["S0001"], threshold=0)
    with pytest.raises(ValueError, match="no flows"):
        bn.max_flow(mfg_eco, "UNOBTAINIUM")


def test_vital_edges_carry_the_demand_that_rides_on_them(ecosystems, truths, bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]["chokepoint_supplier"]
    edges = bn.vital_edges(eco)
    assert edges["units_at_risk"].is_monotonic_decreasing
    # an edge into a customer puts exactly its own volume at risk
    leaf = edges[edges["target"].isin(eco.customers["id"])]
    assert (leaf["units_at_risk"] - leaf["capacity"]).abs().max() < 1e-9
    # the chokepoint's only outbound edge carries everything its removal loses
    out_of = edges[edges["source"] == truth["id"]]
    assert len(out_of) == 1
    lost = bn.simulate(eco, remove=[truth["id"]]).unmet_total
    assert out_of["units_at_risk"].iat[0] == pytest.approx(lost)
    # shares into each stock add up to one
    assert np.allclose(edges.groupby(["target", "sku"])["share"].sum(), 1.0)


def test_what_ifs_on_one_ecosystem_equal_what_ifs_on_fresh_ones(fixtures_dir, truths):
    from ecograph import load_bundle

    eco = load_bundle(fixtures_dir / "manufacturing")
    truth = truths["manufacturing"]["chokepoint_supplier"]
    runs = [bn.simulate(eco, remove=[truth["id"]]), bn.simulate(eco, capacity_cut={truth["id"]: 0.5}),
            bn.bottlenecks(eco)]
    fresh = [bn.simulate(Ecosystem(eco.tables), remove=[truth["id"]]),
             bn.simulate(Ecosystem(eco.tables), capacity_cut={truth["id"]: 0.5}),
             bn.bottlenecks(Ecosystem(eco.tables))]
    for ours, theirs in zip(runs[:2], fresh[:2], strict=True):
        for field in dataclasses.fields(bn.Disruption):
            value, other = getattr(ours, field.name), getattr(theirs, field.name)
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(value, other)
            else:
                assert value == other, field.name
    pd.testing.assert_frame_equal(runs[2], fresh[2])
    gone = weakref.ref(eco)
    del eco
    gc.collect()
    assert gone() is None  # the cached network does not keep its ecosystem alive
