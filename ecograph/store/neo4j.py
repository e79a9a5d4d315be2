"""Neo4j, for production: the same Cypher as the embedded store, through the
official ``neo4j`` driver.

Configuration comes from the environment: ``NEO4J_URI`` (``bolt://``,
``neo4j://``, or ``+s``/``+ssc`` schemes for TLS, as the driver reads them),
``NEO4J_USER`` (default ``neo4j``), ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``
(default ``neo4j``). The password is never printed, logged or put in a
``repr``.

>>> Neo4jStore.from_env({"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": "s3cret"},
...                     connect=False)
Neo4jStore(uri='bolt://db:7687', user='neo4j', database='neo4j')
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..errors import StoreError

__all__ = ["Neo4jStore"]


class Neo4jStore:
    """``run(query, params) -> list[dict]`` on a Neo4j database.

    Parameters
    ----------
    uri : str
        ``bolt://``, ``neo4j://`` or their ``+s``/``+ssc`` TLS variants.
    user : str
        The user to log in as.
    password : str
        Its password (never printed, logged or put in a ``repr``).
    database : str, default "neo4j"
        The database to run queries in.
    connect : bool, default True
        Connect (and verify the connection) now; ``False`` makes a store that
        cannot run queries, for configuration checks.

    Raises
    ------
    StoreError
        When ``connect`` is true and the database cannot be reached.

    Examples
    --------
    >>> store = Neo4jStore("bolt://db:7687", "neo4j", "s3cret", connect=False)
    >>> store
    Neo4jStore(uri='bolt://db:7687', user='neo4j', database='neo4j')
    >>> store.run("RETURN 1")
    Traceback (most recent call last):
    ...
    ecograph.errors.StoreError: this Neo4jStore was made without a connection
    """

    engine = "neo4j"

    def __init__(self, uri: str, user: str, password: str, *, database: str = "neo4j",
                 connect: bool = True) -> None:
        self.uri, self.user, self.database = uri, user, database
        self._driver = None
        if connect:
            from neo4j import GraphDatabase

            try:
                self._driver = GraphDatabase.driver(uri, auth=(user, password))
                self._driver.verify_connectivity()
            except Exception as exc:  # the driver raises several kinds
                raise StoreError(f"cannot reach Neo4j at {uri} as {user}: "
                                 f"{type(exc).__name__}") from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, connect: bool = True) -> Neo4jStore:
        env = os.environ if env is None else env
        if not env.get("NEO4J_URI"):
            raise StoreError("set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) "
                             "to use the Neo4j store")
        return cls(env["NEO4J_URI"], env.get("NEO4J_USER", "neo4j"),
                   env.get("NEO4J_PASSWORD", ""), database=env.get("NEO4J_DATABASE", "neo4j"),
                   connect=connect)

    def run(self, query: str, params: dict | None = None) -> list[dict]:
        if self._driver is None:
            raise StoreError("this Neo4jStore was made without a connection")
        try:
            records, _, _ = self._driver.execute_query(query, params or {},
                                                       database_=self.database)
        except Exception as exc:  # the driver raises several kinds; the store's callers map one
            raise StoreError(f"neo4j: {type(exc).__name__}: {exc}") from exc
        return [r.data() for r in records]

    def prepare(self, query: str, head, props) -> tuple[str, dict]:
        """``query`` and ``$rows``: ``head``'s columns plus a ``props`` map per row."""
        from .load import records

        return query, {"rows": records(head, props)}

    def run_rows(self, query: str, head, props) -> list[dict]:
        return self.run(*self.prepare(query, head, props))

    def unique_constraint(self, label: str, key: str) -> None:
        name = f"{label.lower()}_{key}"
        self.run(f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")

    def clear(self) -> None:
        self.run("MATCH (n) DETACH DELETE n")

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()

    def __repr__(self) -> str:  # never the password
        return f"Neo4jStore(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"
