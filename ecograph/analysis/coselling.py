"""Co-selling: which partners should sell together, and why.

Everything here is computed for *all* partner pairs at once with sparse
matrix algebra on the partner × account biadjacency matrix ``B`` (never a loop
over pairs): ``B·Bᵀ`` counts shared accounts, ``B·W·Bᵀ`` with a diagonal account
weight ``W`` gives Adamic–Adar (``1/log deg``) and resource allocation
(``1/deg``), and one product per capability gives the needs of shared accounts.

- :func:`account_mapping` — Crossbeam-style overlap counts for every pair
  (shared customers, one's open opportunities at the other's customers, shared
  prospects), never naming an account;
- :func:`shared_accounts` — the accounts behind one pair's counts;
- :func:`link_scores` — common neighbours, Jaccard, Adamic–Adar, resource
  allocation and their community-aware (Soundarajan–Hopcroft) variants on any
  bipartite NetworkX graph; equal to NetworkX's ``link_prediction`` functions;
- :func:`pair_features` — the scores plus complementarity, region and segment
  overlap, community relation and co-sell status, as of any date;
- :func:`competition_score` — how much a pair are rivals for the same deal (same
  partner type, overlapping capabilities, head-to-head deals on the same account
  and product);
- :func:`joint_value` — the expected joint value suggestions rank by:
  complementary need on shared accounts, lowered by competition;
- :func:`suggest_pairings` — ranked suggestions, new pairs separated from pairs
  that already co-sell, each with its *why* (including why it is not a rivalry);
- :func:`rival_pairs` — the pairs that compete (channel conflict), with their why.

The supervised ranker and its temporal evaluation live in
:mod:`ecograph.analysis.cosell_ranker`.

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/it_ecosystem")
>>> top = suggest_pairings(eco, top=3)
>>> list(top.columns[:6])
['a', 'b', 'a_name', 'b_name', 'score', 'status']
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..dates import AsOf, in_force, on_or_before, timestamp
from ..ecosystem import Ecosystem, derived
from ..errors import ParameterError
from ..ties import partner_accounts
from ..twins import edge_array, igraph_from_edges, index, node_table, twin
from ..wording import plural
from ._common import node_ids
from .activity import partner_activity
from .communities import membership

__all__ = ["account_mapping", "shared_accounts", "link_scores", "pair_features",
           "heuristic_score", "competition_score", "joint_value", "suggest_pairings", "rival_pairs",
           "SCORES", "RIVALRY"]

#: Topological scores computed by :func:`link_scores`, best-known first.
SCORES = ("common_neighbors", "jaccard", "adamic_adar", "resource_allocation",
          "cn_soundarajan_hopcroft", "ra_soundarajan_hopcroft")
_OPEN = ("registered", "approved")
#: Competition at or above which a pair is a rivalry (:func:`rival_pairs`), not a suggestion.
RIVALRY = 0.5
#: Head-to-head deals that make a pair rivals on their own (competition from deals saturates here).
HEAD_TO_HEAD_SATURATION = 3


# ---------------------------------------------------------------------------
# The partner × account matrices, as of a date


@dataclass(frozen=True)
class _Accounts:
    """Partner × account matrices (rows: ``partners``, columns: ``accounts``)."""

    partners: pd.Index
    accounts: pd.Index
    customers: sp.csr_matrix  # incumbent: sells to it, or won a deal there
    open: sp.csr_matrix  # an open deal registration there
    prospects: np.ndarray  # bool per account: status prospect
    cosold: sp.csr_matrix  # partner × partner: co-sell relationship or co-sold deal
    cosold_deals: sp.csr_matrix  # partner × partner: co-sold deals registered (symmetric)
    head_to_head: sp.csr_matrix  # partner × partner: (account, product) both registered a deal on

    @property
    def any(self) -> sp.csr_matrix:
        """Customers or open deals: every account a partner works."""
        return ((self.customers + self.open) > 0).astype(np.float64).tocsr()


def _matrix(rows: pd.Index, cols: pd.Index, r, c) -> sp.csr_matrix:
    i, j = rows.get_indexer(r), cols.get_indexer(c)
    keep = (i >= 0) & (j >= 0)
    m = sp.csr_matrix((np.ones(int(keep.sum())), (i[keep], j[keep])), shape=(len(rows), len(cols)))
    m.data[:] = 1.0  # duplicates summed by the constructor count once
    return m


def _accounts(eco: Ecosystem, as_of: AsOf = None) -> _Accounts:
    """What every partner held at the end of day ``as_of`` (default: the reference date), made once
    per ecosystem and day (suggestions, rivals and brokers all read it; callers never modify it)."""
    t = timestamp(as_of) if as_of is not None else eco.reference_date
    return derived(eco, ("cosell_accounts", t), lambda: _held(eco, t))


def _held(eco: Ecosystem, t: pd.Timestamp) -> _Accounts:
    partners = pd.Index(eco.partners["id"])
    accounts = pd.Index(eco.customers["id"])
    ties = partner_accounts(eco, as_of=t)
    served = ties[ties["serves"]]
    still_open = ties[ties["open_deals"] > 0]
    rel = eco.relationships
    co = rel[in_force(rel, t) & (rel["type"] == "co_sells_with")]
    d = eco.deals
    cd = d[on_or_before(d["registered"], t, missing=False) & d["cosell_partner"].notna()]
    a = pd.concat([co["source"], cd["partner"]])
    b = pd.concat([co["target"], cd["cosell_partner"]])
    cosold = _matrix(partners, partners, pd.concat([a, b]), pd.concat([b, a]))
    i = partners.get_indexer(pd.concat([cd["partner"], cd["cosell_partner"]]))
    j = partners.get_indexer(pd.concat([cd["cosell_partner"], cd["partner"]]))
    keep = (i >= 0) & (j >= 0)
    deals = sp.csr_matrix((np.ones(int(keep.sum())), (i[keep], j[keep])), shape=cosold.shape)
    return _Accounts(partners, accounts,
                     _matrix(partners, accounts, served["partner"], served["customer"]),
                     _matrix(partners, accounts, still_open["partner"], still_open["customer"]),
                     (eco.customers["status"] == "prospect").to_numpy(), cosold, deals,
                     _head_to_head(eco, d[on_or_before(d["registered"], t, missing=False)], partners))


def _head_to_head(eco: Ecosystem, d: pd.DataFrame, partners: pd.Index) -> sp.csr_matrix:
    """Partner × partner count of head-to-head deals: (account, product, capability) both
    registered a deal on without the other, where both hold that capability of the product
    (complementary partners each bringing their part are not rivals); one sparse product."""
    alone = d.loc[d["cosell_partner"].isna(), ["partner", "customer", "product"]]
    needs = eco.products.set_index("id")["capabilities"].explode().dropna()
    alone = alone.merge(needs.rename("capability").rename_axis("product").reset_index(), on="product")
    held = eco.partners[["id", "capabilities"]].explode("capabilities").dropna()
    alone = alone.merge(held.rename(columns={"id": "partner", "capabilities": "capability"}),
                        on=["partner", "capability"])
    cell = pd.factorize(alone["customer"].astype(str) + "\x1f" + alone["product"].astype(str)
                        + "\x1f" + alone["capability"].astype(str))[0]
    D = _matrix(partners, pd.RangeIndex(int(cell.max()) + 1 if len(cell) else 0), alone["partner"], cell)
    H = (D @ D.T).tocsr()
    H.setdiag(0)
    H.eliminate_zeros()
    return H


def _pairs(M: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Row/column of the strictly upper-triangular non-zeros of ``M``, row-major."""
    U = sp.triu(M, k=1).tocsr()
    U.eliminate_zeros()
    rows = np.repeat(np.arange(U.shape[0]), np.diff(U.indptr))
    return rows, U.indices.astype(np.int64)


