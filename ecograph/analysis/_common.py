"""What every analysis shares: the result frame, matrices on the twin's index, small checks.

Analyses accept any NetworkX graph. They compute on the graph's igraph twin
or a scipy.sparse matrix of it (:mod:`ecograph.twins`), then return a tidy
DataFrame keyed by ``id`` with the node's ``name`` and ``kind`` beside it,
then the scores, then its ``type`` and ``region`` (each when the graph's
nodes carry it), sorted best first (``docs/analyze.md``, "Result contract").
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..twins import edge_array, edge_weights, node_table, twin

__all__ = ["adjacency", "node_ids", "node_frame", "with_labels", "gini", "check_choice"]

#: Node attributes placed before the scores of a result frame; the others follow them.
_LEADING = ("name", "kind")


def adjacency(G: nx.Graph, *, weight: str | None = None, symmetric: bool = False) -> sp.csr_matrix:
    """The (weighted) adjacency matrix of ``G`` in twin order, parallel edges summed.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str, optional
        Edge attribute to sum; ``None``: every edge counts 1.
    symmetric : bool, default False
        Add the transpose for directed graphs (undirected graphs are always
        mirrored), so ``A[u, v]`` is the total weight between ``u`` and ``v``.

    Returns
    -------
    scipy.sparse.csr_matrix

    Examples
    --------
    >>> import networkx as nx
    >>> adjacency(nx.DiGraph([(0, 1)]), symmetric=True).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    g = twin(G)
    n = g.vcount()
    edges = edge_array(G)
    w = edge_weights(G, weight)
    data = np.ones(len(edges)) if w is None else np.asarray(g.es[w], dtype=float)
    A = sp.csr_matrix((data, (edges[:, 0], edges[:, 1])), shape=(n, n))
    if symmetric or not g.is_directed():
        loops = sp.diags(A.diagonal())
        A = A + A.T - (loops if not g.is_directed() else 0)
    return A.tocsr()


def node_ids(G: nx.Graph) -> pd.Series:
    """The node ids of ``G`` in graph (twin) order.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> import networkx as nx
    >>> node_ids(nx.path_graph(["a", "b"])).tolist()
    ['a', 'b']
    """
    return node_table(G)["id"]


def node_frame(G: nx.Graph, scores: dict[str, np.ndarray], *, sort_by: str,
               ascending: bool = False) -> pd.DataFrame:
    """The result frame of a per-node analysis, sorted by ``sort_by``.

    Parameters
    ----------
    G : networkx.Graph
        The graph the scores are of (twin order).
    scores : dict of str to numpy.ndarray
        Score columns, one value per node.
    sort_by : str
        The score to sort by; ties keep the graph's node order, missing last.
    ascending : bool, default False
        Lowest first.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name`` and ``kind`` (when present), the scores, then the
        other node attributes (``type``, ``region``).

    Examples
    --------
    >>> import networkx as nx, numpy as np
    >>> G = nx.Graph([("a", "b")]); G.nodes["a"]["name"] = "Apex"
    >>> node_frame(G, {"score": np.array([1.0, 2.0])}, sort_by="score").values.tolist()
    [['b', nan, 2.0], ['a', 'Apex', 1.0]]
    """
    nodes = node_table(G)
    key = np.asarray(scores[sort_by], dtype=float)
    order = np.argsort(key if ascending else -key, kind="stable")
    columns = {c: nodes[c].array.take(order) for c in nodes.columns}
    columns.update({k: np.asarray(v)[order] for k, v in scores.items()})
    leading = [c for c in _LEADING if c in nodes]
    trailing = [c for c in nodes.columns[1:] if c not in _LEADING]
    return pd.DataFrame(columns, columns=["id", *leading, *scores, *trailing])


def with_labels(eco: Ecosystem, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (keyed by party ``id``) with the party's ``name`` and ``kind`` right after ``id``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem the ids belong to.
    frame : pandas.DataFrame
        Its first column is ``id``; changed in place.

    Returns
    -------
    pandas.DataFrame
        ``frame``.

    Examples
    --------
    >>> import pandas as pd, ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> with_labels(eco, pd.DataFrame({"id": ["P1"], "units": [2.0]})).columns.tolist()
    ['id', 'name', 'kind', 'units']
    """
    labels = eco.labels(frame["id"])
    frame.insert(1, "name", labels["name"].to_numpy())
    frame.insert(2, "kind", labels["kind"].to_numpy())
    return frame


def gini(values, *, degenerate: float = 0.0) -> float:
    """Gini coefficient of non-negative ``values`` (0 = equal, towards 1 = a few
    hold everything).

    Parameters
    ----------
    values : array-like
        Non-negative numbers (negatives count as 0).
    degenerate : float, default 0.0
        The answer when there is nothing to share.

    Returns
    -------
    float

    Examples
    --------
    >>> gini([1, 1, 1, 1]), round(gini([0, 0, 0, 4]), 2), gini([], degenerate=1.0)
    (0.0, 0.75, 1.0)
    """
    x = np.sort(np.clip(np.asarray(values, dtype=float), 0, None))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return degenerate
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * total))


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``, else a :class:`~ecograph.errors.ParameterError`.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : str
        What was passed.
    allowed : tuple of str
        What may be passed.

    Returns
    -------
    str
        ``value``.

    Examples
    --------
    >>> check_choice("method", "leiden", ("leiden", "louvain"))
    'leiden'
    """
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
