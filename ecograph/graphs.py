"""Graph views of an ecosystem, each with an igraph twin on the same integer index.

A view is a frozen NetworkX graph built from an :class:`~ecograph.Ecosystem`'s
tables: :func:`view` makes it once per ecosystem (the cache is
:func:`ecograph.ecosystem.derived`). Its node order *is* its integer index:
node ``list(G)[i]`` is vertex ``i`` of its igraph twin
(:func:`ecograph.twins.twin`). The twin and the node table (``id, name, kind,
type, region``) are made from integer arrays when the view is made, which is
all ecograph's analyses read. The NetworkX storage (attribute dicts, a Python
object per edge) is filled only when the graph is first read as NetworkX —
iterating it, ``G.nodes``, ``G.edges``, a NetworkX algorithm — so a pipeline
that never does skips that cost (most of the build time on large
ecosystems). ``G.copy()`` gives an editable graph of the plain NetworkX class.
A view shows the ecosystem as of its reference date (:mod:`ecograph.dates`):
relationships that ended before it are left out.

=============  ======================================================================
view           nodes and edges
=============  ======================================================================
``full``       every party; every relationship, deal and per-SKU asset flow (MultiDiGraph)
``bipartite``  partners and customers; a partner–account tie (:func:`~ecograph.ties.partner_accounts`)
``cosell``     partners; a co-sell relationship or a co-sold deal
``supply``     parties on the goods path; the supply edges (:func:`~ecograph.ties.supply_edges`)
``asset_flow`` parties that moved units; the units moved (DiGraph)
=============  ======================================================================

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/manufacturing")
>>> G = view(eco, "supply")
>>> G.is_directed(), filled(G)
(True, False)
"""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from .ecosystem import Ecosystem, derived
from .errors import ParameterError
from .frames import isin, records_of
from .ties import live_relationships, partner_accounts, supply_edges
from .twins import NODE_ATTRIBUTES, GraphIndex, index, node_table, register

__all__ = ["view", "filled", "induced_subgraph", "VIEWS", "FrameGraph", "FrameDiGraph",
           "FrameMultiDiGraph"]

#: The attributes where NetworkX keeps a graph's nodes and edges.
_STORAGE = ("_node", "_adj", "_succ", "_pred")


def view(eco: Ecosystem, name: str = "full") -> nx.Graph:
    """The NetworkX view ``name`` of ``eco`` (see the module docstring), built once.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    name : {"full", "bipartite", "cosell", "supply", "asset_flow"}, default "full"
        Which view.

    Returns
    -------
    networkx.Graph
        Frozen; its twin exists at once, its NetworkX storage is filled on first read.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> view(eco, "bipartite") is view(eco, "bipartite")
    True
    >>> view(eco, "social")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: view must be one of full, bipartite, ...; got 'social'
    """
    if name not in VIEWS:
        raise ParameterError(f"view must be one of {', '.join(VIEWS)}; got {name!r}")
    return derived(eco, ("view", name), lambda: VIEWS[name](eco))


def filled(G: nx.Graph) -> bool:
    """Whether the NetworkX storage of ``G`` exists (always, except for an unread view).

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.

    Returns
    -------
    bool
        ``False`` only for a view no NetworkX read has filled yet.

    Examples
    --------
    >>> import ecograph
    >>> G = view(ecograph.load_bundle("fixtures/tiny"), "cosell")
    >>> filled(G), G.number_of_edges(), filled(G)
    (False, 1, False)
    >>> _ = list(G)
    >>> filled(G)
    True
    """
    return not (isinstance(G, _FilledOnRead) and G._pending())


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
        record = index(self)
        plain = record.fill()  # interrupted, it is simply tried again
        for name in _STORAGE:
            if name in plain.__dict__:
                setattr(self, name, plain.__dict__[name])
        record.fill = None

    def _pending(self) -> bool:
        return not any(name in self.__dict__ for name in _STORAGE)

    def number_of_nodes(self) -> int:
        if self._pending():
            return index(self).size[0]
        return super().number_of_nodes()

    def __len__(self) -> int:
        return self.number_of_nodes()

    def number_of_edges(self, u=None, v=None) -> int:
        if u is None and v is None and self._pending():
            return index(self).size[1]
        return super().number_of_edges(u, v)

    def copy(self, as_view: bool = False) -> nx.Graph:
        """An editable copy as a plain NetworkX graph (``as_view``: a read-only view)."""
        return super().copy(as_view=True) if as_view else _PLAIN_CLASS[type(self)](self)

    def __getstate__(self) -> dict:
        self._node  # noqa: B018 -- fill first: a pickle carries the storage
        return dict(self.__dict__)


