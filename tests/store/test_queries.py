"""Every library query: portable, documented, and equal to the Python analyses on both fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import ledger, view
from ecograph.analysis import bottlenecks as bn
from ecograph.analysis import physical_accounts
from ecograph.store.queries import library, lint, read_query, run_query


def test_the_library_is_documented_and_portable():
    queries = library()
    assert len(queries) >= 15
    for path in queries:
        text, meta = read_query(path)
        assert meta["purpose"] and "returns" in meta and "params" in meta, path.name
        assert lint(text) == [], path.name
        for name in {w.strip(" ,()").split(" ")[0] for w in meta["params"].split("),")
                     if w.strip() and meta["params"] != "none"}:
            assert f"${name}" in text, f"{path.name} documents ${name} but does not use it"


@pytest.mark.parametrize("text,problem", [
    ("MATCH (n) RETURN COUNT { (n)-->() } AS k", "COUNT { } subquery"),
    ("MATCH (n) WHERE n.name =~ 'A.*' RETURN n", "regular expression"),
    ("RETURN datetime() AS now", "datetime()"),
    ("MATCH (n) RETURN elementId(n)", "elementId()"),
    ("MATCH p = shortestPath((a)-[*]-(b)) RETURN p", "shortestPath()"),
])
def test_lint_rejects_non_portable_cypher(text, problem):
    assert problem in lint(text)
    assert lint("// COUNT { } in a comment is fine\nRETURN 1") == []


def _rel(eco, kind):
    rel = eco.relationships
    return rel[rel["type"] == kind]


def test_shared_customers_and_candidates(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    sells = _rel(eco, "sells_to")
    sells = sells[sells["target"].isin(eco.customers["id"])][["source", "target"]]
    pairs = sells.merge(sells, on="target")
    pairs = pairs[pairs["source_x"] < pairs["source_y"]].drop_duplicates()
    shared = pairs.groupby(["source_x", "source_y"]).size().sort_values(ascending=False)
    got = run_query(store, "shared_customers", {"limit": 5})
    assert got["shared"].tolist() == shared.head(5).tolist()
    cand = run_query(store, "cosell_candidates", {"min_shared": 10, "limit": 50})
    planted = {frozenset((p["a"], p["b"])) for p in truths[bundle_name]["complementary_pairs"]}
    found = {frozenset((a, b)) for a, b in zip(cand["a"], cand["b"], strict=True)}
    assert planted <= found
    co = _rel(eco, "co_sells_with")
    cosold = {frozenset(p) for p in zip(co["source"], co["target"], strict=True)}
    assert not found & cosold


def test_top_brokers_match_the_co_sell_graph(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    C = view(ecosystems[bundle_name], "cosell")
    rel_degree = _rel(ecosystems[bundle_name], "co_sells_with")
    mates = pd.concat([rel_degree[["source", "target"]],
                       rel_degree[["target", "source"]].set_axis(["source", "target"], axis=1)])
    degree = mates.drop_duplicates().groupby("source").size()
    got = run_query(store, "top_brokers", {"limit": 3})
    assert got["cosell_partners"].tolist() == degree[got["partner"]].tolist()
    assert truths[bundle_name]["broker_partner"]["id"] in set(got["partner"])
    assert set(got["partner"]) <= set(C)


def test_uncovered_customers_are_the_planted_gap(loaded, truths, bundle_name):
    store, _ = loaded[bundle_name]
    gap = truths[bundle_name]["coverage_gap"]
    got = run_query(store, "uncovered_customers", {"region": gap["region"],
                                                   "capability": gap["capability"]})
    assert (got["segment"] == gap["segment"]).sum() == gap["customers_in_need"]
    assert (got["certified_partners"] == 0).all()


def test_supply_queries_agree_with_the_risk_analysis(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    sup = _rel(eco, "supplies")
    one = sup.groupby(["target", "sku"])["source"].nunique()
    got = run_query(store, "single_sourced_inputs")
    assert set(zip(got["buyer"], got["sku"], strict=True)) == set(one[one == 1].index)
    choke = truths[bundle_name]["chokepoint_supplier"]["id"]
    down = set(run_query(store, "downstream_of_supplier", {"supplier": choke})["party"])
    d = bn.dominators(eco)
    assert set(d.loc[d["dominator"] == choke, "customer"]) <= down
    seller = _rel(eco, "sells_to").dropna(subset=["sku"])["target"].iat[0]
    paths = run_query(store, "suppliers_of_customer", {"customer": seller})
    sells = _rel(eco, "sells_to")
    assert set(paths["seller"]) == set(sells.loc[sells["target"] == seller, "source"])


def test_ledger_queries_agree_with_the_ledger(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    planted = truths[bundle_name]["audit_discrepancy"]
    got = run_query(store, "audit_discrepancies")
    recon = ledger.reconcile(eco.movements, eco.audits)
    off = recon[recon["status"] != "ok"]
    assert set(got["audit"]) == set(off["audit"]) and got.at[0, "audit"] == planted["audit"]
    assert got.at[0, "discrepancy"] == planted["discrepancy"]
    bal = run_query(store, "balance_at", {"party": planted["party"], "sku": planted["sku"],
                                          "date": planted["date"]})
    assert bal.at[0, "balance"] == planted["ledger_units"]
    dep = run_query(store, "deployed_by_partner").set_index(["partner", "sku"])["net"]
    py = physical_accounts.deployed(eco).rename(columns={"id": "partner"})
    py = py[py["kind"] == "partner"].set_index(["partner", "sku"])["net"]
    assert dep.sort_index().to_dict() == pytest.approx(py[py.index.isin(dep.index)]
                                                       .sort_index().to_dict())
    assert set(dep.index) == set(py.index)


def test_partner_and_deal_queries(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    d = eco.deals
    status = run_query(store, "deals_by_status", {"from": "2025-01-01", "to": "2025-07-01"})
    window = d[(d["registered"] >= "2025-01-01") & (d["registered"] < "2025-07-01")]
    assert status.set_index("status")["deals"].to_dict() == window.groupby("status").size().to_dict()
    pid = d["partner"].value_counts().index[0]
    card = run_query(store, "partner_scorecard", {"partner": pid}).iloc[0]
    mine = d[d["partner"] == pid]
    assert card["deals"] == len(mine) and card["won"] == (mine["status"] == "won").sum()
    assert card["won_amount"] == pytest.approx(mine.loc[mine["status"] == "won", "amount"].sum())
    grid = run_query(store, "customers_by_region_segment")
    c = eco.customers
    assert grid["customers"].sum() == (c["status"] == "customer").sum()
    assert grid["prospects"].sum() == (c["status"] == "prospect").sum()
    region = eco.partners["regions"].iat[0][0]
    inreg = run_query(store, "partners_in_region", {"region": region, "capability": "x"})
    assert set(inreg["partner"]) == set(eco.partners.loc[
        eco.partners["regions"].map(lambda r: region in r), "id"])


def test_community_members_after_write_back(loaded, ecosystems, bundle_name):
    from ecograph.analysis import communities
    from ecograph.store import write_back

    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    parts = communities.detect_communities(view(eco, "bipartite"), seed=0)
    write_back(store, eco, parts[["id", "community"]])
    got = run_query(store, "community_members", {"community": 0})
    assert set(got["party"]) == set(parts.loc[parts["community"] == 0, "id"])
