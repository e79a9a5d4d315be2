"""The ecosystem as it stood on a date.

:func:`snapshot` keeps only what was known and in force at the start of a
day; :func:`in_force` is what every analysis with an ``as_of`` option reads
(without ``as_of``: the bundle as it stands, ended relationships left out).

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/it_ecosystem")
>>> len(snapshot(eco, "2022-01-01").partners) < len(eco.partners)
True
"""

from __future__ import annotations

import pandas as pd

from ..ecosystem import Ecosystem
from ..frames import isin

__all__ = ["snapshot", "in_force", "reference_date"]


def snapshot(eco: Ecosystem, as_of) -> Ecosystem:
    """The ecosystem as it stood at the start of day ``as_of``: a new :class:`Ecosystem`.

    Kept: partners who joined before ``as_of`` (or have no ``joined`` date);
    relationships in force (started before it, not ended before it; later end
    dates are blanked, they were not known yet); deals registered before it,
    with won/lost deals that closed on or after it reset to ``approved`` and no
    ``closed`` date; movements and audits dated before it. Rows naming a
    partner who had not joined are dropped (a co-sell partner is blanked).
    Customers, suppliers and the catalogue carry no dates and are kept whole.

    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> mid = snapshot(eco, "2025-07-01")
    >>> bool((mid.deals["registered"] < "2025-07-01").all()), len(mid.deals) < len(eco.deals)
    (True, True)
    """
    t = pd.Timestamp(as_of)
    tables = dict(eco.tables)
    p = eco.partners
    joined = p["joined"].isna() | (p["joined"] < t)
    gone = p.loc[~joined, "id"]
    tables["partners"] = p[joined]
    rel = eco.relationships
    keep = ((rel["start"].isna() | (rel["start"] < t)) & (rel["end"].isna() | (rel["end"] >= t))
            & ~isin(rel["source"], gone) & ~isin(rel["target"], gone))
    tables["relationships"] = rel[keep].assign(end=pd.NaT).astype({"end": rel["end"].dtype})
    d = eco.deals
    d = d[(d["registered"] < t) & ~isin(d["partner"], gone)].copy()
    later = d["closed"].notna() & (d["closed"] >= t)
    d.loc[later, "status"] = "approved"
    d.loc[later, "closed"] = pd.NaT
    d.loc[isin(d["cosell_partner"], gone), "cosell_partner"] = None
    tables["deals"] = d
    m = eco.movements
    tables["movements"] = m[(m["date"] < t) & ~isin(m["from_party"], gone) & ~isin(m["to_party"], gone)]
    a = eco.audits
    tables["audits"] = a[(a["date"] < t) & ~isin(a["party"], gone)]
    return Ecosystem(tables, source=eco.source)


def reference_date(eco: Ecosystem) -> pd.Timestamp:
    """The day after the last dated event: "now" for a bundle read without ``as_of``.

    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/tiny")
    >>> bool(reference_date(eco) > eco.deals["registered"].max())
    True
    """
    dates = [eco.deals["registered"], eco.deals["closed"], eco.relationships["start"],
             eco.movements["date"], eco.audits["date"], eco.partners["joined"]]
    known = [s.max() for s in dates if s.notna().any()]
    return (max(known) if known else pd.Timestamp("2000-01-01")) + pd.Timedelta(days=1)


def in_force(eco: Ecosystem, as_of) -> Ecosystem:
    """:func:`snapshot` at ``as_of``; without it, the bundle with ended relationships
    left out (a snapshot at :func:`reference_date`), so views show the live network.

    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/tiny")   # its co-selling tie ends after its last event
    >>> live = in_force(eco, None)
    >>> len(live.relationships) == len(eco.relationships), bool(live.relationships["end"].isna().all())
    (True, True)
    """
    if as_of is not None:
        return snapshot(eco, as_of)
    if eco.relationships["end"].notna().any():
        return snapshot(eco, reference_date(eco))
    return eco
