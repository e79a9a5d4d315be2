"""Brokerage: who bridges otherwise unconnected groups (Burt's structural holes).

For each node ``u`` with contacts ``N(u)`` and mutual tie weights ``a`` (the
sum of both directions on directed graphs, as in NetworkX):

- ``p[u, v] = a[u, v] / Σ_w a[u, w]`` is the share of u's ties invested in v;
- **constraint** ``c(u) = Σ_{v∈N(u)} (p[u, v] + Σ_{w∈N(u)} p[u, w]·p[w, v])²`` — low
  when u's contacts are many and not tied to each other (a broker);
- **effective size** ``e(u) = Σ_{v∈N(u)} (1 - Σ_{w∈N(u)} p[u, w]·m[v, w])`` with
  ``m[v, w] = a[v, w] / max_x a[v, x]`` — contacts net of redundancy;
- **efficiency** ``e(u) / |N(u)|``.

Computed with sparse matrix products (``P + P·P`` and ``P ⊙ (B·M)``), never a
loop over pairs. Nodes without contacts get NaN, as in NetworkX.

>>> import networkx as nx
>>> G = nx.Graph([("hub", "a"), ("hub", "b"), ("hub", "c"), ("a", "b")])
>>> brokerage(G)["id"].iloc[0]
'hub'
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._common import adjacency, node_frame

__all__ = ["brokerage"]


def brokerage(G: nx.Graph, *, weight: str | None = None) -> pd.DataFrame:
    """Constraint, effective size and efficiency of every node, best brokers first (lowest constraint).

    The formulas are in the module docstring; they match NetworkX's
    ``constraint`` and ``effective_size``. Nodes without contacts get NaN.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph; on a directed one a tie's weight is the sum of both
        directions. Self-loops are ignored.
    weight : str or None, default None
        Edge attribute of tie weights; ``None``: every tie weighs 1.

    Returns
    -------
    pandas.DataFrame
        Columns: ``id, constraint, effective_size, efficiency, contacts`` (the
        number of distinct neighbours), with ``name``/``kind`` and other node
        attributes when present; lowest constraint first, nodes without contacts last.

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes: The Social Structure of Competition*,
       Harvard University Press, 1992.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("hub", "a"), ("hub", "b"), ("a", "b"), ("hub", "c")])
    >>> top = brokerage(G).iloc[0]
    >>> top["id"], round(float(top["effective_size"]), 3), int(top["contacts"])
    ('hub', 2.333, 3)
    """
    A = adjacency(G, weight=weight, symmetric=True)
    if A.shape[0] == 0:  # no nodes (a co-sell view before any partner joined)
        empty = np.array([], dtype=float)
        return node_frame(G, {"constraint": empty, "effective_size": empty, "efficiency": empty,
                              "contacts": np.array([], dtype=np.int64)}, sort_by="constraint")
    A.setdiag(0)
    A.eliminate_zeros()
    B = (A > 0).astype(float)
    contacts = np.asarray(B.sum(axis=1)).ravel()
    total = np.asarray(A.sum(axis=1)).ravel()
    P = sp.diags(np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)) @ A
    indirect = (P @ P).multiply(B)  # only paths ending at u's own contacts count
    constraint = np.asarray((P + indirect).power(2).sum(axis=1)).ravel()
    peak = A.max(axis=1).toarray().ravel()
    M = sp.diags(np.divide(1.0, peak, out=np.zeros_like(peak), where=peak > 0)) @ A
    redundancy = np.asarray(P.multiply(B @ M).sum(axis=1)).ravel()
    effective = contacts - redundancy
    none = contacts == 0
    constraint[none] = np.nan
    effective[none] = np.nan
    efficiency = np.divide(effective, contacts, out=np.full_like(effective, np.nan),
                           where=~none)
    return node_frame(G, {"constraint": constraint, "effective_size": effective,
                          "efficiency": efficiency, "contacts": contacts.astype(np.int64)},
                      sort_by="constraint", ascending=True)
