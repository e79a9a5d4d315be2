"""The network stages pushed down to Neo4j GDS (`analyze --engine neo4j`) against the Python engine.

Each fixture bundle is loaded into the local test Neo4j, projected with the Cypher
projection of ecograph.store.gds, and every GDS result is compared with the Python
analysis of ``view(eco, "bipartite")`` in the same convention.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecograph import load_tables, pipeline, view
from ecograph.analysis import centrality, communities
from ecograph.errors import ParameterError, StoreError
from ecograph.store import gds, load

from .conftest import needs_neo4j, neo4j_store

pytestmark = needs_neo4j

#: The Python engine's modularity minus GDS Leiden's, measured: GDS stops at a slightly
#: lower optimum on manufacturing (0.727 against 0.739; the same 26 communities).
MODULARITY_GAP = {"it_ecosystem": 0.01, "manufacturing": 0.015}


def catalogue(store) -> list[str]:
    """The projections held in GDS's graph catalogue."""
    return [r["graphName"] for r in store.run("CALL gds.graph.list() YIELD graphName RETURN graphName")]


@pytest.fixture(scope="module", params=["it_ecosystem", "manufacturing"])
def stored(request, neo4j_server, ecosystems):
    """(bundle name, ecosystem, store holding it) for each fixture bundle in turn."""
    eco = ecosystems[request.param]
    store = neo4j_store(neo4j_server)
    load(eco, store)
    yield request.param, eco, store
    store.close()


@pytest.fixture(scope="module")
def both(stored):
    """The whole pipeline on both engines: (name, eco, store, python result, neo4j result)."""
    name, eco, store = stored
    return name, eco, store, pipeline.analyze(eco), pipeline.analyze(eco, engine="neo4j", store=store)


def test_projection_is_the_bipartite_view(stored):
    _, eco, store = stored
    G = view(eco, "bipartite")
    with gds.projected(store, eco) as graph:
        assert (graph.nodes, graph.relationships) == (G.number_of_nodes(), G.number_of_edges())
        assert graph.name in catalogue(store)
    assert graph.name not in catalogue(store)
    # without the bundle in Python (a graph too large for it): the day is given instead
    with gds.projected(store, as_of=eco.reference_date.strftime("%Y-%m-%d")) as bare:
        assert (bare.nodes, bare.relationships) == (graph.nodes, graph.relationships)
        here = centrality.pagerank(G, convention="gds", max_iter=100, tol=1e-10)
        assert gds.pagerank(bare)["id"].head(5).tolist() == here["id"].head(5).tolist()
    with pytest.raises(ParameterError, match="as_of"), gds.projected(store):
        pass
    assert bare.name not in catalogue(store)


def test_pagerank_equals_the_gds_convention(stored):
    _, eco, store = stored
    G = view(eco, "bipartite")
    with gds.projected(store, eco) as graph:
        pushed = gds.pagerank(graph)
    here = centrality.pagerank(G, convention="gds", max_iter=100, tol=1e-10)
    assert pushed.columns.tolist() == here.columns.tolist()
    both = pushed.merge(here, on="id", suffixes=("_gds", "_py"))
    assert len(both) == len(here) == len(pushed)
    assert (both["pagerank_gds"] - both["pagerank_py"]).abs().max() < 1e-6
    assert pushed["id"].head(10).tolist() == here["id"].head(10).tolist()
    assert (pushed[["name", "kind", "type", "region"]].fillna("") ==
            here.set_index("id").loc[pushed["id"], ["name", "kind", "type", "region"]]
            .fillna("").reset_index(drop=True)).all().all()


