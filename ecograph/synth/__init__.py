"""Synthetic ecosystem bundles with planted ground truth.

``generate_bundle`` writes a complete, valid bundle of any size plus
``truth.json`` and ``TRUTH.md`` describing what was planted: a single-source
chokepoint supplier, an uncovered region × segment × capability, three
complementary partner pairs that never co-sold, a mis-tiered partner, an
audit discrepancy, a broker partner, regional clusters, and the supply-risk
cases of :mod:`ecograph.synth.exposure` (a deep low-value single source, a
redundant supplier with spare capacity, an inventory buffer that covers a short
time to recover).

>>> import tempfile
>>> truth = generate_bundle(tempfile.mkdtemp(), partners=40, customers=200, seed=1)
>>> truth["chokepoint_supplier"]["id"]
'S0001'
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

from .. import ledger
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..files import replacing
from . import activity, chain, exposure, parties, plant
from .profiles import PROFILES
from .truth import truth_markdown
from .weak import weak_markdown as _weak_markdown

__all__ = ["generate_bundle", "generate_tables", "PROFILES"]


def generate_bundle(out: str | os.PathLike, *, partners: int = 60, customers: int = 400,
                    seed: int = 0, domain: str = "it", format: str = "csv", chokepoints: int = 0,
                    decoys: int = 0, difficulty: str | None = None) -> dict:
    """Write a synthetic bundle to ``out`` and return its truth (also in ``truth.json``).

    ``TRUTH.md`` beside it tells the same facts for people.

    Parameters
    ----------
    out : str or os.PathLike
        The bundle folder to write; it is replaced as a whole (tables,
        ``truth.json`` and ``TRUTH.md``) or, on a fault, left as it was
        (:func:`ecograph.files.replacing`).
    partners : int, default 60
        How many partners (at least 20).
    customers : int, default 400
        How many customers and prospects (at least 100).
    seed : int, default 0
        Seed of the random generator: the same arguments write the same bundle.
    domain : str, default "it"
        A key of :data:`PROFILES` (``"it"`` or ``"manufacturing"``).
    format : {"csv", "parquet"}, default "csv"
        The file format of the tables.
    chokepoints : int, default 0
        Extra chokepoint suppliers to plant (see :func:`generate_tables`).
    decoys : int, default 0
        Redundant distributor twins to plant (see :func:`generate_tables`).
    difficulty : {"easy", "medium", "hard"} or None, default None
        Plant the co-sell, tier and broker truths weakly among confounders
        (:func:`ecograph.synth.weak.weaken`; the truth gains ``weak``).

    Returns
    -------
    dict
        The planted truth (see :func:`generate_tables`).

    Raises
    ------
    ParameterError
        When ``domain`` is unknown, the sizes are too small, or too few
        selling partners came out to plant the co-sell pairs.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = tempfile.mkdtemp()
    >>> truth = generate_bundle(out, partners=20, customers=100, seed=0)
    >>> sorted(f.name for f in Path(out).iterdir() if not f.name.endswith(".csv"))
    ['.ecograph-output', 'TRUTH.md', 'truth.json']
    >>> truth["chokepoint_supplier"]["sku"]
    'NET-SW'
    """
    tables, truth = generate_tables(partners=partners, customers=customers, seed=seed,
                                    chokepoints=chokepoints, decoys=decoys,
                                    domain=domain)
    if difficulty is not None:  # weak truths among confounders (ecograph.synth.weak)
        from .weak import weaken

        tables, truth = weaken(tables, truth, difficulty=difficulty, seed=seed)
    with replacing(out) as path:  # the bundle and its truth as a whole, or nothing
        Ecosystem(tables).to_bundle(path, format=format)
        (path / "truth.json").write_text(json.dumps(truth, indent=2, default=str) + "\n")
        (path / "TRUTH.md").write_text(truth_markdown(truth) + _weak_markdown(truth), encoding="utf-8")
    return truth


def generate_tables(*, partners: int = 60, customers: int = 400, seed: int = 0,
                    domain: str = "it", chokepoints: int = 0,
                    decoys: int = 0) -> tuple[dict[str, pd.DataFrame], dict]:
    """The tables of a synthetic bundle (typed, as in an Ecosystem) and its truth.

    Parameters
    ----------
    partners : int, default 60
        How many partners (at least 20).
    customers : int, default 400
        How many customers and prospects (at least 100).
    seed : int, default 0
        Seed of the random generator.
    domain : str, default "it"
        A key of :data:`PROFILES` (``"it"`` or ``"manufacturing"``).
    chokepoints : int, default 0
        Extra chokepoint suppliers to plant: an exclusive chain above the
        chokepoint's raw-material supplier, each the only source of the next.
    decoys : int, default 0
        Redundant decoys to plant: the busiest distributors each share every
        partner's supply with an idle twin (a large share each, but either
        can make up for the other).

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        Every bundle table by name.
    truth : dict
        What was planted: ``chokepoint_supplier``, ``supply_truth`` (every
        supplier labelled chokepoint or redundant), ``coverage_gap``,
        ``complementary_pairs``, ``mis_tiered_partner``, ``audit_discrepancy``,
        ``broker_partner``, ``regional_clusters`` and ``risk_exposure`` (TTR
        against TTS: :func:`ecograph.synth.exposure.exposure_truth`), plus the arguments.

    Raises
    ------
    ParameterError
        When ``domain`` is unknown, there are fewer than 20 partners or 100
        customers, or too few selling partners came out to plant the co-sell pairs.

    Examples
    --------
    >>> tables, truth = generate_tables(partners=20, customers=100, seed=0)
    >>> len(tables["partners"]), len(tables["customers"])
    (20, 100)
    >>> truth["broker_partner"]["id"] in set(tables["partners"]["id"])
    True
    >>> generate_tables(partners=10)
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: need at least 20 partners and 100 customers to plant the truth
    """
    if domain not in PROFILES:
        raise ParameterError(f"domain must be one of {', '.join(PROFILES)}; got {domain!r}")
    if partners < 20 or customers < 100:
        raise ParameterError("need at least 20 partners and 100 customers to plant the truth")
    p = PROFILES[domain]
    rng = np.random.default_rng(seed)
    P = parties.partners(p, partners, rng)
    C = parties.customers(p, customers, rng)
    if chokepoints < 0 or decoys < 0:
        raise ParameterError(f"chokepoints and decoys must be 0 or more; got {chokepoints} and {decoys}")
    S = parties.suppliers(p, max(6, partners // 10) + chokepoints, rng)
    tables = parties.catalogue(p)

    broker = plant.plant_broker(p, P, rng)
    gap = plant.plant_gap(p, P, C, rng)
    shared, pairs = plant.plant_pairs(p, P, C, rng, avoid_region=gap["region"], avoid={broker},
                                      gap_capability=gap["capability"])
    sells = pd.concat([activity.sells_to(P, C, p.regions, rng), shared], ignore_index=True)
    sells = sells.drop_duplicates(["p", "c"]).reset_index(drop=True)
    planted = {(x["a"], x["b"]) for x in pairs}
    co = activity.cosell_pairs(sells, len(P), len(C), rng, exclude=planted)
    co = np.vstack([co, _broker_links(P, broker, p.regions, rng)])
    co = np.unique(np.sort(co, axis=1), axis=0)
    co = co[co[:, 0] != co[:, 1]]

    sales = chain.hardware_sales(sells, P, p, rng)
    supply = chain.supply_relationships(p, P, S, sales, rng, chokepoints=chokepoints, decoys=decoys)
    S = exposure.plant_suppliers(p, S, supply, chokepoints=chokepoints)
    deals = activity.deals(P, C, sells, tables["products"], p, rng)
    _keep_gap_clean(deals, C, tables["products"], gap)
    _add_cosell_partners(deals, co, rng)
    won = deals[deals["status"] == "won"].groupby("p")["amount"].sum()
    avoid = {broker, *[x["a"] for x in pairs], *[x["b"] for x in pairs]}
    mis = plant.assign_tiers(P, won, avoid=avoid)

    pid, cid = P["id"].to_numpy(), C["id"].to_numpy()
    tables["partners"] = P.drop(columns=["size", "quality"])
    tables["customers"] = C
    tables["suppliers"] = S
    tables["relationships"] = _relationships(pid, cid, P["joined"], sales, co, supply, rng)
    tables["deals"] = pd.DataFrame({
        "id": [f"D{i:08d}" for i in range(1, len(deals) + 1)],
        "partner": pid[deals["p"]], "customer": cid[deals["c"]], "product": deals["product"],
        "registered": deals["registered"], "closed": deals["closed"], "status": deals["status"],
        "amount": deals["amount"],
        "cosell_partner": pd.Series(pid[deals["cp"]]).where(deals["cp"] >= 0, None)})
    moves = chain.movements(p, P, C, sales, supply, rng)
    tables["movements"] = moves
    held = ledger.balances(moves, as_of="2025-12-31")
    counted_parties = pd.Index([*pid, p.company_id])
    audits = chain.audits(held, counted_parties, rng)
    counted = {a[0] for a in p.assets if a[4]}
    discrepancy = plant.plant_audit_discrepancy(audits, set(pid), counted)
    tables["audits"] = audits
    # after the counts are drawn (their sample stays what it was): a stock that outlasts a short TTR
    tables["movements"] = chain.safety_stock(p, moves, supply, days=exposure.BUFFER_DAYS)
    tables["bom"] = chain.bom_table(p)

    truth = {
        "domain": domain, "seed": seed, "partners": partners, "customers": customers,
        "chokepoint_supplier": {
            "id": S["id"].iat[0], "sku": p.chokepoint_sku, "exclusive_upstream": [S["id"].iat[1]],
            "why": "sole supplier of the SKU; its raw-material supplier supplies nobody else"},
        "coverage_gap": gap,
        "complementary_pairs": [{**x, "a": pid[x["a"]], "b": pid[x["b"]]} for x in pairs],
        "mis_tiered_partner": {"id": pid[mis.pop("index")], **mis},
        "audit_discrepancy": discrepancy,
        "broker_partner": {"id": pid[broker], "regions": list(P.at[broker, "regions"])},
        "regional_clusters": {"attribute": "region", "regions": list(p.regions)},
        "supply_truth": _supply_truth(p, S["id"].tolist(), supply, chokepoints,
                                      _twinned(supply, pid) if decoys else []),
        "risk_exposure": exposure.exposure_truth(p, tables, chain.input_need(p, sales),
                                                 chokepoints=chokepoints),
    }
    return tables, truth


def _supply_truth(p, sid: list[str], supply: pd.DataFrame, chokepoints: int, twins: list[str]) -> dict:
    """Every supplier labelled by construction: a chokepoint (its loss cannot be absorbed, even
    were every other source to double what it ships) or redundant; and the twinned
    distributors, redundant."""
    sole_other = bool(((supply["source"] == sid[4]) & (supply["target"] == p.company_id)).any())
    into_tier1 = supply[supply["target"].isin(sid[2:4]) & (supply["sku"] == p.raw_sku)]
    common = into_tier1.loc[into_tier1["source"] == sid[4], "volume"].sum()
    others = into_tier1.loc[into_tier1["source"] != sid[4], "volume"].sum()
    upstream = common > 2 * others  # the others, doubled, cannot make up for it
    planted = sid[5:5 + chokepoints]
    choke = [sid[0], sid[1], *planted, *([sid[4]] if sole_other or upstream else [])]
    why = (f"{sid[0]} is the sole source of {p.chokepoint_sku} and {sid[1]} its only raw-material supplier"
           + (f", itself supplied only by {', '.join(planted)} in a chain" if planted else "")
           + f"; {sid[2]} and {sid[3]} split {', '.join(p.dual_sourced_skus)} (decoys: a large share each, "
           "but either can make up for the other)"
           + (f"; {sid[4]} is the sole source of the other inputs" if sole_other else "")
           + (f"; {sid[4]} ships {p.raw_sku} to both of them, more than twice what the rest do"
              if upstream else f"; {sid[4]}'s {p.raw_sku} can be made up by the rest")
           + ("; each twinned distributor shares every partner's supply with its twin" if twins else ""))
    return {"chokepoints": choke, "redundant": [s for s in sid if s not in choke] + twins, "why": why}


def _twinned(supply: pd.DataFrame, pid: np.ndarray) -> list[str]:
    """The distributors that share every partner they supply with another distributor."""
    down = supply[(supply["type"] == "supplies") & supply["target"].isin(pid) & supply["source"].isin(pid)]
    sources = down.groupby(["target", "sku"])["source"].nunique()
    shared = sources[sources > 1].reset_index()[["target", "sku"]]
    both = down.merge(shared, on=["target", "sku"], how="left", indicator=True)
    alone = set(both.loc[both["_merge"] == "left_only", "source"])
    return sorted(set(both.loc[both["_merge"] == "both", "source"]) - alone)


def _broker_links(P: pd.DataFrame, broker: int, regions, rng) -> np.ndarray:
    """The broker co-sells with up to two selling partners based in every region."""
    home = P["regions"].map(lambda r: r[0]).to_numpy()
    selling = (P["partner_type"] != "distributor").to_numpy(copy=True)
    selling[broker] = False
    picks = []
    for r in regions:
        pool = np.flatnonzero(selling & (home == r))
        picks.append(rng.choice(pool, min(2, len(pool)), replace=False))
    mates = np.concatenate(picks).astype(np.int64)
    return np.column_stack([np.full(len(mates), broker), mates])


def _keep_gap_clean(deals: pd.DataFrame, C: pd.DataFrame, products: pd.DataFrame, gap: dict) -> None:
    """Outside the planted cell, the gap region shows no demand for the gap capability."""
    needs_gap = products["capabilities"].map(lambda c: gap["capability"] in c)
    other = products.loc[~needs_gap, "id"].to_numpy()
    region = C["region"].to_numpy()[deals["c"]] == gap["region"]
    cell = C["segment"].to_numpy()[deals["c"]] == gap["segment"]
    bad = region & ~cell & deals["product"].isin(products.loc[needs_gap, "id"]).to_numpy()
    deals.loc[bad, "product"] = other[np.arange(bad.sum()) % len(other)]


def _add_cosell_partners(deals: pd.DataFrame, co: np.ndarray, rng) -> None:
    """Name a co-sell partner on some deals, always one the partner co-sells with."""
    both = np.vstack([co, co[:, ::-1]])
    both = both[np.argsort(both[:, 0], kind="stable")]
    n = int(both[:, 0].max()) + 1 if len(both) else 0
    starts = np.searchsorted(both[:, 0], np.arange(n))
    degree = np.bincount(both[:, 0], minlength=n)
    p = deals["p"].to_numpy()
    has = np.zeros(len(p), bool)
    has[p < n] = degree[p[p < n]] > 0
    pick = has & (rng.random(len(p)) < 0.15)
    mate = both[starts[p[pick]] + (rng.random(pick.sum()) * degree[p[pick]]).astype(int), 1]
    deals["cp"] = -1
    deals.loc[pick, "cp"] = mate


def _relationships(pid, cid, joined, sales, co, supply, rng) -> pd.DataFrame:
    start = joined.to_numpy()[sales["p"]] + pd.to_timedelta(rng.integers(0, 365, len(sales)), "D")
    rel = pd.concat([
        pd.DataFrame({"source": pid[sales["p"]], "target": cid[sales["c"]], "type": "sells_to",
                      "sku": sales["sku"], "volume": sales["volume"], "start": start}),
        pd.DataFrame({"source": pid[co[:, 0]], "target": pid[co[:, 1]], "type": "co_sells_with",
                      "start": pd.Timestamp("2024-01-01")}),
        supply.assign(start=pd.Timestamp("2023-01-01")),
    ], ignore_index=True)
    rel.insert(0, "id", [f"R{i:08d}" for i in range(1, len(rel) + 1)])
    rel["weight"] = np.nan
    rel["end"] = pd.NaT
    return rel