def _at(M: sp.spmatrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``M[i, j]`` for many (i, j) at once, as a dense vector (missing = 0)."""
    M = M.tocsr()
    M.sum_duplicates()
    M.sort_indices()
    out = np.zeros(len(i))
    if M.nnz == 0 or len(i) == 0:
        return out
    n = M.shape[1]
    rows = np.repeat(np.arange(M.shape[0]), np.diff(M.indptr))
    keys = rows.astype(np.int64) * n + M.indices  # sorted: row-major, indices sorted
    want = i.astype(np.int64) * n + j
    pos = np.searchsorted(keys, want)
    pos = np.minimum(pos, len(keys) - 1)
    hit = keys[pos] == want
    out[hit] = M.data[pos[hit]]
    return out


# ---------------------------------------------------------------------------
# Account mapping


def account_mapping(eco: Ecosystem, *, as_of: AsOf = None, counts_only: bool = True) -> pd.DataFrame:
    """Overlap counts for every partner pair that overlaps at all.

    Crossbeam-style account mapping: counts never name an account unless
    ``counts_only=False``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.
    counts_only : bool, default True
        ``False`` adds a ``shared_customer_ids`` column listing the shared
        customers (``;``-separated).

    Returns
    -------
    pandas.DataFrame
        Columns: ``a, b`` (``a`` before ``b`` in the partners table), ``a_name,
        b_name``, ``shared_customers`` (accounts both serve),
        ``a_open_at_b_customers`` / ``b_open_at_a_customers`` (one's open deal
        registrations at the other's customers: a warm introduction), and
        ``shared_prospects`` (prospects both have open deals with), plus
        ``shared_customer_ids`` when ``counts_only=False``. Sorted by total
        overlap, highest first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> m = account_mapping(load_bundle("fixtures/it_ecosystem"))
    >>> int(m["shared_customers"].max()) >= 15
    True
    >>> m.columns.tolist()[4:]
    ['shared_customers', 'a_open_at_b_customers', 'b_open_at_a_customers', 'shared_prospects']
    """
    acc = _accounts(eco, as_of)
    i, j = _pairs(acc.any @ acc.any.T)
    counts = pd.DataFrame(_overlaps(acc, i, j))
    total = counts.sum(axis=1).to_numpy()
    frame = pd.concat([_pair_keys(eco, i, j), counts], axis=1)
    frame = frame[total > 0]
    frame = _named(eco, frame.iloc[np.argsort(-total[total > 0], kind="stable")].reset_index(drop=True))
    if not counts_only:
        frame["shared_customer_ids"] = _shared_ids(acc, frame["a"], frame["b"])
    return frame


def _pair_keys(eco: Ecosystem, i: np.ndarray, j: np.ndarray) -> pd.DataFrame:
    """``a, b`` of the partner pairs at positions ``(i, j)`` of the partners table."""
    ids = eco.partners["id"].to_numpy(dtype=object)
    return pd.DataFrame({"a": ids[i], "b": ids[j]})


def _named(eco: Ecosystem, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``a_name`` and ``b_name`` right after ``a, b`` (names are added to
    the rows kept, not to every pair scored)."""
    frame.insert(2, "a_name", eco.names(frame["a"]).to_numpy())
    frame.insert(3, "b_name", eco.names(frame["b"]).to_numpy())
    return frame


def _overlaps(acc: _Accounts, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """The account-mapping counts of pairs (i, j)."""
    C, Op = acc.customers, acc.open
    P = Op @ sp.diags(acc.prospects.astype(float))
    return {name: _at(M, i, j).astype(np.int64) for name, M in (
        ("shared_customers", C @ C.T), ("a_open_at_b_customers", Op @ C.T),
        ("b_open_at_a_customers", C @ Op.T), ("shared_prospects", P @ P.T))}


def _shared_ids(acc: _Accounts, a: pd.Series, b: pd.Series) -> list[str]:
    """The shared customers of each (a, b) pair, ``;``-joined (a join on accounts)."""
    C = acc.customers.tocoo()
    ties = pd.DataFrame({"p": C.row, "w": C.col})
    wanted = pd.DataFrame({"p_a": acc.partners.get_indexer(a), "p_b": acc.partners.get_indexer(b)})
    left = ties[ties["p"].isin(wanted["p_a"])].rename(columns={"p": "p_a"})
    right = ties[ties["p"].isin(wanted["p_b"])].rename(columns={"p": "p_b"})
    both = left.merge(right, on="w").merge(wanted.drop_duplicates(), on=["p_a", "p_b"])
    both["id"] = acc.accounts.to_numpy()[both["w"].to_numpy()]
    joined = both.sort_values("id").groupby(["p_a", "p_b"])["id"].agg(";".join)
    return (wanted.merge(joined.rename("ids").reset_index(), how="left", on=["p_a", "p_b"])
            ["ids"].fillna("").tolist())


def shared_accounts(eco: Ecosystem, a: str, b: str, *, as_of: AsOf = None) -> pd.DataFrame:
    """The accounts behind the overlap of partners ``a`` and ``b``.

    An account is listed when both partners work it (serve it or have an open
    deal registration there).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    a, b : str
        The two partner ids.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.

    Returns
    -------
    pandas.DataFrame
        One row per account either works, with ``a_customer``, ``b_customer``,
        ``a_open``, ``b_open`` flags, the account's ``id``, ``name``,
        ``status``, ``segment``, ``region`` and ``needs``. Only accounts where
        both appear are listed; in the order of the ``customers`` table.

    Raises
    ------
    ParameterError
        When ``a`` or ``b`` is not a partner.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> len(shared_accounts(eco, "P00015", "P00024")) >= 15
    True
    >>> shared_accounts(eco, "P00015", "P00024").columns.tolist()[6:]
    ['a_customer', 'a_open', 'b_customer', 'b_open']
    """
    acc = _accounts(eco, as_of)
    idx = acc.partners.get_indexer([a, b])
    if (idx < 0).any():
        raise ParameterError(f"unknown partner: {[a, b][int(np.argmin(idx))]}")
    flags = {name: np.asarray(M[idx].toarray() > 0) for name, M in
             (("customer", acc.customers), ("open", acc.open))}
    both = (flags["customer"] | flags["open"]).all(axis=0)
    out = eco.customers.loc[both, ["id", "name", "status", "segment", "region", "needs"]]
    out = out.reset_index(drop=True)
    for k, side in enumerate(("a", "b")):
        for name in ("customer", "open"):
            out[f"{side}_{name}"] = flags[name][k][both]
    return out


# ---------------------------------------------------------------------------
# Topological link scores on a bipartite graph


def _sides(G: nx.Graph, nodes) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the paired side and of the other side in twin order."""
    attrs = node_table(G)
    ids = attrs["id"]
    if nodes is not None:
        left = ids.isin(list(nodes)).to_numpy()
    elif "kind" in attrs:
        left = attrs["kind"].eq("partner").to_numpy()
    else:
        left = ids.map(nx.get_node_attributes(G, "bipartite")).eq(0).to_numpy()
    if not left.any():
        raise ParameterError("no nodes to pair: pass nodes= or give nodes kind='partner' "
                             "or bipartite=0")
    return np.flatnonzero(left), np.flatnonzero(~left)


def _biadjacency(G: nx.Graph, left: np.ndarray, right: np.ndarray,
                 weight: str | None) -> sp.csr_matrix:
    g = twin(G)
    e = edge_array(G)
    w = (np.asarray(g.es[weight], dtype=float) if weight and weight in g.es.attributes()
         else np.ones(len(e)))
    w = np.where(np.isnan(w), 1.0, w)
    n = g.vcount()
    lpos = np.full(n, -1)
    lpos[left] = np.arange(len(left))
    rpos = np.full(n, -1)
    rpos[right] = np.arange(len(right))
    u, v = e[:, 0], e[:, 1]
    flip = lpos[u] < 0  # store every edge as (left, right)
    u, v = np.where(flip, v, u), np.where(flip, u, v)
    keep = (lpos[u] >= 0) & (rpos[v] >= 0)
    B = sp.csr_matrix((w[keep], (lpos[u[keep]], rpos[v[keep]])), shape=(len(left), len(right)))
    return B


def _community_codes(G: nx.Graph, community) -> np.ndarray:
    if isinstance(community, pd.DataFrame):
        community = community.set_index("id")["community"]
    labels = pd.Series(community)
    codes = node_ids(G).map(labels)
    if codes.isna().any():
        raise ParameterError("community must give a community for every node of G")
    return pd.factorize(codes.to_numpy())[0]


def _scores(B: sp.csr_matrix, comm_left=None, comm_right=None, weighted=False) -> dict:
    """All-pairs scores from a (weighted) biadjacency matrix, as COO arrays over i < j."""
    ones = (B > 0).astype(np.float64)
    deg_right = np.asarray(ones.sum(axis=0)).ravel()
    deg_left = np.asarray(ones.sum(axis=1)).ravel()
    X = B.sqrt() if weighted else ones  # √w·√w: the geometric mean of two ties' weights
    cn = X @ X.T
    i, j = _pairs(ones @ ones.T)
    log = np.log(np.maximum(deg_right, 1.0))
    inv_log = np.divide(1.0, log, out=np.zeros_like(log), where=deg_right > 1)
    inv = np.divide(1.0, deg_right, out=np.zeros_like(deg_right), where=deg_right > 0)
    shared = _at(ones @ ones.T, i, j)
    out = {"i": i, "j": j, "common_neighbors": _at(cn, i, j),
           "jaccard": shared / (deg_left[i] + deg_left[j] - shared),
           "adamic_adar": _at(X @ sp.diags(inv_log) @ X.T, i, j),
           "resource_allocation": _at(X @ sp.diags(inv) @ X.T, i, j)}
    if comm_left is not None:
        # keep a tie only where the account sits in its partner's community
        same = (comm_left[np.repeat(np.arange(B.shape[0]), np.diff(B.indptr))]
                == comm_right[B.indices])
        Xc = X.copy()
        Xc.data = Xc.data * same
        Xc.eliminate_zeros()
        out["cn_soundarajan_hopcroft"] = out["common_neighbors"] + _at(Xc @ Xc.T, i, j)
        out["ra_soundarajan_hopcroft"] = _at(Xc @ sp.diags(inv) @ Xc.T, i, j)
    return out


def link_scores(G: nx.Graph, *, nodes=None, weight: str | None = None,
                community=None) -> pd.DataFrame:
    """Link-prediction scores between every pair of nodes on one side of a
    bipartite graph that share at least one neighbour.

    Unweighted they equal NetworkX's ``link_prediction`` functions on ``G``;
    with ``weight`` each shared neighbour counts ``√(w_a·w_b)`` instead of 1
    (Jaccard stays unweighted).

    Parameters
    ----------
    G : networkx.Graph
        A bipartite graph (e.g. partners and the accounts they work).
    nodes : iterable or None, default None
        The paired side; ``None``: nodes with ``kind="partner"``, else ``bipartite=0``.
    weight : str or None, default None
        Edge attribute of tie weights (missing values count 1); ``None``: unweighted.
    community : pandas.DataFrame, pandas.Series, dict or None, default None
        Every node's community (a frame from
        :func:`~ecograph.analysis.communities.detect_communities`, a Series or
        a dict covering every node); adds the Soundarajan–Hopcroft scores.

    Returns
    -------
    pandas.DataFrame
        Columns: ``a, b`` (with ``a_name, b_name`` when nodes have names),
        ``common_neighbors, jaccard, adamic_adar, resource_allocation`` and,
        with ``community``, ``cn_soundarajan_hopcroft`` and
        ``ra_soundarajan_hopcroft``. Sorted by Adamic–Adar, highest first.

    Raises
    ------
    ParameterError
        When there are no nodes to pair, or ``community`` misses a node of ``G``.

    References
    ----------
    .. [1] D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for
       social networks", JASIST 58(7):1019--1031, 2007.
    .. [2] P. Jaccard, "Étude comparative de la distribution florale dans une
       portion des Alpes et du Jura", Bull. Soc. Vaudoise Sci. Nat. 37:547--579, 1901.
    .. [3] L. A. Adamic and E. Adar, "Friends and neighbors on the Web",
       Social Networks 25(3):211--230, 2003.
    .. [4] T. Zhou, L. Lü and Y.-C. Zhang, "Predicting missing links via local
       information", Eur. Phys. J. B 71:623--630, 2009.
    .. [5] S. Soundarajan and J. Hopcroft, "Using community information to
       improve the precision of link prediction methods", WWW '12 Companion,
       607--608, 2012.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("p1", "c1"), ("p2", "c1"), ("p2", "c2"), ("p3", "c2"), ("p1", "c3")])
    >>> link_scores(G, nodes=["p1", "p2", "p3"])[["a", "b", "common_neighbors"]].values.tolist()
    [['p1', 'p2', 1.0], ['p2', 'p3', 1.0]]
    >>> comm = {"p1": 0, "p2": 0, "c1": 0, "c3": 0, "p3": 1, "c2": 1}
    >>> link_scores(G, nodes=["p1", "p2", "p3"], community=comm)["ra_soundarajan_hopcroft"].tolist()
    [0.5, 0.0]
    """
    index(G)  # a clear error for anything but a graph (an Ecosystem, say), before G is read
    left, right = _sides(G, nodes)
    B = _biadjacency(G, left, right, weight)
    codes = _community_codes(G, community) if community is not None else None
    s = _scores(B, None if codes is None else codes[left], None if codes is None else codes[right],
                weighted=weight is not None)
    nodes = node_table(G)
    i, j = left[s.pop("i")], left[s.pop("j")]
    frame = pd.DataFrame({"a": nodes["id"].to_numpy()[i], "b": nodes["id"].to_numpy()[j]})
    if "name" in nodes:
        frame["a_name"], frame["b_name"] = nodes["name"].to_numpy()[i], nodes["name"].to_numpy()[j]
    frame = pd.concat([frame, pd.DataFrame(s)], axis=1)
    return frame.sort_values("adamic_adar", ascending=False, kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------
# Pair features and suggestions


def _capability_matrix(values: pd.Series, caps: pd.Index) -> np.ndarray:
    """Boolean rows × ``caps`` from a column of tuples (e.g. capabilities, regions)."""
    out = np.zeros((len(values), len(caps)), dtype=bool)
    flat = pd.Series(values.to_numpy(), dtype=object).explode()
    col = caps.get_indexer(flat.to_numpy())
    keep = col >= 0
    out[flat.index.to_numpy()[keep], col[keep]] = True
    return out


def pair_features(eco: Ecosystem, *, as_of: AsOf = None, communities: pd.DataFrame | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """Every partner pair that works at least one common account, with the
    evidence for pairing them, computed from what was known at ``as_of``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.
    communities : pandas.DataFrame or None, default None
        ``id, community`` of partners and accounts; ``None``: Leiden on the
        partner × account graph as of the day. Nodes it lacks get community -1.
    seed : int, default 0
        Seed of the Leiden run (when ``communities`` is ``None``).

    Returns
    -------
    pandas.DataFrame
        Columns: ``a, b, a_name, b_name``; the :func:`account_mapping` counts; the topological
        :data:`SCORES` on the partner × account graph; ``need_share_complementary``
        (share of the shared accounts' needs that exactly one of the two covers),
        ``need_share_covered`` (share the two cover together),
        ``capability_overlap`` (Jaccard of their capabilities), ``region_overlap``
        (Jaccard of their regions), ``segment_overlap`` (overlap of their customers'
        segment mix), ``shared_regions`` (count), ``same_community`` with ``community_a/b`` (Leiden on
        the partner × account graph, or ``communities``), ``cosells`` (a co-sell
        relationship or co-sold deal already exists), ``cosold_deals`` (deals
        the pair registered together), ``same_type`` (same partner type),
        ``head_to_head`` ((account, product) cells both registered a deal on, not
        together) and ``competition`` (:func:`competition_score`). Unsorted.

    References
    ----------
    .. [1] L. A. Adamic and E. Adar, "Friends and neighbors on the Web",
       Social Networks 25(3):211--230, 2003.
    .. [2] T. Zhou, L. Lü and Y.-C. Zhang, "Predicting missing links via local
       information", Eur. Phys. J. B 71:623--630, 2009.
    .. [3] S. Soundarajan and J. Hopcroft, "Using community information to
       improve the precision of link prediction methods", WWW '12 Companion,
       607--608, 2012.
    .. [4] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 5233, 2019.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> f = pair_features(load_bundle("fixtures/it_ecosystem"), as_of="2025-06-30")
    >>> bool((f["a"] < f["b"]).all()) and bool(f["jaccard"].between(0, 1).all())
    True
    """
    return _named(eco, _pair_features(eco, _accounts(eco, as_of), communities, seed))


def _default_pairs(eco: Ecosystem, as_of: AsOf) -> pd.DataFrame:
    """:func:`_pair_features` with Leiden communities (seed 0) as of ``as_of``, made once per ecosystem
    and day (:func:`suggest_pairings` and :func:`rival_pairs` both start from it); a shallow copy."""
    t = timestamp(as_of) if as_of is not None else eco.reference_date
    return derived(eco, ("cosell_pairs", t), lambda: _pair_features(eco, _accounts(eco, t), None, 0)
                   ).copy(deep=False)


def _pair_features(eco: Ecosystem, acc: _Accounts, communities: pd.DataFrame | None,
                   seed: int) -> pd.DataFrame:
    A = acc.any
    n_p = len(acc.partners)
    # communities on the partner × account graph as of the date
    if communities is None:
        r, c = A.nonzero()
        g = igraph_from_edges(n_p + len(acc.accounts), np.column_stack([r, c + n_p]), directed=False)
        labels = membership(g, seed=seed)
    else:
        ids = np.concatenate([acc.partners.to_numpy(), acc.accounts.to_numpy()])
        labels = pd.Series(ids).map(communities.set_index("id")["community"]).fillna(-1)
        labels = labels.to_numpy(dtype=np.int64)
    s = _scores(A, labels[:n_p], labels[n_p:])
    i, j = s.pop("i"), s.pop("j")
    frame = pd.concat([_pair_keys(eco, i, j),
                       pd.DataFrame(_overlaps(acc, i, j))], axis=1)
    for name, values in s.items():
        frame[name] = values
    frame = frame.assign(**_complementarity(eco, acc, A, i, j))
    frame["same_community"] = labels[i] == labels[j]
    frame["community_a"], frame["community_b"] = labels[i], labels[j]
    frame["cosells"] = _at(acc.cosold, i, j) > 0
    frame["cosold_deals"] = _at(acc.cosold_deals, i, j).astype(np.int64)
    kind = pd.factorize(eco.partners.set_index("id")["partner_type"].reindex(acc.partners))[0]
    frame["same_type"] = kind[i] == kind[j]
    frame["head_to_head"] = _at(acc.head_to_head, i, j).astype(np.int64)
    frame["competition"] = competition_score(frame)
    return frame


def _complementarity(eco: Ecosystem, acc: _Accounts, A: sp.csr_matrix, i, j) -> dict:
    caps = pd.Index(eco.capabilities["id"])
    partners = eco.partners.set_index("id").loc[acc.partners]
    K = _capability_matrix(partners["capabilities"], caps)
    needs = _capability_matrix(eco.customers["needs"], caps)
    demand = np.zeros((len(i), len(caps)))
    for k in range(len(caps)):  # one sparse product per capability, not per pair
        if needs[:, k].any():
            Ak = A @ sp.diags(needs[:, k].astype(float))
            demand[:, k] = _at(Ak @ A.T, i, j)
    total = demand.sum(axis=1)
    xor = (demand * (K[i] ^ K[j])).sum(axis=1)
    union = (demand * (K[i] | K[j])).sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    inter = (K[i] & K[j]).sum(axis=1)
    cap_union = (K[i] | K[j]).sum(axis=1)
    regions = pd.Index(sorted(partners["regions"].explode().dropna().unique()))
    R = _capability_matrix(partners["regions"], regions)
    r_inter, r_union = (R[i] & R[j]), (R[i] | R[j]).sum(axis=1)
    segments = eco.customers["segment"].astype(str)
    seg_codes, seg_names = pd.factorize(segments)
    S = acc.customers @ sp.csr_matrix((np.ones(len(seg_codes)), (np.arange(len(seg_codes)),
                                                                 seg_codes)),
                                      shape=(len(seg_codes), len(seg_names)))
    S = np.asarray(S.todense())
    S = S / np.maximum(S.sum(axis=1, keepdims=True), 1.0)
    return {
        "need_share_complementary": np.where(total > 0, xor / safe, 0.0),
        "need_share_covered": np.where(total > 0, union / safe, 0.0),
        "capability_overlap": np.where(cap_union > 0, inter / np.maximum(cap_union, 1), 0.0),
        "region_overlap": np.where(r_union > 0, r_inter.sum(axis=1) / np.maximum(r_union, 1), 0.0),
        "shared_regions": r_inter.sum(axis=1),
        "segment_overlap": np.minimum(S[i], S[j]).sum(axis=1),
    }


def heuristic_score(features: pd.DataFrame) -> np.ndarray:
    """The fit-free suggestion score: Adamic–Adar on shared accounts, boosted by
    complementary needs and shared regions.

    ``adamic_adar · (1 + need_share_complementary) · (1 + region_overlap)``.

    Parameters
    ----------
    features : pandas.DataFrame
        Pair features with ``adamic_adar``, ``need_share_complementary`` and
        ``region_overlap`` columns, as from :func:`pair_features`.

    Returns
    -------
    numpy.ndarray
        One score per row of ``features``.

    References
    ----------
    .. [1] L. A. Adamic and E. Adar, "Friends and neighbors on the Web",
       Social Networks 25(3):211--230, 2003.

    Examples
    --------
    >>> import pandas as pd
    >>> heuristic_score(pd.DataFrame({"adamic_adar": [2.0], "need_share_complementary": [0.5],
    ...                               "region_overlap": [1.0]})).tolist()
    [6.0]
    """
    return (features["adamic_adar"].to_numpy() * (1 + features["need_share_complementary"].to_numpy())
            * (1 + features["region_overlap"].to_numpy()))


def competition_score(features: pd.DataFrame) -> np.ndarray:
    """How much two partners are rivals for the same deal, in [0, 1].

    Two evidences, combined as independent chances:
    ``structural = capability_overlap · (½ + ½·same_type)`` (the same offer, more so
    from the same kind of partner) and ``deals = min(1, head_to_head / 3)`` (both
    registered the same product at the same account, not together);
    ``competition = 1 − (1 − structural)·(1 − deals)``.

    Parameters
    ----------
    features : pandas.DataFrame
        Pair features with ``capability_overlap``, ``same_type`` and
        ``head_to_head`` columns, as from :func:`pair_features`.

    Returns
    -------
    numpy.ndarray
        One score per row of ``features``: 0 for partners with nothing in common,
        1 for partners of one type with identical capabilities (or three head-to-head deals).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"capability_overlap": [1.0, 0.0, 0.5], "same_type": [True, False, False],
    ...                   "head_to_head": [0, 0, 3]})
    >>> competition_score(f).tolist()
    [1.0, 0.0, 1.0]
    """
    structural = features["capability_overlap"].to_numpy(dtype=float) * (
        0.5 + 0.5 * features["same_type"].to_numpy(dtype=float))
    deals = np.minimum(1.0, features["head_to_head"].to_numpy(dtype=float) / HEAD_TO_HEAD_SATURATION)
    return 1.0 - (1.0 - structural) * (1.0 - deals)


def joint_value(features: pd.DataFrame) -> np.ndarray:
    """The expected joint value of a pair selling together: what suggestions rank by.

    ``adamic_adar · need_share_complementary · (1 + region_overlap) · (1 − competition)``:
    shared accounts (rare ones count more), the share of their needs exactly one of the two
    covers (what one brings the other lacks; no complementary need, no joint value), shared
    regions, lowered by :func:`competition_score` (rivals compete for the deal instead).

    Parameters
    ----------
    features : pandas.DataFrame
        Pair features with ``adamic_adar``, ``need_share_complementary``,
        ``region_overlap`` and ``competition`` columns, as from :func:`pair_features`.

    Returns
    -------
    numpy.ndarray
        One value per row of ``features``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"adamic_adar": [2.0, 4.0], "need_share_complementary": [1.0, 0.5],
    ...                   "region_overlap": [1.0, 1.0], "competition": [0.0, 1.0]})
    >>> joint_value(f).tolist()
    [4.0, 0.0]
    """
    return (features["adamic_adar"].to_numpy() * features["need_share_complementary"].to_numpy()
            * (1 + features["region_overlap"].to_numpy()) * (1 - features["competition"].to_numpy()))


def suggest_pairings(eco: Ecosystem, *, top: int | None = 20, as_of: AsOf = None,
                     counts_only: bool = False,
                     include_existing: bool = False, ranker=None,
                     include_rivals: bool = False) -> pd.DataFrame:
    """Partner pairs that should co-sell, best first, each with its why.

    ``score`` is ``ranker.predict_proba`` when a fitted
    :class:`~ecograph.analysis.cosell_ranker.CosellRanker` is given, else the
    expected :func:`joint_value` (which competition lowers). Rivals
    (:data:`RIVALRY` or more competition) are left to :func:`rival_pairs`.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    top : int or None, default 20
        Pairs to return at most; ``None``: all.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.
    counts_only : bool, default False
        With ``counts_only`` no account is ever named; else
        ``example_accounts`` names up to five shared customers.
    include_existing : bool, default False
        Pairs that already co-sell are left out unless ``include_existing``
        (then ``status`` says ``co-selling`` or ``new``).
    ranker : CosellRanker or None, default None
        A fitted :class:`~ecograph.analysis.cosell_ranker.CosellRanker`;
        ``None``: :func:`joint_value`.
    include_rivals : bool, default False
        Keep pairs whose competition is :data:`RIVALRY` or more (else they are
        only in :func:`rival_pairs`).

    Returns
    -------
    pandas.DataFrame
        Columns: ``a, b, a_name, b_name, score, status, rank, why`` (ending with why
        the pair is not a rivalry) then the evidence:
        overlap counts, ``complementary_capabilities`` (``a: …; b: …``), shared
        regions (``regions_in_common``), the community relation and every feature of
        :func:`pair_features`, then ``example_accounts`` unless ``counts_only``.
        Sorted by score (then shared customers), highest first.

    Raises
    ------
    ParameterError
        When ``top`` is less than 1.

    References
    ----------
    .. [1] L. A. Adamic and E. Adar, "Friends and neighbors on the Web",
       Social Networks 25(3):211--230, 2003.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> top = suggest_pairings(load_bundle("fixtures/it_ecosystem"), top=5)
    >>> top["status"].unique().tolist()
    ['new']
    """
    if top is not None and top < 1:
        raise ParameterError(f"top must be at least 1; got {top}")
    acc = _accounts(eco, as_of)
    f = _default_pairs(eco, as_of)
    score = (joint_value(f) if ranker is None
             else ranker.predict_proba(f, partner_activity(eco, as_of=as_of)))
    f.insert(2, "score", score)
    f.insert(3, "status", np.where(f["cosells"], "co-selling", "new"))
    if not include_existing:
        f = f[~f["cosells"]]
    if not include_rivals:
        f = f[f["competition"] < RIVALRY]
    f = f.sort_values(["score", "shared_customers"], ascending=False, kind="stable")
    f = f.head(top) if top is not None else f
    f = _named(eco, f.reset_index(drop=True))  # names for the rows shown only
    f.insert(6, "rank", np.arange(1, len(f) + 1))
    f.insert(7, "complementary_capabilities", _complementary_names(eco, f))
    f.insert(8, "regions_in_common", _common_regions(eco, f))
    f.insert(7, "why", _why(f))
    if not counts_only and len(f):
        f["example_accounts"] = [";".join(x.split(";")[:5]) for x in _shared_ids(acc, f["a"], f["b"])]
    return f


def _complementary_names(eco: Ecosystem, f: pd.DataFrame) -> list[str]:
    caps = eco.partners.set_index("id")["capabilities"]
    out = []
    for a, b in zip(f["a"], f["b"], strict=True):  # only the rows shown
        ca, cb = set(caps[a]), set(caps[b])
        out.append(f"{a}: {', '.join(sorted(ca - cb)) or '-'}; {b}: {', '.join(sorted(cb - ca)) or '-'}")
    return out


def _common_regions(eco: Ecosystem, f: pd.DataFrame) -> list[str]:
    regions = eco.partners.set_index("id")["regions"]
    return [", ".join(sorted(set(regions[a]) & set(regions[b])))  # only the rows shown
            for a, b in zip(f["a"], f["b"], strict=True)]


def _why(f: pd.DataFrame) -> list[str]:
    parts = []
    for r in f.itertuples(index=False):  # only the rows shown
        bits = [plural(r.shared_customers, "shared customer")]
        if r.a_open_at_b_customers or r.b_open_at_a_customers:
            bits.append(plural(r.a_open_at_b_customers + r.b_open_at_a_customers, "open deal")
                        + " at the other's customers")
        if r.shared_prospects:
            bits.append(plural(r.shared_prospects, "shared prospect"))
        if r.need_share_complementary > 0:
            bits.append(f"{r.need_share_complementary:.0%} of shared accounts' needs "
                        "covered by exactly one of them")
        if r.regions_in_common:
            bits.append(f"both in {r.regions_in_common}")
        bits.append("same community" if r.same_community else "bridges two communities")
        bits.append(_rivalry(r))
        parts.append("; ".join(bits))
    return parts


def _rivalry(r) -> str:
    """Why a pair is (or is not) a rivalry, from its competition evidence."""
    kind = "same partner type" if r.same_type else "different partner types"
    deals = f"{r.head_to_head} head-to-head deal{'' if r.head_to_head == 1 else 's'}"
    verdict = "a rivalry" if r.competition >= RIVALRY else "not a rivalry"
    return f"{verdict} (competition {r.competition:.2f}: {kind}, {r.capability_overlap:.0%} " \
           f"capability overlap, {deals})"


def rival_pairs(eco: Ecosystem, *, top: int | None = 20, as_of: AsOf = None,
                min_competition: float = RIVALRY) -> pd.DataFrame:
    """Partner pairs that compete for the same deals: channel conflict, each with its why.

    A pair is listed when it works at least one common account and its
    :func:`competition_score` is at least ``min_competition``; ``conflict`` =
    competition × (shared customers + shared prospects + head-to-head deals)
    ranks them.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    top : int or None, default 20
        Pairs to return at most; ``None``: all.
    as_of : str, datetime.date, pandas.Timestamp or None, default None
        The day (:mod:`ecograph.dates`); ``None``: the ecosystem's reference date.
    min_competition : float, default RIVALRY
        The least competition listed.

    Returns
    -------
    pandas.DataFrame
        Columns: ``a, b, a_name, b_name, conflict, competition, rank, why,
        common_capabilities`` then ``shared_customers, shared_prospects,
        head_to_head, capability_overlap, same_type, cosells``. Highest conflict first.

    Raises
    ------
    ParameterError
        When ``top`` is less than 1.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> rivals = rival_pairs(load_bundle("fixtures/it_ecosystem"), top=3)
    >>> bool((rivals["competition"] >= RIVALRY).all())
    True
    """
    if top is not None and top < 1:
        raise ParameterError(f"top must be at least 1; got {top}")
    f = _default_pairs(eco, as_of)
    f = f[f["competition"] >= min_competition]
    conflict = f["competition"] * (f["shared_customers"] + f["shared_prospects"] + f["head_to_head"])
    f = f.assign(conflict=conflict.to_numpy()).sort_values(
        ["conflict", "competition", "a", "b"], ascending=[False, False, True, True], kind="stable")
    f = f.head(top) if top is not None else f
    cols = ["a", "b", "conflict", "competition", "shared_customers", "shared_prospects", "head_to_head",
            "capability_overlap", "same_type", "cosells"]
    f = _named(eco, f[cols].reset_index(drop=True))
    caps = eco.partners.set_index("id")["capabilities"]
    kinds = eco.partners.set_index("id")["partner_type"]
    common = [", ".join(sorted(set(caps[a]) & set(caps[b]))) for a, b in zip(f["a"], f["b"], strict=True)]
    why = [f"{r.shared_customers} shared customers; both offer {c or '-'}"
           f" ({'both ' + kinds[r.a] if r.same_type else kinds[r.a] + ' and ' + kinds[r.b]}); "
           f"{r.head_to_head} head-to-head deal{'' if r.head_to_head == 1 else 's'}"
           + ("; they co-sell nonetheless" if r.cosells else "")
           for r, c in zip(f.itertuples(index=False), common, strict=True)]  # only the rows shown
    f.insert(6, "rank", np.arange(1, len(f) + 1))
    f.insert(7, "why", why)
    f.insert(8, "common_capabilities", common)
    return f
