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

:func:`broker_scores` looks at partners through several lenses at once, so a few
weak ties cannot make a broker: betweenness on the co-sell graph with tie
strength (a tie weighs ``1 +`` co-sold deals ``+`` shared accounts; distance is
its inverse), betweenness on the partner × account graph, constraint on the
strength-weighted co-sell graph, and the number of communities a partner reaches
through its ties, weighted by strength (``exp`` of the entropy of its strength
per community). The score is the communities reached, discounted by the mean
percentile rank of the co-sell betweenness and of (low) constraint: a partner
whose ties reach many communities *and* span holes on short paths. Account
betweenness is reported beside, as evidence (it rewards sheer size).

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

from ..dates import AsOf
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..twins import igraph_from_edges, local_twin
from ._common import adjacency, node_frame
from .centrality import betweenness_pivots, raw_betweenness
from .communities import membership

__all__ = ["brokerage", "broker_scores", "BROKER_LENSES"]

#: The lenses of :func:`broker_scores`, each a column of its result (higher = more of a broker,
#: except ``constraint``, where lower is).
BROKER_LENSES = ("cosell_betweenness", "account_betweenness", "constraint", "communities_reached")


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
    constraint, effective, contacts = _holes(A)
    none = contacts == 0
    efficiency = np.divide(effective, contacts, out=np.full_like(effective, np.nan),
                           where=~none)
    return node_frame(G, {"constraint": constraint, "effective_size": effective,
                          "efficiency": efficiency, "contacts": contacts.astype(np.int64)},
                      sort_by="constraint", ascending=True)


