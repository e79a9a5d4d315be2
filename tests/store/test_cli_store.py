"""The store commands: start/status/stop, load with write-back, and library queries."""

from __future__ import annotations

import json
import os

import pytest

from ..conftest import edit


def test_store_lifecycle_load_and_query(run, tmp_path, fixtures_dir, truths):
    d = tmp_path / "store"
    assert run("store", "status", "--store-dir", d).exit_code == 3
    try:
        assert run("store", "start", "--store-dir", d).exit_code == 0
        status = run("store", "status", "--store-dir", d)
        assert status.exit_code == 0 and json.loads(status.stdout)["running"] is True
        pid = json.loads(status.stdout)["pid"]
        loaded = run("load", fixtures_dir / "manufacturing", "--store-dir", d, "--write-back")
        assert loaded.exit_code == 0, loaded.output
        assert "Wrote back" in loaded.output and "risk_score" in loaded.output
        gap = truths["manufacturing"]["coverage_gap"]
        rows = run("query", "uncovered_customers", "--store-dir", d, "--param",
                   f"region={gap['region']}", "--param", f"capability={gap['capability']}",
                   "--format", "json")
        assert rows.exit_code == 0
        assert sum(r["segment"] == gap["segment"] for r in json.loads(rows.stdout)) == \
            gap["customers_in_need"]
        risky = run("query", "community_members", "--store-dir", d, "--param", "community=0",
                    "--format", "csv")
        assert risky.exit_code == 0 and risky.stdout.startswith("party,kind,pagerank")
    finally:
        assert run("store", "stop", "--store-dir", d).exit_code == 0
    assert run("store", "status", "--store-dir", d).exit_code == 3
    with pytest.raises(ProcessLookupError):  # `store stop` ended the server it started, by pid
        os.kill(pid, 0)


def test_query_refuses_unknown_queries_and_bad_params(run, tmp_path):
    assert run("query", "no_such_query", "--store-dir", tmp_path).exit_code == 2
    assert run("query", "top_brokers", "--param", "limit", "--store-dir", tmp_path).exit_code == 2


def test_neo4j_without_configuration_is_a_store_error(run, fixtures_dir, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    result = run("load", fixtures_dir / "tiny", "--store", "neo4j")
    assert result.exit_code == 3


# --- nothing starts before the input has been checked; processes not ours are left alone ---------


@pytest.mark.parametrize("args,says", [
    (["./nowhere"], "no query file"),
    (["top_brokers"], "missing parameter limit"),
    (["top_brokers", "--param", "limit=5", "--param", "limt=5"], "unknown parameter limt"),
    (["top_brokers", "--param", "limit=ten"], "must be a whole number"),
    (["balance_at", "--param", "party=P1", "--param", "sku=X", "--param", "date=2025-13-01"],
     "must be a date"),
    (["partner_scorecard", "--param", "partner:int=15"], "must be text"),  # plain values are text
])
def test_a_bad_query_or_parameter_exits_2_before_any_store_starts(run, tmp_path, args, says):
    d = tmp_path / "store"
    result = run("query", *args, "--store-dir", d)
    assert result.exit_code == 2 and says in result.stderr, result.output
    assert not d.exists()  # no server was started


def test_a_query_file_is_checked_before_any_store_starts(run, tmp_path):
    d = tmp_path / "store"
    portable = tmp_path / "count_nodes"  # a file without the .cypher suffix
    portable.write_text("// Count nodes.\nMATCH (n) RETURN count(n) AS n\n")
    regex = tmp_path / "regex.cypher"
    regex.write_text("MATCH (n) WHERE n.name =~ 'A.*' RETURN n.id AS id\n")
    latin = tmp_path / "latin.cypher"
    latin.write_bytes("// r\xe9sum\xe9\nRETURN 1 AS one\n".encode("latin-1"))
    for path, says in ((regex, "not portable"), (latin, "UTF-8"), (tmp_path, "not a query file")):
        result = run("query", path, "--store-dir", d)
        assert result.exit_code == 2 and says in result.stderr and not d.exists(), result.output
    try:
        result = run("query", portable, "--store-dir", d, "--format", "json")
        assert result.exit_code == 0 and json.loads(result.stdout) == [{"n": 0}]
    finally:
        run("store", "stop", "--store-dir", d)


def test_load_validates_the_bundle_before_any_store_starts(run, tiny, tmp_path):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    d = tmp_path / "store"
    assert run("load", tiny, "--store-dir", d).exit_code == 1
    assert not d.exists()


def test_a_store_dir_behind_a_file_is_one_line_exit_3(run, tmp_path, fixtures_dir):
    blocker = tmp_path / "FILE"
    blocker.write_text("mine")
    for args in (["store", "start"], ["load", fixtures_dir / "tiny"],
                 ["query", "top_brokers", "--param", "limit=1"]):
        result = run(*args, "--store-dir", blocker / "sub")
        assert result.exit_code == 3, result.output
        assert result.stderr.strip().splitlines() == [
            f"error: cannot use {blocker / 'sub'} as the store's data directory: Not a directory"]
    assert blocker.read_text() == "mine"
    assert run("store", "start", "--store-dir", blocker).exit_code == 2  # a file, not a folder


@pytest.fixture
def foreign_pid(tmp_path):
    """A store folder whose pid file names a live process that is not a store (a ``sleep``)
    beside a stale socket; yields ``(folder, process)`` and checks the process was never signalled."""
    import socket
    import subprocess

    d = tmp_path / "store"
    d.mkdir()
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        (d / "falkordb.pid").write_text(str(sleeper.pid))
        with socket.socket(socket.AF_UNIX) as s:  # a stale socket, nothing listening
            s.bind(str(d / "falkordb.sock"))
        yield d, sleeper
        assert sleeper.poll() is None  # alive: never signalled
    finally:
        sleeper.kill()
        sleeper.wait()


def test_store_stop_never_kills_a_process_that_reused_a_stale_pid(run, foreign_pid):
    d, sleeper = foreign_pid
    status = run("store", "status", "--store-dir", d)
    assert status.exit_code == 3 and json.loads(status.stdout)["pid"] is None
    stopped = run("store", "stop", "--store-dir", d)
    assert stopped.exit_code == 0 and f"stale pid file (pid {sleeper.pid}" in stopped.stdout
    assert not (d / "falkordb.pid").exists() and not (d / "falkordb.sock").exists()


def test_a_stale_socket_with_a_live_foreign_pid_gets_a_fresh_server(run, foreign_pid):
    d, sleeper = foreign_pid
    try:
        result = run("query", "top_brokers", "--param", "limit=3", "--store-dir", d, "--format", "json")
        assert result.exit_code == 0 and json.loads(result.stdout) == []  # a fresh, empty store
        assert int((d / "falkordb.pid").read_text()) != sleeper.pid
    finally:
        run("store", "stop", "--store-dir", d)
