"""From a graph store back to ecograph: a GDS-style projection and a whole Ecosystem.

:func:`project` turns any graph in a store into a NetworkX graph from two
Cypher queries, as Neo4j Graph Data Science projections do: a node query
returning ``id`` (plus properties) and a relationship query returning
``source`` and ``target`` (plus properties). Every ecograph analysis then runs
on it — so analysts with existing Neo4j data can use them.

:func:`to_ecosystem` rebuilds the full :class:`~ecograph.Ecosystem` that
:func:`~ecograph.store.load.load` wrote, through the same validation as a
bundle on disk (:func:`ecograph.load_tables`), without a detour through files.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from ..ecosystem import Ecosystem, load_tables
from ..errors import StoreError
from ..ledger import OUTSIDE
from ..schema import TABLES
from .base import GraphStore
from .load import LABELS, REL_TYPES

__all__ = ["project", "to_ecosystem"]


def project(store: GraphStore, node_query: str, relationship_query: str, *, directed: bool = False,
            params: dict | None = None) -> nx.Graph:
    """A NetworkX graph from a node query and a relationship query, as a GDS projection.

    Parallel relationships are summed into ``weight`` (1 each unless the query
    returns a ``weight``). Aggregate in the query (``count(DISTINCT c) AS
    weight``) rather than relying on one row per path: FalkorDB collapses rows
    whose intermediate nodes are not returned, Neo4j does not.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store to read.
    node_query : str
        Cypher returning ``id`` (plus properties, which become node attributes).
    relationship_query : str
        Cypher returning ``source`` and ``target`` (plus properties, which
        become edge attributes, and optionally ``weight``).
    directed : bool, default False
        Build a :class:`networkx.DiGraph` instead of a :class:`networkx.Graph`.
    params : dict, optional
        Query parameters, passed to both queries.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes with their properties; edges with a ``weight``.

    Raises
    ------
    StoreError
        When the node query returns no ``id`` column, the relationship query
        no ``source`` and ``target``, or relationships reach endpoints the
        node query did not return.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore, load
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = load(ecograph.load_bundle("fixtures/tiny"), store)
    >>> G = project(store, "MATCH (p:Partner) RETURN p.id AS id, p.tier AS tier",
    ...             "MATCH (a:Partner)-[r:CO_SELLS_WITH]-(b:Partner) "
    ...             "RETURN a.id AS source, b.id AS target")
    >>> sorted(G.nodes(data="tier"))[0]
    ('P1', 'gold')
    >>> store.server.stop().running
    False
    """
    nodes = store.run(node_query, params or {})
    if nodes and "id" not in nodes[0]:
        raise StoreError("the node query must return an `id` column")
    edges = store.run(relationship_query, params or {})
    if edges and not {"source", "target"} <= set(edges[0]):
        raise StoreError("the relationship query must return `source` and `target` columns")
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from((n["id"], {k: v for k, v in n.items() if k != "id"}) for n in nodes)
    unknown = {e[k] for e in edges for k in ("source", "target")} - set(G)
    if unknown:
        raise StoreError(f"relationships reach {len(unknown)} nodes the node query did not "
                         f"return, e.g. {sorted(map(str, unknown))[:3]}")
    for e in edges:
        u, v = e["source"], e["target"]
        w = float(e.get("weight") or 1.0)
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
        else:
            G.add_edge(u, v, **{k: x for k, x in e.items()
                                if k not in ("source", "target", "weight")}, weight=w)
    return G


def _rows(store, query: str) -> pd.DataFrame:
    # object columns: a whole-number column with a missing value must not become float64
    return pd.DataFrame([dict(r["p"]) for r in store.run(query)], dtype=object)


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Store values back to an Ecosystem frame: lists for list cells; dates stay the store's
    ``YYYY-MM-DD`` text, which validation reads as a file's cells (any year, never
    through nanosecond timestamps)."""
    spec = TABLES[table]
    out = pd.DataFrame({c.name: frame.get(c.name) for c in spec.columns}, index=frame.index)
    for c in spec.columns:
        if c.many:
            out[c.name] = out[c.name].map(lambda v: list(v) if isinstance(v, list | tuple) else [])
    return out.sort_values(spec.key, ignore_index=True) if len(out) else out


def to_ecosystem(store: GraphStore) -> Ecosystem:
    """The Ecosystem stored by :func:`~ecograph.store.load.load`, validated as a
    bundle is (a damaged store fails with findings, not a half-built object).

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        A store holding one ecosystem.

    Returns
    -------
    Ecosystem
        Rows sorted by key.

    Raises
    ------
    BundleError
        When what the store holds breaks a validation rule.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore, load
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = load(eco, store)
    >>> to_ecosystem(store).partners["id"].tolist()
    ['P1', 'P2', 'P3']
    >>> store.server.stop().running
    False
    """
    tables = {}
    for table, label in LABELS.items():
        tables[table] = _typed(_rows(store, f"MATCH (n:{label}) RETURN properties(n) AS p"), table)
    parts = [_rows(store, f"MATCH ()-[r:{t}]->() RETURN properties(r) AS p").assign(type=kind)
             for kind, t in REL_TYPES.items()]
    tables["relationships"] = _typed(pd.concat([p for p in parts if len(p)] or [pd.DataFrame()],
                                               ignore_index=True), "relationships")
    tables["deals"] = _typed(_rows(store, "MATCH ()-[r:REGISTERED]->() RETURN properties(r) AS p"),
                             "deals")
    moves = _rows(store, "MATCH ()-[r:MOVED]->() RETURN properties(r) AS p")
    if len(moves):
        moves = moves.replace({"from_party": {OUTSIDE: None}, "to_party": {OUTSIDE: None}})
    tables["movements"] = _typed(moves, "movements")
    audits = [dict(r["p"], party=r["party"]) for r in store.run(
        "MATCH (a:Audit)-[c:COUNTS]->(p) RETURN properties(a) AS p, p.id AS party")]
    tables["audits"] = _typed(pd.DataFrame(audits, dtype=object), "audits")
    return load_tables(tables, source=repr(store))
