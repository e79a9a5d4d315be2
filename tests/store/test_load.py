"""Loading: every row arrives, a second load writes nothing, missing endpoints fail loudly."""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import Ecosystem, view
from ecograph.errors import StoreError
from ecograph.store import EmbeddedStore, load, write_back


def test_every_row_arrives(loaded, ecosystems, bundle_name):
    store, report = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    assert report.created == report.rows and report.state == "empty"
    assert sum(report.updated.values()) == sum(report.deleted.values()) == 0
    assert report.created["Partner"] == len(eco.partners)
    assert report.created["REGISTERED"] == len(eco.deals)
    assert report.created["MOVED"] == len(eco.movements)
    rel_types = eco.relationships["type"].str.upper().value_counts()
    for rel_type, n in rel_types.items():
        got = store.run(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n")[0]["n"]
        assert got == n
    partner = eco.partners.iloc[0]
    node = store.run("MATCH (p:Partner {id: $id}) RETURN p {.regions, .joined} AS p",
                     {"id": partner["id"]})[0]["p"]
    assert list(node["regions"]) == list(partner["regions"])
    assert node["joined"] == partner["joined"].strftime("%Y-%m-%d")


def test_a_second_load_writes_nothing(store_dir, it_eco):
    store = EmbeddedStore(store_dir, graph="twice")
    store.clear()
    load(it_eco, store, batch_size=300)
    count = lambda: (store.run("MATCH (n) RETURN count(n) AS n")[0]["n"],  # noqa: E731
                     store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])
    first = count()
    again = load(it_eco, store, batch_size=977)
    assert count() == first
    assert again.written == 0 and again.unchanged == again.rows


def test_a_relationship_without_its_endpoint_is_an_error(store_dir, it_eco):
    store = EmbeddedStore(store_dir, graph="broken")
    store.clear()
    tables = {name: frame.copy() for name, frame in it_eco.tables.items()}
    rel = tables["relationships"]
    gone = rel.loc[rel["type"] == "sells_to", "target"].iat[0]
    tables["customers"] = tables["customers"][tables["customers"]["id"] != gone]
    with pytest.raises(StoreError, match=f"found no endpoint.*{gone}.*nothing was written"):
        load(Ecosystem(tables), store)
    assert store.run("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_write_back_makes_results_queryable(loaded, ecosystems):
    from ecograph.analysis import centrality, communities

    store, _ = loaded["it_ecosystem"]
    eco = ecosystems["it_ecosystem"]
    G = view(eco, "bipartite")
    ranks = centrality.pagerank(G)
    parts = communities.detect_communities(G, seed=0)
    both = ranks[["id", "pagerank"]].merge(parts[["id", "community"]], on="id")
    assert write_back(store, eco, both) == {"pagerank": len(both), "community": len(both)}
    top = store.run("MATCH (n) WHERE n.pagerank IS NOT NULL RETURN n.id AS id "
                    "ORDER BY n.pagerank DESC LIMIT 1")[0]["id"]
    assert top == ranks["id"].iat[0]
    with pytest.raises(StoreError, match="nothing to write back"):
        write_back(store, eco, pd.DataFrame({"id": ["P00001"], "secret": [1]}))


def test_rows_render_as_the_falkordb_client_would_and_as_plain_parameters():
    import numpy as np
    from falkordb.helpers import stringify_param_value

    from ecograph.store.embedded import _fields, _join
    from ecograph.store.load import records

    head = pd.DataFrame({"id": ["a", 'q"uo\\te', "c"]})
    props = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "x": [1.5, np.nan, 2e-7],
                          "tags": [["t", "u"], [], ["v"]], "ok": pd.array([True, False, None])})
    rows = records(head, props)
    assert rows[1] == {"id": 'q"uo\\te', "props": {"n": None, "x": None, "tags": [],
                                                    "ok": False}}
    ours = "{" + _join(_fields(head) + ["props:{" + _join(_fields(props), props.index) + "}"],
                       head.index) + "}"
    client = [stringify_param_value(r) for r in rows]  # it writes booleans as True/False
    assert [o.replace("`", "") for o in ours] == [
        c.replace("`", "").replace("True", "true").replace("False", "false") for c in client]
