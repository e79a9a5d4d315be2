"""What every graph store offers the loader, the projection and the query library.

>>> from ecograph.store import EmbeddedStore, Neo4jStore
>>> all(hasattr(cls, "run_rows") for cls in (EmbeddedStore, Neo4jStore))
True
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

__all__ = ["GraphStore"]


class GraphStore(Protocol):
    """A Cypher graph store: the embedded FalkorDB server or Neo4j.

    ``run`` returns rows as dicts; ``prepare`` / ``run_rows`` send a batch of
    rows as ``$rows`` (the embedded store renders it as one Cypher literal,
    Neo4j passes it as a parameter); ``unique_constraint``, ``relationship_index`` and ``clear`` are
    the only engine-specific statements.

    Named graphs: ``graph`` is the graph this object reads and writes;
    ``graphs()`` lists the ecograph graphs in the store (the embedded server
    holds many; a Neo4j database holds one, recorded in its
    ``(:EcographGraph)`` node), ``drop_graph(name)`` deletes one (True if it
    existed), and ``compact()`` makes reopening fast after a load or sync
    (embedded: rewrite the append-only file as a snapshot; Neo4j: nothing).

    Examples
    --------
    >>> from ecograph.store import EmbeddedStore
    >>> isinstance(EmbeddedStore.engine, str)
    True
    """

    engine: str
    graph: str

    def run(self, query: str, params: dict | None = None) -> list[dict]: ...

    def prepare(self, query: str, head: pd.DataFrame, props: pd.DataFrame) -> tuple[str, dict | None]: ...

    def run_rows(self, query: str, head: pd.DataFrame, props: pd.DataFrame) -> list[dict]: ...

    def unique_constraint(self, label: str, key: str) -> None: ...

    def relationship_index(self, rel_type: str, key: str) -> None: ...

    def clear(self) -> None: ...

    def graphs(self) -> list[str]: ...

    def drop_graph(self, name: str) -> bool: ...

    def compact(self) -> None: ...
