"""Synthetic supply chain: relationships with unit volumes, and the ledger that moves them.

Shape: tier-2 raw-material suppliers → tier-1 suppliers → the company →
distributors → selling partners → customers. Supplier S0001 is the only
source of the chokepoint SKU and S0002 supplies only S0001, so S0001 is both
single-source and an articulation point. Movements are drawn backwards from
deployments, each stage dated before the next, so no balance is ever
negative by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .activity import START
from .profiles import Profile

__all__ = ["hardware_sales", "supply_relationships", "movements", "audits", "KG_PER_UNIT"]

KG_PER_UNIT = 12.0  # raw material in one unit of a counted SKU
_SELLERS = ("reseller", "msp", "system_integrator")


def _days(d: np.ndarray | pd.Series) -> pd.Series:
    return START + pd.to_timedelta(np.asarray(d), unit="D")


def hardware_sales(sells: pd.DataFrame, partners: pd.DataFrame, p: Profile,
                   rng: np.random.Generator) -> pd.DataFrame:
    """Give some sold-to pairs a finished SKU and yearly volume (units).

    About 45% of the pairs of resellers, MSPs and system integrators get one;
    the others keep no SKU and no volume.

    Parameters
    ----------
    sells : pandas.DataFrame
        Sold-to pairs: codes ``p`` (partner row) and ``c`` (customer row).
    partners : pandas.DataFrame
        Partners (``partner_type``).
    p : Profile
        The domain (its ``finished_skus``).
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    pandas.DataFrame
        ``sells`` plus ``sku`` (or None) and ``volume`` (or NaN).

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, activity, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 20, rng), parties.customers(p, 60, rng)
    >>> sales = hardware_sales(activity.sells_to(P, C, p.regions, rng), P, p, rng)
    >>> list(sales.columns)
    ['p', 'c', 'sku', 'volume']
    >>> bool(sales["sku"].dropna().isin(p.finished_skus).all())
    True
    """
    seller = partners["partner_type"].isin(_SELLERS).to_numpy()[sells["p"].to_numpy()]
    hw = seller & (rng.random(len(sells)) < 0.45)
    out = sells.copy()
    out["sku"] = pd.Series(np.array(p.finished_skus, dtype=object)[
        rng.integers(0, len(p.finished_skus), len(sells))]).where(hw, None)
    out["volume"] = np.where(hw, rng.poisson(4.0, len(sells)) + 1, np.nan)
    return out


def _pick_distributor(partners: pd.DataFrame, regions: tuple[str, ...],
                      rng: np.random.Generator) -> np.ndarray:
    """For every partner, a distributor serving its home region (any if none does)."""
    dist = np.flatnonzero(partners["partner_type"].to_numpy() == "distributor")
    serves = {r: [d for d in dist if r in partners["regions"].iat[d]] for r in regions}
    choice = np.empty(len(partners), dtype=np.int64)
    home = np.array([r[0] for r in partners["regions"]])
    for r in regions:
        rows = np.flatnonzero(home == r)
        pool = np.array(serves[r] or dist)
        choice[rows] = pool[rng.integers(0, len(pool), len(rows))]
    return choice


def supply_relationships(p: Profile, partners: pd.DataFrame, suppliers: pd.DataFrame,
                         sales: pd.DataFrame, rng: np.random.Generator, *, chokepoints: int = 0,
                         decoys: int = 0) -> pd.DataFrame:
    """``supplies`` and ``distributes_for`` edges with yearly unit volumes.

    Distributors supply the partners of their region and distribute for the
    company; suppliers supply the company the SKUs (or, if it assembles, the
    inputs) that demand needs, with the chokepoint and raw-material shape
    described in this module. ``chokepoints`` more suppliers are planted as
    an exclusive chain above the chokepoint's raw-material supplier (each the
    only source of the next, so each is a chokepoint too); ``decoys`` of the
    busiest distributors each get a twin, another distributor (an idle one
    when there is one) that takes half of every partner's supply (both carry
    a large share, and either can make up for the other).

    Parameters
    ----------
    p : Profile
        The domain.
    partners : pandas.DataFrame
        Partners (``id``, ``partner_type``, ``regions``).
    suppliers : pandas.DataFrame
        Suppliers, at least five (``id``), as
        :func:`~ecograph.synth.parties.suppliers` makes them.
    sales : pandas.DataFrame
        Sold-to pairs with ``sku`` and ``volume`` (:func:`hardware_sales`).
    rng : numpy.random.Generator
        The random generator.
    chokepoints : int, default 0
        Extra chokepoint suppliers to plant (taken from ``suppliers[5:]``).
    decoys : int, default 0
        Distributors to give a redundant twin (as many idle distributors as
        there are, at most).

    Returns
    -------
    pandas.DataFrame
        ``source, target, type, sku, volume`` (party ids).

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph.synth import PROFILES, activity, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 20, rng), parties.customers(p, 60, rng)
    >>> S = parties.suppliers(p, 6, rng)
    >>> sales = hardware_sales(activity.sells_to(P, C, p.regions, rng), P, p, rng)
    >>> rels = supply_relationships(p, P, S, sales, rng)
    >>> sorted(rels["type"].unique())
    ['distributes_for', 'supplies']
    >>> to_company = (rels["type"] == "supplies") & (rels["target"] == p.company_id)
    >>> rels.loc[to_company & (rels["sku"] == p.chokepoint_sku), "source"].tolist()
    ['S0001']
    """
    hw = sales[sales["sku"].notna()]
    dist_of = _pick_distributor(partners, p.regions, rng)
    pid = partners["id"].to_numpy()
    sid = suppliers["id"].to_numpy()
    down = (hw.assign(d=dist_of[hw["p"].to_numpy()])
            .groupby(["d", "p", "sku"], as_index=False)["volume"].sum())
    if decoys:
        down = _twin_distributors(down, partners, decoys)
    edges = [pd.DataFrame({"source": pid[down["d"]], "target": pid[down["p"]], "type": "supplies",
                           "sku": down["sku"], "volume": np.ceil(down["volume"] * 1.2)})]
    up = down.groupby(["d", "sku"], as_index=False)["volume"].sum()
    edges.append(pd.DataFrame({"source": pid[up["d"]], "target": p.company_id,
                               "type": "distributes_for", "sku": up["sku"],
                               "volume": np.ceil(up["volume"] * 1.3)}))
    demand = hw.groupby("sku")["volume"].sum()
    need: dict[str, float] = {}
    for sku, units in demand.items():
        inputs = dict((a[0], a[5]) for a in p.assets)[sku] if p.assembles else (sku,)
        for r in inputs:
            need[r] = need.get(r, 0.0) + units * (KG_PER_UNIT if r == p.raw_sku else 1.0)
    rows = []
    for sku, units in need.items():
        if sku == p.chokepoint_sku:
            rows.append((sid[0], p.company_id, sku, np.ceil(units * 1.1)))
        elif sku in p.dual_sourced_skus:
            rows += [(sid[2], p.company_id, sku, np.ceil(units * 0.7)),
                     (sid[3], p.company_id, sku, np.ceil(units * 0.7))]
        else:
            rows.append((sid[4], p.company_id, sku, np.ceil(units * 1.2)))
    choke = need.get(p.chokepoint_sku, 0.0)
    dual = sum(need.get(s, 0.0) for s in p.dual_sourced_skus)
    chain = [sid[1], *sid[5:5 + chokepoints]]  # each the only source of the one before
    for upstream, downstream in zip(chain, [sid[0], *chain[:-1]], strict=True):
        rows.append((upstream, downstream, p.raw_sku, np.ceil(choke * KG_PER_UNIT * 1.2)))
    for tier1 in (sid[2], sid[3]):
        rows.append((sid[4], tier1, p.raw_sku, np.ceil(dual * KG_PER_UNIT * 0.5)))
    for extra in sid[5 + chokepoints:]:
        rows.append((extra, sid[2 + rng.integers(0, 2)], p.raw_sku, float(rng.integers(50, 500))))
    edges.append(pd.DataFrame(rows, columns=["source", "target", "sku", "volume"])
                 .assign(type="supplies"))
    return pd.concat(edges, ignore_index=True)


def _lots(frame: pd.DataFrame, kind: str, src, dst, units, date, note=None) -> pd.DataFrame:
    return pd.DataFrame({"date": date, "sku": frame["sku"].to_numpy(), "kind": kind,
                         "from_party": src, "to_party": dst, "units": units, "note": note})


def _twin_distributors(down: pd.DataFrame, partners: pd.DataFrame, decoys: int) -> pd.DataFrame:
    """``down`` (``d, p, sku, volume``) with the ``decoys`` busiest distributors each sharing
    every partner's supply half and half with another distributor (its twin; idle ones first)."""
    busiest = down.groupby("d")["volume"].sum().sort_values(ascending=False, kind="stable").index
    chosen = set(busiest[:decoys])
    dist = [d for d in np.flatnonzero(partners["partner_type"].to_numpy() == "distributor")
            if d not in chosen]
    used = set(down["d"])
    spare = [d for d in dist if d not in used] + [d for d in dist if d in used]  # idle ones first
    parts = [down]
    for d, twin in zip(busiest[:decoys], spare, strict=False):
        mine = down["d"] == d
        half = np.ceil(down.loc[mine, "volume"] / 2)
        parts.append(down[mine].assign(d=twin, volume=half))
        down.loc[mine, "volume"] = half
    return pd.concat(parts, ignore_index=True)


