"""What changed between two snapshots of an ecosystem, across every analysis.

:func:`compare` joins the partner-level diff of
:func:`~ecograph.analysis.assessment.diff_snapshots` (partners added or
removed, tiers moved, health changed) with the supply-chain bottlenecks that
appeared, disappeared or grew, and the coverage gaps that opened or closed.

>>> from ecograph import load_bundle
>>> from ecograph.analysis.snapshots import snapshot
>>> eco = load_bundle("fixtures/manufacturing")
>>> changes = compare(snapshot(eco, "2021-01-01"), eco)
>>> {"partner_added", "gap_closed", "bottleneck_new"} <= set(changes["change"])
True
"""

from __future__ import annotations

import pandas as pd

from .assessment import diff_snapshots
from .bottlenecks import bottlenecks
from .coverage import coverage_matrix

__all__ = ["compare"]

_COLUMNS = ["change", "party", "before", "after", "detail"]


def _bottleneck_changes(old, new, *, top: int, risk_delta: float) -> pd.DataFrame:
    b0 = bottlenecks(old).head(top).set_index("party")
    b1 = bottlenecks(new).head(top).set_index("party")
    rows = []
    for p in b1.index.difference(b0.index):
        rows.append(("bottleneck_new", p, "", f"{b1.at[p, 'risk_score']:.1f}", b1.at[p, "why"]))
    for p in b0.index.difference(b1.index):
        rows.append(("bottleneck_gone", p, f"{b0.at[p, 'risk_score']:.1f}", "",
                     f"no longer among the top {top}"))
    for p in b0.index.intersection(b1.index):
        before, after = b0.at[p, "risk_score"], b1.at[p, "risk_score"]
        if after - before >= risk_delta:
            rows.append(("bottleneck_worse", p, f"{before:.1f}", f"{after:.1f}", b1.at[p, "why"]))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _gap_changes(old, new, *, k: int) -> pd.DataFrame:
    cell = ["region", "segment", "capability"]
    g0 = coverage_matrix(old, k=k)
    g1 = coverage_matrix(new, k=k)
    both = g0[g0["gap"]][cell].merge(g1[g1["gap"]][cell], how="outer", indicator=True)
    rows = []
    for r in both.itertuples(index=False):
        name = " × ".join((r.region, r.segment, r.capability))
        if r._3 == "right_only":
            rows.append(("gap_opened", name, "", "no capable partner", "demand without coverage"))
        elif r._3 == "left_only":
            rows.append(("gap_closed", name, "no capable partner", "covered", ""))
    return pd.DataFrame(rows, columns=_COLUMNS)


def compare(old, new, *, top: int = 10, risk_delta: float = 5.0, k: int = 2,
            threshold: float = 10.0) -> pd.DataFrame:
    """One table of changes from ``old`` to ``new``: ``change, party, before,
    after, detail``. Partner changes come from
    :func:`~ecograph.analysis.assessment.diff_snapshots` (``threshold`` health
    points); ``bottleneck_new`` / ``bottleneck_gone`` compare the ``top``
    bottlenecks, ``bottleneck_worse`` flags a risk score up by ``risk_delta``;
    ``gap_opened`` / ``gap_closed`` compare the coverage gaps (``party`` names
    the region × segment × capability cell).

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
    text = ["before", "after", "detail"]
    out[text] = out[text].astype(object).where(out[text].notna(), "").astype(str)
    return out
