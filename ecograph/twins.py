"""The igraph twin of a NetworkX graph, and the one index record behind it.

Analyses compute on an integer index of a graph: vertex ``i`` is node
``list(G)[i]``. Everything built on that index for one graph lives in one
:class:`GraphIndex` record, kept outside the graph in a weak dictionary keyed
by it: the igraph twin, the ``(m, 2)`` edge array, the node table, the edge
weights checked so far, the locality-ordered copy used by path kernels, and,
for ecograph's views, where their node attributes come from and how to fill
their NetworkX storage (:mod:`ecograph.graphs`).

**One staleness rule**: a record holds while its graph has the node and edge
counts it was made for, and is rebuilt when they change. ecograph's views
are frozen, so theirs never change. After editing attributes in place on a
graph of the same size, call :func:`forget`.

The twin a user receives carries the graph's own edge attributes and the
vertex attribute ``name`` (the node), nothing else.

>>> import networkx as nx
>>> g = twin(nx.path_graph(["a", "b", "c"]))
>>> g.vcount(), g.ecount(), g.vs["name"]
(3, 2, ['a', 'b', 'c'])
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from .errors import ParameterError

__all__ = ["GraphIndex", "index", "register", "forget", "twin", "edge_array", "edge_weights",
           "path_twin", "local_twin", "node_table", "node_values", "igraph_from_edges", "NODE_ATTRIBUTES",
           "LOCALITY_THRESHOLD"]

#: Node attributes in every node table, when the graph's nodes carry them (and so in
#: every per-node result frame, beside ``id``).
NODE_ATTRIBUTES = ("name", "kind", "type", "region")
#: Graphs with more vertices than this run path kernels on a locality-ordered copy.
LOCALITY_THRESHOLD = 50_000
_RECORDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class GraphIndex:
    """Everything built on the integer index of one graph (see the module docstring).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> record = index(G)
    >>> record.size, record.twin.ecount()
    ((3, 2), 2)
    """

    twin: ig.Graph
    size: tuple[int, int]
    nodes: pd.DataFrame | None = None
    edges: np.ndarray | None = None
    checked: set = field(default_factory=set)
    local: tuple[ig.Graph, np.ndarray] | None = None
    #: For views: the party frame and the rows of this graph's nodes in it.
    parties: tuple[pd.DataFrame, np.ndarray] | None = None
    #: For views not yet read as NetworkX: makes the plain graph to fill it from.
    fill: Callable[[], nx.Graph] | None = None


def index(G: nx.Graph) -> GraphIndex:
    """The index record of ``G``, made (or remade, when ``G`` changed size) on demand.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    GraphIndex

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> index(G) is index(G)
    True
    >>> G.add_edge(2, 3)
    >>> index(G).size
    (4, 3)
    """
    if not isinstance(G, nx.Graph):
        hint = " (make one with ecograph.view(eco, 'bipartite'), 'cosell', 'supply'...)" \
            if type(G).__name__ == "Ecosystem" else ""
        raise ParameterError(f"expected a NetworkX graph; got {type(G).__name__}{hint}")
    record = _RECORDS.get(G)
    # a view's record is made with the view, which is frozen from birth (and asking
    # an unread view its size reads the record); any other graph is checked
    if record is not None and (record.parties is not None or record.size == _size(G)):
        return record
    record = _convert(G)
    _RECORDS[G] = record
    return record


def _size(G: nx.Graph) -> tuple[int, int]:
    return G.number_of_nodes(), G.number_of_edges()


def register(G: nx.Graph, record: GraphIndex) -> nx.Graph:
    """Make ``record`` the index of ``G`` (views register theirs when they are built).

    Parameters
    ----------
    G : networkx.Graph
        The graph.
    record : GraphIndex
        Its record.

    Returns
    -------
    networkx.Graph
        ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G = register(G, GraphIndex(igraph_from_edges(0, [], directed=False), (0, 0)))
    >>> twin(G).vcount()
    0
    """
    _RECORDS[G] = record
    return G


def forget(G: nx.Graph) -> None:
    """Drop the index record of ``G`` (after editing its edge attributes in place).

    Parameters
    ----------
    G : networkx.Graph
        The graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")])
    >>> twin(G).es.attributes()
    []
    >>> G["a"]["b"]["weight"] = 2.0
    >>> forget(G)
    >>> twin(G).es["weight"]
    [2.0]
    """
    _RECORDS.pop(G, None)


def _convert(G: nx.Graph) -> GraphIndex:
    nodes = list(G)
    pos = {n: i for i, n in enumerate(nodes)}
    edges = list(G.edges(data=True))
    keys = sorted({k for _, _, d in edges for k in d})
    codes = np.fromiter((pos[x] for u, v, _ in edges for x in (u, v)), dtype=np.int64,
                        count=2 * len(edges))
    g = igraph_from_edges(len(nodes), codes, directed=G.is_directed())
    g.vs["name"] = nodes
    for k in keys:
        g.es[k] = [d.get(k) for _, _, d in edges]
    return GraphIndex(g, (len(nodes), len(edges)))


def igraph_from_edges(n: int, edges, *, directed: bool) -> ig.Graph:
    """An igraph graph with ``n`` vertices and the ``(m, 2)`` integer array ``edges``.

    Passed as an array, igraph reads it without making a Python object per edge.

    Parameters
    ----------
    n : int
        Number of vertices.
    edges : array-like
        ``(m, 2)`` vertex numbers (or a flat array of pairs).
    directed : bool
        Whether the graph is directed.

    Returns
    -------
    igraph.Graph

    Examples
    --------
    >>> import numpy as np
    >>> igraph_from_edges(3, np.array([[0, 1], [1, 2]]), directed=True).get_edgelist()
    [(0, 1), (1, 2)]
    """
    g = ig.Graph(n=n, directed=directed)
    g.add_edges(np.asarray(edges, dtype=np.int64).reshape(-1, 2))
    return g


def twin(G: nx.Graph) -> ig.Graph:
    """The igraph twin of ``G``: vertex ``i`` is ``list(G)[i]`` (its ``name``).

    Edge attributes of ``G`` are copied. Views get theirs when they are built;
    other graphs are converted on first use and the twin is reused while
    ``G`` keeps its size.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    igraph.Graph

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b", {"weight": 2.0})])
    >>> g = twin(G)
    >>> g.es["weight"], twin(G) is g
    ([2.0], True)
    """
    return index(G).twin


def edge_array(G: nx.Graph) -> np.ndarray:
    """The edges of ``G``'s twin as an ``(m, 2)`` integer array (made once per record).

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    numpy.ndarray
        Vertex numbers of each edge's ends, in twin edge order.

    Examples
    --------
    >>> import networkx as nx
    >>> edge_array(nx.path_graph(3)).tolist()
    [[0, 1], [1, 2]]
    """
    record = index(G)
    if record.edges is None:
        record.edges = np.array(record.twin.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    return record.edges


def edge_weights(G: nx.Graph, weight: str | None) -> str | None:
    """The twin's edge attribute igraph should read as weights, ``None`` for unweighted.

    Missing values count as 1 (as in NetworkX); negative or non-finite weights
    are refused. The check runs once per record and attribute.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None
        An edge attribute; ``None`` or an attribute no edge has: unweighted.

    Returns
    -------
    str or None
        ``weight``, or ``None``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b", {"w": 2.0}), ("b", "c")])
    >>> edge_weights(G, "w"), twin(G).es["w"]
    ('w', [2.0, 1.0])
    >>> edge_weights(G, "cost") is None
    True
    """
    record = index(G)
    g = record.twin
    if weight is None or g.ecount() == 0 or weight not in g.es.attributes():
        return None
    if weight not in record.checked:
        w = np.array(g.es[weight], dtype=float)  # None becomes NaN
        w = np.where(np.isnan(w), 1.0, w)
        if (w < 0).any() or not np.isfinite(w).all():
            raise ParameterError(f"edge attribute {weight!r} must be finite and non-negative")
        g.es[weight] = w.tolist()
        record.checked.add(weight)
    return weight


def path_twin(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, str | None, np.ndarray]:
    """The twin for shortest-path kernels, and ``back`` to map its results to twin order.

    Breadth-first searches over a large graph are bound by memory access, so
    above :data:`LOCALITY_THRESHOLD` vertices the kernels run on a copy whose
    vertices are renumbered by reverse Cuthill–McKee (neighbours get nearby
    numbers): the same graph, two to three times fewer cache misses. A result
    ``r`` of the copy is ``r[back]`` in twin order; for small graphs the twin
    itself is returned and ``back`` is the identity.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    weight : str or None
        Edge attribute read as distance.

    Returns
    -------
    tuple of (igraph.Graph, str or None, numpy.ndarray)
        The graph to run on, its weight attribute, and ``back``.

    References
    ----------
    .. [1] E. Cuthill and J. McKee, "Reducing the bandwidth of sparse symmetric
       matrices", Proc. 24th ACM National Conference, 1969.

    Examples
    --------
    >>> import networkx as nx
    >>> g, w, back = path_twin(nx.path_graph(4), None)
    >>> w, back.tolist()
    (None, [0, 1, 2, 3])
    """
    record = index(G)
    g = record.twin
    w = edge_weights(G, weight)
    n = g.vcount()
    if n <= LOCALITY_THRESHOLD:
        return g, w, np.arange(n)
    if record.local is None:
        record.local = local_twin(n, edge_array(G), directed=g.is_directed())
    local, back = record.local
    if w is not None and w not in local.es.attributes():
        local.es[w] = g.es[w]
    return local, w, back


def local_twin(n: int, edges: np.ndarray, *, directed: bool) -> tuple[ig.Graph, np.ndarray]:
    """An igraph graph of the ``(m, 2)`` integer ``edges`` on ``n`` vertices for shortest-path
    kernels, and ``back`` to map its results to vertex order.

    Above :data:`LOCALITY_THRESHOLD` vertices, the vertices are renumbered by
    reverse Cuthill–McKee, as :func:`path_twin` does; a result ``r`` of the
    graph is ``r[back]`` in vertex order. Small graphs keep their numbering
    (``back`` is the identity).

    Parameters
    ----------
    n : int
        Number of vertices.
    edges : numpy.ndarray
        ``(m, 2)`` vertex numbers.
    directed : bool
        Whether the graph is directed.

    Returns
    -------
    tuple of (igraph.Graph, numpy.ndarray)
        The graph to run on, and ``back``.

    Examples
    --------
    >>> import numpy as np
    >>> g, back = local_twin(3, np.array([[0, 1], [1, 2]]), directed=False)
    >>> g.get_edgelist(), back.tolist()
    ([(0, 1), (1, 2)], [0, 1, 2])
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if n <= LOCALITY_THRESHOLD:
        return igraph_from_edges(n, edges, directed=directed), np.arange(n)
    pattern = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    order = reverse_cuthill_mckee((pattern + pattern.T).tocsr(), symmetric_mode=True)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    return igraph_from_edges(n, back[edges], directed=directed), back


