"""The store commands: start/status/stop, load with write-back, and library queries."""

from __future__ import annotations

import json
import os

import pytest


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
