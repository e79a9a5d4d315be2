"""Graph views and their igraph twins."""

from __future__ import annotations

import pickle

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ecograph import load_bundle
from ecograph.graphs import VIEWS, igraph_twin, induced_subgraph, node_table, node_values
from ecograph.pipeline import analyze

from .conftest import FIXTURES


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


def _filled(G: nx.Graph) -> bool:
    return "_filler" not in G.__dict__


def _edge_frame(G: nx.Graph) -> pd.DataFrame:
    """Edges with their data, one row each, in a canonical order (NaN-safe to compare)."""
    rows = [{"ends": (u, v) if G.is_directed() else tuple(sorted((u, v))), **d}
            for u, v, d in G.edges(data=True)]
    frame = pd.DataFrame(rows)
    return frame.sort_values(["ends", *(["key"] if "key" in frame else [])], ignore_index=True)


@pytest.mark.parametrize("view", list(VIEWS))
def test_view_knows_its_size_and_node_table_before_its_networkx_storage(view):
    eco = load_bundle(FIXTURES / "it_ecosystem")  # fresh: session ecosystems are filled by others
    G = eco.view(view)
    n, m = G.number_of_nodes(), G.number_of_edges()
    table = node_table(G)
    assert not _filled(G)
    assert (n, m) == (len(list(G)), G.number_of_edges())  # list(G) fills it
    assert _filled(G)
    assert table["id"].tolist() == list(G)
    read = node_table(G.copy())  # the same table read from the NetworkX node attributes
    assert read.columns.tolist() == table.columns.tolist()
    assert read.equals(table)


def test_analyze_never_fills_a_view(tiny):
    eco = load_bundle(tiny)
    analyze(eco)
    assert eco._views and not any(_filled(G) for G in eco._views.values())


def test_a_view_pickles_and_copies_as_networkx(it_eco):
    G = load_bundle(FIXTURES / "it_ecosystem").view("supply")
    back = pickle.loads(pickle.dumps(G))
    assert nx.utils.graphs_equal(back, it_eco.view("supply"))
    H = G.copy()
    H.add_edge("x", "y")
    assert H.number_of_edges() == G.number_of_edges() + 1 and not nx.is_frozen(H)
    assert type(H) is nx.DiGraph and H.graph == G.graph
    assert dict(H.nodes(data=True))["NIMBUS"] == dict(G.nodes(data=True))["NIMBUS"]
    sub = G.subgraph(list(G)[:5]).copy()
    assert type(sub) is nx.DiGraph and set(sub) == set(list(G)[:5])


@pytest.mark.parametrize("view", ["full", "bipartite", "supply"])
def test_subgraph_and_node_values_of_an_unread_view_match_networkx(it_eco, view):
    G = load_bundle(FIXTURES / "it_ecosystem").view(view)
    filled = it_eco.view(view)
    some = list(filled)[::3]
    H = induced_subgraph(G, some)
    assert not _filled(G)
    assert dict(H.nodes(data=True)) == dict(filled.subgraph(some).nodes(data=True))
    pd.testing.assert_frame_equal(_edge_frame(H), _edge_frame(filled.subgraph(some)))
    for attr in ("tier", "segment", "regions"):
        expected = [d.get(attr) for _, d in filled.nodes(data=True)]
        assert node_values(G, attr).tolist() == expected
