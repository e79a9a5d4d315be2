"""Centrality: who is central, by degree, flow, paths and reach.

Every function takes any NetworkX graph first and returns a DataFrame sorted
highest score first (see :func:`ecograph.analysis._common.node_frame`). The
kernels run on the graph's igraph twin or on scipy.sparse matrices.

Conventions (NetworkX by default; ``convention="gds"`` reproduces Neo4j Graph
Data Science where the two differ):

===============  =========================================  ==========================================
measure          NetworkX (default)                         GDS
===============  =========================================  ==========================================
degree           in + out, optionally ``/(n-1)``              out-degree (orientation NATURAL), weighted sum
pagerank         sums to 1; dangling mass spread uniformly  ``(1-d) + d·Σ PR(u)/out(u)``: not divided by
                                                            n, dangling mass dropped, 20 iterations max
betweenness      normalised by default                      unnormalised (``normalized=False``)
===============  =========================================  ==========================================

>>> import networkx as nx
>>> G = nx.star_graph(3)
>>> int(pagerank(G)["id"].iloc[0])
0
>>> betweenness(G, normalized=False)["betweenness"].tolist()
[3.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import warnings

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..twins import edge_weights, path_twin, twin
from ._common import adjacency, check_choice, node_frame, node_ids

__all__ = [
    "degree",
    "pagerank",
    "betweenness",
    "closeness",
    "harmonic",
    "eigenvector",
    "hits",
    "two_step_reach",
    "sampling_bound",
    "raw_betweenness",
    "betweenness_pivots",
]

_CONVENTIONS = ("networkx", "gds")
_BATCHES = 16  # pivot batches for sampled betweenness


def degree(G: nx.Graph, *, weight: str | None = None, normalized: bool = False,
           convention: str = "networkx") -> pd.DataFrame:
    """Degree (and in/out degree for directed graphs), weighted when ``weight`` is given.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph, directed or not.
    weight : str or None, default None
        Edge attribute summed instead of counting edges; ``None`` counts edges.
    normalized : bool, default False
        Divide counts by ``n - 1`` (NetworkX's degree centrality).
    convention : {"networkx", "gds"}, default "networkx"
        ``"gds"`` makes ``degree`` the out-degree, as GDS does with its default
        NATURAL orientation.

    Returns
    -------
    pandas.DataFrame
        Columns: ``id, degree`` (+ ``in_degree, out_degree`` if directed), with
        ``name``/``kind`` and other node attributes when the graph has them;
        highest degree first.

    Examples
    --------
    >>> import networkx as nx
    >>> top = degree(nx.DiGraph([("a", "b"), ("a", "c")])).iloc[0]
    >>> top["id"], float(top["degree"]), float(top["out_degree"])
    ('a', 2.0, 2.0)
    """
    check_choice("convention", convention, _CONVENTIONS)
    g = twin(G)
    w = edge_weights(G, weight)
    scale = 1.0 / max(g.vcount() - 1, 1) if normalized else 1.0
    scores = {}
    if g.is_directed():
        out = np.asarray(g.strength(mode="out", weights=w, loops=True), float) * scale
        inn = np.asarray(g.strength(mode="in", weights=w, loops=True), float) * scale
        scores = {"degree": out if convention == "gds" else out + inn,
                  "in_degree": inn, "out_degree": out}
    else:
        scores = {"degree": np.asarray(g.strength(mode="all", weights=w, loops=True), float) * scale}
    return node_frame(G, scores, sort_by="degree")


def pagerank(G: nx.Graph, *, weight: str | None = "weight", damping: float = 0.85,
             personalization: dict | None = None, convention: str = "networkx",
             max_iter: int = 20, tol: float = 1e-7) -> pd.DataFrame:
    """PageRank, weighted by ``weight`` when edges have it, optionally personalised.

    With the default NetworkX convention scores sum to 1 and are exact (igraph's
    PRPACK solver; ``max_iter``/``tol`` are not used). ``convention="gds"``
    reproduces ``gds.pageRank`` (GDS 2.13, checked against it): scores start at
    ``1 - d`` and each iteration adds ``d·Σ Δ(u)/out(u)``, the change its
    in-neighbours made in the previous one, so they tend to ``(1 - d) + d·Σ PR(u)/out(u)``
    (not divided by n, dangling mass dropped); ``max_iter`` counts GDS's
    ``maxIterations`` (the first, which only sets the start, included) and a node
    stops passing its change on once it is at most ``tol``.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph; undirected edges are followed both ways.
    weight : str or None, default "weight"
        Edge attribute weighting the random walk; ``None``: unweighted.
    damping : float, default 0.85
        The damping factor ``d``, in ``[0, 1)``.
    personalization : dict or None, default None
        Maps nodes to restart weights (others get 0); ``None``: uniform restart.
    convention : {"networkx", "gds"}, default "networkx"
        The scaling of the scores (see above).
    max_iter : int, default 20
        Iterations at most, GDS's ``maxIterations`` (``convention="gds"`` only).
    tol : float, default 1e-7
        GDS's ``tolerance``: a node whose score changed by at most this stops passing
        the change on (``convention="gds"`` only).

    Returns
    -------
    pandas.DataFrame
        ``id, pagerank`` (with ``name``/``kind`` and other node attributes when
        present), highest score first.

    Raises
    ------
    ParameterError
        When ``damping`` is outside ``[0, 1)``, or ``personalization`` names
        nodes not in the graph or has weights summing to zero or less.

    References
    ----------
    .. [1] L. Page, S. Brin, R. Motwani and T. Winograd, "The PageRank citation
       ranking: Bringing order to the Web", Stanford InfoLab technical report, 1999.

    Examples
    --------
    >>> import networkx as nx
    >>> round(float(pagerank(nx.cycle_graph(4))["pagerank"].sum()), 12)
    1.0
    >>> pagerank(nx.DiGraph([("a", "b"), ("a", "c")]), convention="gds")["pagerank"].round(5).tolist()
    [0.21375, 0.21375, 0.15]
    """
    check_choice("convention", convention, _CONVENTIONS)
    if not 0 <= damping < 1:
        raise ParameterError(f"damping must be in [0, 1); got {damping}")
    g = twin(G)
    w = edge_weights(G, weight)
    reset = None
    if personalization is not None:
        index = {n: i for i, n in enumerate(G)}
        missing = [n for n in personalization if n not in index]
        if missing:
            raise ParameterError(f"personalization names nodes not in the graph: {missing[:5]}")
        reset = np.zeros(g.vcount())
        for n, v in personalization.items():
            reset[index[n]] = v
        if reset.sum() <= 0:
            raise ParameterError("personalization weights must sum to more than zero")
    if convention == "gds":
        scores = _pagerank_gds(G, weight, damping, reset, max_iter, tol)
    elif g.vcount() == 0:
        scores = np.array([])
    elif reset is None:
        scores = np.asarray(g.pagerank(damping=damping, weights=w, directed=True))
    else:
        scores = np.asarray(g.personalized_pagerank(damping=damping, weights=w, directed=True,
                                                    reset=reset.tolist()))
    return node_frame(G, {"pagerank": scores}, sort_by="pagerank")


def _pagerank_gds(G, weight, damping, reset, max_iter, tol) -> np.ndarray:
    A = adjacency(G, weight=weight)  # directed: as is; undirected: both directions
    out = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    T = (A.T.multiply(inv)).tocsr()  # T[v, u] = w(u, v) / out(u)
    n = A.shape[0]
    base = (1 - damping) * (np.ones(n) if reset is None else reset / reset.sum() * n)
    # GDS runs PageRank as Pregel supersteps: superstep 0 sets every score to (1 - d) and
    # sends it on; each later one adds d·Σ (deltas received, split by out-weight), and a node
    # passes its delta on only while it exceeds tol. max_iter counts supersteps, the first too.
    x, send = base.copy(), base.copy()
    for _ in range(max_iter - 1):
        delta = damping * (T @ send)
        x += delta
        send = np.where(delta > tol, delta, 0.0)
        if not send.any():
            break
    return x


def betweenness(G: nx.Graph, *, weight: str | None = None, normalized: bool = True,
                k: int | None = None, seed: int = 0, convention: str = "networkx") -> pd.DataFrame:
    """Shortest-path betweenness: exact, or estimated from ``k`` random source pivots.

    With ``k`` the estimate is ``n/k`` times the pivots' dependencies (as in
    NetworkX) and the frame gets a ``betweenness_se`` column, the standard error
    of each node's estimate from the spread of its dependencies across pivots
    (estimated from up to 16 pivot batches; it under-states the error when a few
    pivots carry most of a node's score). :func:`sampling_bound` gives a
    worst-case bound that holds for every node at once.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None, default None
        Edge attribute read as a distance (NetworkX semantics); ``None``: hops.
    normalized : bool, default True
        Divide by the number of pairs of other nodes (as NetworkX does).
    k : int or None, default None
        Random source pivots to sample; ``None`` (or ``k >= n``): exact.
    seed : int, default 0
        Seed of the pivot sample.
    convention : {"networkx", "gds"}, default "networkx"
        ``"gds"`` sets ``normalized=False`` (GDS reports raw scores).

    Returns
    -------
    pandas.DataFrame
        ``id, betweenness`` (+ ``betweenness_se`` when estimated from ``k < n``
        pivots; NaN with a single pivot), with ``name``/``kind`` and other node
        attributes when present; highest score first.

    Raises
    ------
    ParameterError
        When ``k`` is less than 1.

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality",
       Journal of Mathematical Sociology 25(2):163--177, 2001.
    .. [2] U. Brandes and C. Pich, "Centrality estimation in large networks",
       International Journal of Bifurcation and Chaos 17(7):2303--2318, 2007.

    Examples
    --------
    >>> import networkx as nx
    >>> betweenness(nx.path_graph(3))["betweenness"].tolist()
    [1.0, 0.0, 0.0]
    >>> sampled = betweenness(nx.path_graph(5), k=3, seed=1)
    >>> sampled.columns.tolist()
    ['id', 'betweenness', 'betweenness_se']
    """
    if check_choice("convention", convention, _CONVENTIONS) == "gds":
        normalized = False
    g, w, back = path_twin(G, weight)
    scale = _betweenness_scale(g.vcount(), g.is_directed(), normalized)
    raw, se = raw_betweenness(g, weights=w, k=k, seed=seed, order=back)
    if se is None:
        return node_frame(G, {"betweenness": raw * scale}, sort_by="betweenness")
    return node_frame(G, {"betweenness": raw * scale, "betweenness_se": se * scale}, sort_by="betweenness")


def raw_betweenness(g: ig.Graph, *, weights=None, k: int | None = None, seed: int = 0,
                    order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Unnormalised betweenness of an igraph graph's vertices: exact, or estimated from ``k`` pivots.

    The kernel behind :func:`betweenness`, for callers that build an igraph
    graph from arrays themselves. With ``k`` the estimate is ``n/k`` times the
    pivots' dependencies, halved on undirected graphs (each pair is reached
    from both ends, as in NetworkX), with its standard error.

    Parameters
    ----------
    g : igraph.Graph
        Directed or not.
    weights : str, list of float or None, default None
        Edge distances (an attribute name or one value per edge); ``None``: hops.
    k : int or None, default None
        Random source pivots to sample; ``None`` (or ``k >= n``): exact.
    seed : int, default 0
        Seed of the pivot sample.
    order : numpy.ndarray or None, default None
        ``order[i]`` is the vertex reported at position ``i`` and the ``i``-th
        candidate pivot (:func:`ecograph.twins.path_twin`'s ``back``); ``None``: vertex order.

    Returns
    -------
    scores : numpy.ndarray
        One score per vertex (in ``order``), unnormalised.
    se : numpy.ndarray or None
        The standard error of each estimate (NaN with a single pivot); ``None`` when exact.

    Raises
    ------
    ParameterError
        When ``k`` is less than 1.

    Examples
    --------
    >>> import igraph as ig
    >>> scores, se = raw_betweenness(ig.Graph.Star(4))
    >>> scores.tolist(), se
    ([3.0, 0.0, 0.0, 0.0], None)
    >>> raw_betweenness(ig.Graph.Star(4), k=4)[0].tolist()
    [3.0, 0.0, 0.0, 0.0]
    """
    n = g.vcount()
    order = np.arange(n) if order is None else order
    directed = g.is_directed()
    if k is None or k >= n:
        return (np.asarray(g.betweenness(directed=directed, weights=weights), float)[order] if n
                else np.array([])), None
    if k < 1:
        raise ParameterError(f"k must be a positive number of pivots; got {k}")
    pivots = np.random.default_rng(seed).choice(n, size=k, replace=False)
    # Pivots run in up to 16 batches: the batch sums give the error of the mean at the
    # cost of 16 igraph calls, not k. igraph halves an undirected pivot's dependencies;
    # undo that to get δ_s, then halve the estimate as NetworkX does (each pair is
    # reached from both ends).
    half = 1.0 if directed else 0.5
    batches = np.array_split(pivots, min(k, _BATCHES))
    sums = np.array([g.betweenness(directed=directed, weights=weights, sources=order[b].tolist())
                     for b in batches], dtype=float)[:, order] / half
    sizes = np.array([len(b) for b in batches], dtype=float)[:, None]
    mean = sums.sum(axis=0) / k
    if len(batches) > 1:  # unbiased per-pivot variance from unequal batch sums
        var = ((sums - sizes * mean) ** 2).sum(axis=0) / (k - (sizes**2).sum() / k)
        se = np.sqrt(var / k) * n * half
    else:
        se = np.full(n, np.nan)
    return mean * n * half, se


def betweenness_pivots(n: int) -> int | None:
    """Pivots for betweenness on ``n`` nodes: exact (``None``) up to 2,000, then
    256, then 64 past 100,000 (sampled scores carry their standard error).

    Parameters
    ----------
    n : int
        Nodes in the graph.

    Returns
    -------
    int or None

    Examples
    --------
    >>> betweenness_pivots(500), betweenness_pivots(50_000), betweenness_pivots(400_000)
    (None, 256, 64)
    """
    return None if n <= 2_000 else 256 if n <= 100_000 else 64


def sampling_bound(G: nx.Graph, k: int, *, normalized: bool = True,
                   confidence: float = 0.99) -> float:
    """How far any node's betweenness estimated from ``k`` pivots can be from the
    exact score, with probability ``confidence`` for every node at once.

    One pivot adds at most ``n·(n−2)`` (halved on undirected graphs, then
    scaled as :func:`betweenness` scales), so Hoeffding's inequality bounds the
    mean of ``k`` pivots: ``bound = max · sqrt(ln(2 / (1 − confidence)) / 2k)``.
    A worst case; the per-node ``betweenness_se`` is usually far smaller.

    Parameters
    ----------
    G : networkx.Graph
        The graph.
    k : int
        Pivots sampled.
    normalized : bool, default True
        As passed to :func:`betweenness`.
    confidence : float, default 0.99
        Probability that every node is within the bound.

    Returns
    -------
    float
        The bound, on the scale of :func:`betweenness`'s scores.

    Raises
    ------
    ParameterError
        When ``k`` is less than 1 or ``confidence`` is not in ``(0, 1)``.

    References
    ----------
    .. [1] U. Brandes and C. Pich, "Centrality estimation in large networks",
       International Journal of Bifurcation and Chaos 17(7), 2007.
    .. [2] W. Hoeffding, "Probability inequalities for sums of bounded random
       variables", JASA 58(301), 1963.

    Examples
    --------
    >>> import networkx as nx
    >>> round(sampling_bound(nx.path_graph(10), k=5), 3)
    0.809
    """
    if k < 1 or not 0 < confidence < 1:
        raise ParameterError(f"k must be ≥ 1 and confidence in (0, 1); got k={k}, "
                             f"confidence={confidence}")
    n = G.number_of_nodes()
    directed = G.is_directed()
    half = 1.0 if directed else 0.5
    scale = _betweenness_scale(n, directed, normalized)
    return float(n * max(n - 2, 0) * half * scale * np.sqrt(np.log(2 / (1 - confidence)) / (2 * k)))


def _betweenness_scale(n: int, directed: bool, normalized: bool) -> float:
    if not normalized or n <= 2:
        return 1.0
    pairs = (n - 1) * (n - 2)
    return 1.0 / pairs if directed else 2.0 / pairs


def closeness(G: nx.Graph, *, weight: str | None = None, wf_improved: bool = True) -> pd.DataFrame:
    """Closeness: reachable nodes over the sum of distances *to* each node.

    Distances are incoming for directed graphs; the score is scaled by the
    reachable share when ``wf_improved`` (Wasserman–Faust, NetworkX's default).
    Isolated nodes score 0.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None, default None
        Edge attribute read as a distance; ``None``: hops.
    wf_improved : bool, default True
        Multiply by the share of the other ``n - 1`` nodes that reach the node
        (Wasserman and Faust's correction for disconnected graphs).

    Returns
    -------
    pandas.DataFrame
        ``id, closeness`` (with ``name``/``kind`` and other node attributes when
        present), highest score first.

    References
    ----------
    .. [1] L. C. Freeman, "Centrality in networks: I. Conceptual clarification",
       Social Networks 1:215--239, 1979.
    .. [2] S. Wasserman and K. Faust, *Social Network Analysis: Methods and
       Applications*, Cambridge University Press, 1994, p. 201.

    Examples
    --------
    >>> import networkx as nx
    >>> closeness(nx.path_graph(3))["closeness"].round(3).tolist()
    [1.0, 0.667, 0.667]
    """
    g, w, back = path_twin(G, weight)
    n = g.vcount()
    mode = "in" if g.is_directed() else "all"
    c = np.nan_to_num(np.asarray(g.closeness(mode=mode, weights=w, normalized=True), float))
    if wf_improved and n > 1:
        if g.is_directed():  # nodes that reach each node
            reach = np.asarray(g.neighborhood_size(order=n, mode=mode), float) - 1
        else:  # the rest of its component
            membership = np.asarray(g.connected_components().membership)
            reach = np.bincount(membership)[membership].astype(float) - 1
        c = c * reach / (n - 1)
    return node_frame(G, {"closeness": c[back]}, sort_by="closeness")


def harmonic(G: nx.Graph, *, weight: str | None = None, normalized: bool = False) -> pd.DataFrame:
    """Harmonic centrality: the sum of ``1/d(v, u)`` over nodes ``v`` that reach ``u``.

    This is NetworkX's definition (distances *to* ``u`` on directed graphs).

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None, default None
        Edge attribute read as a distance; ``None``: hops.
    normalized : bool, default False
        Divide by ``n - 1``.

    Returns
    -------
    pandas.DataFrame
        ``id, harmonic`` (with ``name``/``kind`` and other node attributes when
        present), highest score first.

    References
    ----------
    .. [1] M. Marchiori and V. Latora, "Harmony in the small-world",
       Physica A 285(3--4):539--546, 2000.
    .. [2] P. Boldi and S. Vigna, "Axioms for centrality", Internet Mathematics
       10(3--4):222--262, 2014.

    Examples
    --------
    >>> import networkx as nx
    >>> harmonic(nx.path_graph(3))["harmonic"].tolist()
    [2.0, 1.5, 1.5]
    >>> harmonic(nx.path_graph(3), normalized=True)["harmonic"].tolist()
    [1.0, 0.75, 0.75]
    """
    g, w, back = path_twin(G, weight)
    mode = "in" if g.is_directed() else "all"
    h = np.asarray(g.harmonic_centrality(mode=mode, weights=w, normalized=normalized), float)
    return node_frame(G, {"harmonic": h[back]}, sort_by="harmonic")


def eigenvector(G: nx.Graph, *, weight: str | None = "weight") -> pd.DataFrame:
    """Eigenvector centrality (in-edges for directed graphs), unit Euclidean norm as in NetworkX.

    Meaningful on a connected graph; on a disconnected one only the dominant
    component scores.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None, default "weight"
        Edge attribute weighting the adjacency matrix; ``None``: unweighted.

    Returns
    -------
    pandas.DataFrame
        ``id, eigenvector`` (with ``name``/``kind`` and other node attributes
        when present), highest score first.

    References
    ----------
    .. [1] P. Bonacich, "Factoring and weighting approaches to status scores and
       clique identification", Journal of Mathematical Sociology 2(1):113--120, 1972.
    .. [2] P. Bonacich, "Power and centrality: a family of measures", American
       Journal of Sociology 92(5):1170--1182, 1987.

    Examples
    --------
    >>> import networkx as nx
    >>> round(float((eigenvector(nx.cycle_graph(4))["eigenvector"] ** 2).sum()), 9)
    1.0
    """
    g = twin(G)
    if g.vcount() == 0:
        return node_frame(G, {"eigenvector": np.array([])}, sort_by="eigenvector")
    x = np.abs(np.asarray(g.eigenvector_centrality(directed=True, scale=True,
                                                   weights=edge_weights(G, weight)), float))
    norm = np.linalg.norm(x)
    return node_frame(G, {"eigenvector": x / norm if norm else x}, sort_by="eigenvector")


def hits(G: nx.Graph, *, weight: str | None = "weight") -> pd.DataFrame:
    """HITS hub and authority scores, each summing to 1 (NetworkX's scaling).

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph (on an undirected one hubs equal authorities).
    weight : str or None, default "weight"
        Edge attribute weighting the adjacency matrix; ``None``: unweighted.

    Returns
    -------
    pandas.DataFrame
        ``id, hub, authority`` (with ``name``/``kind`` and other node attributes
        when present), sorted by authority, highest first. A graph without
        edges scores 0 everywhere.

    References
    ----------
    .. [1] J. Kleinberg, "Authoritative sources in a hyperlinked environment",
       Journal of the ACM 46(5):604--632, 1999.

    Examples
    --------
    >>> import networkx as nx
    >>> top = hits(nx.DiGraph([("a", "c"), ("b", "c")])).iloc[0]
    >>> top["id"], float(top["authority"])
    ('c', 1.0)
    """
    g = twin(G)
    w = edge_weights(G, weight)
    if g.ecount() == 0:
        zeros = np.zeros(g.vcount())
        return node_frame(G, {"hub": zeros, "authority": zeros}, sort_by="authority")
    with warnings.catch_warnings():  # on undirected graphs igraph notes hubs = authorities
        warnings.simplefilter("ignore", RuntimeWarning)
        hub = np.asarray(g.hub_score(weights=w, scale=False), float)
        auth = np.asarray(g.authority_score(weights=w, scale=False), float)
    return node_frame(G, {"hub": hub / hub.sum(), "authority": auth / auth.sum()},
                      sort_by="authority")


def two_step_reach(G: nx.Graph, *, nodes=None) -> pd.DataFrame:
    """How many other nodes each node reaches in one or two steps.

    Steps follow edge direction on directed graphs.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    nodes : iterable or None, default None
        Only these are computed and returned (far cheaper when hubs are few of
        many nodes); ``None``: every node.

    Returns
    -------
    pandas.DataFrame
        ``id, two_step_reach`` (int) and ``reach_share`` (``two_step_reach``
        divided by ``n - 1``), with ``name``/``kind`` and other node attributes
        when present; highest reach first.

    Raises
    ------
    ParameterError
        When ``nodes`` names nodes not in the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> two_step_reach(nx.path_graph(4))["two_step_reach"].tolist()
    [3, 3, 2, 2]
    >>> two_step_reach(nx.path_graph(4), nodes=[3])["two_step_reach"].tolist()
    [2]
    """
    g = twin(G)
    mode = "out" if g.is_directed() else "all"
    if nodes is None:
        reach = np.asarray(g.neighborhood_size(order=2, mode=mode), dtype=np.int64) - 1
        share = reach / max(g.vcount() - 1, 1)
        return node_frame(G, {"two_step_reach": reach, "reach_share": share},
                          sort_by="two_step_reach")
    ids = node_ids(G)
    where = pd.Index(ids).get_indexer(list(nodes))
    if (where < 0).any():
        raise ParameterError(f"nodes not in the graph: {list(pd.Index(list(nodes))[where < 0])[:5]}")
    reach = np.full(g.vcount(), np.nan)
    reach[where] = np.asarray(g.neighborhood_size(vertices=where.tolist(), order=2, mode=mode)) - 1
    frame = node_frame(G, {"two_step_reach": reach, "reach_share": reach / max(g.vcount() - 1, 1)},
                       sort_by="two_step_reach")
    frame = frame[frame["two_step_reach"].notna()].reset_index(drop=True)
    return frame.astype({"two_step_reach": np.int64})
