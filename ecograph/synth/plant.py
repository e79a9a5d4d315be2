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
    """A partner serving every region, who will co-sell across all of them."""
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
    but never co-sold. Returns their shared sold-to pairs (``p``, ``c`` codes)
    and a description of each planted pair."""
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
    silver), then plant one mis-tiered partner: a bottom performer made platinum."""
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
    """Make one year-end count come up ``shortfall`` units short of the ledger."""
    ok = audits["party"].isin(parties) & audits["sku"].isin(counted_skus) & (audits["counted"] > shortfall)
    row = audits.index[ok][int(np.argmax(audits.loc[ok, "counted"].to_numpy()))]
    expected = float(audits.at[row, "counted"])
    audits.at[row, "counted"] = expected - shortfall
    return {"audit": audits.at[row, "id"], "party": audits.at[row, "party"],
            "sku": audits.at[row, "sku"], "date": str(audits.at[row, "date"].date()),
            "ledger_units": expected, "counted": expected - shortfall, "discrepancy": -shortfall}
