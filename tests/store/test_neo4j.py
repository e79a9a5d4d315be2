"""Neo4j adapter: configuration and secrecy always; integration on the real local Neo4j.

The integration tests (``needs_neo4j``) run on the server `make neo4j-up` starts (and
`make test` / `.ci/run` start it when Java is here); see tests/store/conftest.py. Without
it they skip saying why, except on CI, where they must run.
"""

from __future__ import annotations

import pytest

from ecograph.errors import ParameterError, StoreError
from ecograph.store import Neo4jStore, load, to_ecosystem
from ecograph.store.neo4j import store_error
from ecograph.store.queries import library, read_query, run_query
from tests.store.conftest import needs_neo4j


def test_configuration_comes_from_the_environment_and_hides_the_password():
    store = Neo4jStore.from_env({"NEO4J_URI": "neo4j+s://db.example:7687",
                                 "NEO4J_USER": "eco", "NEO4J_PASSWORD": "hunter2",
                                 "NEO4J_DATABASE": "partners"}, connect=False)
    assert (store.uri, store.user, store.database) == ("neo4j+s://db.example:7687", "eco",
                                                       "partners")
    assert "hunter2" not in repr(store) and "hunter2" not in str(vars(store))
    with pytest.raises(StoreError, match="NEO4J_URI"):
        Neo4jStore.from_env({})


def test_an_unreachable_server_names_it_but_not_the_password():
    with pytest.raises(StoreError) as info:
        Neo4jStore("bolt://127.0.0.1:1", "neo4j", "hunter2")
    assert "127.0.0.1:1" in str(info.value) and "hunter2" not in str(info.value)


def test_every_driver_error_is_one_line_without_the_password():
    from neo4j import exceptions as ne

    cases = {ne.AuthError("The client is unauthorized; password hunter2"): "authentication failed",
             ne.CypherSyntaxError("Invalid input 'MATC': expected\n  'MATCH'\n  ^"): "Cypher syntax error",
             ne.ConstraintError("Node(12) already exists with label `Partner`"): "constraint violated",
             ne.TransientError("LockClient can't wait"): "transient failure",
             ne.ServiceUnavailable("Couldn't connect to db:7687"): "cannot reach the server",
             ne.ClientError("Neo.ClientError.Transaction.TransactionTimedOut"): "rejected",
             TimeoutError("timed out"): "timed out"}
    for exc, kind in cases.items():
        error = store_error(exc, "bolt://db:7687 as neo4j", secret="hunter2")
        assert isinstance(error, StoreError)
        text = str(error)
        assert "\n" not in text and kind in text and "bolt://db:7687" in text, text
        assert "hunter2" not in text


def test_the_cli_says_one_line_and_exit_3_when_neo4j_is_unreachable(run, fixtures_dir, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_PASSWORD", "hunter2")
    for args in (["load", fixtures_dir / "tiny", "--store", "neo4j"], ["store", "list", "--store", "neo4j"]):
        result = run(*args)
        assert result.exit_code == 3, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "127.0.0.1:1" in lines[0] and "hunter2" not in result.output


@needs_neo4j
def test_load_is_complete_and_idempotent_on_neo4j(neo4j, ecosystems):
    eco = ecosystems["it_ecosystem"]
    count = neo4j.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    load(eco, neo4j)
    assert neo4j.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == count


@needs_neo4j
@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_every_library_query_runs_on_neo4j(neo4j, path):
    text, _ = read_query(path)
    params = {"limit": 5, "min_shared": 5, "region": "NA-West", "capability": "compliance",
              "supplier": "S0001", "party": "P00037", "sku": "NET-SW", "date": "2025-12-31",
              "partner": "P00015", "from": "2025-01-01", "to": "2026-01-01", "community": 0,
              "customer": "C0000264"}
    run_query(neo4j, path, {k: v for k, v in params.items() if f"${k}" in text})


@needs_neo4j
def test_a_sync_on_neo4j_removes_retargets_updates_and_then_writes_nothing(neo4j, ecosystems):
    from .test_sync import GONE, MOVED_REL, changed_it

    eco, facts = changed_it(ecosystems["it_ecosystem"])
    try:
        report = load(eco, neo4j, batch_size=97)
        assert report.deleted["Partner"] == 1 and report.updated["SELLS_TO"] == 1
        assert neo4j.run("MATCH (p:Partner {id: $id}) RETURN count(p) AS n", {"id": GONE}) == [{"n": 0}]
        assert neo4j.run("MATCH ()-[r:SELLS_TO {id: $id}]->(c) RETURN c.id AS c",
                         {"id": MOVED_REL}) == [{"c": facts["new_target"]}]
        assert len(to_ecosystem(neo4j).relationships) == len(eco.relationships)
        assert load(eco, neo4j).written == 0
    finally:
        load(ecosystems["it_ecosystem"], neo4j)


@needs_neo4j
def test_neo4j_holds_one_graph_and_refuses_another_company(neo4j, ecosystems):
    assert neo4j.graphs() == [neo4j.graph]
    with pytest.raises(ParameterError, match="NIMBUS.*AQUILA"):
        load(ecosystems["manufacturing"], neo4j)
    with pytest.raises(StoreError, match="Cypher syntax error"):
        neo4j.run("MATC (n) RETURN n")
