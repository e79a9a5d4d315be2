"""Network analyses pushed down to Neo4j Graph Data Science: the graph stays in the database.

:func:`projected` projects the stored partner–customer graph (the one
``ecograph load --store neo4j`` wrote) into GDS's in-memory graph catalogue,
with the Cypher projection that mirrors ``ecograph.view(eco, "bipartite")``:
partners and customers (isolated ones too), one undirected relationship per
partner–customer tie, weighted by the ``sells_to`` relationships in force on the
reference day plus the deals registered by then. The projection is dropped when
the ``with`` block ends, on error too. :func:`pagerank`, :func:`betweenness` and
:func:`communities` run GDS procedures on it and bring back only result rows
(``id`` and the score, with ``name``, ``kind``, ``type`` and ``region`` beside
it, as the Python analyses return them), in GDS's conventions
(:mod:`ecograph.analysis.centrality`): PageRank not divided by n, betweenness
unnormalised (a sampled estimate is scaled by n / samplingSize, as ecograph's).

Every value travels as a parameter; the graph name is generated, never user text.

>>> Projection(None, "ecograph-1", nodes=3, relationships=2).relationships
2
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.communities import _canonical, profile_table
from ..ecosystem import Ecosystem
from ..errors import ParameterError, StoreError
from .load import company_of
from .sync import read_meta

__all__ = ["Projection", "projected", "check_holds", "pagerank", "betweenness", "communities"]

#: The partner–customer view as a GDS Cypher projection (``$day``: the reference day, ISO text).
#: Rows reach GDS ordered by id, so GDS numbers the nodes the same way whatever order the
#: store holds them in, and seeded Leiden gives the same communities after any reload.
BIPARTITE = """
CALL () {
  MATCH (p:Partner)-[r:SELLS_TO]->(c:Customer)
  WHERE (r.start IS NULL OR r.start <= $day) AND (r.end IS NULL OR r.end >= $day)
  RETURN p, c, count(r) AS w
  UNION ALL
  MATCH (p:Partner)-[d:REGISTERED]->(c:Customer) WHERE d.registered <= $day
  RETURN p, c, count(d) AS w
  UNION ALL
  MATCH (p) WHERE p:Partner OR p:Customer
  RETURN p, null AS c, 0 AS w
}
WITH p, c, sum(w) AS weight
ORDER BY p.id, c.id
WITH gds.graph.project($name, p, c,
       {relationshipProperties: CASE WHEN c IS NULL THEN null ELSE {weight: toFloat(weight)} END},
       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships
"""

# the node columns of every result, as the Python views name them (twins.NODE_ATTRIBUTES)
_NODE = ("WITH gds.util.asNode(nodeId) AS n, {score} "
         "RETURN n.id AS id, n.name AS name, "
         "CASE WHEN n:Partner THEN 'partner' ELSE 'customer' END AS kind, {returned}, "
         "CASE WHEN n:Partner THEN n.partner_type ELSE n.status END AS type, "
         "CASE WHEN n:Partner THEN n.regions[0] ELSE n.region END AS region")


@dataclass(frozen=True)
class Projection:
    """A graph projected into GDS: the store, its catalogue name and its size.

    ``relationships`` counts each undirected tie once (GDS stores both directions).

    Examples
    --------
    >>> Projection(None, "g", nodes=484, relationships=870).nodes
    484
    """

    store: object
    name: str
    nodes: int
    relationships: int


def _require_neo4j(store) -> None:
    if getattr(store, "engine", None) != "neo4j":
        raise StoreError("analysis in the database needs Neo4j with Graph Data Science; "
                         f"got {getattr(store, 'engine', type(store).__name__)}")


def check_holds(store, eco: Ecosystem) -> None:
    """Raise unless ``store`` holds ``eco`` as a complete load (same company, same parties).

    Parameters
    ----------
    store : Neo4jStore
        The store to analyse.
    eco : Ecosystem
        The bundle the results are for.

    Raises
    ------
    StoreError
        When the store holds another company, nothing, a load stopped part-way, or
        other partner or customer counts than ``eco`` (load the bundle again).

    Examples
    --------
    >>> check_holds(object(), None)
    Traceback (most recent call last):
    ...
    ecograph.errors.StoreError: analysis in the database needs Neo4j with Graph Data Science; got object
    """
    _require_neo4j(store)
    company = company_of(eco)
    meta = read_meta(store) or {}
    reload = f"run `ecograph load {eco.source or 'BUNDLE'} --store neo4j` first"
    if meta.get("company") != company:
        held = f"company {meta['company']}" if meta.get("company") else "no ecograph graph"
        raise StoreError(f"the Neo4j database holds {held}, not {company}: {reload}")
    if meta.get("state") != "complete":
        raise StoreError(f"the last load into the Neo4j database stopped part-way: {reload}")
    counts = store.run("CALL () { MATCH (p:Partner) RETURN count(p) AS partners } "
                       "CALL () { MATCH (c:Customer) RETURN count(c) AS customers } "
                       "RETURN partners, customers")[0]
    if (counts["partners"], counts["customers"]) != (len(eco.partners), len(eco.customers)):
        raise StoreError(f"the Neo4j database holds {counts['partners']} partners and "
                         f"{counts['customers']} customers, the bundle {len(eco.partners)} and "
                         f"{len(eco.customers)}: {reload}")


@contextmanager
def projected(store, eco: Ecosystem | None = None, *, as_of: str | None = None) -> Iterator[Projection]:
    """The stored partner–customer graph of ``eco`` projected into GDS, dropped afterwards.

    Parameters
    ----------
    store : Neo4jStore
        A store ``eco`` was loaded into (:func:`check_holds` is called first).
    eco : Ecosystem, optional
        The bundle: its reference day decides which relationships are in force.
    as_of : str, optional
        Without ``eco`` (a graph too large to read into Python): the day, ``YYYY-MM-DD``;
        nothing checks then that the store holds a particular bundle.

    Yields
    ------
    Projection
        The projection; dropped from GDS's catalogue when the block ends, on error too.

    Raises
    ------
    StoreError
        As :func:`check_holds`, or when Neo4j has no Graph Data Science library.

    Examples
    --------
    >>> with projected(object(), None) as graph:
    ...     pass
    Traceback (most recent call last):
    ...
    ecograph.errors.StoreError: analysis in the database needs Neo4j with Graph Data Science; got object
    """
    _require_neo4j(store)
    if eco is not None:
        check_holds(store, eco)
        as_of = eco.reference_date.strftime("%Y-%m-%d")
    elif as_of is None:
        raise ParameterError("give the ecosystem or the day (as_of) the projection is as of")
    name = f"ecograph-{uuid.uuid4().hex[:12]}"
    row = store.run(BIPARTITE, {"day": str(as_of), "name": name})[0]
    try:
        yield Projection(store, name, int(row["nodes"]), int(row["relationships"]) // 2)
    finally:
        store.run("CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName", {"name": name})


def _stream(graph: Projection, procedure: str, config: dict, score: str, column: str) -> pd.DataFrame:
    """Rows of ``gds.<procedure>.stream``: the node columns and ``score`` as ``column``,
    highest first (ties: partners before customers, then by id)."""
    query = (f"CALL gds.{procedure}.stream($graph, $config) YIELD nodeId, {score} "
             + _NODE.format(score=score, returned=f"{score} AS {column}"))
    rows = graph.store.run(query, {"graph": graph.name, "config": config})
    return _ranked(pd.DataFrame(rows, columns=["id", "name", "kind", column, "type", "region"]), column)


def _ranked(frame: pd.DataFrame, column: str, ascending: bool = False) -> pd.DataFrame:
    frame = frame.sort_values(["kind", "id"], ascending=[False, True], kind="stable")
    return frame.sort_values(column, ascending=ascending, kind="stable", ignore_index=True)


def pagerank(graph: Projection, *, damping: float = 0.85, max_iter: int = 100,
             tol: float = 1e-10) -> pd.DataFrame:
    """Weighted PageRank by ``gds.pageRank.stream`` (GDS convention: not divided by n).

    Parameters
    ----------
    graph : Projection
        From :func:`projected`.
    damping : float, default 0.85
        The damping factor.
    max_iter : int, default 100
        Iterations at most (GDS's default is 20; 100 lets it converge).
    tol : float, default 1e-10
        Stop when no score changes by more than this.

    Returns
    -------
    pandas.DataFrame
        ``id, name, kind, pagerank, type, region``, highest first; equal to
        ``centrality.pagerank(view(eco, "bipartite"), convention="gds")`` with the
        same ``max_iter`` and ``tol``.

    Examples
    --------
    >>> pagerank(Projection(None, "g", 0, 0), damping=1.5)
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: damping must be in [0, 1); got 1.5
    """
    if not 0 <= damping < 1:
        raise ParameterError(f"damping must be in [0, 1); got {damping}")
    config = {"dampingFactor": damping, "maxIterations": max_iter, "tolerance": tol,
              "relationshipWeightProperty": "weight"}
    return _stream(graph, "pageRank", config, "score", "pagerank")


def betweenness(graph: Projection, *, k: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Betweenness by ``gds.betweenness.stream``: exact, or sampled from ``k`` source nodes.

    Parameters
    ----------
    graph : Projection
        From :func:`projected`.
    k : int or None, default None
        ``samplingSize``; ``None`` (or ``k >= n``): exact.
    seed : int, default 0
        ``samplingSeed``.

    Returns
    -------
    pandas.DataFrame
        ``id, name, kind, betweenness, type, region``, highest first: unnormalised
        (GDS convention); a sampled estimate is GDS's score times ``n / k`` (GDS
        does not scale it), with ``betweenness_se`` missing (GDS gives no error).

    Examples
    --------
    >>> betweenness(Projection(None, "g", 10, 0), k=0)
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: k must be a positive number of pivots; got 0
    """
    if k is not None and k < 1:
        raise ParameterError(f"k must be a positive number of pivots; got {k}")
    sampled = k is not None and k < graph.nodes
    config = {"samplingSize": k, "samplingSeed": seed} if sampled else {}
    frame = _stream(graph, "betweenness", config, "score", "betweenness")
    if sampled:
        frame["betweenness"] *= graph.nodes / k
        frame.insert(4, "betweenness_se", np.nan)
    return frame


#: The node properties :func:`communities` writes into the projection (and drops again).
_MUTATED = ("ecograph_community", "ecograph_degree")


def _mutated_communities(run, name: str, method: str, config: dict) -> tuple[dict, pd.DataFrame, list]:
    """Run ``method`` and the degrees as mutations of projection ``name``; return GDS's summary
    row, the node rows (with ``community`` and ``degree``) and the conductance rows."""
    found = run(f"CALL gds.{method}.mutate($graph, $config) YIELD communityCount, modularity "
                "RETURN communityCount, modularity", {"graph": name, "config": config})[0]
    run("CALL gds.degree.mutate($graph, {mutateProperty: 'ecograph_degree'}) "
        "YIELD nodePropertiesWritten RETURN nodePropertiesWritten", {"graph": name})
    rows = run("CALL gds.graph.nodeProperties.stream($graph, ['ecograph_community', 'ecograph_degree']) "
               "YIELD nodeId, nodeProperty, propertyValue WITH nodeId, "
               "collect(CASE WHEN nodeProperty = 'ecograph_community' THEN propertyValue END)[0] "
               "AS community, "
               "collect(CASE WHEN nodeProperty = 'ecograph_degree' THEN propertyValue END)[0] AS degree "
               + _NODE.format(score="community, degree", returned="community, degree")
               + ", CASE WHEN n:Customer THEN n.segment END AS segment", {"graph": name})
    nodes = pd.DataFrame(rows, columns=["id", "name", "kind", "community", "degree", "type", "region",
                                        "segment"])
    cut = run("CALL gds.conductance.stream($graph, {communityProperty: 'ecograph_community'}) "
              "YIELD community, conductance RETURN community, conductance", {"graph": name})
    return found, nodes, cut


@dataclass(frozen=True)
class Communities:
    """What :func:`communities` found: the ``partition`` (``id, name, kind, community, type,
    region``), its ``profile`` (as ``community_profile``), ``count`` and ``modularity``.

    Examples
    --------
    >>> Communities(pd.DataFrame(), pd.DataFrame(), 0, 0.0).count
    0
    """

    partition: pd.DataFrame
    profile: pd.DataFrame
    count: int
    modularity: float


def communities(graph: Projection, *, method: str = "leiden", seed: int = 0) -> Communities:
    """Weighted Leiden or Louvain in GDS, the modularity, and each community's profile.

    Community ids are renumbered as ecograph's (0 = largest, ties by smallest member
    id). The profile's ``internal_edges`` and ``external_edges`` count ties, derived
    from GDS's conductance and degrees per community (no relationship leaves Neo4j).

    Parameters
    ----------
    graph : Projection
        From :func:`projected`.
    method : {"leiden", "louvain"}, default "leiden"
        The GDS procedure.
    seed : int, default 0
        ``randomSeed`` (Leiden; both run on one thread, so a seed repeats the result).

    Returns
    -------
    Communities

    Examples
    --------
    >>> communities(Projection(None, "g", 0, 0), method="walktrap")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: method must be leiden or louvain; got 'walktrap'
    """
    if method not in ("leiden", "louvain"):
        raise ParameterError(f"method must be leiden or louvain; got {method!r}")
    run, name = graph.store.run, graph.name
    config = {"mutateProperty": "ecograph_community", "relationshipWeightProperty": "weight",
              "concurrency": 1, **({"randomSeed": seed} if method == "leiden" else {})}
    try:
        found, nodes, cut = _mutated_communities(run, name, method, config)
    finally:  # the projection stays as it was, so it can be asked again
        run("CALL gds.graph.nodeProperties.drop($graph, $properties, {failIfMissing: false}) "
            "YIELD propertiesRemoved RETURN propertiesRemoved", {"graph": name, "properties": list(_MUTATED)})
    raw = nodes["community"].to_numpy(dtype=np.int64)
    codes, _ = pd.factorize(raw)
    labels = _canonical(codes, nodes["id"]) if len(nodes) else codes
    relabel = pd.Series(labels, index=raw).groupby(level=0).first()
    nodes["community"] = labels
    # conductance = ties leaving a community / its degree sum (a community without such a
    # tie has no row), and the degree sum counts each tie inside it twice
    degree = nodes.groupby("community")["degree"].sum()
    share = pd.Series([r["conductance"] for r in cut],
                      index=relabel.reindex([r["community"] for r in cut]).to_numpy(), dtype=float)
    external = (share.reindex(degree.index, fill_value=0.0) * degree).round()
    internal = (degree - external) / 2
    members = nodes.drop(columns=["degree", "name", "id"])
    if not members["segment"].notna().any():
        members = members.drop(columns="segment")
    partition = _ranked(nodes.drop(columns=["degree", "segment"])[
        ["id", "name", "kind", "community", "type", "region"]], "community", ascending=True)
    return Communities(partition, profile_table(members, internal, external),
                       int(found["communityCount"]), float(found["modularity"]))
