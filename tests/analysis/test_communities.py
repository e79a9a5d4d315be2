"""Communities: reproducible, stable ids, modularity as NetworkX computes it, planted regions found."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from ecograph import view
from ecograph.analysis import communities as cm
from ecograph.synth import generate_bundle

#: Adjusted Rand index of Leiden communities against the planted home regions,
#: on the largest connected component (isolated prospects are singletons).
ARI_COSELL = 0.75
ARI_BIPARTITE = 0.5


def _largest(G: nx.Graph) -> nx.Graph:
    return G.subgraph(max(nx.connected_components(G), key=len)).copy()


@pytest.mark.parametrize("method", cm.METHODS)
def test_a_fixed_seed_gives_the_same_partition_every_run(it_eco, method):
    G = view(it_eco, "bipartite")
    first = cm.detect_communities(G, method=method, seed=3)
    again = cm.detect_communities(G, method=method, seed=3)
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.parametrize("method", cm.METHODS)
def test_modularity_equals_networkx(it_eco, method):
    G = view(it_eco, "cosell")
    parts = cm.detect_communities(G, method=method, seed=0)
    groups = [set(g["id"]) for _, g in parts.groupby("community")]
    ref = nx.community.modularity(G, groups, weight="weight")
    assert cm.modularity(G, parts) == pytest.approx(ref, abs=1e-12)
    assert ref > 0.3 and not parts.attrs  # a real partition; its score lives outside the frame


def test_ids_are_numbered_by_size(it_eco):
    parts = cm.detect_communities(view(it_eco, "bipartite"))
    sizes = parts.groupby("community").size()
    assert list(sizes.index) == list(range(len(sizes)))
    assert sizes.is_monotonic_decreasing


def test_ids_stay_stable_across_runs_and_snapshots(it_eco):
    G = view(it_eco, "cosell")
    before = cm.detect_communities(G, seed=0)
    # another seed may number differently; matching restores the earlier meaning
    rerun = cm.detect_communities(G, seed=11, previous=before)
    same = before.merge(rerun, on="id", suffixes=("_a", "_b"))
    assert (same["community_a"] == same["community_b"]).mean() > 0.9
    # a later snapshot without a few partners keeps the others' ids
    H = G.copy()
    H.remove_nodes_from(list(G)[:3])
    later = cm.detect_communities(H, seed=0, previous=before)
    kept = before.merge(later, on="id", suffixes=("_a", "_b"))
    assert (kept["community_a"] == kept["community_b"]).mean() > 0.85


def test_match_gives_unmatched_communities_new_ids():
    new = cm.match_communities({"a": 0, "b": 0, "c": 1, "d": 2}, {"a": 5, "b": 5, "c": 9})
    assert new.tolist()[:2] == [5, 5]
    assert new[2] == 9 and new[3] == 10


@pytest.mark.parametrize("name", ["it_ecosystem", "manufacturing"])
def test_communities_recover_the_planted_regions(ecosystems, name):
    eco = ecosystems[name]
    for view_name, floor in (("cosell", ARI_COSELL), ("bipartite", ARI_BIPARTITE)):
        G = _largest(view(eco, view_name))
        parts = cm.detect_communities(G, seed=0)
        ari = adjusted_rand_score(parts["region"], parts["community"])
        assert ari >= floor, f"{name} {view_name}: ARI {ari:.3f} below {floor}"


def test_communities_recover_regions_on_a_generated_bundle(tmp_path):
    from ecograph import load_bundle

    generate_bundle(tmp_path / "g", partners=300, customers=4000, seed=9)
    G = _largest(view(load_bundle(tmp_path / "g"), "bipartite"))
    parts = cm.detect_communities(G, seed=0)
    assert adjusted_rand_score(parts["region"], parts["community"]) >= ARI_BIPARTITE


def test_profile_describes_each_community(it_eco):
    G = view(it_eco, "bipartite")
    parts = cm.detect_communities(G)
    profile = cm.community_profile(G, parts)
    assert profile["size"].sum() == G.number_of_nodes()
    assert (profile["n_partner"] + profile["n_customer"] == profile["size"]).all()
    big = profile.iloc[0]
    members = parts[parts["community"] == big["community"]]
    assert big["dominant_region"] == members["region"].value_counts().index[0]
    assert 0 <= big["internal_share"] <= 1
    internal = sum(1 for u, v in G.edges if parts.set_index("id").at[u, "community"]
                   == parts.set_index("id").at[v, "community"] == big["community"])
    assert big["internal_edges"] == internal


def test_unknown_method_is_refused(it_eco):
    with pytest.raises(ValueError, match="leiden"):
        cm.detect_communities(view(it_eco, "cosell"), method="kmeans")


def test_ties_count_the_edges_between_each_pair_of_communities_as_networkx_does(it_eco):
    G = view(it_eco, "bipartite")
    parts = cm.detect_communities(G, seed=0)
    ids = sorted(parts["community"].unique())
    blocks = [set(parts.loc[parts["community"] == c, "id"]) for c in ids]
    Q = nx.quotient_graph(G, blocks, relabel=True,  # block i is community ids[i]
                          edge_data=lambda a, b: {"ties": sum(1 for u in a for v in G[u] if v in b)})
    expected = {(ids[min(i, j)], ids[max(i, j)]): d["ties"] for i, j, d in Q.edges(data=True)}
    ties = cm.community_ties(G, parts)
    assert {(a, b): n for a, b, n in ties.itertuples(index=False)} == expected
    assert (ties["a"] < ties["b"]).all() and ties["ties"].is_monotonic_decreasing


def test_ties_leave_out_nodes_without_a_community():
    G = nx.path_graph(4)  # 0-1 in community 0, 2 in community 1, 3 in none
    ties = cm.community_ties(G, pd.DataFrame({"id": [0, 1, 2], "community": [0, 0, 1]}))
    assert ties.to_dict("records") == [{"a": 0, "b": 1, "ties": 1}]
