"""Planted ground truth: structure put into a synthetic ecosystem on purpose,
so analyses can be tested against what is really there."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .profiles import Profile

__all__ = ["plant_gap", "plant_broker", "plant_pairs", "assign_tiers", "plant_audit_discrepancy",
           "SHARED_CUSTOMERS"]

SHARED_CUSTOMERS = 15  # customers each planted pair shares
_SELLERS = ("reseller", "msp", "system_integrator")


def plant_gap(p: Profile, partners: pd.DataFrame, customers: pd.DataFrame,
              rng: np.random.Generator) -> dict:
    """A region × segment × capability with demand and no capable partner.

    The capability is removed from every partner serving the region, and
    only customers of that segment there ask for it.

    Parameters
    ----------
    p : Profile
        The domain.
    partners : pandas.DataFrame
        Partners; their ``capabilities`` and ``certifications`` are changed in place.
    customers : pandas.DataFrame
        Customers; their ``needs`` (and, when the cell has fewer than 8
        customers, the ``segment`` of up to 8 more there) are changed in place.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    dict
        ``region``, ``segment``, ``capability``, ``customers_in_need`` and ``why``.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 20, rng), parties.customers(p, 60, rng)
    >>> gap = plant_gap(p, P, C, rng)
    >>> serving = P["regions"].map(lambda r: gap["region"] in r)
    >>> any(gap["capability"] in caps for caps in P.loc[serving, "capabilities"])
    False
    """
    needed = sorted({c for prod in p.products for c in prod[3]})
    capability = needed[rng.integers(0, len(needed))]
    region = p.regions[rng.integers(1, len(p.regions))]
    segment = p.segments[rng.integers(0, len(p.segments))]
    serving = partners["regions"].map(lambda r: region in r)
    for col in ("capabilities", "certifications"):
        partners.loc[serving, col] = partners.loc[serving, col].map(
            lambda caps: tuple(c for c in caps if c != capability))
    here = customers["region"] == region
    in_cell = here & (customers["segment"] == segment) & (customers["status"] == "customer")
    if in_cell.sum() < 8:  # make the cell big enough to matter
        extra = customers.index[here & ~in_cell & (customers["status"] == "customer")][:8]
        customers.loc[extra, "segment"] = segment
        in_cell = here & (customers["segment"] == segment) & (customers["status"] == "customer")
    customers.loc[here, "needs"] = customers.loc[here, "needs"].map(
        lambda caps: tuple(c for c in caps if c != capability))
    customers.loc[in_cell, "needs"] = customers.loc[in_cell, "needs"].map(
        lambda caps: tuple(sorted({*caps, capability})))
    return {"region": region, "segment": segment, "capability": capability,
            "customers_in_need": int(in_cell.sum()),
            "why": "no partner serving the region holds the capability"}


def plant_broker(p: Profile, partners: pd.DataFrame, rng: np.random.Generator) -> int:
    """A partner serving every region, who will co-sell across all of them.

    A system integrator or technology partner is picked; its ``regions``
    become every region (home first) and its ``size`` the median, in place.

    Parameters
    ----------
    p : Profile
        The domain.
    partners : pandas.DataFrame
        Partners (``partner_type``, ``regions``, ``size``); changed in place.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    int
        The broker's row in ``partners``.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P = parties.partners(p, 20, rng)
    >>> b = plant_broker(p, P, rng)
    >>> sorted(P.at[b, "regions"]) == sorted(p.regions)
    True
    """
    pool = np.flatnonzero(partners["partner_type"].isin(["system_integrator", "technology"]))
    b = int(pool[rng.integers(0, len(pool))])
    home = partners.at[b, "regions"][0]
    partners.at[b, "regions"] = (home, *[r for r in p.regions if r != home])
    partners.at[b, "size"] = float(np.median(partners["size"]))
    return b


def plant_pairs(p: Profile, partners: pd.DataFrame, customers: pd.DataFrame,
                rng: np.random.Generator, *, avoid_region: str, avoid: set[int],
                gap_capability: str, n_pairs: int = 3) -> tuple[pd.DataFrame, list[dict]]:
    """Partner pairs with complementary capabilities who share many customers
    but never co-sold.

    Each pair is two selling partners of one region, given disjoint
    capabilities; up to :data:`SHARED_CUSTOMERS` customers there then need one
    capability of each. That they never co-sold is up to the caller
    (:func:`~ecograph.synth.activity.cosell_pairs` ``exclude``).

    Parameters
    ----------
    p : Profile
        The domain.
    partners : pandas.DataFrame
        Partners; the pairs' ``regions``, ``capabilities``,
        ``certifications`` and ``size`` are changed in place.
    customers : pandas.DataFrame
        Customers; the shared customers' ``needs`` are changed in place.
    rng : numpy.random.Generator
        The random generator.
    avoid_region : str
        A region to plant no pair in (the coverage gap's).
    avoid : set of int
        Partner rows not to use (the broker).
    gap_capability : str
        A capability not to give the pairs (the coverage gap's).
    n_pairs : int, default 3
        How many pairs.

    Returns
    -------
    shared : pandas.DataFrame
        The pairs' shared sold-to pairs (``p``, ``c`` codes).
    pairs : list of dict
        A description of each planted pair: partner rows ``a`` and ``b``,
        ``region``, ``shared_customers``, ``capabilities_a``, ``capabilities_b``.

    Raises
    ------
    ParameterError
        When there are too few selling partners to plant ``n_pairs`` pairs.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 20, rng), parties.customers(p, 60, rng)
    >>> shared, pairs = plant_pairs(p, P, C, rng, avoid_region="APAC", avoid=set(),
    ...                             gap_capability="ai_ml", n_pairs=1)
    >>> list(shared.columns), len(pairs)
    (['p', 'c'], 1)
    >>> set(pairs[0]["capabilities_a"]) & set(pairs[0]["capabilities_b"])
    set()
    """
    caps = [c[0] for c in p.capabilities if c[0] != gap_capability]
    regions = [r for r in p.regions if r != avoid_region]
    home = partners["regions"].map(lambda r: r[0])
    used = set(avoid)
    pairs, extra = [], []
    for region in [*regions, *regions]:  # a second pass plants a second pair in a region
        if len(pairs) == n_pairs:
            break
        cand = [i for i in np.flatnonzero((home == region) & partners["partner_type"].isin(_SELLERS))
                if i not in used]
        if len(cand) < 2:
            continue
        a, b = (int(x) for x in rng.choice(cand, 2, replace=False))
        used |= {a, b}
        partners.at[a, "regions"] = partners.at[b, "regions"] = (region,)
        picked = rng.choice(caps, 4, replace=False)
        partners.at[a, "capabilities"] = partners.at[a, "certifications"] = tuple(sorted(picked[:2]))
        partners.at[b, "capabilities"] = partners.at[b, "certifications"] = tuple(sorted(picked[2:]))
        partners.loc[[a, b], "size"] = 1.0
        buyers = np.flatnonzero((customers["region"] == region) & (customers["status"] == "customer"))
        shared = rng.choice(buyers, min(SHARED_CUSTOMERS, len(buyers)), replace=False)
        for c in shared:
            customers.at[c, "needs"] = tuple(sorted({picked[0], picked[2]}))
        extra.append(pd.DataFrame({"p": np.repeat([a, b], len(shared)), "c": np.tile(shared, 2)}))
        pairs.append({"a": a, "b": b, "region": region, "shared_customers": len(shared),
                      "capabilities_a": list(partners.at[a, "capabilities"]),
                      "capabilities_b": list(partners.at[b, "capabilities"])})
    if len(pairs) < n_pairs:
        raise ParameterError(f"too few selling partners to plant {n_pairs} co-sell pairs; "
                         "generate more partners")
    return pd.concat(extra, ignore_index=True), pairs


def assign_tiers(partners: pd.DataFrame, won: pd.Series, *, avoid: set[int]) -> dict:
    """Tier partners by revenue won (top 10% platinum, next 20% gold, next 30%
    silver), then plant one mis-tiered partner: a bottom performer made platinum.

    The rest are ``registered``; the mis-tiered partner is the selling
    (non-distributor) partner with the lowest revenue outside ``avoid``.

    Parameters
    ----------
    partners : pandas.DataFrame
        Partners (``partner_type``); ``tier`` is set in place.
    won : pandas.Series
        Revenue won per partner row (missing rows count as 0).
    avoid : set of int
        Partner rows that must not be the mis-tiered one.

    Returns
    -------
    dict
        The mis-tiered partner: its row ``index``, ``tier``, ``expected_tier``
        and ``won_amount``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> P = pd.DataFrame({"partner_type": ["reseller"] * 10})
    >>> assign_tiers(P, pd.Series(1000.0 * np.arange(1, 11)), avoid=set())
    {'index': 0, 'tier': 'platinum', 'expected_tier': 'registered', 'won_amount': 1000.0}
    >>> P["tier"].tolist()
    ['platinum', 'registered', 'registered', 'registered', 'silver', 'silver', 'silver', 'gold', 'gold',
     'platinum']
    """
    rank = won.reindex(partners.index, fill_value=0.0).rank(pct=True, method="first")
    partners["tier"] = np.select([rank > 0.9, rank > 0.7, rank > 0.4],
                                 ["platinum", "gold", "silver"], "registered")
    sellers = partners.index[(partners["partner_type"] != "distributor")
                             & ~partners.index.isin(list(avoid))]
    worst = int(rank[sellers].idxmin())
    partners.at[worst, "tier"] = "platinum"
    return {"index": worst, "tier": "platinum", "expected_tier": "registered",
            "won_amount": float(won.get(worst, 0.0))}


def plant_audit_discrepancy(audits: pd.DataFrame, parties: set[str], counted_skus: set[str],
                            *, shortfall: int = 2) -> dict:
    """Make one year-end count come up ``shortfall`` units short of the ledger.

    The largest count of a counted SKU at one of ``parties`` is lowered, in place.

    Parameters
    ----------
    audits : pandas.DataFrame
        The ``audits`` table, every count matching the ledger; changed in place.
    parties : set of str
        Parties whose count may be changed.
    counted_skus : set of str
        SKUs counted in whole units.
    shortfall : int, default 2
        Units missing from the count.

    Returns
    -------
    dict
        ``audit``, ``party``, ``sku``, ``date``, ``ledger_units``, ``counted``
        and ``discrepancy``.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame({"id": ["A1", "A2"], "date": pd.to_datetime(["2025-12-31"] * 2),
    ...                   "party": ["P1", "P2"], "sku": ["SRV", "SRV"], "counted": [5.0, 9.0]})
    >>> plant_audit_discrepancy(A, {"P1", "P2"}, {"SRV"})["discrepancy"]
    -2
    >>> A["counted"].tolist()
    [5.0, 7.0]
    """
    ok = audits["party"].isin(parties) & audits["sku"].isin(counted_skus) & (audits["counted"] > shortfall)
    row = audits.index[ok][int(np.argmax(audits.loc[ok, "counted"].to_numpy()))]
    expected = float(audits.at[row, "counted"])
    audits.at[row, "counted"] = expected - shortfall
    return {"audit": audits.at[row, "id"], "party": audits.at[row, "party"],
            "sku": audits.at[row, "sku"], "date": str(audits.at[row, "date"].date()),
            "ledger_units": expected, "counted": expected - shortfall, "discrepancy": -shortfall}