#: The docstring of each class :func:`_filled_on_read` makes (``{name}``: the NetworkX class).
_FRAME_DOC = """A view that is a :class:`networkx.{name}` filled on first read (see the module docstring).

:func:`view` makes the views (which view is which class: the table in the
module docstring). Its size is known before its storage is filled; reading
it as NetworkX fills it. Made empty (``Frame{name}()``) it is an ordinary
NetworkX {name}; ``G.copy()`` is an editable :class:`networkx.{name}`.

Examples
--------
>>> from ecograph.graphs import Frame{name}
>>> G = Frame{name}()
>>> _ = G.add_edge("P1", "C1")  # a multigraph returns the new key
>>> len(G), type(G.copy()).__name__
(2, '{name}')
"""


def _filled_on_read(base: type[nx.Graph]) -> type:
    storage = {name: _Deferred(getattr(base, name)) for name in _STORAGE if hasattr(base, name)}
    return type(f"Frame{base.__name__}", (_FilledOnRead, base),
                {"__module__": __name__, "__doc__": _FRAME_DOC.format(name=base.__name__), **storage})


FrameGraph = _filled_on_read(nx.Graph)
FrameDiGraph = _filled_on_read(nx.DiGraph)
FrameMultiDiGraph = _filled_on_read(nx.MultiDiGraph)
_FRAME_CLASS = {nx.Graph: FrameGraph, nx.DiGraph: FrameDiGraph, nx.MultiDiGraph: FrameMultiDiGraph}
_PLAIN_CLASS = {frame: plain for plain, frame in _FRAME_CLASS.items()}


def induced_subgraph(G: nx.Graph, nodes) -> nx.Graph:
    """A new, editable graph of ``nodes`` and the edges of ``G`` among them, with
    their attributes. A view that was not read as NetworkX stays unread: the
    subgraph is made from its twin and its party frame.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    nodes : iterable
        The nodes to keep.

    Returns
    -------
    networkx.Graph
        Of ``G``'s plain class.

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(induced_subgraph(nx.path_graph(4), [0, 1, 3]).edges)
    [(0, 1)]
    """
    record = index(G)
    if record.fill is None:
        return G.subgraph(nodes).copy()
    parties, positions = record.parties
    ids = node_table(G)["id"]
    keep = np.flatnonzero(isin(ids, list(nodes)))
    sub = record.twin.induced_subgraph(keep.tolist(), implementation="create_from_scratch")
    H = _PLAIN_CLASS[type(G)]()
    H.add_nodes_from(zip(ids.to_numpy()[keep], _attribute_dicts(parties, positions[keep]),
                         strict=True))
    names = sub.vs["name"]
    ends = ((names[e.source], names[e.target], e.attributes()) for e in sub.es)
    if H.is_multigraph():  # views keep the key as data too
        H.add_edges_from((u, v, d["key"], d) for u, v, d in ends)
    else:
        H.add_edges_from(ends)
    return H


def _attribute_dicts(parties: pd.DataFrame, positions: np.ndarray) -> list[dict]:
    """Node attribute dicts of the parties at ``positions``: ``kind`` and the
    columns of that kind of party, missing values left out."""
    rows = parties.iloc[positions].drop(columns="id").reset_index(drop=True)
    out: list[dict] = [{}] * len(rows)
    for _, group in rows.groupby("kind", sort=False):
        present = group.notna() | group.map(lambda v: isinstance(v, list | tuple))
        cols = [c for c in group.columns if present[c].any()]
        records = records_of(group[cols])
        for c in (c for c in cols if not present[c].all()):  # drop the few gaps
            for j in np.flatnonzero(~present[c].to_numpy()):
                del records[j][c]
        for pos, rec in zip(group.index, records, strict=True):
            out[pos] = rec
    return out


