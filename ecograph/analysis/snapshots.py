"""The ecosystem as it stood at the end of a day.

:func:`snapshot` keeps only what was known and in force at the end of day
``as_of`` (:mod:`ecograph.dates`); :func:`in_force` is what every analysis
with an ``as_of`` option reads (without ``as_of``: the ecosystem as of its
reference date, ended relationships left out).

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/it_ecosystem")
>>> len(snapshot(eco, "2021-12-31").partners) < len(eco.partners)
True
"""

from __future__ import annotations

import pandas as pd

from ..dates import AsOf, after, on_or_before, timestamp
from ..dates import in_force as relationships_in_force
from ..ecosystem import Ecosystem
from ..frames import isin

__all__ = ["snapshot", "in_force"]


def snapshot(eco: Ecosystem, as_of: AsOf) -> Ecosystem:
    """The ecosystem as it stood at the end of day ``as_of``: a new :class:`Ecosystem`.

    Kept: partners who joined on or before ``as_of`` (or have no ``joined``
    date); relationships in force on it (started on or before it, not ended
    before it; later end dates are blanked, they were not known yet); deals
    registered on or before it, with won/lost deals that closed after it
    reset to ``approved`` and no ``closed`` date; movements and audits dated
    on or before it. Rows naming a partner who had not joined are dropped (a
    co-sell partner is blanked). Customers, suppliers and the catalogue carry
    no dates and are kept whole.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str or date
        The day.

    Returns
    -------
    Ecosystem
        A new ecosystem (its ``reference_date`` is at most ``as_of``).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> mid = snapshot(eco, "2025-06-30")
    >>> bool((mid.deals["registered"] <= "2025-06-30").all()), len(mid.deals) < len(eco.deals)
    (True, True)
    """
    t = timestamp(as_of)
    tables = dict(eco.tables)
    p = eco.partners
    joined = on_or_before(p["joined"], t)
    gone = p.loc[~joined, "id"]
    tables["partners"] = p[joined]
    rel = eco.relationships
    keep = relationships_in_force(rel, t) & ~isin(rel["source"], gone) & ~isin(rel["target"], gone)
    tables["relationships"] = rel[keep].assign(end=pd.NaT).astype({"end": rel["end"].dtype})
    d = eco.deals
    d = d[on_or_before(d["registered"], t, missing=False) & ~isin(d["partner"], gone)].copy()
    later = after(d["closed"], t)
    d.loc[later, "status"] = "approved"
    d.loc[later, "closed"] = pd.NaT
    d.loc[isin(d["cosell_partner"], gone), "cosell_partner"] = None
    tables["deals"] = d
    m = eco.movements
    tables["movements"] = m[on_or_before(m["date"], t, missing=False) & ~isin(m["from_party"], gone)
                            & ~isin(m["to_party"], gone)]
    a = eco.audits
    tables["audits"] = a[on_or_before(a["date"], t, missing=False) & ~isin(a["party"], gone)]
    return Ecosystem(tables, source=eco.source)


def in_force(eco: Ecosystem, as_of: AsOf) -> Ecosystem:
    """:func:`snapshot` at ``as_of``; without it, the ecosystem as of its reference
    date: itself, or a snapshot when some relationship ended before that day.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day.

    Returns
    -------
    Ecosystem

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/tiny")   # its co-selling tie ends after its last record
    >>> in_force(eco, None) is eco, len(in_force(eco, "2025-06-30").relationships)
    (True, 3)
    """
    if as_of is not None:
        return snapshot(eco, as_of)
    if (eco.relationships["end"] < eco.reference_date).any():
        return snapshot(eco, eco.reference_date)
    return eco
