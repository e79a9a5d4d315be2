"""Network analytics: one module per algorithm family, each a set of plain functions
taking a NetworkX graph and returning a DataFrame.

- :mod:`.centrality` — degree, PageRank, betweenness, closeness, harmonic,
  eigenvector, HITS, two-step reach
- :mod:`.brokerage` — Burt's constraint and effective size
- :mod:`.communities` — Leiden, Louvain, label propagation, stable ids, profiles
- :mod:`.structure` — components, k-core, articulation points, bridges,
  clustering, a graph summary
"""

from . import brokerage, centrality, communities, structure

__all__ = ["brokerage", "centrality", "communities", "structure"]