def _build(eco: Ecosystem, positions: np.ndarray, edges: pd.DataFrame,
           graph_cls: type[nx.Graph], name: str) -> nx.Graph:
    """The view of the parties at ``positions`` and ``edges`` (columns ``u``, ``v``
    and the edge attributes), with its index record; NetworkX storage is filled
    on first read."""
    parties = eco.parties
    nodes = pd.Index(parties["id"].iloc[positions])
    codes = np.column_stack([nodes.get_indexer(edges["u"]), nodes.get_indexer(edges["v"])])
    data = edges.drop(columns=["u", "v"]).reset_index(drop=True)

    def fill() -> nx.Graph:
        G = graph_cls()
        G.add_nodes_from(zip(nodes, _attribute_dicts(parties, positions), strict=True))
        records = records_of(data)
        if G.is_multigraph():
            G.add_edges_from(zip(edges["u"], edges["v"], edges["key"], records, strict=True))
        else:
            G.add_edges_from(zip(edges["u"], edges["v"], records, strict=True))
        return G

    G = _FRAME_CLASS[graph_cls](name=name)
    for attr in _STORAGE:
        G.__dict__.pop(attr, None)
    g = ig.Graph(n=len(nodes), directed=G.is_directed())
    g.add_edges(codes.astype(np.int64).reshape(-1, 2))
    g.vs["name"] = list(nodes)
    for col in data.columns:
        g.es[col] = data[col].tolist()
    # the party frame's own (Arrow) columns: no Python object per node and attribute
    table = {"id": parties["id"].iloc[positions].reset_index(drop=True)}
    for a in NODE_ATTRIBUTES:
        column = parties[a].iloc[positions] if a in parties else None
        if column is not None and column.notna().any():
            table[a] = column.reset_index(drop=True)
    register(G, GraphIndex(g, (len(nodes), len(edges)), nodes=pd.DataFrame(table),
                           parties=(parties, positions), fill=fill))
    return nx.freeze(G)


def _nodes(eco: Ecosystem, kinds: tuple[str, ...] | None = None, ids=None) -> np.ndarray:
    """Positions in the party frame of the parties of ``kinds``, or of ``ids``."""
    parties = eco.parties
    keep = parties["kind"].isin(kinds) if kinds else isin(parties["id"], ids)
    return np.flatnonzero(np.asarray(keep))


def _full(eco: Ecosystem) -> nx.MultiDiGraph:
    """Every party, every relationship in force (``type`` = its type), every deal
    (``type="deal"``) and every asset flow aggregated per SKU (``type="asset_flow"``)."""
    rel = live_relationships(eco)
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


def _bipartite(eco: Ecosystem) -> nx.Graph:
    """Partners and customers, an edge per partner–account tie. Edge attributes:
    ``relationships``, ``deals``, ``won_amount``, ``volume`` and ``weight``
    (relationships + deals)."""
    ties = partner_accounts(eco)
    edges = pd.DataFrame({"u": ties["partner"], "v": ties["customer"],  # shares the cached ties
                          "relationships": ties["relationships"], "deals": ties["deals"],
                          "won_amount": ties["won_amount"], "volume": ties["volume"],
                          "weight": (ties["relationships"] + ties["deals"]).astype(float)},
                         copy=False)
    return _build(eco, _nodes(eco, ("partner", "customer")), edges, nx.Graph, "partner-customer")


def _cosell(eco: Ecosystem) -> nx.Graph:
    """Partners joined where they co-sell (a co_sells_with relationship or a deal
    registered with a ``cosell_partner``). Edge attributes: ``relationships``,
    ``deals``, ``won_deals``, ``weight`` (relationships + deals)."""
    rel = live_relationships(eco)
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


def _supply(eco: Ecosystem) -> nx.DiGraph:
    """The goods path, one edge per (source, target) of :func:`~ecograph.ties.supply_edges`.
    Edge attributes: ``capacity`` (summed ``volume``, units per year; NaN when no
    volume is given), ``types`` (the relationship types behind the edge)."""
    goods = supply_edges(eco)
    edges = _merge_parallel(pd.DataFrame({"u": goods["source"], "v": goods["target"],
                                          "capacity": goods["volume"], "types": goods["type"]}))
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


def _asset_flow(eco: Ecosystem) -> nx.DiGraph:
    """Physical units that moved between parties (all SKUs). Edge attributes:
    ``units`` (total moved), ``movements`` (count), ``weight`` (= units)."""
    edges = _flows(eco, by_sku=False)
    edges["weight"] = edges["units"]
    ids = pd.unique(pd.concat([edges["u"], edges["v"]]))
    return _build(eco, _nodes(eco, ids=ids), edges, nx.DiGraph, "asset-flow")


#: The views :func:`view` knows, by name.
VIEWS = {"full": _full, "bipartite": _bipartite, "cosell": _cosell, "supply": _supply,
         "asset_flow": _asset_flow}
