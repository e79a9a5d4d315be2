"""Who is tied to whom, defined once: partners to their accounts, and the edges goods travel.

Every analysis that asks "does this partner serve that customer?" or "which
relationships carry units, in which direction?" reads these two tables, so
the answer is the same everywhere.

- :func:`partner_accounts` — one row per partner × customer with a tie (a
  ``sells_to`` relationship or a deal registration), with counts, and
  ``serves``: the partner sells to the customer or won a deal there.
- :func:`supply_edges` — the relationships that carry goods, in the direction
  the goods travel.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/tiny")
>>> ties = partner_accounts(eco)
>>> ties[["partner", "customer", "serves"]].head(2).values.tolist()
[['P1', 'C1', True], ['P1', 'C2', False]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dates import AsOf, after, in_force, on_or_before, timestamp
from .ecosystem import Ecosystem, derived
from .frames import isin

__all__ = ["partner_accounts", "supply_edges", "live_relationships", "OPEN_STATUSES"]

#: Deal statuses of a registration that has not closed.
OPEN_STATUSES = ("registered", "approved")


def partner_accounts(eco: Ecosystem, *, as_of: AsOf = None) -> pd.DataFrame:
    """Every partner × customer tie, as of the end of a day.

    A tie is a ``sells_to`` relationship from the partner to the customer or a
    deal the partner registered there. A partner **serves** a customer when it
    sells to it or won a deal there.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (:mod:`ecograph.dates`): only relationships in force on it
        (started on or before it, not ended before it), deals registered on or
        before it, outcomes of deals closed on or before it (a deal won later
        is still open). ``None``: the ecosystem's reference date.

    Returns
    -------
    pandas.DataFrame
        ``partner, customer, relationships`` (``sells_to`` count), ``volume``
        (their summed volume), ``deals`` (registrations), ``closed_deals``,
        ``won_deals``, ``won_amount``, ``open_deals``, ``serves``; in order of
        first appearance (relationships, then deals).

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> early = partner_accounts(eco, as_of="2024-01-01")
    >>> len(early) < len(partner_accounts(eco))
    True
    """
    day = timestamp(as_of) if as_of is not None else eco.reference_date
    return derived(eco, ("partner_accounts", day), lambda: _accounts(eco, day))


def _accounts(eco: Ecosystem, day: pd.Timestamp) -> pd.DataFrame:
    rel = eco.relationships
    sells = rel[(rel["type"] == "sells_to") & isin(rel["source"], eco.partners["id"])]
    sells = sells[in_force(sells, day)]
    d = eco.deals[on_or_before(eco.deals["registered"], day, missing=False)]
    closed = d["closed"].notna() & ~after(d["closed"], day)
    won = closed & (d["status"] == "won")
    still_open = ~closed & (d["status"].isin(OPEN_STATUSES) | d["closed"].notna())
    ties = pd.concat([
        pd.DataFrame({"partner": sells["source"], "customer": sells["target"], "relationships": 1,
                      "volume": sells["volume"].fillna(0.0), "deals": 0, "closed_deals": 0,
                      "won_deals": 0, "won_amount": 0.0, "open_deals": 0}),
        pd.DataFrame({"partner": d["partner"], "customer": d["customer"], "relationships": 0,
                      "volume": 0.0, "deals": 1, "closed_deals": closed.astype("int64"),
                      "won_deals": won.astype("int64"),
                      "won_amount": d["amount"].fillna(0.0).where(won, 0.0),
                      "open_deals": still_open.astype("int64")}),
    ], ignore_index=True)
    ties = ties.groupby(["partner", "customer"], sort=False, as_index=False).sum()
    ties["serves"] = (ties["relationships"] > 0) | (ties["won_deals"] > 0)
    return ties


def supply_edges(eco: Ecosystem) -> pd.DataFrame:
    """The relationships that carry goods, in the direction the goods travel.

    ``supplies`` (supplier → buyer), ``distributes_for`` reversed (goods flow
    from the principal to its distributor), and ``sells_to`` when it names a
    ``sku`` or a ``volume`` (pure services carry no units); those in force on
    the ecosystem's reference date.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        ``source, target, type, sku, volume, capacity`` (``sku``, ``volume``
        and ``capacity`` missing where the relationship does not say), one row per relationship:
        supplies and sells_to first, then distributes_for.

    Examples
    --------
    >>> import ecograph
    >>> edges = supply_edges(ecograph.load_bundle("fixtures/manufacturing"))
    >>> sorted(edges["type"].unique())
    ['distributes_for', 'sells_to', 'supplies']
    """
    rel = live_relationships(eco)
    if "capacity" not in rel:  # a bundle from before the column (optional: empty = its volume)
        rel = rel.assign(capacity=np.nan)
    physical = rel["sku"].notna() | rel["volume"].notna()
    forward = rel[(rel["type"] == "supplies") | (rel["type"] == "sells_to") & physical]
    back = rel[rel["type"] == "distributes_for"]
    return pd.concat([
        pd.DataFrame({"source": forward["source"], "target": forward["target"],
                      "type": forward["type"], "sku": forward["sku"], "volume": forward["volume"],
                      "capacity": forward["capacity"]}),
        pd.DataFrame({"source": back["target"], "target": back["source"], "type": back["type"],
                      "sku": back["sku"], "volume": back["volume"], "capacity": back["capacity"]}),
    ], ignore_index=True)


def live_relationships(eco: Ecosystem) -> pd.DataFrame:
    """The relationships in force on the ecosystem's reference date (the views' network).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        Rows of ``eco.relationships``.

    Examples
    --------
    >>> import ecograph
    >>> import pandas as pd
    >>> tables = dict(ecograph.load_bundle("fixtures/tiny").tables)
    >>> rel = tables["relationships"]
    >>> tables["relationships"] = rel.assign(end=rel["end"].fillna(pd.Timestamp("2024-12-31")))
    >>> eco = ecograph.load_tables(tables)   # three of them ended before its last record
    >>> len(live_relationships(eco)), len(eco.relationships)
    (1, 4)
    """
    return derived(eco, "live_relationships", lambda: _live(eco.relationships, eco.reference_date))


def _live(relationships: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    keep = in_force(relationships, day)
    return relationships if keep.all() else relationships[keep]  # no copy when nothing ended
