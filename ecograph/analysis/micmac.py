"""MICMAC: which parties drive the ecosystem and which depend on it.

Influence and dependence of each party, direct and through chains of ties,
and its quadrant (influential, relay, dependent, autonomous):
:func:`micmac` on any graph, :func:`relationship_micmac` on an ecosystem's
relationships. The method and its formulas are in ``docs/assessment.md``.

>>> from ecograph import load_bundle
>>> m = relationship_micmac(load_bundle("fixtures/it_ecosystem"),
...                         kinds=("partner", "supplier", "company"))
>>> m.columns[:8].tolist()
['id', 'name', 'kind', 'influence', 'dependence', 'indirect_influence', 'indirect_dependence', 'quadrant']
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..dates import AsOf
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..twins import node_table
from ._common import adjacency
from .snapshots import in_force

__all__ = ["micmac", "relationship_micmac"]

_ORDER_BY = ["indirect_influence", "influence", "id"]


def micmac(G: nx.Graph, *, kinds: tuple[str, ...] | None = None, order: int = 3,
           weight: str | None = None) -> pd.DataFrame:
    """MICMAC influence and dependence of the nodes of a graph, direct and indirect.

    ``M[i, j]`` is the edge from ``i`` to ``j`` (undirected edges both ways),
    binary (parallel edges count once) unless ``weight`` names an edge
    attribute to sum. Direct **influence** is the row sum of ``M``,
    **dependence** the column sum. Indirect influence and dependence are the
    row and column sums of ``M + M²/λ + … + M^order/λ^(order−1)`` with ``λ``
    the largest row or column sum of ``M``, which bounds the growth of the
    powers (repeated sparse matrix–vector products, never forming the powers).

    ``quadrant`` (on the indirect values, ``high`` meaning above the median):
    ``influential`` (high influence, low dependence), ``relay`` (both high),
    ``dependent`` (low influence, high dependence), ``autonomous`` (both low).

    Parameters
    ----------
    G : networkx.Graph
        Any graph; a directed one says who influences whom.
    kinds : tuple of str, optional
        Keep only nodes whose ``kind`` attribute is one of these.
    order : int, default 3
        Longest chain of ties counted.
    weight : str, optional
        Edge attribute to sum instead of counting ties.

    Returns
    -------
    pandas.DataFrame
        ``id`` (with ``name, kind`` when the nodes carry them), ``influence,
        dependence, indirect_influence, indirect_dependence, quadrant``, then
        ``type, region`` when known; most influential first (indirect, then
        direct, then id).

    References
    ----------
    .. [1] M. Godet, "From Anticipation to Action: a Handbook of Strategic
       Prospective", UNESCO Publishing, 1994 (the MICMAC method).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    >>> m = micmac(G, order=2)
    >>> m[["id", "indirect_influence", "quadrant"]].values.tolist()[:2]
    [['a', 3.0, 'influential'], ['b', 1.5, 'influential']]
    """
    M = adjacency(G, weight=weight)
    nodes = node_table(G)
    if kinds is not None:
        keep = nodes["kind"].isin(kinds).to_numpy() if "kind" in nodes else np.zeros(len(nodes), bool)
        M = M[keep][:, keep]
        nodes = nodes[keep].reset_index(drop=True)
    scores = _scores(M.tocsr(), order, weight)
    leading = [c for c in ("name", "kind") if c in nodes]
    frame = pd.concat([nodes[["id", *leading]], scores,
                       nodes.drop(columns=["id", *leading])], axis=1)
    return frame.sort_values(_ORDER_BY, ascending=[False, False, True], ignore_index=True)


def relationship_micmac(eco: Ecosystem, *, kinds: tuple[str, ...] | None = None, order: int = 3,
                        weight: str | None = None, as_of: AsOf = None) -> pd.DataFrame:
    """MICMAC influence and dependence of parties through their relationships.

    ``M[i, j]`` is the relationship from ``i`` to ``j`` (source → target;
    ``co_sells_with`` both ways) in force on ``as_of``, between parties of
    ``kinds`` that take part in one. The scores are those of :func:`micmac`.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    kinds : tuple of str, optional
        Party kinds to keep (``partner``, ``customer``, ``supplier``, ``company``).
    order : int, default 3
        Longest chain of ties counted.
    weight : str, optional
        A relationships column to sum (``weight``, ``volume``) instead of
        counting ties.
    as_of : str, date or None
        The ecosystem as it stood at the end of this day
        (:func:`~ecograph.analysis.snapshots.in_force`: relationships in force,
        partners who had joined); ``None``: its reference date (ended
        relationships left out).

    Returns
    -------
    pandas.DataFrame
        ``id, name, kind, influence, dependence, indirect_influence,
        indirect_dependence, quadrant, type``; most influential first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> m = relationship_micmac(load_bundle("fixtures/manufacturing"), kinds=("supplier", "company"))
    >>> sorted(m["kind"].unique())
    ['company', 'supplier']
    """
    live = in_force(eco, as_of)  # the ecosystem as it stood: ties in force, partners joined
    rel = live.relationships
    parties = live.parties[["id", "name", "kind", "type"]]
    if kinds is not None:
        parties = parties[parties["kind"].isin(kinds)]
    rel = rel[rel["source"].isin(parties["id"]) & rel["target"].isin(parties["id"])]
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
    frame = pd.concat([nodes[["id", "name", "kind"]], _scores(M, order, weight), nodes[["type"]]],
                      axis=1)
    return frame.sort_values(_ORDER_BY, ascending=[False, False, True], ignore_index=True)


def _scores(M: sp.csr_matrix, order: int, weight: str | None) -> pd.DataFrame:
    """Direct and indirect influence and dependence of each row of ``M``, and its quadrant."""
    if not isinstance(order, int | np.integer) or order < 1:
        raise ParameterError(f"order must be a whole number ≥ 1; got {order!r}")
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
    return pd.DataFrame({"influence": out_deg, "dependence": in_deg, "indirect_influence": infl,
                         "indirect_dependence": dep, "quadrant": quadrant})
