"""Graph views and their igraph twins."""

from __future__ import annotations

import pickle

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ecograph import graphs, load_bundle, twin, view
from ecograph.graphs import VIEWS, filled, induced_subgraph
from ecograph.pipeline import analyze
from ecograph.twins import node_table, node_values

from .conftest import FIXTURES


def _in_force(eco):
    """The relationships in force on the ecosystem's last dated day, by hand."""
    rel, day = eco.relationships, eco.reference_date
    return rel[~(rel["start"] > day) & ~(rel["end"] < day)]


@pytest.mark.parametrize("name", list(VIEWS))
def test_twin_shares_the_integer_index_and_edges(ecosystems, bundle_name, name):
    eco = ecosystems[bundle_name]
    G = view(eco, name)
    g = twin(G)
    assert view(eco, name) is G and twin(view(eco, name)) is g  # both made once
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
    G = view(it_eco, "full")
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == len(it_eco.parties)
    types = [d["type"] for *_, d in G.edges(data=True)]
    assert types.count("deal") == len(it_eco.deals)
    live = _in_force(it_eco)
    assert sum(t == "sells_to" for t in types) == (live["type"] == "sells_to").sum() > 0
    some = it_eco.partners.iloc[0]
    attrs = G.nodes[some["id"]]
    assert attrs["kind"] == "partner" and attrs["tier"] == some["tier"]
    assert attrs["name"] == some["name"]
    assert attrs["regions"] == some["regions"]


def test_bipartite_view_joins_partners_to_customers_only(it_eco):
    G = view(it_eco, "bipartite")
    kinds = nx.get_node_attributes(G, "kind")
    assert all({kinds[u], kinds[v]} == {"partner", "customer"} for u, v in G.edges)
    sold = _in_force(it_eco).query("type == 'sells_to'")[["source", "target"]]
    dealt = it_eco.deals[["partner", "customer"]].set_axis(["source", "target"], axis=1)
    pairs = {tuple(x) for x in np.vstack([sold.to_numpy(), dealt.to_numpy()])}
    assert G.number_of_edges() == len(pairs)
    u, v = next(iter(pairs))
    expected_deals = ((it_eco.deals["partner"] == u) & (it_eco.deals["customer"] == v)).sum()
    assert G.edges[u, v]["deals"] == expected_deals


def test_cosell_view_merges_relationships_and_cosold_deals(it_eco):
    G = view(it_eco, "cosell")
    d = it_eco.deals.dropna(subset=["cosell_partner"]).iloc[0]
    assert G.has_edge(d["partner"], d["cosell_partner"])
    total = sum(data["deals"] for *_, data in G.edges(data=True))
    assert total == it_eco.deals["cosell_partner"].notna().sum()


def test_supply_view_runs_from_suppliers_through_the_company_to_customers(mfg_eco):
    G = view(mfg_eco, "supply")
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
    G = view(it_eco, "asset_flow")
    moved = it_eco.movements.dropna(subset=["from_party", "to_party"])
    assert sum(d["units"] for *_, d in G.edges(data=True)) == pytest.approx(moved["units"].sum())


def test_twin_of_a_hand_built_graph_is_converted_and_cached():
    G = nx.Graph()
    G.add_edge("a", "b", weight=2.0)
    G.add_edge("b", "c", weight=3.0)
    g = twin(G)
    assert g.es["weight"] == [2.0, 3.0] and g.vs["name"] == ["a", "b", "c"]
    assert twin(G) is g
    G.add_edge("c", "d")
    assert twin(G).ecount() == 3  # a changed graph gets a fresh twin


def test_views_are_frozen_so_their_twin_stays_exact(it_eco):
    G = view(it_eco, "bipartite")
    g = twin(G)
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        G.add_edge("P00001", "C0000001")
    H = G.copy()  # an editable copy gets its own twin
    H.remove_node("P00001")
    assert twin(H).vcount() == G.number_of_nodes() - 1
    assert "P00001" not in twin(H).vs["name"]
    assert twin(G) is g and g.vcount() == G.number_of_nodes()


def _edge_frame(G: nx.Graph) -> pd.DataFrame:
    """Edges with their data, one row each, in a canonical order (NaN-safe to compare)."""
    rows = [{"ends": (u, v) if G.is_directed() else tuple(sorted((u, v))), **d}
            for u, v, d in G.edges(data=True)]
    frame = pd.DataFrame(rows)
    return frame.sort_values(["ends", *(["key"] if "key" in frame else [])], ignore_index=True)


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_knows_its_size_and_node_table_before_its_networkx_storage(name):
    eco = load_bundle(FIXTURES / "it_ecosystem")  # fresh: session ecosystems are filled by others
    G = view(eco, name)
    n, m = G.number_of_nodes(), G.number_of_edges()
    table = node_table(G)
    assert not filled(G)
    assert (n, m) == (len(list(G)), G.number_of_edges())  # list(G) fills it
    assert filled(G)
    assert table["id"].tolist() == list(G)
    read = node_table(G.copy())  # the same table read from the NetworkX node attributes
    assert read.columns.tolist() == table.columns.tolist()
    assert read.equals(table)


def test_analyze_never_fills_a_view(tiny, monkeypatch):
    built = {}

    def spy(name, build):
        def made(eco):
            built[name] = build(eco)
            return built[name]
        return made

    for name, build in list(VIEWS.items()):
        monkeypatch.setitem(graphs.VIEWS, name, spy(name, build))
    eco = load_bundle(tiny)
    analyze(eco)
    assert {"bipartite", "cosell", "supply"} <= built.keys()  # the views analyze reads
    for name, G in built.items():
        assert view(eco, name) is G  # the cache hands back the view analyze used ...
        assert not filled(G), name  # ... still unread as NetworkX


def test_a_view_pickles_and_copies_as_networkx(it_eco):
    G = view(load_bundle(FIXTURES / "it_ecosystem"), "supply")
    back = pickle.loads(pickle.dumps(G))
    assert nx.utils.graphs_equal(back, view(it_eco, "supply"))
    H = G.copy()
    H.add_edge("x", "y")
    assert H.number_of_edges() == G.number_of_edges() + 1 and not nx.is_frozen(H)
    assert type(H) is nx.DiGraph and H.graph == G.graph
    assert dict(H.nodes(data=True))["NIMBUS"] == dict(G.nodes(data=True))["NIMBUS"]
    sub = G.subgraph(list(G)[:5]).copy()
    assert type(sub) is nx.DiGraph and set(sub) == set(list(G)[:5])


@pytest.mark.parametrize("name", ["full", "bipartite", "supply"])
def test_subgraph_and_node_values_of_an_unread_view_match_networkx(it_eco, name):
    G = view(load_bundle(FIXTURES / "it_ecosystem"), name)
    read = view(it_eco, name)
    some = list(read)[::3]
    H = induced_subgraph(G, some)
    assert not filled(G) and filled(read)
    assert dict(H.nodes(data=True)) == dict(read.subgraph(some).nodes(data=True))
    pd.testing.assert_frame_equal(_edge_frame(H), _edge_frame(read.subgraph(some)))
    for attr in ("tier", "segment", "regions"):
        expected = [d.get(attr) for _, d in read.nodes(data=True)]
        assert node_values(G, attr).tolist() == expected
    assert not filled(G)
