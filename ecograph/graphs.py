"""Graph views of an ecosystem, each with an igraph twin on the same integer index.

A view is a NetworkX graph whose node order *is* the integer index: node
``list(G)[i]`` is vertex ``i`` of its igraph twin. Views are built from the
Ecosystem's frames with vectorised pandas; the twin is built from integer
arrays, never by walking NetworkX edges. :func:`igraph_twin` also works for
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
    "VIEWS",
]


def records_of(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts, column by column (far faster than ``to_dict("records")``
    on Arrow-backed columns)."""
    cols = list(frame.columns)
    if not cols:
        return [{} for _ in range(len(frame))]
    return [dict(zip(cols, row, strict=True))
            for row in zip(*(frame[c].tolist() for c in cols), strict=True)]


_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
    frame = pd.DataFrame({
        "u": np.fromiter((pos[u] for u, _, _ in edges), dtype=np.int64, count=len(edges)),
        "v": np.fromiter((pos[v] for _, v, _ in edges), dtype=np.int64, count=len(edges)),
        **{k: [d.get(k) for _, _, d in edges] for k in keys},
    })
    twin = _twin(len(nodes), frame, G.is_directed(), names=nodes)
    _TWINS[G] = twin
    return twin


def _twin(n: int, edges: pd.DataFrame, directed: bool, *, names) -> ig.Graph:
    g = ig.Graph(n=n, edges=np.column_stack([edges["u"], edges["v"]]).tolist(), directed=directed)
    g.vs["name"] = list(names)
    for col in edges.columns.drop(["u", "v"]):
        g.es[col] = edges[col].tolist()
    return g


def _build(eco: Ecosystem, nodes: pd.Index, edges: pd.DataFrame, graph_cls: type[nx.Graph],
           name: str) -> nx.Graph:
    """Make the NetworkX view and register its igraph twin (same node order)."""
    G = graph_cls(name=name)
    attrs = eco.node_attributes(nodes)
    G.add_nodes_from(zip(nodes, attrs, strict=True))
    codes = pd.DataFrame({"u": nodes.get_indexer(edges["u"]), "v": nodes.get_indexer(edges["v"])})
    data = edges.drop(columns=["u", "v"]).reset_index(drop=True)
    records = records_of(data)
    if G.is_multigraph():
        G.add_edges_from(zip(edges["u"], edges["v"], edges["key"], records, strict=True))
    else:
        G.add_edges_from(zip(edges["u"], edges["v"], records, strict=True))
    _TWINS[G] = _twin(len(nodes), pd.concat([codes, data], axis=1), G.is_directed(), names=nodes)
    return nx.freeze(G)


def _nodes(eco: Ecosystem, kinds: tuple[str, ...] | None = None, ids=None) -> pd.Index:
    parties = eco.parties
    keep = parties["kind"].isin(kinds) if kinds else isin(parties["id"], ids)
    return pd.Index(parties.loc[keep, "id"])


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
    return _build(eco, pd.Index(eco.parties["id"]), edges, nx.MultiDiGraph, "ecosystem")


def bipartite_graph(eco: Ecosystem) -> nx.Graph:
    """Partners and customers (``bipartite`` 0 and 1); an edge where a partner sells
    to or registered a deal with a customer.

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
