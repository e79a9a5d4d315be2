"""A first look at an ecosystem: what is in it and where the units are.

>>> import ecograph
>>> s = summarize(ecograph.load_bundle("fixtures/manufacturing"))
>>> list(s.by_kind["kind"])
['company', 'partner', 'customer', 'supplier']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .analysis.physical_accounts import holdings
from .dates import AsOf, timestamp
from .ecosystem import Ecosystem
from .files import replacing
from .outputs import write_json, write_tables

__all__ = ["EcosystemSummary", "summarize", "write_summary"]


@dataclass
class EcosystemSummary:
    """Counts and balances of one ecosystem; every field is a tidy DataFrame.

    Made by :func:`summarize`; :func:`write_summary` writes it out.

    Attributes
    ----------
    by_kind : pandas.DataFrame
        ``kind, parties``: company, partner, customer, supplier.
    by_type : pandas.DataFrame
        ``kind, type, parties``, by kind, most numerous type first.
    by_region : pandas.DataFrame
        ``region, partners, customers, suppliers`` (a partner counts in every
        region it serves).
    relationships : pandas.DataFrame
        ``type, relationships, volume``, most numerous first.
    deals : pandas.DataFrame
        ``status, deals, amount``: registered, approved, won, lost.
    balances : pandas.DataFrame
        ``id, name, kind, sku, units``: units held as of the date, by SKU, then
        largest holding first.
    stock : pandas.DataFrame
        ``sku, unit, parties, units``: units held per SKU and by how many parties.
    by_holder : pandas.DataFrame
        ``sku``, then the units held by each kind of party (``company, partner,
        customer, supplier``).
    as_of : pandas.Timestamp or None
        The day the ledger was replayed to (``None``: every movement).

    Examples
    --------
    >>> import ecograph
    >>> s = summarize(ecograph.load_bundle("fixtures/tiny"))
    >>> s.by_kind.values.tolist()
    [['company', 1], ['partner', 3], ['customer', 3], ['supplier', 1]]
    >>> list(s.stock.columns), s.as_of is None
    (['sku', 'unit', 'parties', 'units'], True)
    """

    by_kind: pd.DataFrame  # kind, parties
    by_type: pd.DataFrame  # kind, type, parties
    by_region: pd.DataFrame  # region, partners, customers, suppliers
    relationships: pd.DataFrame  # type, relationships, volume
    deals: pd.DataFrame  # status, deals, amount
    balances: pd.DataFrame  # id, name, kind, sku, units (as of the date)
    stock: pd.DataFrame  # sku, unit, parties, units
    by_holder: pd.DataFrame  # sku, then units held by each kind of party
    as_of: pd.Timestamp | None

    def headline(self) -> dict:
        """The numbers a scheduled job or a dashboard wants, as plain JSON types.

        Returns
        -------
        dict
            ``parties`` (by kind), ``relationships`` (total), ``deals`` (by
            status), ``regions`` (how many), ``units_held`` (by SKU) and
            ``as_of`` (``YYYY-MM-DD`` or ``None``).

        Examples
        --------
        >>> import ecograph
        >>> h = summarize(ecograph.load_bundle("fixtures/tiny"), as_of="2025-01-31").headline()
        >>> h["parties"]
        {'company': 1, 'partner': 3, 'customer': 3, 'supplier': 1}
        >>> h["units_held"], h["as_of"]
        ({'SRV': 10.0, 'STEEL': 12.5}, '2025-01-31')
        """
        return {
            "parties": {r.kind: int(r.parties) for r in self.by_kind.itertuples()},
            "relationships": int(self.relationships["relationships"].sum()),
            "deals": {r.status: int(r.deals) for r in self.deals.itertuples()},
            "regions": int(len(self.by_region)),
            "units_held": {r.sku: float(r.units) for r in self.stock.itertuples()},
            "as_of": None if self.as_of is None else f"{self.as_of:%Y-%m-%d}",
        }


def summarize(eco: Ecosystem, *, as_of: AsOf = None) -> EcosystemSummary:
    """Count parties by kind, type and region, relationships and deals, and
    replay the ledger to the end of day ``as_of`` (default: every movement).

    Only the ledger (``balances``, ``stock``, ``by_holder``) reads ``as_of``;
    parties, relationships and deals are counted over the whole bundle.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day the ledger is replayed to (inclusive).

    Returns
    -------
    EcosystemSummary
        Its tables are described on :class:`EcosystemSummary`.

    Examples
    --------
    >>> import ecograph
    >>> summarize(ecograph.load_bundle("fixtures/tiny")).headline()["relationships"]
    4
    """
    parties = eco.parties
    kinds = ["company", "partner", "customer", "supplier"]
    by_kind = (parties["kind"].value_counts().reindex(kinds, fill_value=0)
               .rename_axis("kind").reset_index(name="parties"))
    by_type = (parties.groupby(["kind", "type"], sort=False).size().reset_index(name="parties")
               .sort_values(["kind", "parties"], ascending=[True, False], ignore_index=True))
    served = eco.partners[["id", "regions"]].explode("regions").rename(columns={"regions": "region"})
    by_region = pd.concat([
        served.groupby("region").size().rename("partners"),
        eco.customers.groupby("region").size().rename("customers"),
        eco.suppliers.groupby("region").size().rename("suppliers"),
    ], axis=1).fillna(0).astype("int64").rename_axis("region").reset_index()
    rel = (eco.relationships.groupby("type")
           .agg(relationships=("id", "size"), volume=("volume", "sum"))
           .sort_values("relationships", ascending=False).reset_index())
    deals = (eco.deals.groupby("status").agg(deals=("id", "size"), amount=("amount", "sum"))
             .reindex(["registered", "approved", "won", "lost"], fill_value=0).reset_index())
    held = holdings(eco, as_of=as_of)
    held = held.sort_values(["sku", "units"], ascending=[True, False], ignore_index=True)
    units = eco.asset_classes.set_index("sku")["unit"]
    stock = (held.groupby("sku").agg(parties=("id", "size"), units=("units", "sum"))
             .reset_index())
    stock.insert(1, "unit", stock["sku"].map(units))
    by_holder = (held.pivot_table(index="sku", columns="kind", values="units", aggfunc="sum",
                                  fill_value=0.0)
                 .reindex(columns=kinds, fill_value=0.0).rename_axis(columns=None).reset_index())
    return EcosystemSummary(by_kind, by_type, by_region, rel, deals, held, stock, by_holder,
                            timestamp(as_of))


def write_summary(summary: EcosystemSummary, out: str | os.PathLike, *,
                  protect: Iterable[str | os.PathLike | None] = ()) -> Path:
    """Write each table as CSV plus ``summary.json`` into folder ``out``, replacing it as a whole.

    The folder is written as a transaction (:func:`ecograph.files.replacing`):
    a fault at any point leaves the previous folder as it was.

    Parameters
    ----------
    summary : EcosystemSummary
        From :func:`summarize`.
    out : str or os.PathLike
        The folder (created if needed). An existing one is replaced only when
        ecograph wrote everything in it.
    protect : iterable of str or os.PathLike, default ()
        The inputs (the bundle): ``out`` may not be, be inside, or hold one.

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> folder = write_summary(summarize(ecograph.load_bundle("fixtures/tiny")), tempfile.mkdtemp())
    >>> (folder / "summary.json").exists()
    True
    """
    with replacing(out, protect=protect) as folder:
        write_tables(folder, {name: getattr(summary, name) for name in (
            "by_kind", "by_type", "by_region", "relationships", "deals", "balances", "stock",
            "by_holder")})
        write_json(folder / "summary.json", summary.headline())
    return Path(out)
