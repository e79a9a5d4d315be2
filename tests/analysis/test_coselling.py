"""Co-selling: sparse scores equal NetworkX's, counts equal brute force, planted pairs found."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import ecograph
from ecograph import Ecosystem
from ecograph.analysis import coselling as cs
from ecograph.synth import generate_tables

#: Planted pairs must rank in the top 10 new suggestions; on generated bundles
#: recall@10 over seeds must reach this (documented in docs/analytics.md).
RECALL_AT_10 = 0.9


def _random_bipartite(seed: int, *, weighted: bool = False) -> tuple[nx.Graph, list[str]]:
    rng = np.random.default_rng(seed)
    left = [f"p{i}" for i in range(25)]
    right = [f"c{i}" for i in range(60)]
    G = nx.Graph()
    G.add_nodes_from(left, bipartite=0)
    G.add_nodes_from(right, bipartite=1)
    for p in left:
        for c in rng.choice(right, size=int(rng.integers(1, 9)), replace=False):
            G.add_edge(p, str(c), weight=float(rng.uniform(0.5, 4.0)) if weighted else 1.0)
    return G, left


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_link_scores_equal_networkx(seed):
    G, left = _random_bipartite(seed)
    community = {n: int(n[1:]) % 3 for n in G}
    nx.set_node_attributes(G, community, "community")
    ours = cs.link_scores(G, community=community).set_index(["a", "b"])
    pairs = [(a, b) for a, b in itertools.combinations(left, 2)
             if any(True for _ in nx.common_neighbors(G, a, b))]
    assert len(ours) == len(pairs) > 0
    reference = {
        "jaccard": nx.jaccard_coefficient(G, pairs),
        "adamic_adar": nx.adamic_adar_index(G, pairs),
        "resource_allocation": nx.resource_allocation_index(G, pairs),
        "cn_soundarajan_hopcroft": nx.cn_soundarajan_hopcroft(G, pairs),
        "ra_soundarajan_hopcroft": nx.ra_index_soundarajan_hopcroft(G, pairs),
    }
    for column, values in reference.items():
        for a, b, value in values:
            key = (a, b) if (a, b) in ours.index else (b, a)
            assert ours.at[key, column] == pytest.approx(value, abs=1e-12), column
    for a, b in pairs:
        key = (a, b) if (a, b) in ours.index else (b, a)
        assert ours.at[key, "common_neighbors"] == len(list(nx.common_neighbors(G, a, b)))


def test_weighted_scores_use_the_geometric_mean_of_ties():
    G = nx.Graph()
    G.add_nodes_from(["p1", "p2"], kind="partner")
    G.add_nodes_from(["c1", "c2", "c3"], kind="customer")
    G.add_edges_from([("p1", "c1", {"w": 4.0}), ("p2", "c1", {"w": 1.0}),
                      ("p1", "c2", {"w": 9.0}), ("p2", "c2", {"w": 4.0}), ("p2", "c3", {"w": 2.0})])
    row = cs.link_scores(G, weight="w").iloc[0]
    assert row["common_neighbors"] == pytest.approx(2.0 + 6.0)
    assert row["resource_allocation"] == pytest.approx(8.0 / 2)
    assert row["jaccard"] == pytest.approx(2 / 3)  # unweighted by design


def test_link_scores_refuses_a_graph_without_a_side():
    with pytest.raises(ValueError, match="no nodes to pair"):
        cs.link_scores(nx.path_graph(4))


def _accounts_by_hand(eco: Ecosystem) -> tuple[dict, dict]:
    rel = eco.relationships
    sells = rel[rel["type"] == "sells_to"]
    won = eco.deals[eco.deals["status"] == "won"]
    customers: dict[str, set] = {}
    for p, c in itertools.chain(zip(sells["source"], sells["target"], strict=True),
                                zip(won["partner"], won["customer"], strict=True)):
        customers.setdefault(p, set()).add(c)
    opened = eco.deals[eco.deals["status"].isin(["registered", "approved"])]
    open_at: dict[str, set] = {}
    for p, c in zip(opened["partner"], opened["customer"], strict=True):
        open_at.setdefault(p, set()).add(c)
    return customers, open_at


def test_account_mapping_counts_equal_brute_force(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    customers, open_at = _accounts_by_hand(eco)
    prospects = set(eco.customers.loc[eco.customers["status"] == "prospect", "id"])
    m = cs.account_mapping(eco)
    assert len(m) > 0
    for r in m.itertuples(index=False):
        ca, cb = customers.get(r.a, set()), customers.get(r.b, set())
        oa, ob = open_at.get(r.a, set()), open_at.get(r.b, set())
        assert r.shared_customers == len(ca & cb)
        assert r.a_open_at_b_customers == len(oa & cb)
        assert r.b_open_at_a_customers == len(ob & ca)
        assert r.shared_prospects == len(oa & ob & prospects)
    names = eco.partners.set_index("id")["name"]
    assert list(m.columns[:4]) == ["a", "b", "a_name", "b_name"]
    assert m["a_name"].tolist() == names.loc[m["a"]].tolist()
    assert m["b_name"].tolist() == names.loc[m["b"]].tolist()
    # and no overlapping pair is missing
    listed = {frozenset((a, b)) for a, b in zip(m["a"], m["b"], strict=True)}
    for a, b in itertools.combinations(sorted(customers), 2):
        if customers[a] & customers[b]:
            assert frozenset((a, b)) in listed


def test_counts_only_output_names_no_account(it_eco):
    ids = set(it_eco.customers["id"])
    names = set(it_eco.customers["name"])
    for frame in (cs.suggest_pairings(it_eco, top=None, counts_only=True, include_existing=True),
                  cs.account_mapping(it_eco)):
        text = frame.astype(str).to_numpy().ravel()
        words = {w for cell in text for w in cell.replace(";", " ").replace(",", " ").split()}
        assert not words & ids
        assert not any(name in cell for cell in text for name in names)
    # the non-private view does name them, so the check above can fail
    named = cs.suggest_pairings(it_eco, top=3)["example_accounts"]
    assert all(set(x.split(";")) <= ids and x for x in named)


def test_shared_accounts_list_exactly_the_shared_customers(it_eco, truths):
    pair = truths["it_ecosystem"]["complementary_pairs"][0]
    customers, _ = _accounts_by_hand(it_eco)
    shared = cs.shared_accounts(it_eco, pair["a"], pair["b"])
    both = shared[shared["a_customer"] & shared["b_customer"]]
    assert set(both["id"]) == customers[pair["a"]] & customers[pair["b"]]
    with pytest.raises(ValueError, match="unknown partner"):
        cs.shared_accounts(it_eco, pair["a"], "P99999")


def _ranks(suggestions: pd.DataFrame, pairs: list[dict]) -> list[float]:
    index = {frozenset((a, b)): r for a, b, r in
             zip(suggestions["a"], suggestions["b"], suggestions["rank"], strict=True)}
    return [index.get(frozenset((p["a"], p["b"])), math.inf) for p in pairs]


def test_planted_pairs_are_the_top_suggestions_with_their_why(ecosystems, truths, bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]
    top = cs.suggest_pairings(eco, top=10)
    assert max(_ranks(top, truth["complementary_pairs"])) <= 10
    assert (top["status"] == "new").all()
    names = eco.partners.set_index("id")["name"]
    assert top["a_name"].tolist() == names.loc[top["a"]].tolist()
    assert top["b_name"].tolist() == names.loc[top["b"]].tolist()
    for p in truth["complementary_pairs"]:
        row = top[((top["a"] == p["a"]) & (top["b"] == p["b"]))
                  | ((top["a"] == p["b"]) & (top["b"] == p["a"]))].iloc[0]
        assert f"{row['shared_customers']} shared customers" in row["why"]
        assert p["region"] in row["why"] and row["shared_customers"] >= p["shared_customers"]
        for cap in p["capabilities_a"] + p["capabilities_b"]:
            assert cap in row["complementary_capabilities"]
        assert row["need_share_complementary"] > 0.9


def test_existing_co_sellers_are_separated(it_eco):
    co = ecograph.view(it_eco, "cosell")
    existing = {frozenset(e) for e in co.edges}
    new = cs.suggest_pairings(it_eco, top=None)
    assert not {frozenset(p) for p in zip(new["a"], new["b"], strict=True)} & existing
    everything = cs.suggest_pairings(it_eco, top=None, include_existing=True)
    flagged = {frozenset(p) for p, s in zip(zip(everything["a"], everything["b"], strict=True),
                                            everything["status"], strict=True) if s == "co-selling"}
    assert flagged and flagged <= existing


def test_features_only_use_what_was_known_at_the_date(it_eco):
    early = cs.pair_features(it_eco, as_of="2025-03-01")
    late = cs.pair_features(it_eco)
    assert early["cosold_deals"].sum() < late["cosold_deals"].sum()
    assert early["a_open_at_b_customers"].sum() != late["a_open_at_b_customers"].sum()
    assert len(cs.pair_features(it_eco, as_of="2000-01-01")) == 0  # nothing had started


@pytest.mark.parametrize("domain", ["it", "manufacturing"])
def test_recall_of_planted_pairs_on_generated_bundles(domain):
    found = total = 0
    for seed in (3, 4, 5):
        tables, truth = generate_tables(partners=80, customers=800, seed=seed, domain=domain)
        ranks = _ranks(cs.suggest_pairings(Ecosystem(tables), top=10), truth["complementary_pairs"])
        found += sum(r <= 10 for r in ranks)
        total += len(ranks)
    assert found / total >= RECALL_AT_10


def test_the_why_of_a_pairing_counts_in_words_that_agree_with_the_number():
    from ecograph.analysis.coselling import _why

    row = {"shared_customers": 1, "a_open_at_b_customers": 1, "b_open_at_a_customers": 0,
           "shared_prospects": 1, "need_share_complementary": 0.0, "regions_in_common": "",
           "same_community": True, "same_type": False, "head_to_head": 0, "competition": 0.1,
           "capability_overlap": 0.0}
    (one,) = _why(pd.DataFrame([row]))
    assert one.startswith("1 shared customer; 1 open deal at the other's customers; 1 shared prospect;")
    (many,) = _why(pd.DataFrame([row | {"shared_customers": 3, "a_open_at_b_customers": 2,
                                        "shared_prospects": 2}]))
    assert many.startswith("3 shared customers; 2 open deals at the other's customers; 2 shared prospects;")
