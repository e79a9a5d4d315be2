"""What every analysis shares: the igraph twin, edge weights, and the result frame.

Analyses accept any NetworkX graph. They compute on the graph's igraph twin
(or a scipy.sparse matrix of it), then return a tidy DataFrame: ``id`` first,
the scores, then the node's ``kind``, ``type`` and ``region`` when the graph
has them, sorted best first.
"""

from __future__ import annotations

import weakref

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from ..errors import ParameterError
from ..graphs import NODE_ATTRIBUTES, igraph_from_edges, igraph_twin, node_table

__all__ = ["twin", "path_twin", "edge_array", "edge_weights", "adjacency", "node_attributes",
           "node_ids", "node_frame", "gini", "check_choice", "NODE_ATTRIBUTES"]

_LOCAL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Graphs with more vertices than this run path kernels on a locality-ordered copy.
LOCALITY_THRESHOLD = 50_000


def twin(G: nx.Graph) -> ig.Graph:
    """The igraph twin of ``G`` (vertex ``i`` is ``list(G)[i]``)."""
    if not isinstance(G, nx.Graph):
        raise ParameterError(f"expected a NetworkX graph; got {type(G).__name__}")
    return igraph_twin(G)


def edge_weights(g: ig.Graph, weight: str | None) -> str | None:
    """The edge attribute igraph should read as weights, ``None`` for unweighted.

    Missing values count as 1 (as in NetworkX); negative or non-finite weights
    are refused. The check runs once per twin and attribute.
    """
    if weight is None or g.ecount() == 0 or weight not in g.es.attributes():
        return None
    checked = f"_checked_{weight}"
    if checked not in g.attributes():
        w = np.array(g.es[weight], dtype=float)  # None becomes NaN
        w = np.where(np.isnan(w), 1.0, w)
        if (w < 0).any() or not np.isfinite(w).all():
            raise ParameterError(f"edge attribute {weight!r} must be finite and non-negative")
        g.es[weight] = w.tolist()
        g[checked] = True
    return weight


def edge_array(g: ig.Graph) -> np.ndarray:
    """The edges of ``g`` as an ``(m, 2)`` integer array, cached on the graph
    (twins of views never change; a changed graph gets a new twin; a copy
    inherits the cache but not its owner, so it recomputes)."""
    if "_edge_array" in g.attributes():
        owner, cached = g["_edge_array"]
        if owner == id(g) and len(cached) == g.ecount():  # not inherited by a copy
            return cached
    edges = np.array(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    g["_edge_array"] = (id(g), edges)
    return edges


def path_twin(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, str | None, np.ndarray]:
    """The twin for shortest-path kernels, and ``back`` to map its results to twin order.

    Breadth-first searches over a large graph are bound by memory access, so
    above :data:`LOCALITY_THRESHOLD` vertices the kernels run on a copy whose
    vertices are renumbered by reverse Cuthill–McKee (neighbours get nearby
    numbers): the same graph, two to three times fewer cache misses. A
    result ``r`` of the copy is ``r[back]`` in twin order; for small graphs the
    twin itself is returned and ``back`` is the identity.
    """
    g = twin(G)
    w = edge_weights(g, weight)
    n = g.vcount()
    if n <= LOCALITY_THRESHOLD:
        return g, w, np.arange(n)
    cached = _LOCAL.get(G)
    if cached is None or cached[0].ecount() != g.ecount():
        edges = edge_array(g)
        pattern = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
        order = reverse_cuthill_mckee((pattern + pattern.T).tocsr(), symmetric_mode=True)
        back = np.empty(n, dtype=np.int64)
        back[order] = np.arange(n)
        local = igraph_from_edges(n, back[edges], directed=g.is_directed())
        cached = (local, back)
        _LOCAL[G] = cached
    local, back = cached
    if w is not None and w not in local.es.attributes():
        local.es[w] = g.es[w]
    return local, w, back


def adjacency(G: nx.Graph, *, weight: str | None = None, symmetric: bool = False) -> sp.csr_matrix:
    """The (weighted) adjacency matrix of ``G`` in twin order, parallel edges summed.

    ``symmetric=True`` adds the transpose for directed graphs and mirrors
    undirected edges, so ``A[u, v]`` is the total weight between ``u`` and ``v``.
    """
    g = twin(G)
    n = g.vcount()
    edges = edge_array(g)
    w = edge_weights(g, weight)
    data = np.ones(len(edges)) if w is None else np.asarray(g.es[w], dtype=float)
    A = sp.csr_matrix((data, (edges[:, 0], edges[:, 1])), shape=(n, n))
    if symmetric or not g.is_directed():
        loops = sp.diags(A.diagonal())
        A = A + A.T - (loops if not g.is_directed() else 0)
    return A.tocsr()


def node_attributes(G: nx.Graph) -> pd.DataFrame:
    """``kind``, ``type`` and ``region`` of every node (columns the graph lacks are left out)."""
    return node_table(G).drop(columns="id")


def node_ids(G: nx.Graph) -> pd.Series:
    """The node ids of ``G`` in graph (twin) order."""
    return node_table(G)["id"]


def node_frame(G: nx.Graph, scores: dict[str, np.ndarray], *, sort_by: str,
               ascending: bool = False) -> pd.DataFrame:
    """``id``, the score columns, then node attributes, sorted by ``sort_by``
    (ties keep the graph's node order; missing scores last)."""
    nodes = node_table(G)
    key = np.asarray(scores[sort_by], dtype=float)
    order = np.argsort(key if ascending else -key, kind="stable")
    columns = {c: nodes[c].array.take(order) for c in nodes.columns}
    columns.update({k: np.asarray(v)[order] for k, v in scores.items()})
    return pd.DataFrame(columns, columns=["id", *scores, *nodes.columns[1:]])


def gini(values, *, degenerate: float = 0.0) -> float:
    """Gini coefficient of non-negative ``values`` (0 = equal, towards 1 = a few
    hold everything); ``degenerate`` when there is nothing to share.

    >>> gini([1, 1, 1, 1]), round(gini([0, 0, 0, 4]), 2), gini([], degenerate=1.0)
    (0.0, 0.75, 1.0)
    """
    x = np.sort(np.clip(np.asarray(values, dtype=float), 0, None))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return degenerate
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * total))


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
