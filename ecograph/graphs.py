"""Graph views of an ecosystem, each with an igraph twin on the same integer index.

A view is a NetworkX graph whose node order *is* the integer index: node
``list(G)[i]`` is vertex ``i`` of its igraph twin. Views are built from the
Ecosystem's frames with vectorised pandas; the twin and the node table
(``id``, ``kind``, ``type``, ``region``) are made from integer arrays when the
view is made, which is all ecograph's analyses read. The NetworkX storage
(node and edge attribute dicts, a Python object per edge) is filled only when
the graph is first read as NetworkX — iterating it, ``G.nodes``, ``G.edges``,
a NetworkX algorithm — so a pipeline that never does skips that cost (most
of the build time on large ecosystems). :func:`igraph_twin` also works for
any NetworkX graph a user built by hand (converted once, then cached).

>>> import networkx as nx
>>> g = igraph_twin(nx.path_graph(["a", "b", "c"]))
>>> g.vcount(), g.ecount(), g.vs["name"]
(3, 2, ['a', 'b', 'c'])
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from .frames import isin

if TYPE_CHECKING:
    from .ecosystem import Ecosystem


__all__ = [
    "full_graph",
    "bipartite_graph",
    "cosell_graph",
    "supply_graph",
    "asset_flow_graph",
    "igraph_twin",
    "igraph_from_edges",
    "node_table",
    "node_values",
    "induced_subgraph",
    "FrameGraph",
    "FrameDiGraph",
    "FrameMultiDiGraph",
    "VIEWS",
    "NODE_ATTRIBUTES",
]

#: Node attributes in every node table (and so in every analysis result frame).
NODE_ATTRIBUTES = ("kind", "type", "region")
#: The attributes where NetworkX keeps a graph's nodes and edges.
_STORAGE = ("_node", "_adj", "_succ", "_pred")
_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def records_of(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, column by column (far faster than ``to_dict("records")``
    on Arrow-backed columns)."""
    cols = list(frame.columns)
    if not cols:
        return [{} for _ in range(len(frame))]
    return [dict(zip(cols, row, strict=True))
            for row in zip(*(frame[c].tolist() for c in cols), strict=True)]


class _Deferred:
    """Stands in for one storage attribute of a view (``_node``, ``_adj``,
    ``_succ``, ``_pred``): the first read fills the whole graph."""

    def __init__(self, resetter) -> None:
        self.resetter = resetter  # NetworkX's own descriptor, which also drops cached views

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        if self.name not in obj.__dict__:
            obj._fill()
        return obj.__dict__[self.name]

    def __set__(self, obj, value) -> None:
        self.resetter.__set__(obj, value)


class _FilledOnRead:
    """A NetworkX graph whose storage is made on its first NetworkX read; its
    size is known before. Made empty (``FrameGraph()``) it is an ordinary
    NetworkX graph; ``G.copy()`` is one of the plain class."""

    def _fill(self) -> None:
        plain = self.__dict__["_filler"]()  # interrupted, it is simply tried again
        for name in _STORAGE:
            if name in plain.__dict__:
                setattr(self, name, plain.__dict__[name])
        del self.__dict__["_filler"]

    def number_of_nodes(self) -> int:
        if "_filler" in self.__dict__:
            return self.__dict__["_size"][0]
        return super().number_of_nodes()

    def __len__(self) -> int:
        return self.number_of_nodes()

    def number_of_edges(self, u=None, v=None) -> int:
        if u is None and v is None and "_filler" in self.__dict__:
            return self.__dict__["_size"][1]
        return super().number_of_edges(u, v)

    def copy(self, as_view: bool = False) -> nx.Graph:
        """An editable copy as a plain NetworkX graph (``as_view``: a read-only view)."""
        return super().copy(as_view=True) if as_view else _PLAIN_CLASS[type(self)](self)

    def __getstate__(self) -> dict:
        self._node  # noqa: B018 -- fill first: the filler reads the ecosystem
        return {k: v for k, v in self.__dict__.items() if k != "_source"}


def _filled_on_read(base: type[nx.Graph]) -> type:
    storage = {name: _Deferred(getattr(base, name)) for name in _STORAGE if hasattr(base, name)}
    return type(f"Frame{base.__name__}", (_FilledOnRead, base),
                {"__module__": __name__, "__doc__": f"A view that is a :class:`networkx.{base.__name__}`"
                 " filled on first read (see the module docstring).", **storage})


FrameGraph = _filled_on_read(nx.Graph)
FrameDiGraph = _filled_on_read(nx.DiGraph)
FrameMultiDiGraph = _filled_on_read(nx.MultiDiGraph)
_FRAME_CLASS = {nx.Graph: FrameGraph, nx.DiGraph: FrameDiGraph, nx.MultiDiGraph: FrameMultiDiGraph}
_PLAIN_CLASS = {frame: plain for plain, frame in _FRAME_CLASS.items()}


