"""Coverage gaps: where demand meets too few partners able to serve it.

Demand is counted per region × segment × capability cell from the tables, not
from a graph: accounts whose ``needs`` include the capability, plus open deals
(``registered`` or ``approved``) on products requiring it. Supply is the
partners serving the region (``regions``) who hold the capability (in
``capabilities`` or ``certifications``); it does not depend on the segment.

- **Performance** of a partner (``performance="win_rate"``) is its smoothed
  win rate ``(won + 1) / (won + lost + 2)`` over closed deals, 0.5 without
  any; ``"uniform"`` weighs every partner 1.
- **k-redundancy**: a cell served by fewer than ``k`` partners is ``fragile``;
  served by none, it is a ``gap``.
- ``gap_score = (k − min(able_partners, k)) + u / (1 + u)`` with
  ``u = demand / (1 + weighted_supply)``: the integer part counts the partners
  missing to reach ``k`` (so every gap ranks above every fragile cell, and a
  fragile cell above a covered one); the fraction grows with the demand each
  weighted partner would have to carry.

**Recall.** On generated bundles (``ecograph.synth.generate_tables``) the
planted gap ranked first in all 118 bundles tried (IT and manufacturing, 20
seeds each at 40/300 and 60/400 partners/customers, 19 at 25/120): recall@1 =
1.0. ``tests/analysis/test_coverage.py``
asserts recall@1 ≥ 0.8 over three seeds per domain at 40/300.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
>>> top = coverage_matrix(eco).iloc[0]
>>> top["region"], top["segment"], top["capability"], int(top["customers"])
('NA-West', 'enterprise', 'compliance', 15)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..frames import isin
from ..ties import partner_accounts
from ._common import check_choice
from .activity import partner_activity

__all__ = ["coverage_matrix", "partner_type_gaps", "nearest_fixes", "PERFORMANCE", "FIXES"]

PERFORMANCE = ("win_rate", "uniform")
FIXES = ("add_capability", "extend_region", "recruit")
_OPEN = ("registered", "approved")
_CELL = ["region", "segment", "capability"]


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(f"{name} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


def _long(frame: pd.DataFrame, key: str, column: str, name: str) -> pd.DataFrame:
    """One row per item of the list column ``column`` (empty lists drop out)."""
    out = frame[[key, column]].explode(column).dropna(subset=[column])
    return out.rename(columns={column: name})


def _performance(eco: Ecosystem, performance: str) -> pd.Series:
    """Weight of every partner, indexed by partner id (see the module docstring)."""
    check_choice("performance", performance, PERFORMANCE)
    ids = pd.Index(eco.partners["id"])
    if performance == "uniform":
        return pd.Series(1.0, index=ids)
    return partner_activity(eco).set_index("id")["win_rate"].reindex(ids)


def _holdings(eco: Ecosystem) -> pd.DataFrame:
    """``id, capability, certified``: what each partner holds (a certification implies it)."""
    able = _long(eco.partners, "id", "capabilities", "capability")
    cert = _long(eco.partners, "id", "certifications", "capability").assign(certified=True)
    out = pd.concat([able, cert]).groupby(["id", "capability"], as_index=False).agg(
        certified=("certified", "any"))
    return out


def _presence(eco: Ecosystem) -> pd.DataFrame:
    """``id, region``: the regions each partner serves."""
    return _long(eco.partners, "id", "regions", "region").drop_duplicates()


def _sold(eco: Ecosystem) -> pd.DataFrame:
    """``id, customer, region, segment``: the customers each partner serves
    (:func:`~ecograph.ties.partner_accounts`)."""
    ties = partner_accounts(eco)
    pairs = ties.loc[ties["serves"], ["partner", "customer"]]
    accounts = eco.customers[["id", "region", "segment"]].rename(columns={"id": "customer"})
    return pairs.merge(accounts, on="customer").rename(columns={"partner": "id"})


def _demand(eco: Ecosystem) -> pd.DataFrame:
    """Demand per cell: ``customers, prospects, open_opportunities, deal_value``."""
    acc = eco.customers[["id", "region", "segment", "status", "needs"]].explode("needs")
    acc = acc.dropna(subset=["needs"]).rename(columns={"needs": "capability"})
    acc = acc.drop_duplicates(["id", "capability"])
    counts = pd.crosstab([acc["region"], acc["segment"], acc["capability"]], acc["status"])
    counts = counts.reindex(columns=["customer", "prospect"], fill_value=0)
    counts.columns = ["customers", "prospects"]
    deals = eco.deals.loc[eco.deals["status"].isin(_OPEN), ["customer", "product", "amount"]]
    req = _long(eco.products, "id", "capabilities", "capability").rename(columns={"id": "product"})
    accounts = eco.customers[["id", "region", "segment"]].rename(columns={"id": "customer"})
    deals = deals.merge(accounts, on="customer").merge(req, on="product")
    opps = deals.groupby(_CELL).agg(open_opportunities=("product", "size"),
                                    deal_value=("amount", "sum"))
    cells = counts.join(opps, how="outer").fillna(0)
    cells = cells.astype({"customers": "int64", "prospects": "int64", "open_opportunities": "int64"})
    cells["demand"] = cells["customers"] + cells["prospects"] + cells["open_opportunities"]
    cells.index.names = _CELL
    return cells[cells["demand"] > 0].reset_index()


def _supply(eco: Ecosystem, weights: pd.Series) -> pd.DataFrame:
    """Supply per region × capability: ``able_partners, certified_partners, weighted_supply``."""
    held = _presence(eco).merge(_holdings(eco), on="id")
    held["weight"] = held["id"].map(weights)
    return held.groupby(["region", "capability"], as_index=False).agg(
        able_partners=("id", "size"), certified_partners=("certified", "sum"),
        weighted_supply=("weight", "sum"))


def coverage_matrix(eco: Ecosystem, *, k: int = 2, performance: str = "win_rate") -> pd.DataFrame:
    """Demand against supply for every region × segment × capability cell with demand.

    Demand, supply, performance weights and ``gap_score`` are defined in the
    module docstring.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    k : int, default 2
        The redundancy wanted: a cell served by fewer than ``k`` partners is ``fragile``.
    performance : {"win_rate", "uniform"}, default "win_rate"
        How partners are weighted in ``weighted_supply``: smoothed win rate, or 1 each.

    Returns
    -------
    pandas.DataFrame
        ``region, segment, capability, customers, prospects,
        open_opportunities, deal_value, demand, able_partners, certified_partners,
        weighted_supply, fragile, gap, gap_score``, worst first (``gap_score``,
        then ``deal_value``). ``demand = customers + prospects +
        open_opportunities``; ``fragile`` is ``able_partners < k``, ``gap`` is
        ``able_partners == 0``.

    Raises
    ------
    ParameterError
        When ``k`` is not an integer ≥ 1 or ``performance`` is unknown.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/manufacturing")
    >>> cells = coverage_matrix(eco, k=2)
    >>> cells.loc[cells["gap"], ["region", "segment", "capability"]].iloc[0].tolist()
    ['South', 'agriculture', 'controls']
    >>> bool((cells["fragile"] >= cells["gap"]).all())
    True
    """
    k = _positive_int("k", k)
    weights = _performance(eco, performance)
    cells = _demand(eco).merge(_supply(eco, weights), on=["region", "capability"], how="left")
    cells = cells.fillna({"able_partners": 0, "certified_partners": 0, "weighted_supply": 0.0})
    cells = cells.astype({"able_partners": "int64", "certified_partners": "int64",
                          "weighted_supply": "float64", "deal_value": "float64"})
    cells["fragile"] = cells["able_partners"] < k
    cells["gap"] = cells["able_partners"] == 0
    u = cells["demand"] / (1.0 + cells["weighted_supply"])
    missing = k - np.minimum(cells["able_partners"], k)
    cells["gap_score"] = missing + u / (1.0 + u)
    cells = cells.sort_values(["gap_score", "deal_value", *_CELL],
                              ascending=[False, False, True, True, True], kind="stable",
                              ignore_index=True)
    return cells


def partner_type_gaps(eco: Ecosystem, *, min_customers: int = 20) -> pd.DataFrame:
    """Partner types a region has fewer of than its customers call for.

    Each partner's *segment mix* is the share of the customers it serves
    (:func:`~ecograph.ties.partner_accounts`) in each segment; partners who sold nothing take
    their type's average mix. Ecosystem-wide, type ``t`` supplies
    ``rate[t, s] = Σ regions served × mix[s] / customers in segment s``
    partner-regions per customer of segment ``s``; a region is expected to
    hold ``expected = Σ_s customers[region, s] × rate[t, s]`` partners of type
    ``t``. ``shortfall = expected − partners`` (negative: a surplus).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    min_customers : int, default 20
        Regions with fewer customers (status ``customer``) are left out.

    Returns
    -------
    pandas.DataFrame
        ``region, partner_type, partners, customers, top_segment,
        top_segment_customers, expected, shortfall`` for regions with at least
        ``min_customers`` customers (status ``customer``), largest shortfall first.
        ``partners`` counts partners of the type serving the region;
        ``top_segment`` is the segment contributing most to ``expected`` (``None``
        when nothing does) and ``top_segment_customers`` the region's customers in it.

    Raises
    ------
    ParameterError
        When ``min_customers`` is not an integer ≥ 0.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
    >>> gaps = partner_type_gaps(eco)
    >>> list(gaps.columns[:4])
    ['region', 'partner_type', 'partners', 'customers']
    >>> bool(gaps["shortfall"].is_monotonic_decreasing)
    True
    """
    min_customers = _positive_int("min_customers", min_customers, minimum=0)
    partners = eco.partners.set_index("id")
    buyers = eco.customers[eco.customers["status"] == "customer"]
    by_segment = pd.crosstab(buyers["region"], buyers["segment"])  # regions × segments
    segments = by_segment.columns
    sold = _sold(eco)
    sold = sold[isin(sold["customer"], buyers["id"])]
    mix = pd.crosstab(sold["id"], sold["segment"], normalize="index")
    mix = mix.reindex(columns=segments, fill_value=0.0)
    types = partners["partner_type"]
    average = mix.groupby(types.reindex(mix.index)).mean()
    mix = mix.reindex(partners.index)
    fill = average.reindex(types.to_numpy()).fillna(0.0).set_axis(partners.index)
    mix = mix.fillna(fill)
    presence = _presence(eco)
    reach = presence.groupby("id").size().reindex(partners.index, fill_value=0).astype(float)
    share = mix.mul(reach, axis=0).groupby(types).sum()  # types × segments
    rate = share.div(by_segment.sum(axis=0).replace(0, np.nan), axis=1).fillna(0.0)
    expected = by_segment.to_numpy(dtype=float) @ rate.to_numpy().T  # regions × types
    actual = pd.crosstab(presence["region"], presence["id"].map(types)).reindex(
        index=by_segment.index, columns=rate.index, fill_value=0)
    contribution = by_segment.to_numpy(dtype=float)[:, None, :] * rate.to_numpy()[None, :, :]
    top = contribution.argmax(axis=2)  # regions × types
    r, t = np.divmod(np.arange(expected.size), len(rate.index))
    frame = pd.DataFrame({
        "region": by_segment.index.to_numpy()[r], "partner_type": rate.index.to_numpy()[t],
        "partners": actual.to_numpy().ravel().astype(np.int64),
        "customers": by_segment.sum(axis=1).to_numpy()[r].astype(np.int64),
        "top_segment": np.where(contribution.max(axis=2).ravel() > 0,
                                segments.to_numpy()[top.ravel()], None),
        "top_segment_customers": by_segment.to_numpy()[r, top.ravel()].astype(np.int64),
        "expected": expected.ravel()})
    frame["shortfall"] = frame["expected"] - frame["partners"]
    frame = frame[frame["customers"] >= min_customers]
    return frame.sort_values(["shortfall", "expected", "region", "partner_type"],
                             ascending=[False, False, True, True], kind="stable", ignore_index=True)


def nearest_fixes(eco: Ecosystem, gaps: pd.DataFrame | None = None, *, top: int = 3,
                  min_experience: int = 0, performance: str = "win_rate") -> pd.DataFrame:
    """The closest ways to close each gap: existing partners one step away, or a recruit.

    ``gaps`` needs ``region, segment, capability`` columns (default: the
    ``gap`` rows of :func:`coverage_matrix`, worst first). Candidates are
    partners serving the region who lack the capability (``add_capability``)
    and partners holding it who do not serve the region (``extend_region``),
    scored ``performance × (1 + experience)``; ``experience`` counts the
    accounts of the gap's segment the partner serves (a ``sells_to``
    relationship or a won deal) — in the region for ``add_capability``, anywhere for
    ``extend_region`` — and must reach ``min_experience``. The best ``top`` of
    each kind are kept (``rank`` 1 = best within the gap and kind). A gap
    with no candidate gets one ``recruit`` row: a ``partner_type`` (the most
    common among partners who hold the capability and sell to the segment in
    other regions; else among the segment's sellers; else among holders of
    the capability; else overall) and ``capabilities`` (the gap's plus the two
    its accounts most often need with it).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    gaps : pandas.DataFrame or None, default None
        Cells to fix, with ``region, segment, capability`` columns; ``None``: the
        ``gap`` rows of :func:`coverage_matrix` (``k=2``), worst first.
    top : int, default 3
        Candidates kept per gap and kind of fix.
    min_experience : int, default 0
        The fewest accounts of the gap's segment a candidate must serve.
    performance : {"win_rate", "uniform"}, default "win_rate"
        The partner weight in ``score`` (and in the default ``gaps``).

    Returns
    -------
    pandas.DataFrame
        ``region, segment, capability, fix, rank, partner, partner_name,
        partner_type, score, experience, capabilities, why`` in the order of ``gaps``
        (within a gap: ``add_capability``, ``extend_region``, then ``recruit``);
        ``capabilities`` is what the partner would hold after the fix. A
        ``recruit`` row has no ``partner`` and no ``score``.

    Raises
    ------
    ParameterError
        When ``top`` is not an integer ≥ 1, ``min_experience`` not one ≥ 0,
        ``performance`` is unknown, or ``gaps`` lacks the cell columns.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
    >>> fixes = nearest_fixes(eco, top=2)
    >>> fixes[["capability", "fix", "rank"]].values.tolist()
    [['compliance', 'add_capability', 1], ['compliance', 'add_capability', 2],
     ['compliance', 'extend_region', 1], ['compliance', 'extend_region', 2]]
    >>> nearest_fixes(eco, min_experience=1000)[["fix", "partner_type"]].values.tolist()
    [['recruit', 'msp']]
    """
    top = _positive_int("top", top)
    min_experience = _positive_int("min_experience", min_experience, minimum=0)
    if gaps is None:
        gaps = coverage_matrix(eco, performance=performance)
        gaps = gaps[gaps["gap"]]
    if not isinstance(gaps, pd.DataFrame) or not set(_CELL) <= set(gaps.columns):
        raise ParameterError("gaps must be a DataFrame with columns region, segment, capability")
    cells = gaps[_CELL].drop_duplicates().reset_index(drop=True)
    cells["order"] = np.arange(len(cells))
    weights = _performance(eco, performance)
    presence, held, sold = _presence(eco), _holdings(eco), _sold(eco)
    cand = pd.concat([_one_capability_away(cells, presence, held, sold),
                      _one_region_away(cells, presence, held, sold)], ignore_index=True)
    cand = cand[cand["experience"] >= min_experience]
    cand["performance"] = cand["partner"].map(weights)
    cand["score"] = cand["performance"] * (1 + cand["experience"])
    cand = cand.sort_values(["order", "fix", "score", "experience", "partner"],
                            ascending=[True, True, False, False, True], kind="stable")
    cand["rank"] = cand.groupby(["order", "fix"]).cumcount() + 1
    cand = cand[cand["rank"] <= top]
    cand["why"] = (cand["why"] + "; serves " + cand["experience"].astype(str) + " "
                   + cand["segment"] + " accounts" + cand["where"] + "; win rate "
                   + cand["performance"].round(2).astype(str))
    partners = eco.partners.set_index("id")
    cand["partner_type"] = cand["partner"].map(partners["partner_type"])
    after = zip(cand["partner"].map(partners["capabilities"]), cand["capability"], strict=True)
    cand["capabilities"] = [sorted({*now, cap}) for now, cap in after]  # top rows only
    recruits = _recruits(eco, cells[~cells["order"].isin(cand["order"])], held, sold)
    out = pd.concat([cand, recruits], ignore_index=True)
    out["fix_order"] = out["fix"].map({f: i for i, f in enumerate(FIXES)})
    out = out.sort_values(["order", "fix_order", "rank"], kind="stable", ignore_index=True)
    out["partner_name"] = eco.names(out["partner"]).to_numpy()
    out = out[[*_CELL, "fix", "rank", "partner", "partner_name", "partner_type", "score",
               "experience", "capabilities", "why"]]
    return out.astype({"rank": "int64", "score": "float64", "experience": "int64"})


def _one_capability_away(cells: pd.DataFrame, presence: pd.DataFrame, held: pd.DataFrame,
                         sold: pd.DataFrame) -> pd.DataFrame:
    """Partners serving the cell's region without its capability."""
    lack = cells.merge(presence, on="region").merge(held, on=["id", "capability"], how="left",
                                                    indicator=True)
    lack = lack[lack["_merge"] == "left_only"].drop(columns=["_merge", "certified"])
    experience = sold.groupby(["id", "region", "segment"]).size().rename("experience")
    lack = lack.join(experience, on=["id", "region", "segment"])
    return lack.assign(
        fix="add_capability", experience=lack["experience"].fillna(0).astype(np.int64),
        why="serves " + lack["region"] + ", lacks " + lack["capability"],
        where=" in " + lack["region"]).rename(columns={"id": "partner"})


