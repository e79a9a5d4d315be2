"""The local Neo4j of `make neo4j-up` (.ci/neo4j): the server the Neo4j tests run on.

What the tests rely on: it is Neo4j 5.26 Community with GDS, its connection file is
private and its password appears in no log, its pid is our launcher, and the tests'
guard refuses to clear a database that is not the one the launcher created.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.store.conftest import NEO4J_CACHE, NEO4J_CONNECTION, database_id, needs_neo4j, neo4j_store

pytestmark = needs_neo4j


def test_it_is_neo4j_5_26_community_with_graph_data_science(neo4j_server):
    store = neo4j_store(neo4j_server, clear=False)
    try:
        component = store.run("CALL dbms.components() YIELD name, versions, edition "
                              "RETURN name, versions[0] AS version, edition")[0]
        assert component["edition"] == "community" and component["version"].startswith("5.26.")
        assert component["version"] == neo4j_server["neo4j_version"]
        assert store.run("RETURN gds.version() AS v")[0]["v"] == neo4j_server["gds_version"]
        names = {r["name"] for r in store.run("SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'gds.' "
                                              "RETURN name")}
        assert {"gds.pageRank.stream", "gds.betweenness.stream", "gds.wcc.stream", "gds.louvain.stream",
                "gds.leiden.stream", "gds.kcore.stream", "gds.bridges.stream",
                "gds.articulationPoints.stream", "gds.nodeSimilarity.stream"} <= names
    finally:
        store.close()


def test_the_connection_is_private_and_the_password_is_in_no_log(neo4j_server):
    assert stat.S_IMODE(NEO4J_CONNECTION.stat().st_mode) == 0o600
    password = neo4j_server["password"]
    assert len(password) >= 24
    logs = [NEO4J_CACHE / "launcher.log", *sorted((Path(neo4j_server["home"]) / "logs").glob("*.log"))]
    assert logs[0].exists() and len(logs) > 1
    for log in logs:
        assert password not in log.read_text(errors="replace"), log


def test_its_pid_is_our_launcher_on_loopback(neo4j_server):
    cmdline = Path(f"/proc/{neo4j_server['pid']}/cmdline").read_bytes().split(b"\0")
    assert b"ecograph.ci.Neo4jLauncher" in cmdline and neo4j_server["home"].encode() in cmdline
    assert neo4j_server["uri"].startswith("bolt://127.0.0.1:")


def test_a_database_that_is_not_the_test_servers_is_never_cleared(neo4j_server):
    store = neo4j_store(neo4j_server, clear=False)
    try:
        store.run("CREATE (:EcographGuardProbe)")
        before = store.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
        stranger = {**neo4j_server, "database_id": "not-" + database_id(store)}
        with pytest.raises(pytest.fail.Exception, match="refusing to clear"):
            neo4j_store(stranger)
        assert store.run("MATCH (n) RETURN count(n) AS n")[0]["n"] == before > 0
    finally:
        store.run("MATCH (n:EcographGuardProbe) DELETE n")
        store.close()


def test_the_cli_reaches_it_through_the_environment(neo4j_env, run):
    result = run("store", "list", "--store", "neo4j")
    assert result.exit_code == 0, result.output
    assert neo4j_env["password"] not in result.output
