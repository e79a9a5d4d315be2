"""The scheduled bottleneck job: exit codes, thresholds, baseline, lock, and a pinned JSON schema."""

from __future__ import annotations

import fcntl
import json
import re
from pathlib import Path

import pytest

from ecograph import flags
from ecograph.errors import LockError
from ecograph.flags import FINDING_FIELDS, SCHEMA

from .conftest import edit

DOC = (Path(__file__).resolve().parents[1] / "docs" / "flag-bottlenecks.md").read_text()


def test_planted_risk_exits_1_with_the_chokepoint_first(run, fixtures_dir, truths, tmp_path):
    out = tmp_path / "flags.json"
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--format", "json",
                 "--out", out)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report == json.loads(out.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["flags.json"]  # written whole, no partial
    assert report["findings"][0]["key"] == truths["manufacturing"]["chokepoint_supplier"]["id"]
    assert report["counts"]["bottleneck"] >= 1 and report["counts"]["concentration"] >= 1


def test_nothing_above_threshold_exits_0(run, fixtures_dir, tmp_path):
    config = tmp_path / "t.toml"
    config.write_text("min_risk = 1000\nmin_share = 2\n")
    result = run("flag-bottlenecks", fixtures_dir / "it_ecosystem", "--config", config,
                 "--max-hhi", 20000)
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("0 findings in " + str(fixtures_dir / "it_ecosystem"))


def test_a_baseline_reports_only_what_is_new_or_worse(run, fixtures_dir, tmp_path):
    state = tmp_path / "flags.json"
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--out", state).exit_code == 1
    again = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline", state,
                "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["findings"] == []
    worse = json.loads(state.read_text())
    worse["findings"] = [f for f in worse["findings"] if f["kind"] != "concentration"]
    worse["findings"][0]["value"] -= 10  # it used to be better
    state.write_text(json.dumps(worse))
    diff = json.loads(run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline",
                          state, "--format", "json").stdout)
    kinds = {(f["kind"], f["key"]) for f in diff["findings"]}
    assert ("bottleneck", worse["findings"][0]["key"]) in kinds
    assert any(k == "concentration" for k, _ in kinds) and len(kinds) == 2


def test_invalid_input_exits_2(run, tiny, fixtures_dir, tmp_path):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    assert run("flag-bottlenecks", tiny).exit_code == 2
    assert run("flag-bottlenecks", tmp_path / "nowhere").exit_code == 2  # not a store failure
    bad = tmp_path / "bad.toml"
    bad.write_text("min_risk = 1\nsurprise = 2\n")
    assert run("flag-bottlenecks", fixtures_dir / "tiny", "--config", bad).exit_code == 2
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert run("flag-bottlenecks", fixtures_dir / "tiny", "--baseline", junk).exit_code == 2


def test_an_overlapping_run_cannot_take_the_lock(run, fixtures_dir, tmp_path):
    lock = tmp_path / "flags.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        blocked = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", lock)
    assert blocked.exit_code == 3
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", lock).exit_code == 1


def test_the_job_refuses_to_run_while_another_holds_the_lock(fixtures_dir, tmp_path):
    lock = tmp_path / "flags.lock"
    out = tmp_path / "flags.json"
    with flags.exclusive(fixtures_dir / "manufacturing", lock), pytest.raises(LockError):
        flags.run(fixtures_dir / "manufacturing", lock=lock, out=out)
    assert not out.exists()
    report = flags.run(fixtures_dir / "manufacturing", lock=lock, out=out)  # released
    assert report == json.loads(out.read_text()) and report["findings"]


def test_the_json_schema_is_pinned_and_documented(run, fixtures_dir):
    report = json.loads(run("flag-bottlenecks", fixtures_dir / "manufacturing", "--format",
                            "json").stdout)
    assert set(report) == {"schema", "generated", "thresholds", "findings", "counts", "bundle"}
    assert report["schema"] == SCHEMA
    assert set(report["thresholds"]) == {"min_risk", "min_share", "max_hhi"}
    assert all(tuple(f) == FINDING_FIELDS for f in report["findings"])
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.M))
    assert set(report) | set(FINDING_FIELDS) | {"baseline_generated"} <= documented
