"""Graphs the analysis tests share: fixture views and seeded random graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from ecograph import view


def random_graph(n: int, p: float, *, seed: int, directed: bool, weighted: bool) -> nx.Graph:
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    if weighted:
        rnd = random.Random(seed)
        for u, v in G.edges:
            G[u][v]["weight"] = rnd.uniform(0.5, 3.0)
    return G


RANDOM = [(seed, directed, weighted) for seed in (1, 2) for directed in (False, True)
          for weighted in (False, True)]


@pytest.fixture(params=RANDOM, ids=[f"seed{s}-{'di' if d else 'un'}-{'w' if w else 'u'}"
                                    for s, d, w in RANDOM])
def rgraph(request):
    seed, directed, weighted = request.param
    return random_graph(70, 0.06, seed=seed, directed=directed, weighted=weighted)


@pytest.fixture(params=[("it_ecosystem", "bipartite"), ("it_ecosystem", "cosell"),
                        ("it_ecosystem", "supply"), ("manufacturing", "bipartite"),
                        ("manufacturing", "cosell"), ("manufacturing", "supply")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def fixture_view(request, ecosystems):
    name, view_name = request.param
    return view(ecosystems[name], view_name)


def as_dict(frame, column):
    return frame.set_index("id")[column].to_dict()


def assert_close(ours: dict, ref: dict, tol: float = 1e-9):
    assert ours.keys() == ref.keys()
    worst = max((abs(ours[k] - ref[k]) for k in ref), default=0.0)
    assert worst <= tol, f"largest difference {worst:g}"
