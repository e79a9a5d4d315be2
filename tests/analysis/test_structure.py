"""Structure equals NetworkX's and finds the planted chokepoint."""

from __future__ import annotations

import networkx as nx
import pytest

from ecograph import view
from ecograph.analysis import structure as st

from .conftest import as_dict, assert_close


def _undirected(G):
    return nx.Graph(G.to_undirected()) if G.is_directed() else nx.Graph(G)


def test_components_cores_and_clustering_equal_networkx(rgraph):
    U = _undirected(rgraph)
    comps = st.components(rgraph)
    ref = list(nx.weakly_connected_components(rgraph) if rgraph.is_directed()
               else nx.connected_components(rgraph))
    assert comps["component"].nunique() == len(ref)
    assert comps.groupby("component")["id"].apply(frozenset).map(len).max() == max(map(len, ref))
    assert {frozenset(g["id"]) for _, g in comps.groupby("component")} == set(map(frozenset, ref))
    assert as_dict(st.k_core(rgraph), "core") == nx.core_number(rgraph)
    assert_close(as_dict(st.clustering(rgraph), "clustering"), nx.clustering(U))


def test_articulation_points_and_bridges_equal_networkx(fixture_view):
    U = _undirected(fixture_view)
    assert set(st.articulation_points(fixture_view)["id"]) == set(nx.articulation_points(U))
    ours = {frozenset(e) for e in st.bridges(fixture_view).itertuples(index=False)}
    assert ours == {frozenset(e) for e in nx.bridges(U)}


def _assert_separated(G):
    U = _undirected(G)
    points = as_dict(st.articulation_points(G), "separated")
    assert set(points) == set(nx.articulation_points(U))
    for v, separated in points.items():
        rest = U.subgraph(nx.node_connected_component(U, v) - {v})
        sizes = [len(c) for c in nx.connected_components(rest)]
        assert separated == sum(sizes) - max(sizes)


def test_separated_counts_what_removal_cuts_off(rgraph):
    _assert_separated(rgraph)


def test_separated_on_fixture_views(fixture_view):
    _assert_separated(fixture_view)


def test_separated_on_a_forest_of_several_components():
    forest = nx.disjoint_union_all([nx.path_graph(5), nx.star_graph(4), nx.barbell_graph(3, 2),
                                    nx.complete_graph(3), nx.empty_graph(2)])
    _assert_separated(forest)
    assert len(st.articulation_points(forest)) == 3 + 1 + 4


def test_planted_chokepoint_is_an_articulation_point(ecosystems, truths, bundle_name):
    supply = view(ecosystems[bundle_name], "supply")
    points = st.articulation_points(supply).set_index("id")["separated"]
    chokepoint = truths[bundle_name]["chokepoint_supplier"]["id"]
    assert chokepoint in points.index
    assert points[chokepoint] >= len(truths[bundle_name]["chokepoint_supplier"]["exclusive_upstream"])


def test_summary_numbers_match_networkx(fixture_view):
    s = st.graph_summary(fixture_view)
    U = _undirected(fixture_view)
    assert s.nodes == fixture_view.number_of_nodes() and s.edges == fixture_view.number_of_edges()
    assert s.density == pytest.approx(nx.density(fixture_view))
    assert s.average_clustering == pytest.approx(nx.average_clustering(U))
    assert s.transitivity == pytest.approx(nx.transitivity(U))
    assert s.components == nx.number_connected_components(U)
    assert 0 <= s.degree_gini <= 1 and s.to_dict()["nodes"] == s.nodes


def test_bipartite_degrees_are_heavy_tailed(it_eco):
    G = view(it_eco, "bipartite")
    partners = G.subgraph(it_eco.partners["id"])
    s = st.graph_summary(G)
    assert s.degree_max > 5 * s.degree_median
    assert partners.number_of_nodes() == len(it_eco.partners)
