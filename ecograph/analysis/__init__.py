"""Network analytics: one module per algorithm family, each a set of plain functions
taking a NetworkX graph and returning a DataFrame.

- :mod:`.centrality` — degree, PageRank, betweenness, closeness, harmonic,
  eigenvector, HITS, two-step reach
- :mod:`.brokerage` — Burt's constraint and effective size
- :mod:`.communities` — Leiden, Louvain, label propagation, stable ids, profiles
- :mod:`.structure` — components, k-core, articulation points, bridges,
  clustering, a graph summary
- :mod:`.activity` — partner activity KPIs as of a date
- :mod:`.coselling` — account mapping, link scores, complementarity, suggestions
- :mod:`.cosell_ranker` — a supervised co-selling ranker with a temporal evaluation
- :mod:`.coverage` — region × segment × capability coverage, gaps and fixes
- :mod:`.bottlenecks` — supply-chain risk: what-if, cascades, dominators, max-flow
- :mod:`.snapshots` — the ecosystem as it stood on a date
- :mod:`.assessment` — partner KPIs, segments, health, tiers, what changed
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
               snapshots,
               structure,
)

__all__ = ["activity", "brokerage", "centrality", "communities", "structure", "coselling", "cosell_ranker",
           "coverage", "bottlenecks", "snapshots", "assessment", "micmac", "changes"]