def node_table(G: nx.Graph) -> pd.DataFrame:
    """``id`` and the :data:`NODE_ATTRIBUTES` of every node of ``G``, in twin order.

    Attributes no node has are left out; missing values are missing (NaN). Views
    get theirs when they are built; other graphs are read once per record.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    pandas.DataFrame
        ``id`` then ``name, kind, type, region`` where present.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")]); G.nodes["a"]["kind"] = "partner"
    >>> node_table(G).to_dict("records")
    [{'id': 'a', 'kind': 'partner'}, {'id': 'b', 'kind': nan}]
    """
    record = index(G)
    if record.nodes is None:
        data = {a: node_values(G, a) for a in NODE_ATTRIBUTES}
        ids = np.empty(record.size[0], dtype=object)
        ids[:] = list(G)
        record.nodes = pd.DataFrame({"id": ids, **{a: v for a, v in data.items()
                                                   if pd.notna(v).any()}})
    return record.nodes


def node_values(G: nx.Graph, attr: str) -> np.ndarray:
    """The node attribute ``attr`` of every node in twin order (``None`` where a
    node lacks it); a view reads it from its party frame, without being filled.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    attr : str
        A node attribute.

    Returns
    -------
    numpy.ndarray
        Object array, one value per node.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")]); G.nodes["a"]["tier"] = "gold"
    >>> node_values(G, "tier").tolist()
    ['gold', None]
    """
    parties = index(G).parties
    if parties is None:
        values = np.empty(G.number_of_nodes(), dtype=object)
        for i, (_, value) in enumerate(G.nodes(data=attr)):
            values[i] = value
        return values
    frame, positions = parties
    if attr not in frame:
        return np.full(len(positions), None, dtype=object)
    column = frame[attr].iloc[positions]
    return np.where(column.notna().to_numpy(), column.to_numpy(dtype=object), None)
