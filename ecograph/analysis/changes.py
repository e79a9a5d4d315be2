"""What changed between two snapshots of an ecosystem, across every analysis.

:func:`diff_snapshots` lists the partner-level changes (partners added or
removed, tiers moved, health changed); :func:`compare` joins them with the
supply-chain bottlenecks that appeared, disappeared or grew, and the coverage
gaps that opened or closed.

>>> from ecograph import load_bundle
>>> from ecograph.analysis.snapshots import snapshot
>>> eco = load_bundle("fixtures/manufacturing")
>>> changes = compare(snapshot(eco, "2020-12-31"), eco)
>>> {"partner_added", "gap_closed", "bottleneck_new"} <= set(changes["change"])
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ecosystem import Ecosystem
from .assessment import TIERS, ecosystem_health, partner_health, partner_kpis
from .bottlenecks import bottlenecks
from .coverage import coverage_matrix
from .tier_fit import tier_fit

__all__ = ["compare", "diff_snapshots", "CHANGES"]

_COLUMNS = ["change", "party", "party_name", "before", "after", "detail"]


#: Kinds of change :func:`diff_snapshots` reports, in the order it lists them.
CHANGES = ("partner_added", "partner_removed", "tier_moved", "recommended_tier_changed",
           "newly_mis_tiered", "mis_tiering_resolved", "health_changed", "ecosystem_health_changed")


def _tiers(eco: Ecosystem, kpis: pd.DataFrame) -> pd.DataFrame:
    """Each partner's tier, the tier its evidence supports (:func:`tier_fit`, as ``analyze``
    flags it), its flag and evidence, revenue won and health."""
    fit = tier_fit(eco, kpis=kpis).rename(columns={"expected_tier": "recommended_tier"})
    return (fit[["id", "tier", "recommended_tier", "mis_tiered", "evidence"]]
            .merge(kpis[["id", "won_amount"]], on="id")
            .merge(partner_health(kpis)[["id", "health"]], on="id"))


def diff_snapshots(old_eco: Ecosystem, new_eco: Ecosystem, *, threshold: float = 10.0) -> pd.DataFrame:
    """What changed between two ecosystems' partners (typically two snapshots), as a table.

    Parameters
    ----------
    old_eco, new_eco : Ecosystem
        Before and after.
    threshold : float, default 10.0
        Health points a partner must move by to be listed.

    Returns
    -------
    pandas.DataFrame
        One row per change: ``change, party, party_name, before, after,
        detail`` (``before`` and ``after`` as text, empty when absent).

    Notes
    -----
    Changes, in this order:
    ``partner_added`` / ``partner_removed``; ``tier_moved`` (the tier in the
    partners table); ``recommended_tier_changed`` (the tier the evidence supports,
    :func:`~ecograph.analysis.tier_fit.tier_fit`, as ``analyze`` flags tiers);
    ``newly_mis_tiered`` (a new tier gap, with its evidence) and
    ``mis_tiering_resolved``; ``health_changed`` (partner health moved by at
    least ``threshold`` points; health is relative, so it can move when others
    do); ``ecosystem_health_changed`` (the score, when it moved by 0.1 or more;
    ``party`` is the focal company).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis.snapshots import snapshot
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> diff = diff_snapshots(snapshot(eco, "2020-12-31"), snapshot(eco, "2021-12-31"))
    >>> "partner_added" in set(diff["change"])
    True
    """
    ko, kn = partner_kpis(old_eco), partner_kpis(new_eco)
    t0, t1 = _tiers(old_eco, ko), _tiers(new_eco, kn)
    both = t0.merge(t1, on="id", how="outer", suffixes=("_0", "_1"), indicator="side")
    both = both.sort_values("id", ignore_index=True)
    rows: list[tuple] = []
    joined = new_eco.partners.set_index("id")["joined"]
    for r in both.itertuples(index=False):
        if r.side == "right_only":
            j = joined.get(r.id)
            rows.append(("partner_added", r.id, None, r.tier_1,
                         f"joined {j.date()}" if pd.notna(j) else "no joined date"))
        elif r.side == "left_only":
            rows.append(("partner_removed", r.id, r.tier_0, None, "not in the newer ecosystem"))
        else:
            if r.tier_0 != r.tier_1:
                move = TIERS.index(r.tier_1) - TIERS.index(r.tier_0)
                rows.append(("tier_moved", r.id, r.tier_0, r.tier_1,
                             f"{'up' if move > 0 else 'down'} {abs(move)} step{'s' * (abs(move) > 1)}"))
            if r.recommended_tier_0 != r.recommended_tier_1:
                rows.append(("recommended_tier_changed", r.id, r.recommended_tier_0, r.recommended_tier_1,
                             f"won {r.won_amount_0:,.0f} → {r.won_amount_1:,.0f}"))
            if _flag(r.mis_tiered_0) and not _flag(r.mis_tiered_1):
                rows.append(("mis_tiering_resolved", r.id, r.recommended_tier_0, r.recommended_tier_1,
                             f"tier {r.tier_1} now fits"))
            if abs(r.health_1 - r.health_0) >= threshold:
                rows.append(("health_changed", r.id, f"{r.health_0:.1f}", f"{r.health_1:.1f}",
                             f"{r.health_1 - r.health_0:+.1f} points"))
        if r.side != "left_only" and _flag(r.mis_tiered_1) and not _flag(r.mis_tiered_0):
            rows.append(("newly_mis_tiered", r.id, None, r.recommended_tier_1, r.evidence_1))
    h0 = ecosystem_health(old_eco, kpis=ko, tiers=t0).score
    h1 = ecosystem_health(new_eco, kpis=kn, tiers=t1).score
    if abs(round(h1 - h0, 1)) >= 0.1:
        company = new_eco.company["id"].iloc[0] if len(new_eco.company) else ""
        rows.append(("ecosystem_health_changed", company, f"{h0:.1f}", f"{h1:.1f}",
                     f"{h1 - h0:+.1f} points"))
    out = pd.DataFrame(rows, columns=["change", "party", "before", "after", "detail"])
    out.insert(2, "party_name", new_eco.names(out["party"]).fillna(old_eco.names(out["party"])))
    out["change"] = pd.Categorical(out["change"], categories=CHANGES, ordered=True)
    out = out.sort_values(["change", "party"], kind="stable", ignore_index=True)
    out["change"] = out["change"].astype(str)
    return out


def _flag(value) -> bool:
    """A merged boolean cell: True only when present and true (absent is NaN)."""
    return isinstance(value, bool | np.bool_) and bool(value)


def _bottleneck_changes(old: Ecosystem, new: Ecosystem, *, top: int,
                        risk_delta: float) -> pd.DataFrame:
    b0 = bottlenecks(old).head(top).set_index("id")
    b1 = bottlenecks(new).head(top).set_index("id")
    rows = []
    for p in b1.index.difference(b0.index):
        rows.append(("bottleneck_new", p, b1.at[p, "name"], "", f"{b1.at[p, 'risk_score']:.1f}",
                     b1.at[p, "why"]))
    for p in b0.index.difference(b1.index):
        rows.append(("bottleneck_gone", p, b0.at[p, "name"], f"{b0.at[p, 'risk_score']:.1f}", "",
                     f"no longer among the top {top}"))
    for p in b0.index.intersection(b1.index):
        before, after = b0.at[p, "risk_score"], b1.at[p, "risk_score"]
        if after - before >= risk_delta:
            rows.append(("bottleneck_worse", p, b1.at[p, "name"], f"{before:.1f}", f"{after:.1f}",
                         b1.at[p, "why"]))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _gap_changes(old: Ecosystem, new: Ecosystem, *, k: int) -> pd.DataFrame:
    cell = ["region", "segment", "capability"]
    g0 = coverage_matrix(old, k=k)
    g1 = coverage_matrix(new, k=k)
    both = g0[g0["gap"]][cell].merge(g1[g1["gap"]][cell], how="outer", indicator=True)
    rows = []
    for r in both.itertuples(index=False):
        name = " × ".join((r.region, r.segment, r.capability))
        if r._3 == "right_only":
            rows.append(("gap_opened", name, "", "", "no capable partner", "demand without coverage"))
        elif r._3 == "left_only":
            rows.append(("gap_closed", name, "", "no capable partner", "covered", ""))
    return pd.DataFrame(rows, columns=_COLUMNS)


def compare(old: Ecosystem, new: Ecosystem, *, top: int = 10, risk_delta: float = 5.0, k: int = 2,
            threshold: float = 10.0) -> pd.DataFrame:
    """One table of changes from ``old`` to ``new``, across partners, supply risk
    and coverage.

    Parameters
    ----------
    old, new : Ecosystem
        Before and after.
    top : int, default 10
        Bottlenecks compared (the ``top`` of each).
    risk_delta : float, default 5.0
        Risk-score rise that makes a bottleneck ``bottleneck_worse``.
    k : int, default 2
        Coverage redundancy (see :func:`~ecograph.analysis.coverage.coverage_matrix`).
    threshold : float, default 10.0
        Health points, as for :func:`diff_snapshots`.

    Returns
    -------
    pandas.DataFrame
        ``change, party, party_name, before, after, detail``: the rows of
        :func:`diff_snapshots`, then ``bottleneck_new`` / ``bottleneck_gone`` /
        ``bottleneck_worse``, then ``gap_opened`` / ``gap_closed`` (``party``
        names the region × segment × capability cell).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> len(compare(eco, eco))
    0
    """
    parts = [diff_snapshots(old, new, threshold=threshold)[_COLUMNS],
             _bottleneck_changes(old, new, top=top, risk_delta=risk_delta),
             _gap_changes(old, new, k=k)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    text = ["party_name", "before", "after", "detail"]
    out[text] = out[text].astype(object).where(out[text].notna(), "").astype(str)
    return out
