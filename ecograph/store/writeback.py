"""Analysis results written back onto the party nodes of a store, so Cypher can query them.

>>> import tempfile, ecograph
>>> from ecograph.store import EmbeddedStore, load
>>> eco = ecograph.load_bundle("fixtures/tiny")
>>> store = EmbeddedStore(tempfile.mkdtemp())
>>> _ = load(eco, store)
>>> sorted(write_analyses(store, eco))
['community', 'health', 'pagerank', 'risk_score']
>>> store.server.stop().running
False
"""

from __future__ import annotations

from ..analysis import assessment, bottlenecks, centrality, communities
from ..ecosystem import Ecosystem
from ..graphs import view
from .base import GraphStore
from .load import write_back

__all__ = ["write_analyses"]


def write_analyses(store: GraphStore, eco: Ecosystem) -> dict[str, int]:
    """Compute and store ``pagerank`` and ``community`` (partner–customer view),
    ``risk_score`` (supply-chain bottlenecks) and ``health`` (partners) on the
    party nodes of ``eco`` in ``store``.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        A store ``eco`` was loaded into.
    eco : Ecosystem
        The ecosystem the analyses run on.

    Returns
    -------
    dict of str to int
        How many nodes took each property.

    Raises
    ------
    StoreError
        When a party is missing from the store (load the bundle first).

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore, load
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = load(eco, store)
    >>> written = write_analyses(store, eco)
    >>> written["health"] == len(eco.partners)
    True
    >>> store.run("MATCH (p:Partner {id: 'P1'}) RETURN p.health IS NOT NULL AS has")
    [{'has': True}]
    >>> store.server.stop().running
    False
    """
    G = view(eco, "bipartite")
    scores = centrality.pagerank(G)[["id", "pagerank"]].merge(
        communities.detect_communities(G, seed=0)[["id", "community"]], on="id")
    written = write_back(store, eco, scores)
    written |= write_back(store, eco, bottlenecks.bottlenecks(eco)[["id", "risk_score"]])
    health = assessment.partner_health(assessment.partner_kpis(eco))[["id", "health"]]
    return written | write_back(store, eco, health)
