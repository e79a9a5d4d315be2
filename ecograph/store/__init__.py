"""Cypher graph stores: the embedded FalkorDB server (default) and Neo4j.

Both expose ``run(query, params) -> list[dict]`` and
``unique_constraint(label, key)``; :func:`~ecograph.store.load.load` writes an
ecosystem into either with the same Cypher.
"""

from .embedded import EmbeddedServer, EmbeddedStore, StoreError, default_store_dir
from .load import LABELS, REL_TYPES, WRITABLE, LoadReport, load, write_back
from .neo4j import Neo4jStore
from .project import project, to_ecosystem

__all__ = ["EmbeddedServer", "EmbeddedStore", "Neo4jStore", "StoreError", "default_store_dir", "load",
           "write_back", "project", "to_ecosystem", "LoadReport", "LABELS", "REL_TYPES", "WRITABLE"]
