"""The whole analysis in one call: every result table plus headline numbers.

:func:`analyze` runs the stages in order — structure and centrality,
communities, co-selling, coverage, supply-chain risk, physical accounts,
partner assessment — with a progress bar per stage when asked, and returns an
:class:`Analysis`: the tables (one DataFrame each, documented in
``docs/analytics.md``) and ``headline`` (the numbers ``summary.json`` holds).

>>> from ecograph import load_bundle
>>> result = analyze(load_bundle("fixtures/tiny"))
>>> {"pagerank", "bottlenecks", "reconciliation"} <= set(result.tables)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from . import ledger
from .analysis import assessment, bottlenecks, brokerage, centrality, communities, coselling, coverage

__all__ = ["analyze", "Analysis", "STAGES", "betweenness_pivots"]

#: Stage names, in the order they run.
STAGES = ("network", "communities", "co-selling", "coverage", "supply risk", "physical accounts",
          "assessment")


@dataclass
class Analysis:
    """Result tables by name, headline numbers, and seconds per stage."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _network(eco, a: Analysis) -> None:
    G = eco.view("bipartite")
    a.tables["pagerank"] = centrality.pagerank(G)
    a.tables["betweenness"] = centrality.betweenness(G, k=betweenness_pivots(G.number_of_nodes()))
    a.tables["brokerage"] = brokerage.brokerage(eco.view("cosell"))


def betweenness_pivots(n: int) -> int | None:
    """Pivots for betweenness on ``n`` nodes: exact (``None``) up to 2,000, then
    256, then 64 past 100,000 (sampled scores carry their standard error).

    >>> betweenness_pivots(500), betweenness_pivots(50_000), betweenness_pivots(400_000)
    (None, 256, 64)
    """
    return None if n <= 2_000 else 256 if n <= 100_000 else 64


def _communities(eco, a: Analysis) -> None:
    G = eco.view("bipartite")
    parts = communities.detect_communities(G, seed=0)
    a.tables["communities"] = parts
    a.tables["community_profile"] = communities.community_profile(G, parts)
    a.headline["communities"] = int(parts["community"].nunique())
    a.headline["modularity"] = round(float(parts.attrs["modularity"]), 4)


def _coselling(eco, a: Analysis) -> None:
    a.tables["cosell_suggestions"] = coselling.suggest_pairings(eco, top=50)
    top = a.tables["cosell_suggestions"].head(3)
    a.headline["top_cosell_pairs"] = [f"{x} + {y}" for x, y in zip(top["a"], top["b"],
                                                                    strict=True)]


def _coverage(eco, a: Analysis) -> None:
    cells = coverage.coverage_matrix(eco)
    a.tables["coverage"] = cells
    a.tables["coverage_fixes"] = coverage.nearest_fixes(eco, cells[cells["gap"]])
    gaps = cells[cells["gap"]]
    a.headline["coverage_gaps"] = int(len(gaps))
    a.headline["fragile_cells"] = int((cells["fragile"] & ~cells["gap"]).sum())
    a.headline["top_gap"] = (" × ".join(gaps.iloc[0][["region", "segment", "capability"]])
                             if len(gaps) else None)


def _supply(eco, a: Analysis) -> None:
    table = bottlenecks.bottlenecks(eco)
    a.tables["bottlenecks"] = table
    a.tables["concentration"] = bottlenecks.concentration(eco)
    a.headline["top_bottleneck"] = table["party"].iat[0] if len(table) else None
    a.headline["units_at_risk_top"] = float(table["units_at_risk"].iat[0]) if len(table) else 0.0


def _ledger(eco, a: Analysis) -> None:
    recon = ledger.reconcile(eco)
    a.tables["balances"] = ledger.balances(eco)
    a.tables["reconciliation"] = recon
    a.tables["deployed_by_region"] = ledger.deployed(eco, by="region")
    off = recon[recon["status"] != "ok"]
    a.headline["audit_discrepancies"] = int(len(off))
    a.headline["top_discrepancy"] = off["audit"].iat[0] if len(off) else None


def _assessment(eco, a: Analysis) -> None:
    kpis = assessment.partner_kpis(eco, communities=a.tables["communities"])
    segments = assessment.segment_partners(kpis)
    tiers = assessment.recommend_tiers(kpis)
    a.tables["partner_kpis"] = kpis
    a.tables["partner_segments"] = segments
    a.tables["segment_profiles"] = assessment.segment_profiles(segments)
    a.tables["partner_health"] = assessment.partner_health(kpis)
    a.tables["tier_recommendations"] = tiers
    a.headline["ecosystem_health"] = round(assessment.ecosystem_health(eco, kpis=kpis).score, 1)
    a.headline["mis_tiered"] = tiers.loc[tiers["mis_tiered"], "id"].tolist()


_RUN: dict[str, Callable] = dict(zip(STAGES, (_network, _communities, _coselling, _coverage,
                                              _supply, _ledger, _assessment), strict=True))


def analyze(eco, *, progress: bool = False) -> Analysis:
    """Run every analysis on ``eco`` (see :data:`STAGES`) and collect the results."""
    from rich.progress import Progress

    a = Analysis()
    a.headline.update(partners=len(eco.partners), customers=len(eco.customers),
                      relationships=len(eco.relationships), deals=len(eco.deals))
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Analysing", total=len(STAGES))
        for stage in STAGES:
            bar.update(task, description=f"Analysing: {stage}")
            started = time.perf_counter()
            _RUN[stage](eco, a)
            a.seconds[stage] = round(time.perf_counter() - started, 3)
            bar.advance(task)
    return a
