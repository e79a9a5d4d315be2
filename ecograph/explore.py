"""Exploring one partner: the partners most like it, and two partners side by side.

To look at one region, segment or group of partners, cut the ecosystem with
:meth:`ecograph.Ecosystem.subset`; every function here (and every analysis)
accepts the result.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
>>> similar_partners(eco, "P00023", top=3)["id"].tolist()[0] != "P00023"
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .analysis.assessment import partner_health, partner_kpis
from .analysis.segments import SEGMENT_FEATURES, _standardised
from .dates import AsOf
from .ecosystem import Ecosystem
from .errors import ParameterError
from .ties import partner_accounts
from .wording import party_label

__all__ = ["similar_partners", "compare_partners"]


def _partner(eco: Ecosystem, party, what: str) -> str:
    """``party`` checked: a string naming a partner of ``eco``."""
    if not isinstance(eco, Ecosystem):
        raise TypeError(f"eco must be an Ecosystem (ecograph.load_bundle); got {type(eco).__name__}")
    if not isinstance(party, str):
        raise TypeError(f"{what} must be a partner id (str); got {type(party).__name__} {party!r}")
    if party not in set(eco.partners["id"]):
        raise ParameterError(f"{what}: {party!r} is not a partner id of {eco.source or 'the ecosystem'}")
    return party


def _jaccard(a: list, b: list) -> float:
    a, b = set(a or ()), set(b or ())
    return len(a & b) / len(a | b) if a | b else 0.0


def similar_partners(eco: Ecosystem, partner: str, *, top: int = 10, as_of: AsOf = None) -> pd.DataFrame:
    """The partners most like ``partner``: in performance, capabilities and regions.

    ``similarity`` is the mean of three parts, each in [0, 1]:
    ``profile`` = 1 / (1 + distance) between the partners' standardised KPIs
    (the features of :func:`~ecograph.analysis.segments.segment_partners`,
    per partner), ``capability_overlap`` and ``region_overlap`` (Jaccard of
    capabilities and of regions served). ``shared_customers`` counts the
    customers both serve (evidence, not part of the score).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem (or a :meth:`~ecograph.Ecosystem.subset` of it).
    partner : str
        A partner id.
    top : int, default 10
        How many partners to return.
    as_of : str, date or None
        KPIs as of the end of this day (default: every record).

    Returns
    -------
    pandas.DataFrame
        ``id, name, similarity, profile, capability_overlap, region_overlap,
        shared_customers, partner_type, tier, why``, most similar first.

    Raises
    ------
    TypeError
        ``eco`` is not an Ecosystem or ``partner`` not a string.
    ParameterError
        ``partner`` is not a partner of ``eco``.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> similar_partners(eco, "P1")[["id", "name"]].values.tolist()
    [['P2', 'Delta Distribution'], ['P3', 'Echo Referrals']]
    """
    partner = _partner(eco, partner, "partner")
    kpis = partner_kpis(eco, as_of=as_of).set_index("id").reindex(eco.partners["id"]).reset_index()
    feats = [f for f in SEGMENT_FEATURES if f in kpis.columns]
    X = _standardised(kpis, feats).to_numpy()
    me = int(np.flatnonzero(kpis["id"].to_numpy() == partner)[0])
    profile = 1.0 / (1.0 + np.sqrt(((X - X[me]) ** 2).sum(axis=1)) / np.sqrt(max(len(feats), 1)))
    p = eco.partners.set_index("id").loc[kpis["id"]]
    caps = [_jaccard(c, p["capabilities"].iat[me]) for c in p["capabilities"]]
    regions = [_jaccard(r, p["regions"].iat[me]) for r in p["regions"]]
    ties = partner_accounts(eco, as_of=as_of)
    mine = set(ties.loc[ties["partner"] == partner, "customer"])
    shared = ties[ties["customer"].isin(mine)].groupby("partner")["customer"].nunique()
    out = pd.DataFrame({"id": kpis["id"], "name": p["name"].to_numpy(), "profile": profile,
                        "capability_overlap": caps, "region_overlap": regions,
                        "shared_customers": shared.reindex(kpis["id"]).fillna(0).astype("int64").to_numpy(),
                        "partner_type": p["partner_type"].to_numpy(), "tier": p["tier"].to_numpy()})
    out.insert(2, "similarity", out[["profile", "capability_overlap", "region_overlap"]].mean(axis=1))
    out = out[out["id"] != partner]
    out["why"] = [f"profile {a:.0%} alike; {c:.0%} of capabilities and {r:.0%} of regions in common; "
                  f"{s} shared customers" for a, c, r, s in
                  zip(out["profile"], out["capability_overlap"], out["region_overlap"],
                      out["shared_customers"], strict=True)]
    return out.sort_values(["similarity", "id"], ascending=[False, True], ignore_index=True).head(top)


def compare_partners(eco: Ecosystem, a: str, b: str, *, as_of: AsOf = None) -> pd.DataFrame:
    """Two partners side by side: who they are, what they did, where they overlap.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem (or a :meth:`~ecograph.Ecosystem.subset` of it).
    a, b : str
        Two different partner ids.
    as_of : str, date or None
        KPIs as of the end of this day (default: every record).

    Returns
    -------
    pandas.DataFrame
        ``measure``, then one column per partner headed ``Name (ID)``: type,
        tier, regions, capabilities, every KPI of
        :func:`~ecograph.analysis.assessment.partner_kpis`, health, then what
        they share (customers, regions, capabilities: the same value in both
        columns) and what only one of them has.

    Raises
    ------
    TypeError
        An id that is not a string.
    ParameterError
        An id that is not a partner of ``eco``, or ``a == b``.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> table = compare_partners(eco, "P1", "P2")
    >>> list(table.columns)
    ['measure', 'Apex Systems (P1)', 'Delta Distribution (P2)']
    >>> table.set_index("measure").loc["tier"].tolist()
    ['gold', 'silver']
    """
    a, b = _partner(eco, a, "a"), _partner(eco, b, "b")
    if a == b:
        raise ParameterError(f"a and b must be two different partners; got {a!r} twice")
    kpis = partner_kpis(eco, as_of=as_of)
    health = partner_health(kpis).set_index("id")["health"]
    k = kpis.set_index("id")
    p = eco.partners.set_index("id")
    ties = partner_accounts(eco, as_of=as_of)
    customers = {x: set(ties.loc[ties["partner"] == x, "customer"]) for x in (a, b)}
    rows: list[tuple[str, object, object]] = [
        ("type", p.at[a, "partner_type"], p.at[b, "partner_type"]),
        ("tier", p.at[a, "tier"], p.at[b, "tier"]),
        ("regions", ", ".join(p.at[a, "regions"]), ", ".join(p.at[b, "regions"])),
        ("capabilities", ", ".join(p.at[a, "capabilities"] or ()), ", ".join(p.at[b, "capabilities"] or ())),
    ]
    numeric = [c for c in k.columns if c not in ("name", "kind", "partner_type", "tier", "region")
               and pd.api.types.is_numeric_dtype(k[c])]
    rows += [(f"{c} (count)" if c in ("regions", "certifications") else c, _round(k.at[a, c]),
              _round(k.at[b, c])) for c in numeric]
    rows.append(("health (0-100)", _round(health.get(a)), _round(health.get(b))))
    both = customers[a] & customers[b]
    rows.append(("customers in common", len(both), len(both)))
    for what, column in (("regions", "regions"), ("capabilities", "capabilities")):
        x, y = set(p.at[a, column] or ()), set(p.at[b, column] or ())
        rows.append((f"{what} in common", ", ".join(sorted(x & y)), ", ".join(sorted(x & y))))
        rows.append((f"{what} only this one has", ", ".join(sorted(x - y)), ", ".join(sorted(y - x))))
    cosold = eco.deals[((eco.deals["partner"] == a) & (eco.deals["cosell_partner"] == b))
                       | ((eco.deals["partner"] == b) & (eco.deals["cosell_partner"] == a))]
    rows.append(("deals co-sold together", len(cosold), len(cosold)))
    names = {x: party_label(p.at[x, "name"], x) for x in (a, b)}
    return pd.DataFrame(rows, columns=["measure", names[a], names[b]])


def _round(value):
    """Floats to 2 decimals for reading (``180.30000000000004`` → ``180.3``); missing stays missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return round(float(value), 2) if isinstance(value, float | np.floating) else value