def igraph_from_edges(n: int, edges: np.ndarray, *, directed: bool) -> ig.Graph:
    """An igraph graph with ``n`` vertices and the ``(m, 2)`` integer array ``edges``
    (passed as an array: igraph reads it without making a Python object per edge)."""
    g = ig.Graph(n=n, directed=directed)
    g.add_edges(np.asarray(edges, dtype=np.int64).reshape(-1, 2))
    return g


def igraph_twin(G: nx.Graph, *, weight: str | None = "weight") -> ig.Graph:
    """The igraph twin of ``G``: vertex ``i`` is ``list(G)[i]`` (its ``name``).

    Edge attributes of ``G`` are copied; ``weight`` (if present) is the one
    analyses read. Twins of ecograph views are made when the view is built
    (views are frozen, so the twin stays exact; ``G.copy()`` gives an editable
    graph). Other graphs are converted on first use and the twin is reused
    while ``G`` keeps its node and edge counts: after editing edge
    attributes in place, convert again with ``igraph_twin(G.copy())``.
    """
    cached = _TWINS.get(G)
    if cached is not None and (nx.is_frozen(G) or (
            cached.vcount() == G.number_of_nodes() and cached.ecount() == G.number_of_edges())):
        return cached
    nodes = list(G)
    pos = {n: i for i, n in enumerate(nodes)}
    edges = list(G.edges(data=True))
    keys = sorted({k for _, _, d in edges for k in d})
    codes = np.fromiter((pos[x] for u, v, _ in edges for x in (u, v)), dtype=np.int64,
                        count=2 * len(edges))
    data = pd.DataFrame({k: [d.get(k) for _, _, d in edges] for k in keys}, index=range(len(edges)))
    twin = _twin(len(nodes), codes, data, G.is_directed(), names=nodes)
    _TWINS[G] = twin
    return twin


def _twin(n: int, codes: np.ndarray, data: pd.DataFrame, directed: bool, *, names) -> ig.Graph:
    g = igraph_from_edges(n, codes, directed=directed)
    g.vs["name"] = list(names)
    for col in data.columns:
        g.es[col] = data[col].tolist()
    return g


def node_table(G: nx.Graph) -> pd.DataFrame:
    """``id`` and :data:`NODE_ATTRIBUTES` of every node of ``G`` in twin order
    (attributes no node has are left out; missing values are ``None``).

    Views get theirs when they are made; other graphs are read once, and again
    when their node count changes.
    """
    cached = _TABLES.get(G)
    if cached is not None and len(cached) == G.number_of_nodes():
        return cached
    data = {a: [d.get(a) for _, d in G.nodes(data=True)] for a in NODE_ATTRIBUTES}
    frame = pd.DataFrame({"id": list(G), **{a: v for a, v in data.items()
                                            if any(x is not None for x in v)}})
    _TABLES[G] = frame
    return frame


def node_values(G: nx.Graph, attr: str) -> np.ndarray:
    """The node attribute ``attr`` of every node in twin order (``None`` where a
    node lacks it); a view reads it from the party frame, without filling.

    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")]); G.nodes["a"]["tier"] = "gold"
    >>> node_values(G, "tier").tolist()
    ['gold', None]
    """
    source = G.__dict__.get("_source")
    if source is None:
        values = np.empty(G.number_of_nodes(), dtype=object)
        for i, (_, value) in enumerate(G.nodes(data=attr)):
            values[i] = value
        return values
    eco, positions = source
    if attr not in eco.parties:
        return np.full(len(positions), None, dtype=object)
    column = eco.parties[attr].iloc[positions]
    return np.where(column.notna().to_numpy(), column.to_numpy(dtype=object), None)


def induced_subgraph(G: nx.Graph, nodes) -> nx.Graph:
    """A new, editable graph of ``nodes`` and the edges of ``G`` among them, with
    their attributes. A view that was not read as NetworkX yet stays unread:
    the subgraph is made from its twin and the party frame.

    >>> import networkx as nx
    >>> sorted(induced_subgraph(nx.path_graph(4), [0, 1, 3]).edges)
    [(0, 1)]
    """
    if "_filler" not in G.__dict__:
        return G.subgraph(nodes).copy()
    eco, _ = G.__dict__["_source"]
    ids = node_table(G)["id"]
    keep = np.flatnonzero(isin(ids, list(nodes)))
    sub = _TWINS[G].induced_subgraph(keep.tolist(), implementation="create_from_scratch")
    H = _PLAIN_CLASS[type(G)]()
    chosen = pd.Index(ids.to_numpy()[keep])
    H.add_nodes_from(zip(chosen, eco.node_attributes(chosen), strict=True))
    names = sub.vs["name"]
    ends = ((names[e.source], names[e.target], e.attributes()) for e in sub.es)
    if H.is_multigraph():  # views keep the key as data too
        H.add_edges_from((u, v, d["key"], d) for u, v, d in ends)
    else:
        H.add_edges_from(ends)
    return H


