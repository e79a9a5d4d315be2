"""Real stores for the store tests: an embedded FalkorDB server in a temp dir, and the
local Neo4j that `make neo4j-up` started.

Every embedded server these tests start is followed by the pid it recorded, and each
one must be gone once its test (or the session) is over. Only those pids are
checked, never the machine's process list: another FalkorDB server running on
the same machine is none of the tests' business.

Neo4j: the tests use only the server `.ci/neo4j/neo4j.sh up` started for them. Its
connection (and the id of its ``neo4j`` database) is in ``.cache/neo4j/connection.json``
(or ``$ECOGRAPH_NEO4J_CACHE/connection.json``); ``NEO4J_URI`` is never used here, and a
database whose id is not the recorded one is never cleared. Without that server the
tests marked ``needs_neo4j`` skip, saying why, except on CI (``CI=true``), where a
missing server fails them.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path

import pytest

from ecograph.store import EmbeddedServer, EmbeddedStore, Neo4jStore, load


def gone(pid: int) -> bool:
    """Whether no process has ``pid`` any more (a stopped server is also reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(autouse=True)
def no_server_left_running(monkeypatch):
    """Record the pid of every server a test launches (not the ones it merely reuses)
    and check after the test that each has stopped."""
    launched: list[int] = []
    start = EmbeddedServer.start

    def recording_start(self, **kwargs):
        fresh = not self.running
        server = start(self, **kwargs)
        if fresh:
            launched.append(server.pid)
        return server

    monkeypatch.setattr(EmbeddedServer, "start", recording_start)
    yield launched
    left = [pid for pid in launched if not gone(pid)]
    assert not left, f"a test left store servers running: pids {left}"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("store")
    server = EmbeddedServer(directory).start()
    pid = server.pid
    assert pid is not None and server.running
    yield directory
    server.stop()
    assert gone(pid), f"the session's store server (pid {pid}) is still running"


@pytest.fixture(scope="session")
def loaded(store_dir, ecosystems):
    """Each fixture bundle loaded into its own graph of the session's server."""
    stores = {}
    for name, eco in ecosystems.items():
        store = EmbeddedStore(store_dir, graph=name)
        store.clear()
        stores[name] = (store, load(eco, store))
    return stores


# --- The local Neo4j of `make neo4j-up` -------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
NEO4J_CACHE = Path(os.environ.get("ECOGRAPH_NEO4J_CACHE") or ROOT / ".cache" / "neo4j")
NEO4J_CONNECTION = NEO4J_CACHE / "connection.json"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def database_id(store: Neo4jStore) -> str:
    """The id of the database ``store`` runs in (``CALL db.info()``): unique per database
    created, and it survives clearing the database."""
    return str(store.run("CALL db.info() YIELD id RETURN id")[0]["id"])


@functools.cache
def local_neo4j() -> tuple[dict | None, str]:
    """The connection of the local test Neo4j if it answers as itself, else ``None`` and why not."""
    if not NEO4J_CONNECTION.exists():
        java = os.environ.get("JAVA_HOME") or shutil.which("java")
        if not java:
            return None, ("no Java on this machine, so no local Neo4j: the Neo4j tests need Java 17+ "
                          "and Maven (`make neo4j-up` fetches and starts Neo4j)")
        return None, f"no local Neo4j is running (no {NEO4J_CONNECTION}): run `make neo4j-up`"
    conn = json.loads(NEO4J_CONNECTION.read_text())
    try:
        store = Neo4jStore(conn["uri"], conn["user"], conn["password"], database=conn["database"])
    except Exception as exc:  # a StoreError, one line, without the password
        return None, f"the local Neo4j of {NEO4J_CONNECTION} does not answer ({exc}): run `make neo4j-up`"
    try:
        found = database_id(store)
    finally:
        store.close()
    if found != conn["database_id"]:
        return None, (f"{conn['uri']} is not the Neo4j `make neo4j-up` started (database id {found}, "
                      f"expected {conn['database_id']}): run `make neo4j-down` and `make neo4j-up`")
    return conn, ""


@pytest.fixture(scope="session")
def neo4j_server() -> dict:
    """The connection (uri, user, password, database, database_id, pid) of the local test
    Neo4j; skips without one (fails on CI, where the Neo4j tests must run)."""
    conn, why = local_neo4j()
    if conn is None:
        if IN_CI:
            pytest.fail(f"CI=true and the Neo4j tests cannot run: {why}", pytrace=False)
        pytest.skip(why)
    return conn


# Tests that need the real Neo4j: `from tests.store.conftest import needs_neo4j`.
needs_neo4j = pytest.mark.usefixtures("neo4j_server")


def neo4j_store(conn: dict, *, graph: str | None = None, clear: bool = True) -> Neo4jStore:
    """A store on the local test Neo4j of ``conn``; with ``clear``, emptied first, but only
    once the database's id proves it is the one `make neo4j-up` created."""
    store = Neo4jStore(conn["uri"], conn["user"], conn["password"], database=conn["database"], graph=graph)
    if clear:
        found = database_id(store)
        if found != conn["database_id"]:
            store.close()
            pytest.fail(f"refusing to clear {conn['uri']} ({conn['database']}): its database id {found} "
                        f"is not the test server's {conn['database_id']}", pytrace=False)
        store.clear()
    return store


@pytest.fixture(scope="module")
def neo4j(neo4j_server, ecosystems):
    """The local test Neo4j, cleared, with the it_ecosystem bundle loaded."""
    store = neo4j_store(neo4j_server)
    load(ecosystems["it_ecosystem"], store)
    yield store
    store.close()


@pytest.fixture
def neo4j_env(neo4j_server, monkeypatch) -> dict:
    """``NEO4J_*`` set to the local test Neo4j for this test (for the CLI); the connection."""
    for key, name in [("uri", "NEO4J_URI"), ("user", "NEO4J_USER"), ("password", "NEO4J_PASSWORD"),
                      ("database", "NEO4J_DATABASE")]:
        monkeypatch.setenv(name, neo4j_server[key])
    return neo4j_server