def test_exact_betweenness_equals_the_gds_convention(stored):
    _, eco, store = stored
    G = view(eco, "bipartite")
    with gds.projected(store, eco) as graph:
        pushed = gds.betweenness(graph)
        sampled = gds.betweenness(graph, k=graph.nodes // 2)
    here = centrality.betweenness(G, convention="gds")
    both = pushed.merge(here, on="id", suffixes=("_gds", "_py"))
    assert (both["betweenness_gds"] - both["betweenness_py"]).abs().max() < 1e-6
    assert pushed["id"].head(5).tolist() == here["id"].head(5).tolist()
    # a sampled estimate is scaled to the exact scores (GDS leaves it unscaled)
    assert sampled.columns.tolist() == centrality.betweenness(G, k=10, convention="gds").columns.tolist()
    assert sampled["betweenness_se"].isna().all()
    assert sampled["betweenness"].sum() == pytest.approx(here["betweenness"].sum(), rel=0.3)
    assert sampled["id"].iat[0] == here["id"].iat[0]


def test_leiden_matches_the_python_engine(stored):
    name, eco, store = stored
    G = view(eco, "bipartite")
    with gds.projected(store, eco) as graph:
        found = gds.communities(graph)
    here = communities.detect_communities(G, seed=0)
    assert found.count == here["community"].nunique() == found.partition["community"].nunique()
    assert found.modularity == pytest.approx(communities.modularity(G, found.partition), abs=1e-9)
    assert abs(communities.modularity(G, here) - found.modularity) < MODULARITY_GAP[name]
    assert found.partition.columns.tolist() == here.columns.tolist()
    sizes = found.partition["community"].value_counts(sort=False).sort_index()
    assert sizes.is_monotonic_decreasing  # renumbered as ecograph's: 0 = largest
    # the profile, its edge counts derived in GDS, equals the one computed from the whole graph
    pd.testing.assert_frame_equal(found.profile, communities.community_profile(G, found.partition),
                                  check_dtype=False)


def test_communities_do_not_depend_on_the_order_the_store_holds_the_rows_in(stored):
    name, eco, store = stored
    with gds.projected(store, eco) as graph:
        first = gds.communities(graph)
        again = gds.communities(graph)  # the projection can be asked twice
        louvain = gds.communities(graph, method="louvain")
    pd.testing.assert_frame_equal(again.partition, first.partition)
    G = view(eco, "bipartite")
    assert louvain.modularity == pytest.approx(communities.modularity(G, louvain.partition))
    shuffled = load_tables({t: frame.sample(frac=1, random_state=7) for t, frame in eco.tables.items()},
                           source=eco.source)
    try:
        load(shuffled, store, replace=True)  # every node and relationship written again, in another order
        with gds.projected(store, eco) as graph:
            reloaded = gds.communities(graph)
    finally:
        load(eco, store, replace=True)
    pd.testing.assert_frame_equal(reloaded.partition, first.partition)
    assert reloaded.modularity == first.modularity


def test_analyze_on_neo4j_gives_the_same_tables_and_drops_the_projection(both):
    name, eco, store, here, pushed = both
    assert set(pushed.tables) == set(here.tables)
    for table in ("pagerank", "betweenness", "communities", "community_profile"):
        assert pushed.tables[table].columns.tolist() == here.tables[table].columns.tolist(), table
        assert len(pushed.tables[table]) == len(here.tables[table]), table
    assert pushed.tables["pagerank"]["id"].head(5).tolist() == here.tables["pagerank"]["id"].head(5).tolist()
    assert pushed.tables["betweenness"]["id"].head(5).tolist() == \
        here.tables["betweenness"]["id"].head(5).tolist()
    assert pushed.headline["communities"] == here.headline["communities"]
    assert abs(pushed.headline["modularity"] - here.headline["modularity"]) < MODULARITY_GAP[name]
    assert (pushed.headline["engine"], pushed.headline["convention"]) == ("neo4j", "gds")
    for table in ("bottlenecks", "cosell_suggestions", "reconciliation", "brokerage"):  # run here
        pd.testing.assert_frame_equal(pushed.tables[table], here.tables[table])
    assert not [g for g in catalogue(store) if g.startswith("ecograph-")]


def test_the_projection_is_dropped_on_error(stored):
    _, eco, store = stored
    with pytest.raises(RuntimeError, match="stage failed"), gds.projected(store, eco) as graph:
        raise RuntimeError("stage failed")
    assert graph.name not in catalogue(store)
    with pytest.raises(StoreError, match="procedure"), gds.projected(store, eco) as graph:
        store.run("CALL gds.noSuchAlgorithm.stream($g)", {"g": graph.name})
    assert graph.name not in catalogue(store)


def test_analyze_refuses_a_store_holding_another_bundle(stored, ecosystems):
    name, _, store = stored
    other = ecosystems["manufacturing" if name == "it_ecosystem" else "it_ecosystem"]
    with pytest.raises(StoreError, match="holds company .*, not .*ecograph load"):
        pipeline.analyze(other, engine="neo4j", store=store)
    assert not [g for g in catalogue(store) if g.startswith("ecograph-")]


def test_cli_analyze_engine_neo4j(stored, neo4j_env, run, fixtures_dir, tmp_path):
    name, _, _ = stored
    result = run("analyze", fixtures_dir / name, "--engine", "neo4j", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["engine"] == "neo4j" and summary["communities"] >= 1
    assert (tmp_path / "out" / "pagerank.csv").exists()


def test_cli_store_errors_are_one_line_exit_3(stored, neo4j_env, run, fixtures_dir, tmp_path,
                                               monkeypatch):
    name, _, _ = stored
    other = "manufacturing" if name == "it_ecosystem" else "it_ecosystem"
    wrong = run("analyze", fixtures_dir / other, "--engine", "neo4j", "--out", tmp_path / "a")
    assert wrong.exit_code == 3
    assert len(wrong.stderr.strip().splitlines()) == 1 and "ecograph load" in wrong.stderr
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    denied = run("analyze", fixtures_dir / name, "--engine", "neo4j", "--out", tmp_path / "b")
    assert denied.exit_code == 3 and len(denied.stderr.strip().splitlines()) == 1
    assert "not-the-password" not in denied.stderr
    monkeypatch.delenv("NEO4J_URI")
    unset = run("analyze", fixtures_dir / name, "--engine", "neo4j", "--out", tmp_path / "c")
    assert unset.exit_code == 3 and "NEO4J_URI" in unset.stderr
