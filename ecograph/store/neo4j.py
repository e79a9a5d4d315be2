"""Neo4j, for production: the same Cypher as the embedded store, through the
official ``neo4j`` driver.

Configuration comes from the environment: ``NEO4J_URI`` (``bolt://``,
``neo4j://``, or ``+s``/``+ssc`` schemes for TLS, as the driver reads them),
``NEO4J_USER`` (default ``neo4j``), ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``
(default ``neo4j``). The password is never printed, logged or put in a
``repr``.

Graphs: Neo4j Community has one database, so a database holds one ecograph
graph. Its name and company are recorded in the database's
``(:EcographGraph)`` node; ``graphs()`` lists that one name, ``drop_graph``
clears the database, and loading a bundle of another company (or under
another ``--graph`` name) is refused unless ``--replace`` is given. Use one
``NEO4J_DATABASE`` per ecosystem on Enterprise.

Every driver error (unreachable server, failed login, Cypher syntax, a
constraint, a transient failure, a timeout) becomes one line of
:class:`~ecograph.errors.StoreError` (exit 3 in the CLI), naming the server
but never the password (:func:`store_error`).

>>> Neo4jStore.from_env({"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": "s3cret"},
...                     connect=False)
Neo4jStore(uri='bolt://db:7687', user='neo4j', database='neo4j')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import pandas as pd

from ..errors import StoreError

__all__ = ["Neo4jStore", "store_error", "columnar"]

_KINDS = (  # (exception class name, what it means), most specific first
    ("AuthError", "authentication failed"),
    ("CypherSyntaxError", "Cypher syntax error"),
    ("CypherTypeError", "Cypher type error"),
    ("ConstraintError", "constraint violated"),
    ("Forbidden", "not allowed"),
    ("TransientError", "transient failure (retry)"),
    ("SessionExpired", "session expired"),
    ("ServiceUnavailable", "cannot reach the server"),
    ("ConnectionAcquisitionTimeoutError", "timed out waiting for a connection"),
    ("ClientError", "rejected"),
    ("DatabaseError", "database error"),
    ("DriverError", "driver error"),
)


def store_error(exc: BaseException, where: str, *, secret: str | None = None) -> StoreError:
    r"""One line of :class:`StoreError` for a ``neo4j`` driver error (or a timeout).

    Parameters
    ----------
    exc : BaseException
        What the driver raised.
    where : str
        The server and user (``bolt://db:7687 as neo4j``), said first.
    secret : str, optional
        A password to blank out should the driver's message contain it.

    Returns
    -------
    StoreError
        ``neo4j at WHERE: KIND: first line of the message``, at most about 300 characters.

    Examples
    --------
    >>> from neo4j.exceptions import CypherSyntaxError, ServiceUnavailable
    >>> print(store_error(CypherSyntaxError("Invalid input 'MATC'\n  ^"), "bolt://db:7687"))
    neo4j at bolt://db:7687: Cypher syntax error: Invalid input 'MATC' ^
    >>> print(store_error(ServiceUnavailable("Couldn't connect to db:7687 with s3cret"),
    ...                   "bolt://db:7687", secret="s3cret"))
    neo4j at bolt://db:7687: cannot reach the server: Couldn't connect to db:7687 with ***
    >>> print(store_error(TimeoutError("timed out"), "bolt://db:7687"))
    neo4j at bolt://db:7687: timed out: timed out
    """
    names = {cls.__name__ for cls in type(exc).__mro__}
    kind = next((what for name, what in _KINDS if name in names), None)
    if kind is None:
        kind = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
    message = getattr(exc, "message", None)
    if not message or message == "An unknown error occurred":
        message = str(exc)
    text = " ".join(str(message).split()) or type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    if len(text) > 240:
        text = text[:237] + "..."
    return StoreError(f"neo4j at {where}: {kind}: {text}")


_ROWS = "UNWIND $rows AS row "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _values(column: pd.Series) -> list:
    """A column as plain Python values, ``None`` where missing."""
    return column.astype(object).where(column.notna(), None).tolist()


def columnar(query: str, head: pd.DataFrame, props: pd.DataFrame) -> tuple[str, dict]:
    """A batch for ``UNWIND $rows AS row …`` sent as columns, not as one map per row.

    The driver packs every value of the parameters in Python; a list per column
    spares it the keys of every row's map (half the bytes, a third of the time). The
    rows are rebuilt in the query: ``row`` has ``head``'s columns and a ``props`` map,
    as :func:`~ecograph.store.load.records` would send them.

    Parameters
    ----------
    query : str
        Cypher starting ``UNWIND $rows AS row``.
    head : pandas.DataFrame
        The columns each row carries at the top level (a key, endpoints).
    props : pandas.DataFrame
        The properties gathered into ``row.props``; same length as ``head``.

    Returns
    -------
    tuple of (str, dict)
        The query and its parameters ``n``, ``h`` (head columns), ``p`` (property columns).

    Raises
    ------
    StoreError
        When the query does not start with ``UNWIND $rows AS row`` or a column name is
        not a plain identifier (they come from the schema, never from data).

    Examples
    --------
    >>> import pandas as pd
    >>> q, params = columnar("UNWIND $rows AS row RETURN row.id AS id", pd.DataFrame({"id": ["a", "b"]}),
    ...                      pd.DataFrame({"x": [1.5, float("nan")]}))
    >>> params
    {'n': 2, 'h': [['a', 'b']], 'p': [[1.5, None]]}
    """
    if not query.startswith(_ROWS):
        raise StoreError("a batch query must start with `UNWIND $rows AS row`")
    bad = [c for c in (*head.columns, *props.columns) if not _NAME.fullmatch(str(c))]
    if bad:
        raise StoreError(f"column names must be identifiers; got {bad[:3]}")
    fields = [f"`{c}`: $h[{k}][i]" for k, c in enumerate(head.columns)]
    mapped = ", ".join(f"`{c}`: $p[{k}][i]" for k, c in enumerate(props.columns))
    row = "{" + ", ".join([*fields, f"props: {{{mapped}}}"]) + "}"
    return (f"UNWIND range(0, $n - 1) AS i WITH {row} AS row {query[len(_ROWS):]}",
            {"n": len(head), "h": [_values(head[c]) for c in head.columns],
             "p": [_values(props[c]) for c in props.columns]})


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
    graph : str, optional
        The ecograph graph name this database holds (recorded by ``load`` in its
        ``(:EcographGraph)`` node); default: the recorded one, else the database name.
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
                 graph: str | None = None, connect: bool = True) -> None:
        self.uri, self.user, self.database = uri, user, database
        self._driver = None
        self.graph = graph or database

        def open_driver() -> None:  # a closure, so the password is in no attribute (or repr)
            from neo4j import GraphDatabase

            try:
                # notifications (unknown labels in an empty graph, deprecations) are not errors:
                # the driver would log each one
                self._driver = GraphDatabase.driver(uri, auth=(user, password),
                                                    notifications_min_severity="OFF")
                self._driver.verify_connectivity()
            except Exception as exc:  # the driver raises several kinds
                error = store_error(exc, f"{uri} as {user}", secret=password or None)
                raise StoreError(f"cannot reach Neo4j: {error}") from None

        self._connect = open_driver
        if connect:
            self._connect()
            if graph is None:
                recorded = self.graphs()
                self.graph = recorded[0] if recorded else database

    def reopen(self) -> None:
        """Connect again with a new driver: after the server was restarted on a replaced
        database (an offline import), the old driver's bookmarks name transactions the new
        database never had.

        Raises
        ------
        StoreError
            When the server cannot be reached (yet).
        """
        self.close()
        self._driver = None
        self._connect()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, graph: str | None = None,
                 connect: bool = True) -> Neo4jStore:
        """A store configured by ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
        ``NEO4J_DATABASE`` (``env``, default the environment), on ``graph``.

        Examples
        --------
        >>> Neo4jStore.from_env({"NEO4J_URI": "bolt://db:7687"}, graph="nimbus", connect=False).graph
        'nimbus'
        """
        env = os.environ if env is None else env
        if not env.get("NEO4J_URI"):
            raise StoreError("set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) "
                             "to use the Neo4j store")
        return cls(env["NEO4J_URI"], env.get("NEO4J_USER", "neo4j"),
                   env.get("NEO4J_PASSWORD", ""), database=env.get("NEO4J_DATABASE", "neo4j"),
                   graph=graph, connect=connect)

    def run(self, query: str, params: dict | None = None) -> list[dict]:
        if self._driver is None:
            raise StoreError("this Neo4jStore was made without a connection")
        try:
            records, _, _ = self._driver.execute_query(query, params or {},
                                                       database_=self.database)
        except Exception as exc:  # the driver raises several kinds: one line each
            raise store_error(exc, f"{self.uri} ({self.database})") from None
        return [r.data() for r in records]

    def prepare(self, query: str, head, props) -> tuple[str, dict]:
        """``query`` with its ``UNWIND $rows AS row`` fed from columns (:func:`columnar`).

        Examples
        --------
        >>> import pandas as pd
        >>> store = Neo4jStore("bolt://db:7687", "neo4j", "", connect=False)
        >>> q, params = store.prepare("UNWIND $rows AS row RETURN row.key",
        ...                           pd.DataFrame({"key": ["P1"]}), pd.DataFrame({"tier": [None]}))
        >>> print(q)
        UNWIND range(0, $n - 1) AS i WITH {`key`: $h[0][i], props: {`tier`: $p[0][i]}} AS row RETURN row.key
        >>> params
        {'n': 1, 'h': [['P1']], 'p': [[None]]}
        """
        return columnar(query, head, props)

    def run_rows(self, query: str, head, props) -> list[dict]:
        return self.run(*self.prepare(query, head, props))

    def unique_constraint(self, label: str, key: str) -> None:
        name = f"{label.lower()}_{key}"
        self.run(f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")

    def relationship_index(self, rel_type: str, key: str) -> None:
        """An index on ``rel_type.key`` (idempotent), waited for until it is online."""
        self.run(f"CREATE INDEX {rel_type.lower()}_{key} IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.{key})")
        self.run("CALL db.awaitIndexes(600)")

    def clear(self) -> None:
        """Delete every node and relationship of the database, in batches of 10,000 (one
        transaction each, so a large graph does not need one huge transaction): the
        relationships first, so that a batch of hub nodes does not take all of theirs
        into one transaction (past the server's transaction memory limit)."""
        if self._driver is None:
            raise StoreError("this Neo4jStore was made without a connection")
        try:
            with self._driver.session(database=self.database) as session:
                session.run("MATCH ()-[r]->() CALL (r) { DELETE r } "
                            "IN TRANSACTIONS OF 10000 ROWS").consume()
                session.run("MATCH (n) CALL (n) { DETACH DELETE n } "
                            "IN TRANSACTIONS OF 10000 ROWS").consume()
        except Exception as exc:  # the driver raises several kinds: one line each
            raise store_error(exc, f"{self.uri} ({self.database})") from None

    def graphs(self) -> list[str]:
        """The ecograph graph this database holds (its recorded name), or none.

        Examples
        --------
        >>> Neo4jStore("bolt://db:7687", "neo4j", "", connect=False).graphs()
        Traceback (most recent call last):
        ...
        ecograph.errors.StoreError: this Neo4jStore was made without a connection
        """
        rows = self.run("MATCH (m:EcographGraph) RETURN m.graph AS graph")
        if rows:
            return sorted({str(r["graph"] or self.database) for r in rows})
        held = self.run("MATCH (c:Company) RETURN count(c) AS n")[0]["n"]
        return [self.database] if held else []

    def drop_graph(self, name: str) -> bool:
        """Clear the database if it holds graph ``name``; whether it did.

        Examples
        --------
        >>> Neo4jStore("bolt://db:7687", "neo4j", "", connect=False).drop_graph("x")
        Traceback (most recent call last):
        ...
        ecograph.errors.StoreError: this Neo4jStore was made without a connection
        """
        if name not in self.graphs():
            return False
        self.clear()
        return True

    def compact(self) -> None:
        """Nothing to do: Neo4j checkpoints its own transaction log."""

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()

    def __repr__(self) -> str:  # never the password
        return f"Neo4jStore(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"
