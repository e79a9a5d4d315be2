"""Graph views and their igraph twins."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecograph.graphs import VIEWS, igraph_twin


@pytest.mark.parametrize("view", list(VIEWS))
def test_twin_shares_the_integer_index_and_edges(ecosystems, bundle_name, view):
    eco = ecosystems[bundle_name]
    G = eco.view(view)
    g = eco.twin(view)
    assert g.vs["name"] == list(G)
    assert g.is_directed() == G.is_directed()
    assert g.ecount() == G.number_of_edges()
    nodes = list(G)
    twin_edges = sorted((nodes[s], nodes[t]) for s, t in g.get_edgelist())
    nx_edges = sorted((u, v) for u, v, *_ in G.edges) if G.is_directed() else None
    if nx_edges is not None:
        assert twin_edges == nx_edges
    else:
        assert {frozenset(e) for e in twin_edges} == {frozenset(e) for e in G.edges}


def test_full_graph_holds_every_party_relationship_and_deal(it_eco):
    G = it_eco.graph
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == len(it_eco.parties)
    types = [d["type"] for *_, d in G.edges(data=True)]
    assert types.count("deal") == len(it_eco.deals)
    assert sum(t == "sells_to" for t in types) == (it_eco.relationships["type"] == "sells_to").sum()
    some = it_eco.partners.iloc[0]
    attrs = G.nodes[some["id"]]
    assert attrs["kind"] == "partner" and attrs["tier"] == some["tier"]
    assert attrs["regions"] == some["regions"]


def test_bipartite_view_joins_partners_to_customers_only(it_eco):
    G = it_eco.view("bipartite")
    kinds = nx.get_node_attributes(G, "kind")
    assert all({kinds[u], kinds[v]} == {"partner", "customer"} for u, v in G.edges)
    sold = it_eco.relationships.query("type == 'sells_to'")[["source", "target"]]
    dealt = it_eco.deals[["partner", "customer"]].set_axis(["source", "target"], axis=1)
    pairs = {tuple(x) for x in np.vstack([sold.to_numpy(), dealt.to_numpy()])}
    assert G.number_of_edges() == len(pairs)
    u, v = next(iter(pairs))
    expected_deals = ((it_eco.deals["partner"] == u) & (it_eco.deals["customer"] == v)).sum()
    assert G.edges[u, v]["deals"] == expected_deals


def test_cosell_view_merges_relationships_and_cosold_deals(it_eco):
    G = it_eco.view("cosell")
    d = it_eco.deals.dropna(subset=["cosell_partner"]).iloc[0]
    assert G.has_edge(d["partner"], d["cosell_partner"])
    total = sum(data["deals"] for *_, data in G.edges(data=True))
    assert total == it_eco.deals["cosell_partner"].notna().sum()


def test_supply_view_runs_from_suppliers_through_the_company_to_customers(mfg_eco):
    G = mfg_eco.view("supply")
    company = mfg_eco.company["id"].iat[0]
    kinds = nx.get_node_attributes(G, "kind")
    customers = [n for n, k in kinds.items() if k == "customer"]
    raw = [n for n, k in kinds.items() if k == "supplier" and G.in_degree(n) == 0]
    assert raw and customers
    reach = nx.descendants(G, company)
    assert set(customers) <= reach
    # distributes_for is reversed: goods flow from the company to its distributors
    dist = mfg_eco.relationships.query("type == 'distributes_for'")["source"].iat[0]
    assert G.has_edge(company, dist)


def test_asset_flow_view_sums_moved_units(it_eco):
    G = it_eco.view("asset_flow")
    moved = it_eco.movements.dropna(subset=["from_party", "to_party"])
    assert sum(d["units"] for *_, d in G.edges(data=True)) == pytest.approx(moved["units"].sum())


def test_twin_of_a_hand_built_graph_is_converted_and_cached():
    G = nx.Graph()
    G.add_edge("a", "b", weight=2.0)
    G.add_edge("b", "c", weight=3.0)
    g = igraph_twin(G)
    assert g.es["weight"] == [2.0, 3.0]
    assert igraph_twin(G) is g
    G.add_edge("c", "d")
    assert igraph_twin(G).ecount() == 3  # a changed graph gets a fresh twin


def test_views_are_frozen_so_their_twin_stays_exact(it_eco):
    G = it_eco.view("bipartite")
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        G.add_edge("P00001", "C0000001")
    H = G.copy()  # an editable copy gets its own twin
    H.remove_node("P00001")
    assert igraph_twin(H).vcount() == G.number_of_nodes() - 1
    assert igraph_twin(G) is it_eco.twin("bipartite")