def _build(eco: Ecosystem, positions: np.ndarray, edges: pd.DataFrame,
           graph_cls: type[nx.Graph], name: str) -> nx.Graph:
    """The view of the parties at ``positions`` and ``edges`` (columns ``u``, ``v``
    and the edge attributes), with its twin and node table; NetworkX storage
    is filled on first read."""
    nodes = pd.Index(eco.parties["id"].iloc[positions])
    codes = np.column_stack([nodes.get_indexer(edges["u"]), nodes.get_indexer(edges["v"])])
    data = edges.drop(columns=["u", "v"]).reset_index(drop=True)

    def fill() -> nx.Graph:
        G = graph_cls()
        G.add_nodes_from(zip(nodes, eco.node_attributes(nodes), strict=True))
        records = records_of(data)
        if G.is_multigraph():
            G.add_edges_from(zip(edges["u"], edges["v"], edges["key"], records, strict=True))
        else:
            G.add_edges_from(zip(edges["u"], edges["v"], records, strict=True))
        return G

    G = _FRAME_CLASS[graph_cls](name=name)
    for attr in _STORAGE:
        G.__dict__.pop(attr, None)
    G.__dict__.update(_filler=fill, _size=(len(nodes), len(edges)), _source=(eco, positions))
    _TWINS[G] = _twin(len(nodes), codes, data, G.is_directed(), names=nodes)
    table = {"id": nodes.to_numpy(dtype=object)}
    for a in NODE_ATTRIBUTES:
        values = node_values(G, a)
        if pd.notna(values).any():
            table[a] = values
    _TABLES[G] = pd.DataFrame(table)
    return nx.freeze(G)


def _nodes(eco: Ecosystem, kinds: tuple[str, ...] | None = None, ids=None) -> np.ndarray:
    """Positions in the party frame of the parties of ``kinds``, or of ``ids``."""
    parties = eco.parties
    keep = parties["kind"].isin(kinds) if kinds else isin(parties["id"], ids)
    return np.flatnonzero(np.asarray(keep))


def full_graph(eco: Ecosystem) -> nx.MultiDiGraph:
    """Every party, every relationship (``type`` = its type), every deal
    (``type="deal"``) and every asset flow aggregated per SKU (``type="asset_flow"``)."""
    rel = eco.relationships
    rels = pd.DataFrame({"u": rel["source"], "v": rel["target"], "key": rel["id"],
                         "type": rel["type"], "weight": rel["weight"].fillna(1.0),
                         "volume": rel["volume"]})
    d = eco.deals
    deals = pd.DataFrame({"u": d["partner"], "v": d["customer"], "key": d["id"], "type": "deal",
                          "weight": 1.0, "status": d["status"], "amount": d["amount"],
                          "product": d["product"]})
    flows = _flows(eco, by_sku=True)
    flows = flows.assign(key="flow:" + flows["sku"], type="asset_flow", weight=1.0)
    edges = pd.concat([rels, deals, flows], ignore_index=True)
    return _build(eco, np.arange(len(eco.parties)), edges, nx.MultiDiGraph, "ecosystem")


def bipartite_graph(eco: Ecosystem) -> nx.Graph:
    """Partners and customers; an edge where a partner sells to or registered a
    deal with a customer.

    Edge attributes: ``relationships``, ``deals``, ``won_amount``, ``volume`` and
    ``weight`` (relationships + deals).
    """
    rel = eco.relationships
    sells = rel[(rel["type"] == "sells_to") & isin(rel["source"], eco.partners["id"])]
    d = eco.deals
    won = d["status"] == "won"
    edges = pd.concat([
        pd.DataFrame({"u": sells["source"], "v": sells["target"], "relationships": 1, "deals": 0,
                      "won_amount": 0.0, "volume": sells["volume"].fillna(0.0)}),
        pd.DataFrame({"u": d["partner"], "v": d["customer"], "relationships": 0, "deals": 1,
                      "won_amount": d["amount"].fillna(0.0).where(won, 0.0), "volume": 0.0}),
    ], ignore_index=True)
    edges = edges.groupby(["u", "v"], sort=False, as_index=False).sum()
    edges["weight"] = (edges["relationships"] + edges["deals"]).astype(float)
    return _build(eco, _nodes(eco, ("partner", "customer")), edges, nx.Graph, "partner-customer")


