"""Brokerage equals NetworkX's structural-hole measures and finds the planted broker."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from ecograph import view
from ecograph.analysis.brokerage import brokerage

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
