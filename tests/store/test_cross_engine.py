"""NetworkX, igraph and Cypher (the embedded store) give the same degree, component and
path answers on random generated ecosystems."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecograph import Ecosystem
from ecograph.store import EmbeddedStore, load
from ecograph.synth import generate_tables
from ecograph.twins import twin


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_three_engines_agree(store_dir, seed):
    eco = Ecosystem(generate_tables(partners=24, customers=120, seed=seed)[0])
    store = EmbeddedStore(store_dir, graph=f"cross{seed}")
    store.clear()
    load(eco, store)
    rel = eco.relationships
    sells = rel[rel["type"] == "sells_to"]
    G = nx.Graph()
    G.add_edges_from(zip(sells["source"], sells["target"], strict=True))
    g = twin(G)
    names = list(G)  # vertex i of the twin is list(G)[i]
    # degree: SELLS_TO relationships per partner (parallel ones count in Cypher and igraph)
    cypher = {r["id"]: r["n"] for r in store.run(
        "MATCH (p:Partner)-[r:SELLS_TO]->() RETURN p.id AS id, count(r) AS n")}
    per_source = sells.groupby("source").size().to_dict()
    assert cypher == per_source
    simple = dict(G.degree())
    ig_degree = dict(zip(names, g.degree(), strict=True))
    assert {p: simple[p] for p in per_source} == {p: ig_degree[p] for p in per_source}
    # shared customers of a partner pair: Cypher counting a named middle node equals the
    # common neighbours; the anonymous-middle count(*) collapses to 1 (the lint's trap)
    a, b = sorted(per_source, key=per_source.get)[-2:]
    common = len(set(G[a]) & set(G[b]))
    pair = " WHERE a.id = $a AND b.id = $b "
    named = store.run("MATCH (a:Partner)-[:SELLS_TO]->(c)<-[:SELLS_TO]-(b:Partner)" + pair
                      + "RETURN count(DISTINCT c) AS n", {"a": a, "b": b})
    star = store.run("MATCH (a:Partner)-[:SELLS_TO]->()<-[:SELLS_TO]-(b:Partner)" + pair
                     + "RETURN count(*) AS n", {"a": a, "b": b})
    assert named[0]["n"] == common
    assert star[0]["n"] == min(common, 1)
    # components: everything reachable from a partner over SELLS_TO, either direction
    rng = np.random.default_rng(seed)
    start = str(rng.choice(sorted(per_source)))
    reach = {r["id"] for r in store.run(
        "MATCH (a:Partner {id: $id})-[:SELLS_TO*0..12]-(b) RETURN DISTINCT b.id AS id",
        {"id": start})}
    assert reach == nx.node_connected_component(G, start)
    assert reach == {names[i] for i in g.subcomponent(names.index(start))}
    # shortest paths between partners, through shared customers
    for other in rng.choice(sorted(per_source), size=4, replace=False):
        other = str(other)
        if other == start:
            continue
        rows = store.run("MATCH p = (a:Partner {id: $a})-[:SELLS_TO*1..6]-(b:Partner {id: $b}) "
                         "RETURN min(length(p)) AS d", {"a": start, "b": other})
        d = rows[0]["d"] if rows else None
        if nx.has_path(G, start, other) and nx.shortest_path_length(G, start, other) <= 6:
            expected = nx.shortest_path_length(G, start, other)
            assert d == expected
            assert g.distances(names.index(start), names.index(other))[0][0] == expected
        else:
            assert d is None
