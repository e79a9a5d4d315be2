"""Centrality equals NetworkX's, on fixtures and random graphs; GDS conventions reproduced."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecograph import load_bundle, twins, view
from ecograph.analysis import centrality as c

from .conftest import as_dict, assert_close, random_graph


def _checks(G):
    w = "weight" if any("weight" in d for *_, d in G.edges(data=True)) else None
    exact = dict(tol=1e-13, max_iter=100_000)
    assert_close(as_dict(c.pagerank(G, weight=w), "pagerank"), nx.pagerank(G, weight=w, **exact))
    assert_close(as_dict(c.betweenness(G, weight=w), "betweenness"),
                 nx.betweenness_centrality(G, weight=w))
    assert_close(as_dict(c.closeness(G), "closeness"), nx.closeness_centrality(G))
    assert_close(as_dict(c.harmonic(G), "harmonic"), nx.harmonic_centrality(G))
    assert_close(as_dict(c.degree(G, weight=w), "degree"), dict(G.degree(weight=w)))
    assert_close(as_dict(c.degree(G, normalized=True), "degree"), nx.degree_centrality(G))
    reach = {n: len(nx.single_source_shortest_path_length(G, n, cutoff=2)) - 1 for n in G}
    assert_close(as_dict(c.two_step_reach(G), "two_step_reach"), reach)


def test_measures_equal_networkx_on_random_graphs(rgraph):
    _checks(rgraph)


def test_measures_equal_networkx_on_fixture_views(fixture_view):
    _checks(fixture_view)


def test_personalized_pagerank_equals_networkx(rgraph):
    pers = {0: 1.0, 3: 2.0}
    ours = as_dict(c.pagerank(rgraph, personalization=pers), "pagerank")
    ref = nx.pagerank(rgraph, personalization=pers, tol=1e-13, max_iter=100_000)
    assert_close(ours, ref)


@pytest.mark.parametrize("directed", [False, True])
def test_eigenvector_and_hits_equal_networkx_on_connected_graphs(directed):
    G = random_graph(60, 0.15, seed=4, directed=directed, weighted=True)
    assert nx.is_strongly_connected(G) if directed else nx.is_connected(G)
    assert_close(as_dict(c.eigenvector(G), "eigenvector"),
                 nx.eigenvector_centrality_numpy(G, weight="weight"), 1e-9)
    hubs, auths = nx.hits(G, tol=1e-14, max_iter=100_000)
    frame = c.hits(G)
    assert_close(as_dict(frame, "hub"), hubs, 1e-9)
    assert_close(as_dict(frame, "authority"), auths, 1e-9)


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_betweenness_equals_networkx_on_the_same_pivots(directed):
    G = random_graph(80, 0.06, seed=5, directed=directed, weighted=False)
    k, n = 20, 80
    ours = c.betweenness(G, k=k, seed=4)
    pivots = [list(G)[i] for i in np.random.default_rng(4).choice(n, size=k, replace=False)]
    raw = nx.betweenness_centrality_subset(G, pivots, list(G), normalized=False)
    scale = (1 if directed else 2) / ((n - 1) * (n - 2)) * n / k
    assert_close(as_dict(ours, "betweenness"), {v: raw[v] * scale for v in G}, 1e-12)


@pytest.mark.parametrize("k", [9, 40])
def test_sampled_betweenness_standard_error_matches_per_pivot_spread(k):
    # k=9 runs one pivot per batch, k=40 uneven batches: both must give the
    # standard error of the mean of the per-pivot estimates.
    G = random_graph(70, 0.07, seed=8, directed=False, weighted=False)
    n = G.number_of_nodes()
    ours = c.betweenness(G, k=k, seed=3, normalized=False)
    pivots = [list(G)[i] for i in np.random.default_rng(3).choice(n, size=k, replace=False)]
    per = np.array([[d[v] for v in G] for d in (
        nx.betweenness_centrality_subset(G, [s], list(G), normalized=False) for s in pivots)])
    # nx halves an undirected pivot's dependencies; the estimate is n/k · Σ δ_s / 2
    expected = per.std(axis=0, ddof=1) * n / np.sqrt(k)
    got = ours.set_index("id")["betweenness_se"][list(G)].to_numpy()
    if k < 16:
        assert_close(dict(enumerate(got)), dict(enumerate(expected)), 1e-9)
    else:  # batch estimate of the same quantity: unbiased, so close on average
        assert abs(got.mean() / expected.mean() - 1) < 0.25


def test_sampled_betweenness_lies_within_its_stated_error(it_eco):
    G = view(it_eco, "bipartite")
    n = G.number_of_nodes()
    exact = c.betweenness(G).set_index("id")["betweenness"]
    assert "betweenness_se" not in c.betweenness(G)  # exact scores carry no error
    errors = {}
    for k in (60, 240):
        est = c.betweenness(G, k=k, seed=1)
        assert len(est) == n and est["betweenness_se"].mean() > 0
        bound = c.sampling_bound(G, k)
        # Hoeffding at 99%: one pivot adds at most n(n-2)/2 pair paths, normalised by (n-1)(n-2)/2
        assert bound == pytest.approx(n / (n - 1) * np.sqrt(np.log(2 / 0.01) / (2 * k)))
        gap = (est.set_index("id")["betweenness"] - exact[est["id"]].to_numpy()).abs()
        assert gap.max() <= bound
        errors[k] = gap.mean()
    assert errors[240] < errors[60]  # more pivots, less error
    assert c.sampling_bound(G, 240) == pytest.approx(c.sampling_bound(G, 60) / 2)


def test_gds_pagerank_follows_the_gds_formula_by_hand():
    # a -> b -> c -> a, and d -> a; d has no in-links, c's mass is not lost (no dangling).
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
    # GDS 2.13's Pregel rule (checked against gds.pageRank in tests/store/test_gds_parity.py):
    # superstep 0 sets 1 - d and sends it; each of the other 19 adds d·Σ delta(u)/out(u).
    d = 0.85
    pr = dict.fromkeys(G, 1 - d)
    delta = dict(pr)
    for _ in range(19):
        delta = {v: d * sum(delta[u] / G.out_degree(u) for u in G.predecessors(v)) for v in G}
        pr = {v: pr[v] + delta[v] for v in G}
        delta = {v: x if x > 1e-7 else 0.0 for v, x in delta.items()}
    assert_close(as_dict(c.pagerank(G, convention="gds"), "pagerank"), pr, 1e-12)
    assert c.pagerank(G, convention="gds")["pagerank"].sum() > 1.5  # not divided by n


def test_gds_betweenness_is_unnormalised(rgraph):
    assert_close(as_dict(c.betweenness(rgraph, convention="gds"), "betweenness"),
                 nx.betweenness_centrality(rgraph, normalized=False))


def test_gds_degree_is_out_degree():
    G = nx.DiGraph([("a", "b"), ("c", "b")])
    assert as_dict(c.degree(G, convention="gds"), "degree") == {"a": 1.0, "b": 0.0, "c": 1.0}


def test_results_are_sorted_best_first_with_node_attributes(it_eco):
    frame = c.pagerank(view(it_eco, "bipartite"))
    assert frame["pagerank"].is_monotonic_decreasing
    assert list(frame.columns) == ["id", "name", "kind", "pagerank", "type", "region"]
    assert frame["name"].tolist() == it_eco.names(frame["id"]).tolist()
    assert frame["kind"].tolist() == it_eco.kinds(frame["id"]).tolist()


def test_same_graph_through_csv_parquet_and_by_hand_gives_identical_results(it_eco, tmp_path):
    via_parquet = load_bundle(it_eco.to_bundle(tmp_path / "pq", format="parquet"))
    by_hand = nx.Graph()
    sold = it_eco.relationships.query("type == 'sells_to'")
    by_hand.add_nodes_from(it_eco.partners["id"])
    by_hand.add_nodes_from(it_eco.customers["id"])
    for u, v in zip(sold["source"], sold["target"], strict=True):
        by_hand.add_edge(u, v, weight=by_hand.get_edge_data(u, v, {"weight": 0})["weight"] + 1)
    for u, v in zip(it_eco.deals["partner"], it_eco.deals["customer"], strict=True):
        by_hand.add_edge(u, v, weight=by_hand.get_edge_data(u, v, {"weight": 0})["weight"] + 1)
    for G in (view(via_parquet, "bipartite"), by_hand):
        for fn, col in ((c.pagerank, "pagerank"), (c.betweenness, "betweenness"),
                        (c.closeness, "closeness")):
            assert_close(as_dict(fn(G), col), as_dict(fn(view(it_eco, "bipartite")), col), 1e-12)


def test_bad_arguments_say_what_was_expected(rgraph):
    with pytest.raises(ValueError, match="convention must be one of"):
        c.pagerank(rgraph, convention="neo4j")
    with pytest.raises(ValueError, match="damping"):
        c.pagerank(rgraph, damping=1.5)
    with pytest.raises(ValueError, match="not in the graph"):
        c.pagerank(rgraph, personalization={"nobody": 1})


@pytest.mark.parametrize("directed", [False, True])
def test_locality_ordered_kernels_give_the_same_answers(monkeypatch, directed):
    # force the reordered copy on a small graph: results must not change
    G = random_graph(90, 0.05, seed=9, directed=directed, weighted=True)
    plain = {f.__name__: f(G) for f in (c.closeness, c.harmonic)}
    plain["betweenness"] = c.betweenness(G, weight="weight")
    plain["sampled"] = c.betweenness(G, k=20, seed=2)
    assert twins.index(G).local is None  # 90 vertices: no reordered copy by default
    monkeypatch.setattr(twins, "LOCALITY_THRESHOLD", 10)
    H = G.copy()  # a fresh graph, so nothing cached
    ours = {f.__name__: f(H) for f in (c.closeness, c.harmonic)}
    ours["betweenness"] = c.betweenness(H, weight="weight")
    ours["sampled"] = c.betweenness(H, k=20, seed=2)
    local, back = twins.index(H).local  # the kernels really ran on the reordered copy
    assert local.vcount() == H.number_of_nodes() and sorted(back) == list(range(len(H)))
    assert (back != np.arange(len(H))).any()
    for name, frame in plain.items():
        col = {"sampled": "betweenness"}.get(name, name)
        assert_close(as_dict(ours[name], col), as_dict(frame, col), 1e-9)
    assert_close(as_dict(ours["sampled"], "betweenness_se"),
                 as_dict(plain["sampled"], "betweenness_se"), 1e-9)
