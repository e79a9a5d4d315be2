"""Back from the store: the same Ecosystem, and GDS-style projections analyses can use."""

from __future__ import annotations

import pytest

from ecograph import BundleError, Ecosystem, load_bundle
from ecograph.analysis import brokerage, centrality
from ecograph.errors import StoreError
from ecograph.schema import TABLES
from ecograph.store import EmbeddedStore, load, project, to_ecosystem


def test_round_trip_gives_the_same_ecosystem(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    expected = Ecosystem({t: eco.tables[t].sort_values(TABLES[t].key, ignore_index=True)
                          for t in TABLES})
    assert to_ecosystem(store) == expected


def test_the_store_is_read_back_without_a_detour_through_files(loaded, ecosystems, monkeypatch):
    import tempfile

    def no_files(*args, **kwargs):
        raise AssertionError("to_ecosystem wrote a temporary bundle")

    for name in ("TemporaryDirectory", "mkdtemp", "mkstemp"):
        monkeypatch.setattr(tempfile, name, no_files)
    monkeypatch.setattr(Ecosystem, "to_bundle", no_files)
    store, _ = loaded["it_ecosystem"]
    eco = ecosystems["it_ecosystem"]
    back = to_ecosystem(store)
    assert back == Ecosystem({t: eco.tables[t].sort_values(TABLES[t].key, ignore_index=True)
                              for t in TABLES})
    assert back.reference_date == eco.reference_date


def test_a_damaged_store_fails_validation_with_findings(store_dir, tiny):
    store = EmbeddedStore(store_dir, graph="damaged")
    store.clear()
    load(load_bundle(tiny), store)
    store.run("MATCH (p:Partner {id: 'P2'}) SET p.tier = 'diamond'")
    with pytest.raises(BundleError) as info:
        to_ecosystem(store)
    assert info.value.errors[["file", "row", "column", "rule", "value"]].values.tolist() == [
        ["partners", 3, "tier", "enum", "diamond"]]  # P2 is the second partner by id



def test_days_and_whole_numbers_at_the_limits_come_back_exactly(store_dir, tiny):
    from ..conftest import edit

    edit(tiny, "relationships.csv", "R1,P1,C1,sells_to,SRV,3,,,2024-01-01,",
         "R1,P1,C1,sells_to,SRV,3,,,0001-01-01,9999-12-31")
    edit(tiny, "customers.csv", ",5000,", f",{2**63 - 1},")
    edit(tiny, "customers.csv", ",40,", ",9007199254740993,")
    edit(tiny, "customers.csv", ",300,", ",,")  # a missing count must not turn the others to floats
    eco = load_bundle(tiny)
    store = EmbeddedStore(store_dir, graph="limits")
    store.clear()
    load(eco, store)
    back = to_ecosystem(store)
    assert back == Ecosystem({t: eco.tables[t].sort_values(TABLES[t].key, ignore_index=True)
                              for t in TABLES})
    assert back.customers["employees"].tolist()[:2] == [2**63 - 1, 9007199254740993]
    r1 = back.relationships.set_index("id").loc["R1"]
    assert (str(r1["start"].date()), str(r1["end"].date())) == ("0001-01-01", "9999-12-31")

def test_a_projection_feeds_the_analyses(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    G = project(store, "MATCH (p:Partner) RETURN p.id AS id, p.partner_type AS type",
                "MATCH (a:Partner)-[r:SELLS_TO]->(c:Customer)<-[s:SELLS_TO]-(b:Partner) "
                "WHERE a.id < b.id RETURN a.id AS source, b.id AS target, "
                "count(DISTINCT c) AS weight")
    # the projected partner graph: partners linked once per shared customer
    rel = eco.relationships
    sells = rel[rel["type"] == "sells_to"][["source", "target"]]
    pairs = sells.merge(sells, on="target")
    pairs = pairs[pairs["source_x"] < pairs["source_y"]]
    assert G.number_of_nodes() == len(eco.partners)
    assert G.number_of_edges() == len(pairs.drop_duplicates(["source_x", "source_y"]))
    weight = pairs.groupby(["source_x", "source_y"]).size()
    (a, b), top = weight.idxmax(), weight.max()
    assert G[a][b]["weight"] == top
    assert len(brokerage.brokerage(G, weight="weight")) == G.number_of_nodes()
    assert centrality.pagerank(G)["pagerank"].sum() == pytest.approx(1.0)


def test_a_projection_with_unknown_endpoints_is_an_error(loaded):
    store, _ = loaded["it_ecosystem"]
    with pytest.raises(StoreError, match="did not return"):
        project(store, "MATCH (p:Partner) RETURN p.id AS id",
                "MATCH (a:Partner)-[r:SELLS_TO]->(c:Customer) RETURN a.id AS source, "
                "c.id AS target")
    with pytest.raises(StoreError, match="`id`"):
        project(store, "MATCH (p:Partner) RETURN p.name AS name",
                "MATCH (a:Partner)-[r:CO_SELLS_WITH]-(b:Partner) RETURN a.id AS source, "
                "b.id AS target")
