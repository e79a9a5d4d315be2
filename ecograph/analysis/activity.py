"""Partner activity: what each partner did up to a date, from its deal registrations
and co-selling. Shared by co-selling (ranker features), coverage (performance
weights) and, later, partner assessment.

>>> from ecograph import load_bundle
>>> kpis = partner_activity(load_bundle("fixtures/it_ecosystem"), as_of="2025-07-01")
>>> list(kpis.columns[:4])
['partner', 'deals', 'won_deals', 'won_amount']
"""

from __future__ import annotations

import pandas as pd

__all__ = ["partner_activity"]


def partner_activity(eco, *, as_of=None) -> pd.DataFrame:
    """Each partner's activity up to ``as_of``: ``deals`` registered,
    ``won_deals``, smoothed ``win_rate`` ((won + 1) / (closed + 2)),
    ``won_amount``, ``accounts`` worked, ``cosell_partners``, and
    ``cosold_deals`` / ``cosold_won``: deals it co-sold (as registrant or as
    the named co-sell partner) and how many of those were won.

    >>> from ecograph import load_bundle
    >>> kpis = partner_activity(load_bundle("fixtures/it_ecosystem"))
    >>> bool((kpis["win_rate"].between(0, 1)).all())
    True
    """
    if as_of is None:  # everything known: the status says what closed
        t, d = pd.Timestamp.max, eco.deals
        closed = d["status"].isin(["won", "lost"])
    else:  # only registrations before the date; outcomes only if closed before it
        t = pd.Timestamp(as_of)
        d = eco.deals[eco.deals["registered"] < t]
        closed = d["closed"].notna() & (d["closed"] < t)
    won = closed & (d["status"] == "won")
    by = d.assign(closed_=closed, won_=won, amount_=d["amount"].fillna(0.0).where(won, 0.0))
    g = by.groupby("partner")
    out = pd.DataFrame({"deals": g.size(), "won_deals": g["won_"].sum(),
                        "closed": g["closed_"].sum(), "won_amount": g["amount_"].sum(),
                        "accounts": g["customer"].nunique()})
    out = out.reindex(eco.partners["id"], fill_value=0)
    out["win_rate"] = (out["won_deals"] + 1) / (out["closed"] + 2)
    rel = eco.relationships
    co = rel[(rel["type"] == "co_sells_with") & (rel["start"].isna() | (rel["start"] < t))]
    cd = d[d["cosell_partner"].notna()]
    pairs = pd.DataFrame({"a": pd.concat([co["source"], cd["partner"]]),
                          "b": pd.concat([co["target"], cd["cosell_partner"]])})
    both = pd.concat([pairs, pairs.rename(columns={"a": "b", "b": "a"})]).drop_duplicates()
    out["cosell_partners"] = both.groupby("a").size().reindex(out.index, fill_value=0)
    sides = pd.concat([cd[["partner"]].assign(won=won[cd.index]),
                       cd[["cosell_partner"]].rename(columns={"cosell_partner": "partner"})
                       .assign(won=won[cd.index])])
    counts = sides.groupby("partner")["won"].agg(["size", "sum"])
    out["cosold_deals"] = counts["size"].reindex(out.index, fill_value=0)
    out["cosold_won"] = counts["sum"].reindex(out.index, fill_value=0)
    return out.drop(columns="closed").rename_axis("partner").reset_index()
