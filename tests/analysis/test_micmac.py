"""MICMAC matches a hand computation and the matrix power series, and reads the
relationships in force."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import ecograph
from ecograph.analysis.micmac import micmac, relationship_micmac
from ecograph.errors import ParameterError

from .conftest import random_graph


@pytest.fixture(scope="module")
def tiny_eco(fixtures_dir) -> ecograph.Ecosystem:
    return ecograph.load_bundle(fixtures_dir / "tiny")


def test_micmac_matches_a_hand_computation():
    G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    m = micmac(G, order=2).set_index("id")
    # M rows: a→b,c; b→c; c→d. λ = 2 (a's out-degree, c's in-degree).
    # M·1 = (2, 1, 1, 0); M²·1 = (2, 1, 0, 0); Mᵀ·1 = (0, 1, 2, 1); (Mᵀ)²·1 = (0, 0, 1, 2).
    assert m["influence"].to_dict() == {"a": 2, "b": 1, "c": 1, "d": 0}
    assert m["dependence"].to_dict() == {"a": 0, "b": 1, "c": 2, "d": 1}
    assert m["indirect_influence"].to_dict() == {"a": 3.0, "b": 1.5, "c": 1.0, "d": 0.0}
    assert m["indirect_dependence"].to_dict() == {"a": 0.0, "b": 1.0, "c": 2.5, "d": 2.0}
    assert m.index.tolist() == ["a", "b", "c", "d"]
    one = micmac(G, order=1)
    assert (one["indirect_influence"] == one["influence"]).all()


def test_micmac_equals_the_matrix_power_series():
    G = random_graph(40, 0.08, seed=3, directed=True, weighted=True)
    m = micmac(G, order=3, weight="weight").set_index("id").loc[list(G)]
    M = nx.to_numpy_array(G, weight="weight")
    lam = max(M.sum(axis=1).max(), M.sum(axis=0).max())
    S = M + M @ M / lam + M @ M @ M / lam**2
    assert np.allclose(m["indirect_influence"], S.sum(axis=1))
    assert np.allclose(m["indirect_dependence"], S.sum(axis=0))
    binary = micmac(G, order=1).set_index("id").loc[list(G)]
    assert (binary["influence"].to_numpy() == (M > 0).sum(axis=1)).all()


@pytest.mark.parametrize("order", [1, 3])
def test_micmac_quadrants_on_a_toy_example(order):
    G = nx.DiGraph([("lead", "relay"), ("lead", "sink"), ("relay", "sink")])
    G.add_nodes_from(["loner", "loner2"])
    q = micmac(G, order=order).set_index("id")["quadrant"].to_dict()
    assert q == {"lead": "influential", "relay": "relay", "sink": "dependent", "loner": "autonomous",
                 "loner2": "autonomous"}


def test_micmac_reads_relationships_in_force_and_co_selling_both_ways(tiny_eco, it_eco):
    now = relationship_micmac(tiny_eco).set_index("id")
    # P1 sells to C1 and co-sells with P2 (both ways); P2 distributes for NIMBUS.
    assert now.loc["P1", ["influence", "dependence"]].tolist() == [2, 1]
    assert now.loc["P2", ["influence", "dependence"]].tolist() == [2, 1]
    assert now.loc["NIMBUS", ["influence", "dependence"]].tolist() == [0, 2]
    assert now.loc[["P1", "C1", "S1"], "name"].tolist() == tiny_eco.names(["P1", "C1", "S1"]).tolist()
    # the co-selling (R4) runs to 2025-05-01 inclusive
    last_day = relationship_micmac(tiny_eco, as_of="2025-05-01").set_index("id")
    assert last_day.loc["P1", ["influence", "dependence"]].tolist() == [2, 1]
    later = relationship_micmac(tiny_eco, as_of="2025-05-02").set_index("id")
    assert later.loc["P1", ["influence", "dependence"]].tolist() == [1, 0]
    partners = relationship_micmac(tiny_eco, kinds=("partner",))
    assert set(partners["id"]) == {"P1", "P2"} and (partners["kind"] == "partner").all()
    assert set(relationship_micmac(it_eco, kinds=("partner", "customer"))
               ["kind"]) == {"partner", "customer"}
    with pytest.raises(ParameterError, match="order"):
        relationship_micmac(tiny_eco, order=0)


def test_without_a_date_ties_ended_before_the_reference_date_are_left_out(tiny_eco):
    rel = tiny_eco.relationships
    tables = dict(tiny_eco.tables)
    tables["relationships"] = rel.assign(end=rel["end"].where(rel["id"] != "R4", pd.Timestamp("2025-02-01")))
    ended = ecograph.Ecosystem(tables)  # the co-selling ended before the last record (2025-03-01)
    m = relationship_micmac(ended).set_index("id")
    assert m.loc["P1", ["influence", "dependence"]].tolist() == [1, 0]
    pd.testing.assert_frame_equal(relationship_micmac(ended),
                                  relationship_micmac(ended, as_of=ended.reference_date))


def test_micmac_takes_graphs_and_keeps_the_kinds_asked_for(it_eco):
    G = ecograph.view(it_eco, "bipartite")
    m = micmac(G, kinds=("partner",))
    assert list(m.columns[:3]) == ["id", "name", "kind"] and (m["kind"] == "partner").all()
    partners = it_eco.partners.set_index("id")["name"]
    assert set(m["id"]) <= set(partners.index) and len(m) > 0
    assert m.set_index("id")["name"].to_dict() == partners.loc[m["id"]].to_dict()
    with pytest.raises(ParameterError, match="graph"):
        micmac(it_eco)  # an ecosystem goes through relationship_micmac
