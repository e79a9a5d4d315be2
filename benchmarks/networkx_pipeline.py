"""The graph work of ``ecograph analyze``, done the plain NetworkX way.

This is the baseline the whole-pipeline benchmark compares against: what a
strategist would write with NetworkX alone for the same analyses, stage by
stage, on the same ecosystem.

- **network**: the partner–customer and co-sell graphs as NetworkX graphs,
  ``pagerank``, ``betweenness_centrality`` with the pivots ``analyze`` uses
  (extrapolated from :data:`PROBE` pivots when that estimate passes
  :data:`EXTRAPOLATE_PAST`), and
  brokerage (``constraint`` and ``effective_size``) on the co-sell graph;
- **communities**: ``louvain_communities`` (NetworkX has no Leiden) and
  ``modularity``;
- **co-selling**: partner pairs that share an account, scored with
  ``common_neighbors``, ``jaccard_coefficient``, ``adamic_adar_index`` and
  ``resource_allocation_index``, and communities of the partner–account graph;
- **supply risk**: the supply network, ``immediate_dominators`` from the
  producers, ``articulation_points``, ``maximum_flow`` per SKU, and for each
  party ``analyze`` simulates exactly, the customers still reachable without
  it (``descendants`` on a ``restricted_view``: plain reachability, less work
  than ecograph's proportional flow model);
- **assessment**: two-step reach of every partner
  (``single_source_shortest_path_length`` with ``cutoff=2``).

Stages without a graph kernel (coverage, physical accounts, the KPI tables)
are pandas in both and are not repeated, so the NetworkX total is a lower
bound on what a NetworkX pipeline costs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import networkx as nx
import pandas as pd

from ecograph import Ecosystem
from ecograph import view as ecograph_view
from ecograph.analysis.bottlenecks import supply_flows
from ecograph.pipeline import betweenness_pivots

__all__ = ["STAGES", "PROBE", "EXTRAPOLATE_PAST", "stages"]

#: Betweenness pivots NetworkX runs to estimate the time of all of them.
PROBE = 8
#: Seconds past which that estimate is used instead of running the rest.
EXTRAPOLATE_PAST = 180.0


def _plain(eco: Ecosystem, view: str) -> nx.Graph:
    """The view as a filled NetworkX graph (what building it in NetworkX costs)."""
    G = ecograph_view(eco, view)
    G.adj  # noqa: B018 -- fills the NetworkX storage
    return G


def _network(eco: Ecosystem) -> float:
    G = _plain(eco, "bipartite")
    nx.pagerank(G, weight="weight")
    k = betweenness_pivots(G.number_of_nodes())
    rest = 0.0
    if k is None:
        nx.betweenness_centrality(G, seed=0)
    else:  # time PROBE pivots: each pivot is one search, of similar cost
        started = time.perf_counter()
        nx.betweenness_centrality(G, k=PROBE, seed=0)
        rest = (time.perf_counter() - started) * (k / PROBE - 1)
        if rest < EXTRAPOLATE_PAST:  # affordable: run it (a short probe is noisy)
            nx.betweenness_centrality(G, k=k, seed=0)
            rest = 0.0
    C = _plain(eco, "cosell")
    nx.constraint(C)
    nx.effective_size(C)
    return rest


def _communities(eco: Ecosystem) -> float:
    G = _plain(eco, "bipartite")
    parts = nx.community.louvain_communities(G, weight="weight", seed=0)
    nx.community.modularity(G, parts, weight="weight")
    return 0.0


def _coselling(eco: Ecosystem) -> float:
    G = _plain(eco, "bipartite")
    partners = set(eco.partners["id"])
    pairs = set()
    for account in set(G) - partners:
        sellers = sorted(n for n in G[account] if n in partners)
        pairs.update(itertools.combinations(sellers, 2))
    pairs = sorted(pairs)
    for a, b in pairs:
        len(list(nx.common_neighbors(G, a, b)))
    for score in (nx.jaccard_coefficient, nx.adamic_adar_index, nx.resource_allocation_index):
        for _ in score(G, pairs):
            pass
    nx.community.louvain_communities(G, seed=0)
    return 0.0


def _supply(eco: Ecosystem, exact: list[str]) -> float:
    S = _plain(eco, "supply")
    producers = [n for n, d in S.in_degree() if d == 0]
    customers = set(eco.customers["id"]) & set(S)
    R = nx.DiGraph(S)
    R.add_edges_from(("<producers>", p) for p in producers)
    nx.immediate_dominators(R, "<producers>")
    list(nx.articulation_points(S.to_undirected(as_view=True)))
    flows = supply_flows(eco)
    for _, f in flows.groupby("sku"):
        F = nx.DiGraph()
        F.add_edges_from((s, t, {"capacity": c}) for s, t, c in
                         zip(f["source"], f["target"], f["capacity"], strict=True))
        sources = [n for n, d in F.in_degree() if d == 0]
        F.add_edges_from(("<producers>", p) for p in sources)  # no capacity: unlimited
        F.add_edges_from((c, "<demand>", {"capacity": float(v)}) for c, v in
                         f[f["target"].isin(customers)].groupby("target")["capacity"].sum().items())
        if F.has_node("<demand>"):
            nx.maximum_flow_value(F, "<producers>", "<demand>")
    for party in exact:
        left = nx.restricted_view(R, [party], [])
        len(nx.descendants(left, "<producers>") & customers)
    return 0.0


def _assessment(eco: Ecosystem) -> float:
    G = _plain(eco, "bipartite")
    for p in eco.partners["id"]:
        len(nx.single_source_shortest_path_length(G, p, cutoff=2))
    return 0.0


#: The ``analyze`` stages with graph work, in order.
STAGES = ("network", "communities", "co-selling", "supply risk", "assessment")


def stages(eco: Ecosystem, bottlenecks: pd.DataFrame) -> dict[str, Callable]:
    """The NetworkX work of each ``analyze`` stage that has graph work, as calls to
    time in order; a call returns the seconds it extrapolated rather than ran
    (add them to its time). ``bottlenecks`` is the table ``analyze`` made on
    ``eco``: its ``exact`` parties are the ones simulated."""
    exact = bottlenecks.loc[bottlenecks["exact"], "id"].tolist()
    return {"network": lambda: _network(eco), "communities": lambda: _communities(eco),
            "co-selling": lambda: _coselling(eco), "supply risk": lambda: _supply(eco, exact),
            "assessment": lambda: _assessment(eco)}
