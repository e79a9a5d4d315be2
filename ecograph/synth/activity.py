"""Synthetic activity: who sells to whom, who co-sells, the supply chain and deals.

Everything is drawn with numpy on integer codes; no loop over edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .profiles import Profile

__all__ = ["sells_to", "shared_customers", "cosell_pairs", "deals", "START", "END"]

START = pd.Timestamp("2025-01-01")
END = pd.Timestamp("2025-12-31")


def sells_to(partners: pd.DataFrame, customers: pd.DataFrame, regions: tuple[str, ...],
             rng: np.random.Generator, *, per_customer: float = 3.0) -> pd.DataFrame:
    """Partner → customer pairs: heavy-tailed partner degrees, mostly in the home region.

    A partner's degree follows its hidden ``size``; 85% of its draws are in its
    home region, 10% in its last listed region, 5% anywhere. Distributors sell
    to partners, not customers, and only ``customer`` rows (not prospects) buy.

    Parameters
    ----------
    partners : pandas.DataFrame
        Partners as :func:`~ecograph.synth.parties.partners` makes them
        (``partner_type``, ``regions``, ``size``).
    customers : pandas.DataFrame
        Customers as :func:`~ecograph.synth.parties.customers` makes them
        (``status``, ``region``).
    regions : tuple of str
        The regions of the domain.
    rng : numpy.random.Generator
        The random generator.
    per_customer : float, default 3.0
        Partners per buying customer, on average.

    Returns
    -------
    pandas.DataFrame
        Integer codes ``p`` (partner row) and ``c`` (customer row), unique pairs.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 12, rng), parties.customers(p, 30, rng)
    >>> pairs = sells_to(P, C, p.regions, rng)
    >>> list(pairs.columns), bool(pairs.duplicated().any())
    (['p', 'c'], False)
    >>> bool((P["partner_type"].to_numpy()[pairs["p"]] == "distributor").any())
    False
    """
    buyers = np.flatnonzero(customers["status"].to_numpy() == "customer")
    region_of = pd.Categorical(customers["region"].to_numpy()[buyers], categories=regions).codes
    order = np.argsort(region_of, kind="stable")
    buyers, region_of = buyers[order], region_of[order]
    starts = np.searchsorted(region_of, np.arange(len(regions)))
    counts = np.bincount(region_of, minlength=len(regions))
    size = partners["size"].to_numpy()
    is_dist = partners["partner_type"].to_numpy() == "distributor"
    size = np.where(is_dist, 0.0, size)  # distributors sell to partners, not customers
    total = int(per_customer * len(buyers))
    degree = np.maximum(1, np.round(total * size / size.sum())).astype(np.int64)
    degree[is_dist] = 0
    p = np.repeat(np.arange(len(partners)), degree)
    home = pd.Categorical([r[0] for r in partners["regions"]], categories=regions).codes
    other = np.array([regions.index(r[-1]) for r in partners["regions"]])
    roll = rng.random(len(p))
    region = np.where(roll < 0.85, home[p], np.where(roll < 0.95, other[p],
                                                       rng.integers(0, len(regions), len(p))))
    region = np.where(counts[region] > 0, region, home[p])
    ok = counts[region] > 0
    p, region = p[ok], region[ok]
    c = buyers[starts[region] + (rng.random(len(p)) * counts[region]).astype(np.int64)]
    pairs = np.unique(p.astype(np.int64) * len(customers) + c)
    return pd.DataFrame({"p": pairs // len(customers), "c": pairs % len(customers)})


def shared_customers(edges: pd.DataFrame, n_partners: int, n_customers: int) -> sp.csr_matrix:
    """Partner × partner counts of shared customers (B·Bᵀ, diagonal zeroed).

    Parameters
    ----------
    edges : pandas.DataFrame
        Unique sold-to pairs: codes ``p`` (partner row) and ``c`` (customer row).
    n_partners : int
        How many partners (rows and columns of the result).
    n_customers : int
        How many customers.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n_partners × n_partners``, symmetric.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"p": [0, 0, 1, 1, 2], "c": [0, 1, 0, 1, 1]})
    >>> shared_customers(edges, 3, 2).toarray()
    array([[0., 2., 1.],
           [2., 0., 1.],
           [1., 1., 0.]])
    """
    B = sp.csr_matrix((np.ones(len(edges)), (edges["p"], edges["c"])),
                      shape=(n_partners, n_customers))
    S = (B @ B.T).tocsr()
    S.setdiag(0)
    S.eliminate_zeros()
    return S


def cosell_pairs(edges: pd.DataFrame, n_partners: int, n_customers: int,
                 rng: np.random.Generator, *, exclude: set[tuple[int, int]]) -> np.ndarray:
    """Partner pairs that co-sell: most pairs with a large overlap, a few at random.

    Pairs are drawn among partners who share customers, without replacement,
    weighted by the square of their overlap; at most ``2 * n_partners`` of them.

    Parameters
    ----------
    edges : pandas.DataFrame
        Unique sold-to pairs: codes ``p`` and ``c``.
    n_partners : int
        How many partners.
    n_customers : int
        How many customers.
    rng : numpy.random.Generator
        The random generator.
    exclude : set of tuple of (int, int)
        Partner pairs (either order) that must not co-sell.

    Returns
    -------
    numpy.ndarray
        An ``(k, 2)`` array of partner codes with ``a < b``; pairs in
        ``exclude`` never appear.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> edges = pd.DataFrame({"p": [0, 0, 1, 1, 2], "c": [0, 1, 0, 1, 1]})
    >>> cosell_pairs(edges, 3, 2, np.random.default_rng(0), exclude={(1, 0)})
    array([[1, 2],
           [0, 2]])
    """
    S = sp.triu(shared_customers(edges, n_partners, n_customers), k=1).tocoo()
    pairs = np.column_stack([S.row, S.col]).astype(np.int64)
    if exclude:
        codes = pairs[:, 0] * n_partners + pairs[:, 1]
        banned = [min(a, b) * n_partners + max(a, b) for a, b in exclude]
        keep = ~np.isin(codes, banned)
        pairs, overlap = pairs[keep], S.data[keep]
    else:
        overlap = S.data
    # Gumbel top-k: a weighted sample without replacement, favouring big overlaps.
    k = min(len(pairs), 2 * n_partners)
    keys = 2.0 * np.log(overlap) + rng.gumbel(size=len(overlap))
    return pairs[np.argsort(-keys)[:k]]


def deals(partners: pd.DataFrame, customers: pd.DataFrame, edges: pd.DataFrame,
          products: pd.DataFrame, p: Profile, rng: np.random.Generator,
          *, rate: float = 0.9) -> pd.DataFrame:
    """A year of deal registrations on sold-to pairs, plus open deals on prospects.

    Deals registered late in the year, and most deals on prospects, are still
    open (``registered`` or ``approved``, no ``closed`` date); the other deals
    on sold-to pairs are won with the partner's hidden ``quality`` as
    probability, else lost, and a closed deal on a prospect is lost.

    Parameters
    ----------
    partners : pandas.DataFrame
        Partners (``partner_type``, ``quality``).
    customers : pandas.DataFrame
        Customers (``status``, ``segment``).
    edges : pandas.DataFrame
        Sold-to pairs: codes ``p`` and ``c``.
    products : pandas.DataFrame
        The ``products`` table (``id``).
    p : Profile
        The domain (not used by the draw).
    rng : numpy.random.Generator
        The random generator.
    rate : float, default 0.9
        Deals per sold-to pair, on average (Poisson).

    Returns
    -------
    pandas.DataFrame
        ``p, c, product, registered, closed, status, amount``, one row per deal.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 12, rng), parties.customers(p, 30, rng)
    >>> D = deals(P, C, sells_to(P, C, p.regions, rng), parties.catalogue(p)["products"], p, rng)
    >>> sorted(D["status"].unique())
    ['approved', 'lost', 'registered', 'won']
    >>> D["closed"].isna().equals(D["status"].isin(["registered", "approved"]))
    True
    """
    n_on_edge = rng.poisson(rate, len(edges))
    dp = np.repeat(edges["p"].to_numpy(), n_on_edge)
    dc = np.repeat(edges["c"].to_numpy(), n_on_edge)
    prospects = np.flatnonzero(customers["status"].to_numpy() == "prospect")
    sellers = np.flatnonzero(partners["partner_type"].to_numpy() != "distributor")
    pp = sellers[rng.integers(0, len(sellers), len(prospects))]
    dp = np.concatenate([dp, pp])
    dc = np.concatenate([dc, prospects])
    n = len(dp)
    registered = rng.integers(0, 365, n)
    quality = partners["quality"].to_numpy()[dp]
    is_prospect = np.concatenate([np.zeros(n - len(prospects), bool), np.ones(len(prospects), bool)])
    still_open = (registered > 300) | is_prospect & (rng.random(n) < 0.7)
    won = ~still_open & ~is_prospect & (rng.random(n) < quality)
    status = np.where(still_open, np.where(rng.random(n) < 0.5, "registered", "approved"),
                      np.where(won, "won", "lost"))
    closed = np.minimum(registered + rng.integers(10, 90, n), 364)
    scale = {"enterprise": 120_000.0, "public_sector": 60_000.0}
    base = customers["segment"].map(scale).fillna(20_000.0).to_numpy()[dc]
    amount = np.round(base * rng.lognormal(0.0, 0.6, n), -2)
    product = rng.integers(0, len(products), n)
    return pd.DataFrame({
        "p": dp, "c": dc, "product": products["id"].to_numpy()[product],
        "registered": START + pd.to_timedelta(registered, unit="D"),
        "closed": (START + pd.to_timedelta(closed, unit="D")).where(~still_open),
        "status": status, "amount": amount,
    })
