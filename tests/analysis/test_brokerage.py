"""Brokerage equals NetworkX's structural-hole measures and finds the planted broker."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

from ecograph import twins, view
from ecograph.analysis.brokerage import broker_scores, brokerage
from ecograph.errors import ParameterError

from .conftest import as_dict


def _close(G, ours: dict, ref: dict, tol: float = 1e-9) -> None:
    for k, v in ref.items():
        if math.isnan(v):
            # NetworkX calls a directed node without successors isolated; ecograph
            # counts in- and out-contacts alike (mutual weights), so only a truly
            # isolated node is NaN here.
            assert math.isnan(ours[k]) or G.is_directed() and G.out_degree(k) == 0
        else:
            assert abs(ours[k] - v) <= tol, (k, ours[k], v)


def test_constraint_and_effective_size_equal_networkx(rgraph):
    G = rgraph.copy()
    G.add_node("isolated")
    w = "weight" if any("weight" in d for *_, d in G.edges(data=True)) else None
    frame = brokerage(G, weight=w)
    _close(G, as_dict(frame, "constraint"), nx.constraint(G, weight=w))
    assert math.isnan(as_dict(frame, "constraint")["isolated"])
    # NetworkX's own sparse shortcut disagrees with its per-node definition on
    # weighted or directed graphs; the per-node path (nodes=...) is the definition.
    _close(G, as_dict(frame, "effective_size"), nx.effective_size(G, nodes=list(G), weight=w))


def test_planted_broker_ranks_first_on_the_cosell_network(ecosystems, truths, bundle_name):
    frame = brokerage(view(ecosystems[bundle_name], "cosell"))
    assert frame["id"].iat[0] == truths[bundle_name]["broker_partner"]["id"]
    assert frame["constraint"].dropna().is_monotonic_increasing


def test_a_star_centre_is_a_perfect_broker():
    frame = brokerage(nx.star_graph(4)).set_index("id")
    assert frame.at[0, "effective_size"] == pytest.approx(4.0)
    assert frame.at[0, "efficiency"] == pytest.approx(1.0)
    assert frame.at[0, "constraint"] == pytest.approx(0.25)


def test_broker_scores_with_pivots_at_least_n_equal_the_exact_scores(ecosystems):
    eco = ecosystems["it_ecosystem"]
    nodes = len(eco.partners) + len(eco.customers)  # the partner × account graph
    pd.testing.assert_frame_equal(broker_scores(eco, pivots=nodes), broker_scores(eco, pivots=None))
    pd.testing.assert_frame_equal(broker_scores(eco), broker_scores(eco, pivots=None))  # small: auto is exact


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_planted_broker_stays_first_with_few_pivots(ecosystems, truths, bundle_name, seed):
    s = broker_scores(ecosystems[bundle_name], pivots=16, seed=seed)
    assert s["id"].iat[0] == truths[bundle_name]["broker_partner"]["id"]
    assert s.equals(broker_scores(ecosystems[bundle_name], pivots=16, seed=seed))  # a seed repeats


def test_a_locality_ordered_account_graph_gives_the_same_exact_betweenness(ecosystems, monkeypatch):
    eco = ecosystems["it_ecosystem"]
    plain = broker_scores(eco, pivots=None).set_index("id")["account_betweenness"]
    monkeypatch.setattr(twins, "LOCALITY_THRESHOLD", 10)  # renumber the graph as large ones are
    ordered = broker_scores(eco, pivots=None).set_index("id")["account_betweenness"]
    pd.testing.assert_series_equal(ordered.sort_index(), plain.sort_index())


@pytest.mark.parametrize("pivots", [0, -3, "all", 2.5])
def test_broker_scores_refuse_pivots_that_are_not_a_count(ecosystems, pivots):
    with pytest.raises(ParameterError, match="pivots"):
        broker_scores(ecosystems["it_ecosystem"], pivots=pivots)


def test_a_given_account_betweenness_is_the_account_lens_and_leaves_the_score(ecosystems):
    eco = ecosystems["it_ecosystem"]
    own = broker_scores(eco)
    given = broker_scores(eco, account_betweenness=own.set_index("id")["account_betweenness"])
    pd.testing.assert_frame_equal(given, own)
    halved = broker_scores(eco, account_betweenness=own.set_index("id")["account_betweenness"].head(5) / 2)
    assert halved["score"].tolist() == own["score"].tolist()
    lens = halved.set_index("id")["account_betweenness"]
    assert (lens.drop(own["id"].head(5)) == 0).all()  # partners missing from it count 0