def _holes(A: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constraint, effective size and contact count of every row of the symmetric weights ``A``."""
    A = A.tocsr(copy=True)
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
    return constraint, effective, contacts


def broker_scores(eco: Ecosystem, *, as_of: AsOf = None, top: int | None = None,
                  seed: int = 0, pivots: int | str | None = "auto",
                  account_betweenness: pd.Series | None = None) -> pd.DataFrame:
    """Partners who bridge otherwise separate groups, by several lenses at once, with their why.

    The lenses (module docstring) are computed on the co-sell ties (a
    ``co_sells_with`` relationship or a co-sold deal) and the partner × account
    ties as of ``as_of``; ``score`` = communities reached × the mean percentile
    rank of co-sell betweenness and of low constraint, so a partner has to bridge
    on every lens to rank high, and one weak tie across two clusters (strength 1
    among strong local ties) moves little.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.
    top : int or None, default None
        Partners to return at most; ``None``: all.
    seed : int, default 0
        Seed of the Leiden communities of the partner × account graph and of the betweenness pivots.
    pivots : int, "auto" or None, default "auto"
        Source pivots sampled for each betweenness lens
        (:func:`~ecograph.analysis.centrality.raw_betweenness`); ``"auto"``:
        :func:`~ecograph.analysis.centrality.betweenness_pivots` of each graph's size
        (exact up to 2,000 nodes); ``None``: exact. Exact betweenness of a 1M-relationship
        partner × account graph takes hours; 64 pivots take seconds.
    account_betweenness : pandas.Series or None, default None
        The partners' betweenness on the partner–customer graph, by id, when it is
        computed already (``ecograph analyze`` passes its ``betweenness`` table, so the
        largest graph is walked once); partners missing from it count 0. ``None``:
        computed here on the partner × account graph as of ``as_of``. Only the
        ``account_betweenness`` lens reads it (evidence, not in the score).

    Returns
    -------
    pandas.DataFrame
        Columns: ``id, name, score, rank, why``, the :data:`BROKER_LENSES`,
        ``contacts`` (co-sell partners) and ``strong_contacts`` (ties of strength
        2 or more). Best broker first.

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes: The Social Structure of Competition*,
       Harvard University Press, 1992.
    .. [2] M. S. Granovetter, "The strength of weak ties", American Journal of
       Sociology 78(6):1360--1380, 1973.

    Raises
    ------
    ParameterError
        When ``pivots`` is neither ``"auto"``, ``None`` nor a positive number.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> top = broker_scores(load_bundle("fixtures/it_ecosystem"), top=3)
    >>> top.columns.tolist()[:5], top["rank"].tolist()
    (['id', 'name', 'score', 'rank', 'why'], [1, 2, 3])
    """
    from .coselling import _accounts  # the partner × account matrices, as of the day

    acc = _accounts(eco, as_of)
    n, m = len(acc.partners), len(acc.accounts)
    A = acc.any
    tie = ((acc.cosold + acc.cosold.T) > 0).astype(float)
    tie.setdiag(0)
    tie.eliminate_zeros()
    strength = (tie + tie.multiply(acc.cosold_deals + A @ A.T)).tocsr()
    U = sp.triu(strength, k=1).tocoo()
    g = igraph_from_edges(n, np.column_stack([U.row, U.col]), directed=False)
    cosell = (raw_betweenness(g, weights=(1.0 / U.data).tolist(), k=_pivots(pivots, n), seed=seed)[0]
              if U.nnz else np.zeros(n))
    r, c = A.nonzero()
    both, back = local_twin(n + m, np.column_stack([r, c + n]), directed=False)  # locality-ordered when big
    if account_betweenness is not None:
        accounts = account_betweenness.reindex(acc.partners).fillna(0.0).to_numpy(dtype=float)
    else:
        accounts = (raw_betweenness(both, k=_pivots(pivots, n + m), seed=seed, order=back)[0][:n] if len(r)
                    else np.zeros(n))
    constraint, _, contacts = _holes(strength)
    labels = membership(both, seed=seed)[back] if len(r) else np.zeros(n + m, dtype=int)
    k = int(labels.max()) + 1 if len(labels) else 1
    onto = sp.csr_matrix((np.ones(n), (np.arange(n), labels[:n])), shape=(n, k))
    mass = (strength @ onto).tocsr()  # partners × communities, sparse: a partner reaches few
    total = np.asarray(mass.sum(axis=1)).ravel()
    share = sp.diags(np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)) @ mass
    share.eliminate_zeros()
    share.data = -share.data * np.log(share.data)
    reached = np.where(contacts > 0, np.exp(np.asarray(share.sum(axis=1)).ravel()), 0.0)
    lenses = pd.DataFrame({"cosell_betweenness": cosell, "account_betweenness": accounts,
                           "constraint": constraint, "communities_reached": reached})
    pct = lenses.rank(pct=True)
    pct["constraint"] = (-lenses["constraint"].fillna(np.inf)).rank(pct=True)
    score = reached * (pct["constraint"] + pct["cosell_betweenness"]).to_numpy() / 2
    frame = pd.DataFrame({"id": acc.partners.to_numpy(), "score": score})
    frame = pd.concat([frame, lenses], axis=1)
    frame["contacts"] = contacts.astype(np.int64)
    frame["strong_contacts"] = np.asarray((strength >= 2).sum(axis=1)).ravel().astype(np.int64)
    places = {col: lenses[col].rank(ascending=col == "constraint", method="min",
                                    na_option="bottom").to_numpy() for col in BROKER_LENSES}
    frame = frame.assign(**{f"place_{k}": v for k, v in places.items()})
    frame = frame.sort_values(["score", "id"], ascending=[False, True], kind="stable", ignore_index=True)
    frame = frame.head(top) if top is not None else frame
    frame.insert(1, "name", eco.names(frame["id"]).to_numpy())
    frame.insert(3, "rank", np.arange(1, len(frame) + 1))
    frame.insert(4, "why", [  # only the rows shown
        f"reaches {r.communities_reached:.1f} communities through {r.contacts} co-sell ties "
        f"({r.strong_contacts} strong); place {int(r.place_cosell_betweenness)} by co-sell betweenness "
        f"(tie strength), {int(r.place_account_betweenness)} by account betweenness, "
        f"{int(r.place_constraint)} by constraint ({r.constraint:.2f})"
        for r in frame.itertuples(index=False)])
    return frame.drop(columns=[f"place_{k}" for k in places])


def _pivots(pivots: int | str | None, n: int) -> int | None:
    """The pivots of one betweenness lens on ``n`` nodes (``pivots`` as :func:`broker_scores` takes it)."""
    if pivots == "auto":
        return betweenness_pivots(n)
    if pivots is None or isinstance(pivots, int | np.integer) and pivots >= 1:
        return pivots
    raise ParameterError(f"pivots must be 'auto', None or a positive number; got {pivots!r}")