def cosell_graph(eco: Ecosystem) -> nx.Graph:
    """Partners joined where they co-sell (a co_sells_with relationship or a
    deal registered with a ``cosell_partner``). Edge attributes: ``relationships``,
    ``deals``, ``won_deals``, ``weight`` (relationships + deals)."""
    rel = eco.relationships
    co = rel[rel["type"] == "co_sells_with"]
    d = eco.deals[eco.deals["cosell_partner"].notna()]
    edges = pd.concat([
        pd.DataFrame({"u": co["source"], "v": co["target"], "relationships": 1, "deals": 0,
                      "won_deals": 0}),
        pd.DataFrame({"u": d["partner"], "v": d["cosell_partner"], "relationships": 0,
                      "deals": 1, "won_deals": (d["status"] == "won").astype(int)}),
    ], ignore_index=True)
    # Undirected: (a, b) and (b, a) are one pair.
    lo = edges[["u", "v"]].min(axis=1)
    hi = edges[["u", "v"]].max(axis=1)
    edges = edges.assign(u=lo, v=hi).groupby(["u", "v"], sort=False, as_index=False).sum()
    edges["weight"] = (edges["relationships"] + edges["deals"]).astype(float)
    return _build(eco, _nodes(eco, ("partner",)), edges, nx.Graph, "co-sell")


def supply_graph(eco: Ecosystem) -> nx.DiGraph:
    """Directed flow of goods: ``supplies`` edges, ``distributes_for`` reversed
    (goods flow from the principal to its distributor), and the ``sells_to``
    edges that carry goods (a ``sku`` or a ``volume``; pure services are left out).

    Edge attributes: ``capacity`` (summed ``volume``, units per year; NaN when
    no volume is given), ``types`` (the relationship types behind the edge).
    """
    rel = eco.relationships
    physical = rel["sku"].notna() | rel["volume"].notna()
    forward = rel[(rel["type"] == "supplies") | (rel["type"] == "sells_to") & physical]
    back = rel[rel["type"] == "distributes_for"]
    edges = pd.concat([
        pd.DataFrame({"u": forward["source"], "v": forward["target"], "capacity": forward["volume"],
                      "types": forward["type"]}),
        pd.DataFrame({"u": back["target"], "v": back["source"], "capacity": back["volume"],
                      "types": back["type"]}),
    ], ignore_index=True)
    edges = _merge_parallel(edges)
    ids = pd.unique(pd.concat([edges["u"], edges["v"]]))
    return _build(eco, _nodes(eco, ids=ids), edges, nx.DiGraph, "supply")


def _merge_parallel(edges: pd.DataFrame) -> pd.DataFrame:
    """One edge per (u, v): capacities summed (NaN if none known), types listed."""
    grouped = edges.groupby(["u", "v"], sort=False)
    merged = grouped["capacity"].sum(min_count=1).reset_index()
    # each type is one bit; the distinct types of an edge sum to its bit set
    codes, names = pd.factorize(edges["types"], sort=True)
    distinct = pd.DataFrame({"u": edges["u"], "v": edges["v"], "bit": np.left_shift(1, codes)})
    mask = distinct.drop_duplicates().groupby(["u", "v"], sort=False)["bit"].sum()
    sets = np.unique(mask.to_numpy())
    label = {m: ",".join(n for k, n in enumerate(names) if m >> k & 1) for m in sets}
    key = pd.MultiIndex.from_frame(merged[["u", "v"]])
    merged["types"] = mask.reindex(key).map(label).to_numpy()
    return merged


def _flows(eco: Ecosystem, *, by_sku: bool) -> pd.DataFrame:
    m = eco.movements
    moved = m[m["from_party"].notna() & m["to_party"].notna()]
    keys = ["from_party", "to_party", "sku"] if by_sku else ["from_party", "to_party"]
    flows = moved.groupby(keys, sort=False, as_index=False).agg(
        units=("units", "sum"), movements=("id", "size"))
    return flows.rename(columns={"from_party": "u", "to_party": "v"})


def asset_flow_graph(eco: Ecosystem) -> nx.DiGraph:
    """Directed graph of physical units that moved between parties (all SKUs).

    Edge attributes: ``units`` (total moved), ``movements`` (count), and
    ``weight`` (= units). Supplies name their vendor as the source when known.
    """
    edges = _flows(eco, by_sku=False)
    edges["weight"] = edges["units"]
    ids = pd.unique(pd.concat([edges["u"], edges["v"]]))
    return _build(eco, _nodes(eco, ids=ids), edges, nx.DiGraph, "asset-flow")


#: Name of each view, as accepted by :meth:`Ecosystem.view`.
VIEWS = {
    "full": full_graph,
    "bipartite": bipartite_graph,
    "cosell": cosell_graph,
    "supply": supply_graph,
    "asset_flow": asset_flow_graph,
}
