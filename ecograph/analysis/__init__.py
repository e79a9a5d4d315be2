"""Analyses: one module per question, each a set of plain functions.

Functions take a NetworkX graph (any graph of the right kind: the views of
:mod:`ecograph.graphs` or one a user built) or an :class:`~ecograph.Ecosystem`,
and say which in their signature. They return DataFrames that follow the
result contract of ``docs/analyze.md``: one row per party keyed by ``id`` with
``name`` and ``kind`` beside it, pairs keyed by ``a``, ``b``, names beside
every id; secondary results as small dataclasses, never in ``DataFrame.attrs``.

On graphs:

- :mod:`.centrality` — degree, PageRank, betweenness, closeness, harmonic,
  eigenvector, HITS, two-step reach
- :mod:`.brokerage` — Burt's constraint and effective size; brokers by several lenses
- :mod:`.communities` — Leiden, Louvain, label propagation, stable ids, profiles
- :mod:`.structure` — components, k-core, articulation points, bridges,
  clustering, a graph summary

On an ecosystem:

- :mod:`.snapshots` — the ecosystem as it stood at the end of a day
- :mod:`.activity` — partner activity KPIs as of a day
- :mod:`.coselling` — account mapping, link scores, complementarity, competition, suggestions, rivals
- :mod:`.cosell_ranker` — a supervised co-selling ranker with a temporal evaluation
- :mod:`.coverage` — region × segment × capability coverage, gaps and fixes
- :mod:`.bottlenecks` — supply-chain risk: what-if, cascades, dominators, max-flow
- :mod:`.risk_exposure` — time to recover, time to survive, value at risk and the risk
  exposure index, from a linear program with rerouting, bills of materials and inventory
- :mod:`.physical_accounts` — units held and deployed, audits reconciled
- :mod:`.assessment` — partner KPIs, health, tiers
- :mod:`.segments` — partner segments and their profiles
- :mod:`.tier_fit` — the tier all the evidence supports, flagged only when strong and consistent
- :mod:`.micmac` — influence and dependence of parties (MICMAC)
- :mod:`.changes` — what changed between two snapshots, across analyses
"""

from . import (
    activity,
    assessment,
    bottlenecks,
    brokerage,
    centrality,
    changes,
    communities,
    cosell_ranker,
    coselling,
    coverage,
    micmac,
    physical_accounts,
    risk_exposure,
    segments,
    snapshots,
    structure,
    tier_fit,
)

__all__ = ["centrality", "brokerage", "communities", "structure", "snapshots", "activity",
           "coselling", "cosell_ranker", "coverage", "bottlenecks", "risk_exposure", "physical_accounts",
           "assessment", "segments", "micmac", "changes", "tier_fit"]
