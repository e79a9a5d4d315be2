"""Cypher graph stores: the embedded FalkorDB server (default) and Neo4j.

Both expose ``run(query, params) -> list[dict]`` and
``unique_constraint(label, key)``; :func:`~ecograph.store.load.load` syncs an
ecosystem into a named graph of either with the same Cypher (writing only what
changed, :mod:`ecograph.store.sync`), :func:`~ecograph.store.project.to_ecosystem`
reads it back, and :func:`~ecograph.store.writeback.write_analyses` stores
analysis results on the party nodes.
"""

from ..errors import StoreError
from .base import GraphStore
from .embedded import EmbeddedServer, EmbeddedStore, default_store_dir
from .load import LABELS, REL_TYPES, WRITABLE, LoadReport, load, write_back
from .neo4j import Neo4jStore
from .project import project, to_ecosystem
from .writeback import write_analyses

__all__ = ["GraphStore", "EmbeddedServer", "EmbeddedStore", "Neo4jStore", "StoreError",
           "default_store_dir", "load", "write_back", "write_analyses", "project", "to_ecosystem",
           "LoadReport", "LABELS", "REL_TYPES", "WRITABLE"]
