"""Planted truth for supply-risk exposure: time to recover (TTR), time to survive (TTS), spare
capacity and value at risk (the risk-exposure model of Simchi-Levi et al., Interfaces 2015).

Three cases are planted, each the opposite of what a share-of-volume ranking says:

- **deep single source, low value**: the chokepoint's raw-material supplier (tier 2) ships the
  cheapest SKU of the catalogue and is paid less than any tier-1 supplier, yet it is the only
  source of what the chokepoint makes and takes the longest to recover: its TTS is below its TTR.
- **redundant with spare capacity**: the two dual sources each carry a large share, and each can
  carry everything the company needs of the SKU (``relationships.capacity``), so losing either
  loses nothing.
- **buffer covers a short TTR**: S0005 (raw material of the dual sources and, where the company
  assembles, sole source of its other inputs) recovers within days, and every buyer of it holds at
  least :data:`BUFFER_DAYS` days of what it ships (the company: a safety-stock lot in the ledger,
  :func:`~ecograph.synth.chain.safety_stock`), so its TTS exceeds its TTR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import ledger
from .profiles import Profile

__all__ = ["TTR_DAYS", "BUFFER_DAYS", "AS_OF", "plant_suppliers", "exposure_truth"]

#: Planted time to recover per supplier role, days (other suppliers: empty, the analysis default).
TTR_DAYS = {"chokepoint": 90.0, "deep": 120.0, "dual": 30.0, "buffered": 7.0}
#: Days of what the buffered supplier ships that the company keeps in stock (4 x its TTR).
BUFFER_DAYS = 28.0
#: The as-of date of inventory on hand (the last day of the generated year).
AS_OF = "2025-12-31"


def _roles(sid: list[str], chokepoints: int) -> dict[str, list[str]]:
    """Supplier ids by planted role (see the module docstring)."""
    return {"chokepoint": [sid[0]], "deep": [sid[1], *sid[5:5 + chokepoints]], "dual": sid[2:4],
            "buffered": [sid[4]]}


def plant_suppliers(p: Profile, suppliers: pd.DataFrame, supply: pd.DataFrame, *,
                    chokepoints: int = 0) -> pd.DataFrame:
    """``suppliers`` with the planted ``ttr_days`` and ``capacity`` (site capacity) columns.

    Each role gets its :data:`TTR_DAYS`; the other suppliers keep an empty
    TTR (the analysis default). A dual source's site capacity is the capacity
    of its edge to the company (it ships nothing else there).

    Parameters
    ----------
    p : Profile
        The domain.
    suppliers : pandas.DataFrame
        The ``suppliers`` table (:func:`~ecograph.synth.parties.suppliers`).
    supply : pandas.DataFrame
        Supply relationships (:func:`~ecograph.synth.chain.supply_relationships`).
    chokepoints : int, default 0
        Extra chokepoints planted in a chain above the raw-material supplier.

    Returns
    -------
    pandas.DataFrame
        A copy of ``suppliers`` with ``capacity`` and ``ttr_days``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ecograph.synth import PROFILES, parties
    >>> p = PROFILES["manufacturing"]
    >>> S = parties.suppliers(p, 6, np.random.default_rng(0))
    >>> supply = pd.DataFrame({"source": ["S0003", "S0004"], "target": "AQUILA", "sku": "MOTOR",
    ...                        "volume": [70.0, 70.0], "capacity": [110.0, 110.0]})
    >>> plant_suppliers(p, S, supply)[["id", "capacity", "ttr_days"]].head(5).values.tolist()
    [['S0001', nan, 90.0], ['S0002', nan, 120.0], ['S0003', 110.0, 30.0], ['S0004', 110.0, 30.0], \
['S0005', nan, 7.0]]
    """
    sid = suppliers["id"].tolist()
    ttr = {s: TTR_DAYS[role] for role, ids in _roles(sid, chokepoints).items() for s in ids}
    duals = supply[supply["source"].isin(sid[2:4]) & (supply["target"] == p.company_id)]
    out = suppliers.copy()
    out["capacity"] = out["id"].map(duals.groupby("source")["capacity"].sum()).astype("float64")
    out["ttr_days"] = out["id"].map(ttr).astype("float64")
    return out


def exposure_truth(p: Profile, tables: dict[str, pd.DataFrame], need: dict[str, float], *,
                   chokepoints: int = 0) -> dict:
    """What a risk-exposure analysis must find, measured from the finished tables.

    Parameters
    ----------
    p : Profile
        The domain.
    tables : dict of str to pandas.DataFrame
        The bundle tables (``suppliers`` with ``ttr_days``, ``relationships``
        with ``capacity``, ``asset_classes`` with ``unit_value``, ``movements``).
    need : dict of str to float
        Units per year the company needs of each SKU it buys
        (:func:`~ecograph.synth.chain.input_need`).
    chokepoints : int, default 0
        Extra chokepoints planted in a chain above the raw-material supplier.

    Returns
    -------
    dict
        ``as_of``; ``tts_lt_ttr`` (suppliers whose loss hurts customers before
        they recover) and ``survives`` (suppliers whose loss costs nothing
        within their TTR); ``deep_single_source``, ``spare_capacity`` and
        ``buffer`` describing the three planted cases; ``why``.

    Examples
    --------
    >>> from ecograph.synth import generate_tables
    >>> _, truth = generate_tables(partners=40, customers=300, seed=11, domain="manufacturing")
    >>> t = truth["risk_exposure"]
    >>> t["tts_lt_ttr"], t["survives"]
    (['S0001', 'S0002'], ['S0003', 'S0004', 'S0005'])
    >>> t["deep_single_source"]["sku"], t["buffer"]["days_of_cover"] >= 4 * t["buffer"]["ttr_days"]
    ('STEEL', True)
    """
    S, rel = tables["suppliers"], tables["relationships"]
    sid = S["id"].tolist()
    roles = _roles(sid, chokepoints)
    ttr = S.set_index("id")["ttr_days"]
    value = tables["asset_classes"].set_index("sku")["unit_value"]
    flows = rel[rel["type"] == "supplies"]
    spend = (flows["volume"] * flows["sku"].map(value)).groupby(flows["source"]).sum()
    spend = spend.reindex(sid, fill_value=0.0)
    tier1 = S.loc[S["supply_tier"] == 1, "id"]
    deep = roles["deep"][0]
    deep_sku = flows.loc[flows["source"] == deep, "sku"].iat[0]
    dual_sku = p.dual_sourced_skus[0]
    a, b = roles["dual"]
    to_company = flows[flows["target"] == p.company_id].set_index(["source", "sku"])
    buffered = roles["buffered"][0]
    cover = _days_of_cover(flows[flows["source"] == buffered], tables["movements"])
    return {
        "as_of": AS_OF,
        "tts_lt_ttr": roles["chokepoint"] + roles["deep"],
        "survives": [*roles["dual"], buffered],
        "deep_single_source": {
            "id": deep, "sku": deep_sku, "supply_tier": int(S.set_index("id").at[deep, "supply_tier"]),
            "ttr_days": float(ttr[deep]), "unit_value": float(value[deep_sku]),
            "annual_spend": round(float(spend[deep]), 2),
            "least_tier1_spend": round(float(spend[tier1].min()), 2),
            "why": f"{deep} is the only source of the {deep_sku} that {sid[0]} turns into "
                   f"{p.chokepoint_sku}; it is paid less than any tier-1 supplier, and takes "
                   f"{ttr[deep]:g} days to recover"},
        "spare_capacity": {
            "id": a, "alternative": b, "sku": dual_sku, "company_need": need.get(dual_sku, 0.0),
            "volume": float(to_company.at[(a, dual_sku), "volume"]),
            "alternative_capacity": float(to_company.at[(b, dual_sku), "capacity"]),
            "ttr_days": float(ttr[a]),
            "why": f"{a} and {b} each ship a large share of {dual_sku}, and each can carry all the "
                   "company needs of it: the loss of either is absorbed by the other"},
        "buffer": {
            "id": buffered, "sku": sorted(set(flows.loc[flows["source"] == buffered, "sku"])),
            "ttr_days": float(ttr[buffered]), "holders": sorted(cover),
            "days_of_cover": round(min(cover.values()), 1),
            "why": f"{buffered} recovers in {ttr[buffered]:g} days and every buyer of it holds at "
                   f"least {min(cover.values()):.0f} days of what it ships"},
        "why": "TTR planted per supplier (suppliers.ttr_days); inventory on hand from the ledger "
               f"at {AS_OF}; spare capacity in relationships.capacity; value from asset_classes.unit_value",
    }


def _days_of_cover(edges: pd.DataFrame, moves: pd.DataFrame) -> dict[str, float]:
    """Buyer -> days of the edge's yearly volume its stock at :data:`AS_OF` covers (least over SKUs)."""
    held = ledger.balances(moves, as_of=AS_OF).set_index(["party", "sku"])["units"]
    stock = held.reindex(pd.MultiIndex.from_frame(edges[["target", "sku"]]), fill_value=0.0).to_numpy()
    days = pd.Series(np.asarray(stock) * 365.0 / edges["volume"].to_numpy(), index=edges["target"].to_numpy())
    return {k: float(v) for k, v in days.groupby(level=0).min().items()}