def movements(p: Profile, partners: pd.DataFrame, customers: pd.DataFrame,
              sales: pd.DataFrame, rels: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The year's ledger: supply, transfer, deploy, return and dispose movements.

    Drawn backwards from deployments, each stage dated before the next, so no
    balance goes negative.

    Parameters
    ----------
    p : Profile
        The domain.
    partners : pandas.DataFrame
        Partners (``id``).
    customers : pandas.DataFrame
        Customers (``id``).
    sales : pandas.DataFrame
        Sold-to pairs with ``sku`` and ``volume`` (:func:`hardware_sales`).
    rels : pandas.DataFrame
        Supply relationships (:func:`supply_relationships`).
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    pandas.DataFrame
        The ``movements`` table (``id, date, sku, kind, from_party, to_party,
        units, note``), sorted by date.

    Examples
    --------
    >>> import numpy as np
    >>> from ecograph import ledger
    >>> from ecograph.synth import PROFILES, activity, parties
    >>> p, rng = PROFILES["it"], np.random.default_rng(0)
    >>> P, C = parties.partners(p, 20, rng), parties.customers(p, 60, rng)
    >>> S = parties.suppliers(p, 6, rng)
    >>> sales = hardware_sales(activity.sells_to(P, C, p.regions, rng), P, p, rng)
    >>> moves = movements(p, P, C, sales, supply_relationships(p, P, S, sales, rng), rng)
    >>> sorted(moves["kind"].unique())
    ['deploy', 'dispose', 'return', 'supply', 'transfer']
    >>> ledger.overdrafts(moves).empty
    True
    """
    pid = partners["id"].to_numpy()
    cid = customers["id"].to_numpy()
    hw = sales[sales["sku"].notna()].reset_index(drop=True)
    # deployments at customers
    dep = hw.assign(day=rng.integers(150, 330, len(hw)), partner=pid[hw["p"]], cust=cid[hw["c"]])
    out = [_lots(dep, "deploy", dep["partner"], dep["cust"], dep["volume"], _days(dep["day"]))]
    # partner stock arrives from its distributor before its first deployment
    supplier_of = rels[(rels["type"] == "supplies") & rels["target"].isin(pid)]
    supplier_of = supplier_of.drop_duplicates(["target", "sku"]).set_index(["target", "sku"])["source"]
    need = dep.groupby(["partner", "sku"], as_index=False).agg(units=("volume", "sum"),
                                                               day=("day", "min"))
    need["units"] = np.ceil(need["units"] * 1.1)
    need["day"] = need["day"] - rng.integers(5, 30, len(need))
    need["dist"] = supplier_of.reindex(pd.MultiIndex.from_frame(need[["partner", "sku"]])).to_numpy()
    out.append(_lots(need, "transfer", need["dist"], need["partner"], need["units"], _days(need["day"])))
    # distributor stock arrives from the company
    stock = need.groupby(["dist", "sku"], as_index=False).agg(units=("units", "sum"), day=("day", "min"))
    stock["units"] = np.ceil(stock["units"] * 1.05)
    stock["day"] = stock["day"] - rng.integers(5, 20, len(stock))
    out.append(_lots(stock, "transfer", p.company_id, stock["dist"], stock["units"], _days(stock["day"])))
    out += _company_inbound(p, stock, rels, rng)
    # some deployed units come back; half of those are scrapped
    back = dep[rng.random(len(dep)) < 0.06].copy()
    back["units"] = np.maximum(1, np.floor(back["volume"] * rng.random(len(back))))
    back["day"] = np.minimum(back["day"] + rng.integers(5, 30, len(back)), 364)
    out.append(_lots(back, "return", back["cust"], back["partner"], back["units"], _days(back["day"])))
    scrap = back[rng.random(len(back)) < 0.5]
    out.append(_lots(scrap, "dispose", scrap["partner"], None, scrap["units"],
                     _days(np.minimum(scrap["day"] + 1, 364)), "scrapped"))
    if p.demo_sku:
        out += _demo_units(p, pid[np.unique(hw["p"])], rng)
    moves = pd.concat(out, ignore_index=True).sort_values(["date", "kind"], kind="stable")
    moves.insert(0, "id", [f"M{i:08d}" for i in range(1, len(moves) + 1)])
    return moves.reset_index(drop=True)


def _company_inbound(p: Profile, stock: pd.DataFrame, rels: pd.DataFrame,
                     rng: np.random.Generator) -> list[pd.DataFrame]:
    """What the company receives (and assembles) before it ships to distributors."""
    ship = stock.groupby("sku", as_index=False).agg(units=("units", "sum"), day=("day", "min"))
    ship["day"] = np.maximum(ship["day"] - 7, 20)
    out = []
    if p.assembles:
        inputs = dict((a[0], a[5]) for a in p.assets)
        made = ship
        out.append(_lots(made, "supply", None, p.company_id, made["units"], _days(made["day"]), "assembled"))
        used = made.assign(sku=made["sku"].map(inputs)).explode("sku")
        used["units"] = np.where(used["sku"] == p.raw_sku, used["units"] * KG_PER_UNIT, used["units"])
        out.append(_lots(used, "dispose", p.company_id, None, used["units"],
                         _days(used["day"]), "consumed in assembly"))
        ship = used.groupby("sku", as_index=False).agg(units=("units", "sum"), day=("day", "min"))
        ship["day"] = ship["day"] - 5
    source = rels[(rels["type"] == "supplies") & (rels["target"] == p.company_id)]
    shares = source.assign(share=source["volume"] / source.groupby("sku")["volume"].transform("sum"))
    lots = shares.merge(ship, on="sku")
    units = np.ceil(lots["units"] * lots["share"]).where(~lots["sku"].eq(p.raw_sku),
                                                         np.round(lots["units"] * lots["share"], 1))
    out.append(_lots(lots, "supply", lots["source"].to_numpy(), p.company_id, units,
                     _days(lots["day"] - 3)))
    # raw material reaches tier-1 suppliers, who consume most of it
    raw = rels[(rels["type"] == "supplies") & (rels["sku"] == p.raw_sku)
               & (rels["target"] != p.company_id)]
    day = rng.integers(1, 10, len(raw))
    out.append(_lots(raw, "supply", raw["source"].to_numpy(), raw["target"].to_numpy(),
                     raw["volume"].to_numpy(), _days(day)))
    out.append(_lots(raw, "dispose", raw["target"].to_numpy(), None,
                     np.round(raw["volume"].to_numpy() * 0.8, 1), _days(day + 3),
                     "consumed in production"))
    return out


def _demo_units(p: Profile, holders: np.ndarray, rng: np.random.Generator) -> list[pd.DataFrame]:
    lent = pd.DataFrame({"sku": p.demo_sku, "partner": holders,
                         "units": rng.integers(1, 3, len(holders)).astype(float),
                         "day": rng.integers(20, 90, len(holders))})
    total = pd.DataFrame({"sku": [p.demo_sku]})
    back = lent[rng.random(len(lent)) < 0.5]
    return [
        _lots(total, "supply", None, p.company_id, [lent["units"].sum()], _days([10])),
        _lots(lent, "transfer", p.company_id, lent["partner"], lent["units"], _days(lent["day"])),
        _lots(back, "return", back["partner"], p.company_id, back["units"],
              _days(back["day"] + rng.integers(30, 200, len(back)))),
    ]


def audits(balances: pd.DataFrame, counted_parties: pd.Index, rng: np.random.Generator,
           *, date: str = "2025-12-31") -> pd.DataFrame:
    """Year-end counts for a sample of party × SKU balances, all matching the ledger.

    About 40% of the positive balances of ``counted_parties`` are counted.

    Parameters
    ----------
    balances : pandas.DataFrame
        ``party, sku, units`` (:func:`ecograph.ledger.balances` at ``date``).
    counted_parties : pandas.Index
        The parties whose stock may be counted.
    rng : numpy.random.Generator
        The random generator.
    date : str, default "2025-12-31"
        The day of every count.

    Returns
    -------
    pandas.DataFrame
        The ``audits`` table: ``id, date, party, sku, counted``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> held = pd.DataFrame({"party": ["P1", "P1", "P2", "C1"], "sku": ["SRV", "NET", "SRV", "SRV"],
    ...                      "units": [4.0, 0.0, 2.0, 9.0]})
    >>> counts = audits(held, pd.Index(["P1", "P2"]), np.random.default_rng(2))
    >>> list(counts.columns)
    ['id', 'date', 'party', 'sku', 'counted']
    >>> counts[["party", "sku", "counted"]].values.tolist()
    [['P1', 'SRV', 4.0], ['P2', 'SRV', 2.0]]
    """
    held = balances[balances["party"].isin(counted_parties) & (balances["units"] > 0)]
    held = held[rng.random(len(held)) < 0.4].reset_index(drop=True)
    return pd.DataFrame({"id": [f"A{i:06d}" for i in range(1, len(held) + 1)],
                         "date": pd.Timestamp(date), "party": held["party"], "sku": held["sku"],
                         "counted": held["units"].astype(float)})