def _one_region_away(cells: pd.DataFrame, presence: pd.DataFrame, held: pd.DataFrame,
                     sold: pd.DataFrame) -> pd.DataFrame:
    """Partners holding the cell's capability who do not serve its region."""
    away = cells.merge(held, on="capability").merge(presence, on=["id", "region"], how="left",
                                                    indicator=True)
    away = away[away["_merge"] == "left_only"].drop(columns="_merge")
    experience = sold.groupby(["id", "segment"]).size().rename("experience")
    away = away.join(experience, on=["id", "segment"])
    certified = np.where(away["certified"].to_numpy(dtype=bool), " (certified)", "")
    return away.drop(columns="certified").assign(
        fix="extend_region", experience=away["experience"].fillna(0).astype(np.int64),
        why="holds " + away["capability"] + certified + ", does not serve " + away["region"],
        where=" anywhere").rename(columns={"id": "partner"})


def _recruits(eco: Ecosystem, cells: pd.DataFrame, held: pd.DataFrame,
              sold: pd.DataFrame) -> pd.DataFrame:
    """One ``recruit`` row per cell: the profile of the partner to look for."""
    out = cells.assign(fix="recruit", rank=1, partner=None, score=np.nan, experience=0,
                       partner_type=None, capabilities=None, why=None)
    if cells.empty:
        return out
    types = eco.partners.set_index("id")["partner_type"]
    holders = cells.merge(held[["id", "capability"]], on="capability")[["order", "id"]]
    sellers = cells.merge(sold[["id", "region", "segment"]], on="segment", suffixes=("", "_sold"))
    elsewhere = sellers[sellers["region"] != sellers["region_sold"]].merge(
        held[["id", "capability"]], on=["id", "capability"])[["order", "id"]]
    anyone = cells[["order"]].merge(pd.DataFrame({"id": types.index}), how="cross")
    pools = [elsewhere, sellers[["order", "id"]], holders, anyone]  # best evidence first
    counts = pd.concat([pool.drop_duplicates().assign(level=level)
                        for level, pool in enumerate(pools)], ignore_index=True)
    counts["partner_type"] = counts["id"].map(types)
    counts = counts.groupby(["order", "level", "partner_type"]).size().rename("n").reset_index()
    counts = counts.sort_values(["order", "level", "n", "partner_type"],
                                ascending=[True, True, False, True], kind="stable")
    best = counts.drop_duplicates("order").set_index("order")["partner_type"]
    out["partner_type"] = out["order"].map(best)
    out["capabilities"] = _profile_capabilities(eco, out)
    out["why"] = ("no existing partner one step away; recruit a " + out["partner_type"]
                  + " in " + out["region"] + " with " + out["capability"])
    return out


def _profile_capabilities(eco: Ecosystem, cells: pd.DataFrame) -> list[tuple[str, ...]]:
    """The cell's capability plus the two others its accounts most often need with it."""
    needs = eco.customers[["id", "region", "segment", "needs"]].rename(columns={"id": "customer"})
    needs = needs.explode("needs").dropna(subset=["needs"])
    asking = cells[["order", *_CELL]].merge(needs.rename(columns={"needs": "capability"}), on=_CELL)
    other = asking[["order", "customer", "capability"]].merge(
        needs[["customer", "needs"]], on="customer")
    other = other[other["needs"] != other["capability"]]
    ranked = other.groupby(["order", "needs"]).size().rename("n").reset_index().sort_values(
        ["order", "n", "needs"], ascending=[True, False, True], kind="stable")
    extra = ranked.groupby("order").head(2).groupby("order")["needs"].agg(tuple)
    return [(cap, *extra.get(o, ())) for o, cap in zip(cells["order"], cells["capability"],
                                                       strict=True)]
