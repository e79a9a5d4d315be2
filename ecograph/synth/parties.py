"""Synthetic parties: the company, partners, customers, suppliers and catalogue tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .profiles import Profile

__all__ = ["names", "catalogue", "partners", "customers", "suppliers", "heavy_tail"]


def heavy_tail(rng: np.random.Generator, n: int, *, alpha: float = 1.2, cap: float = 500.0) -> np.ndarray:
    """Pareto-distributed sizes (>= 1), like partner reach in real channel ecosystems.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random generator.
    n : int
        How many sizes.
    alpha : float, default 1.2
        The Pareto tail index (smaller: heavier tail).
    cap : float, default 500.0
        The largest size returned.

    Returns
    -------
    numpy.ndarray
        ``n`` floats between 1 and ``cap``.

    Examples
    --------
    >>> import numpy as np
    >>> sizes = heavy_tail(np.random.default_rng(0), 1000)
    >>> bool(sizes.min() >= 1 and sizes.max() <= 500), bool(np.median(sizes) < sizes.mean())
    (True, True)
    """
    return np.minimum((1.0 - rng.random(n)) ** (-1.0 / alpha), cap)


def names(words: tuple[tuple[str, ...], tuple[str, ...]], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct names from two word lists (numbered once the pairs run out).

    Parameters
    ----------
    words : tuple of (tuple of str, tuple of str)
        First words and second words; a name is one of each.
    n : int
        How many names.
    rng : numpy.random.Generator
        The random generator (the order of the pairs).

    Returns
    -------
    list of str
        ``n`` distinct names.

    Examples
    --------
    >>> import numpy as np
    >>> names((("Apex", "Blue"), ("Labs",)), 3, np.random.default_rng(0))
    ['Apex Labs', 'Blue Labs', 'Apex Labs 2']
    """
    first, second = words
    pairs = [f"{a} {b}" for a in first for b in second]
    order = rng.permutation(len(pairs))
    out = [pairs[i] for i in order[: min(n, len(pairs))]]
    k = 2
    while len(out) < n:
        out += [f"{pairs[i]} {k}" for i in order[: n - len(out)]]
        k += 1
    return out


def catalogue(p: Profile) -> dict[str, pd.DataFrame]:
    """Company, capabilities, products and asset classes of the domain.

    Parameters
    ----------
    p : Profile
        The domain.

    Returns
    -------
    dict of str to pandas.DataFrame
        The ``company``, ``capabilities``, ``products`` and ``asset_classes`` tables.

    Examples
    --------
    >>> from ecograph.synth import PROFILES
    >>> {name: len(t) for name, t in catalogue(PROFILES["it"]).items()}
    {'company': 1, 'capabilities': 10, 'products': 7, 'asset_classes': 4}
    """
    return {
        "company": pd.DataFrame({"id": [p.company_id], "name": [p.company_name],
                                 "industry": [p.industry], "region": [p.regions[0]]}),
        "capabilities": pd.DataFrame(list(p.capabilities), columns=["id", "name", "category"]),
        "products": pd.DataFrame({
            "id": [x[0] for x in p.products], "name": [x[1] for x in p.products],
            "category": [x[2] for x in p.products], "capabilities": [x[3] for x in p.products],
            "sku": [x[4] or None for x in p.products]}),
        "asset_classes": pd.DataFrame({
            "sku": [a[0] for a in p.assets], "name": [a[1] for a in p.assets],
            "unit": [a[2] for a in p.assets], "category": [a[3] for a in p.assets],
            "counted": pd.array([a[4] for a in p.assets], dtype="boolean"),
            "inputs": [a[5] for a in p.assets],
            "unit_value": [p.unit_values.get(a[0], float("nan")) for a in p.assets]}),
    }


