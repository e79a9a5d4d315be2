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

from ..errors import ParameterError
from ..graphs import igraph_twin

__all__ = ["twin", "edge_weights", "adjacency", "node_attributes", "node_ids", "node_frame",
           "check_choice", "NODE_ATTRIBUTES"]

#: Node attributes copied into every result frame when the graph has them.
NODE_ATTRIBUTES = ("kind", "type", "region")
_ATTRS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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


def adjacency(G: nx.Graph, *, weight: str | None = None, symmetric: bool = False) -> sp.csr_matrix:
    """The (weighted) adjacency matrix of ``G`` in twin order, parallel edges summed.

    ``symmetric=True`` adds the transpose for directed graphs and mirrors
    undirected edges, so ``A[u, v]`` is the total weight between ``u`` and ``v``.
    """
    g = twin(G)
    n = g.vcount()
    edges = np.array(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = edge_weights(g, weight)
    data = np.ones(len(edges)) if w is None else np.asarray(g.es[w], dtype=float)
    A = sp.csr_matrix((data, (edges[:, 0], edges[:, 1])), shape=(n, n))
    if symmetric or not g.is_directed():
        loops = sp.diags(A.diagonal())
        A = A + A.T - (loops if not g.is_directed() else 0)
    return A.tocsr()


def node_attributes(G: nx.Graph) -> pd.DataFrame:
    """``kind``, ``type`` and ``region`` of every node (columns the graph lacks are left out)."""
    return _nodes(G).drop(columns="id")


def node_ids(G: nx.Graph) -> pd.Series:
    """The node ids of ``G`` in graph (twin) order."""
    return _nodes(G)["id"]


def _nodes(G: nx.Graph) -> pd.DataFrame:
    """``id`` and the node attributes, in graph order; cached per graph (views are
    frozen; other graphs are re-read when their node count changes)."""
    cached = _ATTRS.get(G)
    if cached is not None and len(cached) == G.number_of_nodes():
        return cached
    data = {a: [d.get(a) for _, d in G.nodes(data=True)] for a in NODE_ATTRIBUTES}
    frame = pd.DataFrame({"id": list(G), **{a: v for a, v in data.items()
                                            if any(x is not None for x in v)}})
    _ATTRS[G] = frame
    return frame


def node_frame(G: nx.Graph, scores: dict[str, np.ndarray], *, sort_by: str,
               ascending: bool = False) -> pd.DataFrame:
    """``id``, the score columns, then node attributes, sorted by ``sort_by``
    (ties keep the graph's node order; missing scores last)."""
    nodes = _nodes(G)
    key = np.asarray(scores[sort_by], dtype=float)
    order = np.argsort(key if ascending else -key, kind="stable")
    columns = {c: nodes[c].array.take(order) for c in nodes.columns}
    columns.update({k: np.asarray(v)[order] for k, v in scores.items()})
    return pd.DataFrame(columns, columns=["id", *scores, *nodes.columns[1:]])


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
