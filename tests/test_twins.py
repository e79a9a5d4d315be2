"""The index record of a graph and its igraph twin: one staleness rule, no private
attributes on what a user receives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from ecograph import load_bundle, twin, view
from ecograph import twins as tw
from ecograph.analysis import brokerage, centrality, communities, structure
from ecograph.errors import ParameterError
from ecograph.graphs import VIEWS, filled

from .conftest import FIXTURES

#: The edge attributes each view documents (ecograph.graphs); every view's nodes have ``name``.
EDGE_ATTRIBUTES = {
    "full": {"key", "type", "weight", "volume", "status", "amount", "product", "sku", "units",
             "movements"},
    "bipartite": {"relationships", "deals", "won_amount", "volume", "weight"},
    "cosell": {"relationships", "deals", "won_deals", "weight"},
    "supply": {"capacity", "types"},
    "asset_flow": {"units", "movements", "weight"},
}


def _analysed(G: nx.Graph) -> nx.Graph:
    """Run analyses that cache on the index record (weights checked, edge array,
    undirected copies) so the twin is as a pipeline leaves it."""
    centrality.betweenness(G, weight="weight")
    centrality.pagerank(G)
    centrality.closeness(G)
    communities.community_profile(G, communities.detect_communities(G))
    structure.articulation_points(G)
    brokerage.brokerage(G)
    return G


def _graphml_keys(g: ig.Graph, path) -> dict[str, set[str]]:
    g.write_graphml(str(path))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys: dict[str, set[str]] = {}
    for key in ET.parse(path).getroot().iter(f"{ns}key"):
        keys.setdefault(key.get("for"), set()).add(key.get("attr.name"))
    return keys


def test_the_record_is_remade_when_the_graph_changes_size_and_reused_otherwise():
    G = nx.Graph([("a", "b", {"weight": 2.0}), ("b", "c", {"weight": 3.0})])
    record = tw.index(G)
    assert record.size == (3, 2) and tw.index(G) is record and twin(G) is record.twin
    edges = tw.edge_array(G)
    assert tw.edge_array(G) is edges and record.edges is edges  # made once per record
    G.add_node("d")
    fresh = tw.index(G)
    assert fresh is not record and fresh.size == (4, 2) and fresh.twin.vcount() == 4
    G.add_edge("c", "d")
    assert tw.index(G).size == (4, 3) and tw.edge_array(G).tolist() == [[0, 1], [1, 2], [2, 3]]
    G.remove_edge("c", "d")
    G.remove_node("d")
    assert tw.index(G).size == (3, 2) and tw.twin(G).vs["name"] == ["a", "b", "c"]


def test_a_graph_frozen_after_it_changed_gets_a_fresh_record():
    G = nx.Graph([("a", "b")])
    assert twin(G).ecount() == 1
    G.add_edge("b", "c")
    nx.freeze(G)  # frozen now, but changed since its record was made
    assert tw.index(G).size == (3, 2) and twin(G).ecount() == 2
    assert tw.index(G) is tw.index(G)


def test_an_attribute_edit_of_the_same_size_is_seen_after_forget():
    G = nx.Graph([("a", "b", {"weight": 2.0})])
    g = twin(G)
    G["a"]["b"]["weight"] = 5.0
    assert twin(G) is g and g.es["weight"] == [2.0]  # same size: the record holds
    tw.forget(G)
    assert twin(G) is not g and twin(G).es["weight"] == [5.0]


def test_weights_are_checked_once_and_refused_when_negative():
    G = nx.Graph([("a", "b", {"w": 2.0}), ("b", "c")])
    assert tw.edge_weights(G, "w") == "w" and twin(G).es["w"] == [2.0, 1.0]  # missing counts 1
    assert tw.index(G).checked == {"w"}
    assert tw.edge_weights(G, "cost") is None and tw.edge_weights(G, None) is None
    bad = nx.Graph([("a", "b", {"w": -1.0})])
    with pytest.raises(ParameterError, match="non-negative"):
        tw.edge_weights(bad, "w")
    with pytest.raises(ParameterError, match="NetworkX graph"):
        tw.index(twin(G))


def test_a_views_record_is_made_with_the_view_and_never_goes_stale(it_eco):
    G = view(it_eco, "supply")
    record = tw.index(G)
    assert record.size == (G.number_of_nodes(), G.number_of_edges())
    frame, positions = record.parties
    assert frame.iloc[positions]["id"].tolist() == record.twin.vs["name"] == list(G)
    assert tw.index(G) is record and view(it_eco, "supply") is G


@pytest.fixture(scope="module")
def unread():
    """An ecosystem of its own, whose views no other test reads as NetworkX."""
    return load_bundle(FIXTURES / "it_ecosystem")


@pytest.mark.parametrize("name", list(VIEWS))
def test_a_views_twin_carries_only_documented_attributes(unread, it_eco, name):
    G = _analysed(view(unread, name))
    g = twin(G)
    assert g.attributes() == []  # nothing cached on the graph
    assert g.vs.attributes() == ["name"]
    assert set(g.es.attributes()) == EDGE_ATTRIBUTES[name]
    # the same attributes as the NetworkX edges (of the same view of another ecosystem)
    read = view(it_eco, name)
    assert set().union(*(d for *_, d in read.edges(data=True))) == EDGE_ATTRIBUTES[name]
    assert not filled(G)  # and the analyses never read the view as NetworkX


def test_graphml_of_a_twin_holds_no_private_attribute(it_eco, tmp_path):
    G = _analysed(view(it_eco, "bipartite"))
    keys = _graphml_keys(twin(G), tmp_path / "bipartite.graphml")
    assert keys == {"node": {"name"}, "edge": EDGE_ATTRIBUTES["bipartite"]}
    back = ig.Graph.Read_GraphML(str(tmp_path / "bipartite.graphml"))
    assert back.vcount() == G.number_of_nodes() and back.ecount() == G.number_of_edges()
    assert back.vs["name"] == list(G)


def test_graphml_of_a_hand_built_twin_holds_no_private_attribute(monkeypatch, tmp_path):
    G = nx.gnp_random_graph(60, 0.1, seed=3)
    for u, v in G.edges:
        G[u][v]["weight"] = 1.0 + (u * v) % 3
    monkeypatch.setattr(tw, "LOCALITY_THRESHOLD", 10)  # the reordered copy is made too
    _analysed(G)
    record = tw.index(G)
    assert record.local is not None and record.edges is not None and "weight" in record.checked
    keys = _graphml_keys(twin(G), tmp_path / "random.graphml")
    assert keys == {"node": {"name"}, "edge": {"weight"}}


def test_copies_have_nothing_cached(it_eco):
    G = _analysed(view(it_eco, "cosell"))
    g = twin(G)
    h = g.copy()
    assert h.attributes() == [] and h.vs.attributes() == ["name"]
    assert set(h.es.attributes()) == EDGE_ATTRIBUTES["cosell"]
    h.delete_vertices([0])
    assert twin(G) is g and g.vcount() == G.number_of_nodes()  # the copy is the user's
    # a NetworkX copy of a view is a plain graph with a fresh record of its own
    H = G.copy()
    record = tw.index(H)
    assert record is not tw.index(G)
    assert (record.parties, record.fill, record.edges, record.local) == (None, None, None, None)
    assert record.checked == set()
    assert record.twin.vs["name"] == g.vs["name"]
    assert sorted(record.twin.get_edgelist()) == sorted(g.get_edgelist())
    assert np.array_equal(tw.node_table(H)["id"], tw.node_table(G)["id"])