def partners(p: Profile, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` partners with type, home region first in ``regions``, capabilities and a
    hidden ``size`` (reach) and ``quality`` (win propensity) that drive their activity.

    The first two are distributors; every partner starts at tier ``registered``.

    Parameters
    ----------
    p : Profile
        The domain.
    n : int
        How many partners.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    pandas.DataFrame
        The ``partners`` columns plus ``size`` and ``quality`` (dropped before
        the table is written).

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES
    >>> P = partners(PROFILES["it"], 5, np.random.default_rng(0))
    >>> P["id"].tolist()
    ['P00001', 'P00002', 'P00003', 'P00004', 'P00005']
    >>> P["partner_type"].tolist()[:2], P.columns[-2:].tolist()
    (['distributor', 'distributor'], ['size', 'quality'])
    """
    types = np.array(list(p.partner_types))
    share = np.array(list(p.partner_types.values()))
    kind = rng.choice(types, size=n, p=share / share.sum())
    kind[: 2] = "distributor"  # every ecosystem has at least two
    n_regions = len(p.regions)
    home = np.arange(n) % n_regions
    rng.shuffle(home)
    extra = (home + 1 + rng.integers(0, n_regions - 1, n)) % n_regions
    wide = (rng.random(n) < 0.15) | (kind == "distributor")
    regions = [(p.regions[h], p.regions[e]) if w else (p.regions[h],)
               for h, e, w in zip(home, extra, wide, strict=True)]
    caps = np.array([c[0] for c in p.capabilities])
    n_caps = rng.integers(2, 5, n)
    picks = np.argsort(rng.random((n, len(caps))), axis=1)
    capabilities = [tuple(sorted(caps[picks[i, : n_caps[i]]])) for i in range(n)]
    certified = rng.random((n, len(caps))) < 0.6
    certifications = [tuple(c for j, c in enumerate(caps[picks[i, : n_caps[i]]])
                            if certified[i, j]) for i in range(n)]
    joined = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    return pd.DataFrame({
        "id": [f"P{i:05d}" for i in range(1, n + 1)],
        "name": names(p.words, n, rng),
        "partner_type": kind,
        "tier": "registered",
        "regions": regions,
        "capabilities": capabilities,
        "certifications": [tuple(sorted(c)) for c in certifications],
        "joined": joined,
        "size": heavy_tail(rng, n),
        "quality": rng.beta(2.0, 2.5, n),
    })


def customers(p: Profile, m: int, rng: np.random.Generator) -> pd.DataFrame:
    """``m`` customers and prospects spread over regions and segments.

    About 80% are customers, the rest prospects; each needs one or two capabilities.

    Parameters
    ----------
    p : Profile
        The domain.
    m : int
        How many customers and prospects.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    pandas.DataFrame
        The ``customers`` table.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES
    >>> C = customers(PROFILES["it"], 8, np.random.default_rng(0))
    >>> C.shape, set(C["status"]) <= {"customer", "prospect"}
    ((8, 8), True)
    """
    weights = rng.dirichlet(np.full(len(p.regions), 8.0))
    region = rng.choice(len(p.regions), size=m, p=weights)
    segment = rng.integers(0, len(p.segments), m)
    employees = np.round(rng.lognormal(5.5, 1.4, m)).astype(np.int64) + 5
    caps = np.array([c[0] for c in p.capabilities])
    need = rng.integers(0, len(caps), (m, 2))
    two = rng.random(m) < 0.4
    needs = [tuple(sorted({caps[a], caps[b]})) if t else (caps[a],)
             for a, b, t in zip(need[:, 0], need[:, 1], two, strict=True)]
    return pd.DataFrame({
        "id": [f"C{i:07d}" for i in range(1, m + 1)],
        "name": [f"Account {i:07d}" for i in range(1, m + 1)],
        "status": np.where(rng.random(m) < 0.8, "customer", "prospect"),
        "segment": np.array(p.segments)[segment],
        "industry": np.array(p.industries)[rng.integers(0, len(p.industries), m)],
        "region": np.array(p.regions)[region],
        "employees": pd.array(employees, dtype="Int64"),
        "needs": needs,
    })


def suppliers(p: Profile, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Suppliers: S0001 is the planted chokepoint (sole source of the chokepoint SKU),
    S0002 its exclusive raw-material supplier, S0003/S0004 dual-source the other
    inputs, S0005 supplies raw material to them, the rest are tier-2 and logistics.

    Parameters
    ----------
    p : Profile
        The domain.
    n : int
        How many suppliers (at least six are made).
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    pandas.DataFrame
        The ``suppliers`` table.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES
    >>> S = suppliers(PROFILES["it"], 3, np.random.default_rng(0))
    >>> S["id"].tolist()
    ['S0001', 'S0002', 'S0003', 'S0004', 'S0005', 'S0006']
    >>> S["supply_tier"].tolist()[:5]
    [1, 2, 1, 1, 2]
    """
    n = max(n, 6)
    roles = ["component", "raw_material", "component", "component", "raw_material"]
    roles += list(rng.choice(["raw_material", "logistics", "contract_manufacturer"], n - 5))
    tier = [1, 2, 1, 1, 2] + [2] * (n - 5)
    return pd.DataFrame({
        "id": [f"S{i:04d}" for i in range(1, n + 1)],
        "name": names(p.supplier_words, n, rng),
        "supplier_type": roles,
        "region": np.array(p.regions)[rng.integers(0, len(p.regions), n)],
        "supply_tier": pd.array(tier, dtype="Int64"),
    })
