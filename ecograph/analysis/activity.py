"""Partner activity: what each partner did up to a day, from its deal registrations
and co-selling. Shared by co-selling (ranker features), coverage (performance
weights) and partner assessment.

>>> from ecograph import load_bundle
>>> kpis = partner_activity(load_bundle("fixtures/it_ecosystem"), as_of="2025-06-30")
>>> list(kpis.columns[:5])
['id', 'name', 'kind', 'deals', 'won_deals']
"""

from __future__ import annotations

import pandas as pd

from ..dates import AsOf, in_force, on_or_before, timestamp
from ..ecosystem import Ecosystem
from ..ties import partner_accounts

__all__ = ["partner_activity"]


def partner_activity(eco: Ecosystem, *, as_of: AsOf = None) -> pd.DataFrame:
    """Each partner's deal and co-selling activity as of the end of a day.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (:mod:`ecograph.dates`): registrations on or before it,
        outcomes of deals closed on or before it; ``None``: the reference date.

    Returns
    -------
    pandas.DataFrame
        One row per partner, in the partners table's order: ``id, name, kind,
        deals`` registered, ``won_deals``, ``won_amount``, ``accounts`` (customers
        with a registration), ``win_rate`` (smoothed: ``(won + 1) / (closed +
        2)``), ``cosell_partners`` (distinct partners it co-sells with: a
        relationship in force or a co-sold deal), ``cosold_deals`` and
        ``cosold_won`` (deals it co-sold, as registrant or as the named co-sell
        partner, and how many of those were won).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> kpis = partner_activity(load_bundle("fixtures/it_ecosystem"))
    >>> bool((kpis["win_rate"].between(0, 1)).all())
    True
    """
    day = timestamp(as_of) if as_of is not None else eco.reference_date
    ids = pd.Index(eco.partners["id"], name="id")
    ties = partner_accounts(eco, as_of=day)
    g = ties.groupby("partner")
    out = pd.DataFrame({"deals": g["deals"].sum(), "won_deals": g["won_deals"].sum(),
                        "closed": g["closed_deals"].sum(), "won_amount": g["won_amount"].sum(),
                        "accounts": (ties["deals"] > 0).groupby(ties["partner"]).sum()})
    out = out.reindex(ids, fill_value=0)
    out["win_rate"] = (out["won_deals"] + 1) / (out["closed"] + 2)
    rel = eco.relationships
    co = rel[(rel["type"] == "co_sells_with") & in_force(rel, day)]
    d = eco.deals[on_or_before(eco.deals["registered"], day, missing=False)]
    cd = d[d["cosell_partner"].notna()]
    won = cd["closed"].notna() & (cd["closed"] <= day) & (cd["status"] == "won")
    pairs = pd.DataFrame({"a": pd.concat([co["source"], cd["partner"]]),
                          "b": pd.concat([co["target"], cd["cosell_partner"]])})
    both = pd.concat([pairs, pairs.rename(columns={"a": "b", "b": "a"})]).drop_duplicates()
    out["cosell_partners"] = both.groupby("a").size().reindex(out.index, fill_value=0)
    sides = pd.concat([cd[["partner"]].assign(won=won),
                       cd[["cosell_partner"]].rename(columns={"cosell_partner": "partner"})
                       .assign(won=won)])
    counts = sides.groupby("partner")["won"].agg(["size", "sum"])
    out["cosold_deals"] = counts["size"].reindex(out.index, fill_value=0)
    out["cosold_won"] = counts["sum"].reindex(out.index, fill_value=0)
    out = out.drop(columns="closed").reset_index()
    out.insert(1, "name", eco.partners["name"].to_numpy())
    out.insert(2, "kind", "partner")
    return out
