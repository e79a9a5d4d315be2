"""MICMAC: which parties drive the ecosystem and which depend on it.

Influence and dependence of each party, direct and through chains of ties,
and its quadrant (influential, relay, dependent, autonomous); the method and
its formulas are in ``docs/assessment.md``.

>>> from ecograph import load_bundle
>>> m = micmac(load_bundle("fixtures/it_ecosystem"), kinds=("partner", "supplier", "company"))
>>> m.columns[:6].tolist()
['id', 'influence', 'dependence', 'indirect_influence', 'indirect_dependence', 'quadrant']
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ._common import adjacency, node_attributes, node_ids
from .snapshots import in_force

__all__ = ["micmac"]


def _relationship_matrix(eco: Ecosystem, kinds, weight: str | None) -> tuple[sp.csr_matrix, pd.DataFrame]:
    rel = eco.relationships
    parties = eco.parties[["id", "kind", "type"]]
    if kinds is not None:
        parties = parties[parties["kind"].isin(kinds)]
    keep = rel["source"].isin(parties["id"]) & rel["target"].isin(parties["id"])
    rel = rel[keep]
    if weight is not None and weight not in rel.columns:
        raise ParameterError(f"weight must be a relationships column; got {weight!r}")
    w = np.ones(len(rel)) if weight is None else rel[weight].fillna(1.0).to_numpy(dtype=float)
    both = (rel["type"] == "co_sells_with").to_numpy()  # undirected in every analysis
    src = np.concatenate([rel["source"].to_numpy(), rel["target"].to_numpy()[both]])
    dst = np.concatenate([rel["target"].to_numpy(), rel["source"].to_numpy()[both]])
    w = np.concatenate([w, w[both]])
    nodes = parties[parties["id"].isin(np.concatenate([src, dst]))].reset_index(drop=True)
    index = pd.Index(nodes["id"])
    M = sp.csr_matrix((w, (index.get_indexer(src), index.get_indexer(dst))), shape=(len(index),) * 2)
    return M, nodes


def _graph_matrix(G: nx.Graph, kinds, weight: str | None) -> tuple[sp.csr_matrix, pd.DataFrame]:
    M = adjacency(G, weight=weight)
    nodes = pd.concat([node_ids(G).rename("id").reset_index(drop=True),
                       node_attributes(G).reset_index(drop=True)], axis=1)
    if kinds is not None:
        keep = nodes["kind"].isin(kinds).to_numpy() if "kind" in nodes else np.zeros(len(nodes), bool)
        M = M[keep][:, keep]
        nodes = nodes[keep].reset_index(drop=True)
    return M.tocsr(), nodes


def micmac(data: Ecosystem | nx.Graph, *, kinds: tuple[str, ...] | None = None, order: int = 3,
           weight: str | None = None, as_of=None) -> pd.DataFrame:
    """MICMAC influence and dependence of parties, direct and indirect.

    ``M[i, j]`` is the tie from ``i`` to ``j``: for an :class:`Ecosystem`, its
    relationships in force at ``as_of`` (source → target; ``co_sells_with``
    both ways), between parties of ``kinds`` (default: all) that take part in
    one; for a NetworkX
    graph, its edges (undirected edges both ways). Binary (parallel ties count
    once) unless ``weight`` names an edge attribute / relationships column to
    sum. Direct **influence** is the row sum of ``M``, **dependence** the column
    sum. Indirect influence and dependence are the row and column sums of
    ``M + M²/λ + … + M^order/λ^(order−1)`` with ``λ`` the largest row or column
    sum of ``M``, which bounds the growth of the powers (computed as repeated
    sparse matrix–vector products, never forming the powers).

    ``quadrant`` (on the indirect values, ``high`` meaning above the median):
    ``influential`` (high influence, low dependence), ``relay`` (both high),
    ``dependent`` (low influence, high dependence), ``autonomous`` (both low).

    Columns: ``id, influence, dependence, indirect_influence,
    indirect_dependence, quadrant`` then ``kind, type`` when known; most
    influential first (indirect, then direct, then id).

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    >>> m = micmac(G, order=2)
    >>> m[["id", "indirect_influence", "quadrant"]].values.tolist()[:2]
    [['a', 3.0, 'influential'], ['b', 1.5, 'influential']]
    """
    if not isinstance(order, int | np.integer) or order < 1:
        raise ParameterError(f"order must be a whole number ≥ 1; got {order!r}")
    if isinstance(data, Ecosystem):
        M, nodes = _relationship_matrix(in_force(data, as_of), kinds, weight)
    elif as_of is not None:
        raise ParameterError("as_of applies to an Ecosystem; for a graph, build it from a snapshot")
    elif isinstance(data, nx.Graph):
        M, nodes = _graph_matrix(data, kinds, weight)
    else:
        raise ParameterError(f"data must be an Ecosystem or a NetworkX graph; got {type(data).__name__}")
    M = M.tocsr()
    M.sum_duplicates()
    M.setdiag(0)
    M.eliminate_zeros()
    if weight is None:
        M.data[:] = 1.0
    ones = np.ones(M.shape[0])
    out_deg, in_deg = M @ ones, M.T @ ones
    lam = max(out_deg.max(initial=0.0), in_deg.max(initial=0.0)) or 1.0
    infl, dep = out_deg.copy(), in_deg.copy()
    x, y = out_deg, in_deg
    for _ in range(order - 1):
        x, y = (M @ x) / lam, (M.T @ y) / lam
        infl += x
        dep += y
    hi_i = infl > (np.median(infl) if len(infl) else 0.0)
    hi_d = dep > (np.median(dep) if len(dep) else 0.0)
    quadrant = np.select([hi_i & ~hi_d, hi_i & hi_d, ~hi_i & hi_d], ["influential", "relay", "dependent"],
                         "autonomous")
    frame = pd.DataFrame({"id": nodes["id"].to_numpy(), "influence": out_deg, "dependence": in_deg,
                          "indirect_influence": infl, "indirect_dependence": dep, "quadrant": quadrant})
    for c in ("kind", "type"):
        if c in nodes:
            frame[c] = nodes[c].to_numpy()
    return frame.sort_values(["indirect_influence", "influence", "id"], ascending=[False, False, True],
                             ignore_index=True)
