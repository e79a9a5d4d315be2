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

__all__ = ["hardware_sales", "supply_relationships", "bom_table", "input_need", "movements", "safety_stock",
           "audits", "KG_PER_UNIT"]

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
        ``source, target, type, sku, volume, capacity`` (party ids; ``capacity``
        is empty, that is equal to ``volume``, except where there is slack: each
        dual source, and its raw material, can carry all the company needs of
        its SKU, and a twinned distributor all of its partners' supply).

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
    # a partner served by twins: either twin can carry all of it (spare capacity, not only a share)
    twinned = down.groupby(["p", "sku"])["d"].transform("nunique") > 1
    edges = [pd.DataFrame({"source": pid[down["d"]], "target": pid[down["p"]], "type": "supplies",
                           "sku": down["sku"], "volume": np.ceil(down["volume"] * 1.2),
                           "capacity": np.ceil(down.groupby(["p", "sku"])["volume"].transform("sum") * 1.2)
                           .where(twinned)})]
    up = down.assign(twinned=twinned).groupby(["d", "sku"], as_index=False).agg(
        volume=("volume", "sum"), twinned=("twinned", "any"))
    up["capacity"] = np.ceil(up["volume"] * 2.6).where(up["twinned"])  # its twin's share too
    edges.append(pd.DataFrame({"source": pid[up["d"]], "target": p.company_id,
                               "type": "distributes_for", "sku": up["sku"],
                               "volume": np.ceil(up["volume"] * 1.3), "capacity": up["capacity"]}))
    need = input_need(p, hw)
    rows = []
    for sku, units in need.items():
        if sku == p.chokepoint_sku:
            rows.append((sid[0], p.company_id, sku, np.ceil(units * 1.1), np.nan))
        elif sku in p.dual_sourced_skus:  # either can carry it all: redundant with spare capacity
            rows += [(s, p.company_id, sku, np.ceil(units * 0.7), np.ceil(units * 1.1)) for s in sid[2:4]]
        else:
            rows.append((sid[4], p.company_id, sku, np.ceil(units * 1.2), np.nan))
    choke = need.get(p.chokepoint_sku, 0.0)
    dual = sum(need.get(s, 0.0) for s in p.dual_sourced_skus)
    chain = [sid[1], *sid[5:5 + chokepoints]]  # each the only source of the one before
    for upstream, downstream in zip(chain, [sid[0], *chain[:-1]], strict=True):
        rows.append((upstream, downstream, p.raw_sku, np.ceil(choke * KG_PER_UNIT * 1.2), np.nan))
    for tier1 in (sid[2], sid[3]):  # room to feed either dual source making it all
        rows.append((sid[4], tier1, p.raw_sku, np.ceil(dual * KG_PER_UNIT * 0.5),
                     np.ceil(dual * KG_PER_UNIT * 1.1)))
    for extra in sid[5 + chokepoints:]:
        rows.append((extra, sid[2 + rng.integers(0, 2)], p.raw_sku, float(rng.integers(50, 500)), np.nan))
    edges.append(pd.DataFrame(rows, columns=["source", "target", "sku", "volume", "capacity"])
                 .assign(type="supplies"))
    return pd.concat(edges, ignore_index=True)[["source", "target", "type", "sku", "volume", "capacity"]]


def bom_table(p: Profile) -> pd.DataFrame:
    """The ``bom`` table: one line per SKU and input of the domain's catalogue.

    An input takes one unit per unit made, except the raw material,
    :data:`KG_PER_UNIT` kg.

    Parameters
    ----------
    p : Profile
        The domain.

    Returns
    -------
    pandas.DataFrame
        ``id, sku, input, quantity``.

    Examples
    --------
    >>> from ecograph.synth import PROFILES
    >>> bom_table(PROFILES["manufacturing"]).values.tolist()
    [['B01', 'PUMP', 'GEARBOX', 1.0], ['B02', 'PUMP', 'MOTOR', 1.0], ['B03', 'VALVE', 'STEEL', 12.0], \
['B04', 'GEARBOX', 'STEEL', 12.0]]
    """
    lines = [(a[0], r, KG_PER_UNIT if r == p.raw_sku else 1.0) for a in p.assets for r in a[5]]
    out = pd.DataFrame(lines, columns=["sku", "input", "quantity"])
    out.insert(0, "id", [f"B{i:02d}" for i in range(1, len(out) + 1)])
    return out


def input_need(p: Profile, sales: pd.DataFrame) -> dict[str, float]:
    """Units per year the company needs of each SKU it buys to meet the year's demand.

    When the company assembles, each finished unit takes its inputs by
    :func:`bom_table`; otherwise it buys the finished SKUs themselves.

    Parameters
    ----------
    p : Profile
        The domain.
    sales : pandas.DataFrame
        Sold-to pairs with ``sku`` and ``volume`` (:func:`hardware_sales`).

    Returns
    -------
    dict of str to float
        SKU to units per year.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.synth import PROFILES
    >>> sales = pd.DataFrame({"sku": ["PUMP", "VALVE", None], "volume": [3.0, 2.0, float("nan")]})
    >>> input_need(PROFILES["manufacturing"], sales)
    {'GEARBOX': 3.0, 'MOTOR': 3.0, 'STEEL': 24.0}
    >>> input_need(PROFILES["it"], pd.DataFrame({"sku": ["NET-SW"], "volume": [5.0]}))
    {'NET-SW': 5.0}
    """
    demand = sales[sales["sku"].notna()].groupby("sku")["volume"].sum()
    bom = (bom_table(p) if p.assembles  # else it buys what it sells
           else pd.DataFrame({"sku": demand.index, "input": demand.index, "quantity": 1.0}))
    used = demand.rename("units").reset_index().merge(bom, on="sku")
    need = (used["units"] * used["quantity"]).groupby(used["input"], sort=False).sum()
    return {str(k): float(v) for k, v in need.items()}


def _lots(frame: pd.DataFrame, kind: str, src, dst, units, date, note=None, lot=None) -> pd.DataFrame:
    return pd.DataFrame({"date": date, "sku": frame["sku"].to_numpy(), "kind": kind,
                         "from_party": src, "to_party": dst, "units": units, "note": note, "lot": lot})


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
    """The year's ledger: supply, transfer, deploy, return and dispose movements, and (when the
    company assembles) one ``produce`` lot per finished SKU with the ``consume`` rows of its inputs.

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
        units, note, lot``), sorted by date.

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
    return _numbered(out)


def _numbered(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The movements in ``frames`` sorted by date (then kind) and numbered ``M00000001``, ..."""
    moves = pd.concat(frames, ignore_index=True).sort_values(["date", "kind"], kind="stable")
    moves.insert(0, "id", [f"M{i:08d}" for i in range(1, len(moves) + 1)])
    return moves.reset_index(drop=True)


def safety_stock(p: Profile, moves: pd.DataFrame, rels: pd.DataFrame, *, days: float) -> pd.DataFrame:
    """``moves`` plus a safety-stock lot of every SKU the company buys from a single supplier
    (except the chokepoint SKU): ``days`` of the edge's yearly volume, received on 2025-12-01
    and still on hand at the year's end.

    Parameters
    ----------
    p : Profile
        The domain.
    moves : pandas.DataFrame
        The ``movements`` table (:func:`movements`).
    rels : pandas.DataFrame
        Supply relationships (:func:`supply_relationships`).
    days : float
        Days of yearly volume to hold.

    Returns
    -------
    pandas.DataFrame
        The movements, renumbered in date order.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.synth import PROFILES
    >>> rels = pd.DataFrame({"source": ["S0005", "S0001"], "target": "AQUILA", "type": "supplies",
    ...                      "sku": ["STEEL", "GEARBOX"], "volume": [3650.0, 100.0]})
    >>> moves = pd.DataFrame({"id": ["M00000001"], "date": pd.to_datetime(["2025-12-20"]), "sku": "STEEL",
    ...                       "kind": "supply", "from_party": "S0005", "to_party": "AQUILA", "units": 9.0,
    ...                       "note": None, "lot": None})
    >>> safety_stock(PROFILES["manufacturing"], moves, rels, days=28)[
    ...     ["id", "sku", "units", "note"]].values.tolist()
    [['M00000001', 'STEEL', 280.0, 'safety stock'], ['M00000002', 'STEEL', 9.0, None]]
    """
    source = rels[(rels["type"] == "supplies") & (rels["target"] == p.company_id)]
    sole = source[(source.groupby("sku")["source"].transform("nunique") == 1)
                  & (source["sku"] != p.chokepoint_sku)]
    lot = _lots(sole, "supply", sole["source"].to_numpy(), p.company_id,
                np.ceil(sole["volume"].to_numpy() * days / 365.0), _days(np.full(len(sole), 334)),
                "safety stock")
    return _numbered([moves.drop(columns="id"), lot])


def _company_inbound(p: Profile, stock: pd.DataFrame, rels: pd.DataFrame,
                     rng: np.random.Generator) -> list[pd.DataFrame]:
    """What the company receives (and assembles) before it ships to distributors."""
    ship = stock.groupby("sku", as_index=False).agg(units=("units", "sum"), day=("day", "min"))
    ship["day"] = np.maximum(ship["day"] - 7, 20)
    out = []
    if p.assembles:
        inputs = dict((a[0], a[5]) for a in p.assets)
        made = ship.assign(lot="LOT-" + ship["sku"])  # one lot per SKU, its inputs consumed by the BOM
        out.append(_lots(made, "produce", None, p.company_id, made["units"], _days(made["day"]), "assembled",
                         made["lot"].to_numpy()))
        used = made.assign(sku=made["sku"].map(inputs)).explode("sku")
        used["units"] = np.where(used["sku"] == p.raw_sku, used["units"] * KG_PER_UNIT, used["units"])
        out.append(_lots(used, "consume", p.company_id, None, used["units"],
                         _days(used["day"]), "consumed in assembly", used["lot"].to_numpy()))
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
    # the chokepoint's chain runs lean (3% left over, not 20%): no hidden buffer behind a sole source
    lean = set(source.loc[source["sku"] == p.chokepoint_sku, "source"])
    while more := set(raw.loc[raw["target"].isin(lean), "source"]) - lean:
        lean |= more
    used = np.where(raw["target"].isin(lean), 0.97, 0.8)
    out.append(_lots(raw, "dispose", raw["target"].to_numpy(), None,
                     np.round(raw["volume"].to_numpy() * used, 1), _days(day + 3),
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
