"""`ecograph run`: the documented crontab line works night after night, resumes after a failure,
redoes only what changed, keeps overlapping runs apart and writes Prometheus metrics."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecograph import nightly

DOC = (Path(__file__).resolve().parents[1] / "docs" / "flag-bottlenecks.md").read_text()
ECOGRAPH = Path(sys.executable).with_name("ecograph")
#: One sample line of the Prometheus text format: name, optional labels, a number.
SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"\})? -?[0-9.e+]+$')


def _crontab_commands() -> list[str]:
    lines = [line for block in re.findall(r"```crontab\n(.*?)```", DOC, flags=re.S)
             for line in block.splitlines() if line.strip() and not line.startswith("#")]
    return [line.split(None, 5)[5] for line in lines]  # the command after the five time fields


def _metrics(path: Path) -> dict[str, float]:
    values = {}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            assert SAMPLE.match(line), line
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


@pytest.fixture
def home(tmp_path, fixtures_dir) -> Path:
    (tmp_path / "ecograph" / "data").mkdir(parents=True)
    shutil.copytree(fixtures_dir / "manufacturing", tmp_path / "ecograph" / "data" / "latest")
    return tmp_path


def test_the_documented_crontab_line_runs_five_nights(home):
    commands = _crontab_commands()
    assert len(commands) == 1 and "ecograph run" in commands[0]
    env = {**os.environ, "HOME": str(home), "PATH": f"{ECOGRAPH.parent}{os.pathsep}{os.environ['PATH']}"}
    codes = []
    for _ in range(5):
        done = subprocess.run(["/bin/sh", "-c", commands[0]], env=env, capture_output=True, text=True,
                              timeout=600)
        codes.append(done.returncode)
        assert done.stderr == "", done.stderr
        assert (done.stdout == "") == (done.returncode == 0)  # cron mails only the alerts
    assert codes == [1, 0, 0, 0, 0]
    state = home / "ecograph" / "state"
    assert (state / "analysis" / "report.html").exists()
    record = json.loads((state / "run.json").read_text())
    assert record["stages"]["analyze"]["status"] == "skipped" and record["exit_code"] == 0
    figures = _metrics(state / "ecograph.prom")
    assert figures["ecograph_run_exit_code"] == 0 and figures["ecograph_run_success"] == 1
    assert figures['ecograph_findings{kind="bottleneck"}'] >= 1 and figures["ecograph_alerts"] == 0
    assert 0 <= figures["ecograph_health_score"] <= 100
    assert figures['ecograph_stage_seconds{stage="analyze"}'] == 0  # skipped: nothing changed


def test_a_run_that_fails_half_way_resumes_where_it_stopped(run, fixtures_dir, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "flags.json").write_text("{truncated")  # the flag stage will fail, after the analysis
    failed = run("run", fixtures_dir / "manufacturing", "--state", state, "--metrics", tmp_path / "m.prom")
    assert failed.exit_code == 2 and str(state / "flags.json") in failed.stderr
    record = json.loads((state / "run.json").read_text())
    assert record["stages"]["analyze"]["status"] == "done" and record["stages"]["flag"]["status"] == "pending"
    assert _metrics(tmp_path / "m.prom")["ecograph_run_success"] == 0
    (state / "flags.json").unlink()  # the operator moves the bad state away
    resumed = run("run", fixtures_dir / "manufacturing", "--state", state, "--format", "json")
    assert resumed.exit_code == 1
    document = json.loads(resumed.stdout)
    assert document["stages"]["analyze"]["status"] == "skipped"  # not redone
    assert document["stages"]["flag"]["status"] == "done" and document["flags"]["alerts"] > 0


def test_a_changed_bundle_is_analysed_again(fixtures_dir, tmp_path):
    bundle = tmp_path / "latest"
    shutil.copytree(fixtures_dir / "tiny", bundle)
    first = nightly.nightly(bundle, tmp_path / "state")
    assert nightly.nightly(bundle, tmp_path / "state")["stages"]["analyze"]["status"] == "skipped"
    with open(bundle / "partners.csv", "a") as f:
        f.write("\n")  # a blank line: same data, another file
    again = nightly.nightly(bundle, tmp_path / "state")
    assert again["fingerprint"] != first["fingerprint"] and again["stages"]["analyze"]["status"] == "done"


def test_an_invalid_bundle_stops_the_run_with_its_findings(run, tiny, tmp_path):
    from .conftest import edit

    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    result = run("run", tiny, "--state", tmp_path / "state", "--format", "json")
    assert result.exit_code == 1
    assert "deals.csv:2:customer: dangling_reference: " in result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "invalid" and document["validation"]
    assert not (tmp_path / "state" / "analysis").exists()


def test_an_overlapping_run_exits_3(run, fixtures_dir, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    with open(state / "run.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        blocked = run("run", fixtures_dir / "tiny", "--state", state)
    assert blocked.exit_code == 3 and "holds" in blocked.stderr


def test_a_run_with_a_store_syncs_it_and_the_next_run_keeps_one_graph(run, fixtures_dir, tmp_path):
    from ecograph import load_bundle
    from ecograph.store import EmbeddedServer, EmbeddedStore, to_ecosystem

    bundle, store_dir = fixtures_dir / "tiny", tmp_path / "store"
    args = ("run", bundle, "--state", tmp_path / "state", "--store", "embedded", "--store-dir", store_dir)
    try:
        first = run(*args)
        assert first.exit_code in (0, 1), first.output
        record = json.loads((tmp_path / "state" / "run.json").read_text())
        assert record["stages"]["sync"]["status"] == "done"
        (graph,) = EmbeddedStore(store_dir).graphs()
        stored = to_ecosystem(EmbeddedStore(store_dir, graph=graph))
        expected = load_bundle(bundle)
        for table in ("partners", "customers", "relationships", "deals", "movements"):
            assert stored.tables[table]["id"].tolist() == sorted(expected.tables[table]["id"]), table
        again = run(*args)
        assert again.exit_code == 0, again.output  # the same findings: nothing new to say
        assert json.loads((tmp_path / "state" / "run.json").read_text())["stages"]["sync"]["status"] in \
            ("done", "skipped")
        assert EmbeddedStore(store_dir).graphs() == [graph]  # the same graph, synced, not a second one
    finally:
        EmbeddedServer(store_dir).stop()
