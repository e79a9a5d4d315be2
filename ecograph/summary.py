"""A first look at an ecosystem: what is in it and where the units are.

>>> import ecograph
>>> s = summarize(ecograph.load_bundle("fixtures/manufacturing"))
>>> list(s.by_kind["kind"])
['company', 'partner', 'customer', 'supplier']
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import ledger
from .ecosystem import Ecosystem
from .outputs import write_tables

__all__ = ["EcosystemSummary", "summarize", "write_summary"]


@dataclass
class EcosystemSummary:
    """Counts and balances of one ecosystem; every field is a tidy DataFrame."""

    by_kind: pd.DataFrame  # kind, parties
    by_type: pd.DataFrame  # kind, type, parties
    by_region: pd.DataFrame  # region, partners, customers, suppliers
    relationships: pd.DataFrame  # type, relationships, volume
    deals: pd.DataFrame  # status, deals, amount
    balances: pd.DataFrame  # party, kind, sku, units (as of the date)
    stock: pd.DataFrame  # sku, unit, parties, units
    by_holder: pd.DataFrame  # sku, then units held by each kind of party
    as_of: pd.Timestamp | None

    def headline(self) -> dict:
        """The numbers a scheduled job or a dashboard wants, as plain JSON types."""
        return {
            "parties": {r.kind: int(r.parties) for r in self.by_kind.itertuples()},
            "relationships": int(self.relationships["relationships"].sum()),
            "deals": {r.status: int(r.deals) for r in self.deals.itertuples()},
            "regions": int(len(self.by_region)),
            "units_held": {r.sku: float(r.units) for r in self.stock.itertuples()},
            "as_of": None if self.as_of is None else f"{self.as_of:%Y-%m-%d}",
        }


def summarize(eco: Ecosystem, *, as_of: str | pd.Timestamp | None = None) -> EcosystemSummary:
    """Count parties by kind, type and region, relationships and deals, and
    replay the ledger to ``as_of`` (default: every movement)."""
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
    held = ledger.balances(eco, as_of=as_of)
    kind_of = parties.set_index("id")["kind"]
    held.insert(1, "kind", held["party"].map(kind_of))
    held = held.sort_values(["sku", "units"], ascending=[True, False], ignore_index=True)
    units = eco.asset_classes.set_index("sku")["unit"]
    stock = (held.groupby("sku").agg(parties=("party", "size"), units=("units", "sum"))
             .reset_index())
    stock.insert(1, "unit", stock["sku"].map(units))
    by_holder = (held.pivot_table(index="sku", columns="kind", values="units", aggfunc="sum",
                                  fill_value=0.0)
                 .reindex(columns=kinds, fill_value=0.0).rename_axis(columns=None).reset_index())
    return EcosystemSummary(by_kind, by_type, by_region, rel, deals, held, stock, by_holder,
                            None if as_of is None else pd.Timestamp(as_of))


def write_summary(summary: EcosystemSummary, out: str | os.PathLike) -> Path:
    """Write each table as CSV plus ``summary.json`` into folder ``out``; return it."""
    folder = write_tables(out, {name: getattr(summary, name) for name in (
        "by_kind", "by_type", "by_region", "relationships", "deals", "balances", "stock",
        "by_holder")})
    (folder / "summary.json").write_text(json.dumps(summary.headline(), indent=2) + "\n")
    return folder
