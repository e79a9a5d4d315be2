"""The scheduled bottleneck job: exit codes, thresholds, baseline, lock, and a pinned JSON schema."""

from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path

import pytest

from ecograph import flags
from ecograph.errors import LockError, ParameterError
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


# --- the lock is a file ecograph creates: a file of the user's is never emptied -----------------


def test_a_lock_path_holding_a_users_file_is_refused_and_left_untouched(run, fixtures_dir, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("three years of notes\n")
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", precious)
    assert result.exit_code == 2
    assert "not an ecograph lock file" in result.stderr and str(precious) in result.stderr
    assert precious.read_text() == "three years of notes\n"
    with pytest.raises(ParameterError, match="not an ecograph lock"), \
            flags.exclusive(fixtures_dir / "manufacturing", precious):
        pass
    assert precious.read_text() == "three years of notes\n"


def test_a_symlink_or_a_device_as_lock_is_refused(fixtures_dir, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("")  # even an empty target: the link is not ours to follow
    link = tmp_path / "flags.lock"
    link.symlink_to(target)
    fifo = tmp_path / "pipe.lock"
    os.mkfifo(fifo)
    for path in (link, Path("/dev/null"), fifo):
        with pytest.raises(ParameterError, match="not a regular file"), \
                flags.exclusive(fixtures_dir / "manufacturing", path):
            pass
    assert target.read_text() == ""


def test_a_lock_ecograph_creates_is_marked_and_taken_again(run, fixtures_dir, tmp_path):
    lock = tmp_path / "state" / "flags.lock"
    lock.parent.mkdir()
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", lock).exit_code == 1
    assert lock.read_bytes() == flags.LOCK_MARKER + b"\n"  # left in place, marked as ours
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", lock).exit_code == 1
    empty = tmp_path / "empty.lock"
    empty.touch()  # an empty file holds nothing to lose: it is taken and marked
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--lock", empty).exit_code == 1
    assert empty.read_bytes().startswith(flags.LOCK_MARKER)


# --- thresholds and baselines: every bad file is one message naming it, exit 2 -----------------


@pytest.mark.parametrize("text,key", [
    ("min_risk = [40, 50]\n", "min_risk"),
    ('min_share = "0.3"\n', "min_share"),
    ("max_hhi = nan\n", "max_hhi"),
    ("min_risk = inf\n", "min_risk"),
    ("min_share = -0.1\n", "min_share"),
    ("min_risk = true\n", "min_risk"),
    ("[min_risk]\nvalue = 40\n", "min_risk"),
    ("min_risk = 40\nsurprise = 2\n", "surprise"),
])
def test_a_bad_threshold_names_the_file_and_the_key(run, fixtures_dir, tmp_path, text, key):
    config = tmp_path / "thresholds.toml"
    config.write_text(text)
    _refused_naming(run("flag-bottlenecks", fixtures_dir / "manufacturing", "--config", config), config, key)
    with pytest.raises(ParameterError, match=key):
        flags.read_thresholds(config)


def _refused_naming(result, path, words: str) -> None:
    """Exit 2 with one ``error:`` line naming ``path`` and saying ``words``."""
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and len(message.splitlines()) == 1
    assert str(path) in message and words in message


def test_a_config_that_is_not_utf8_names_the_file(run, fixtures_dir, tmp_path):
    config = tmp_path / "thresholds.toml"
    config.write_bytes("# r\xe9glages\nmin_risk = 40\n".encode("latin-1"))
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--config", config)
    assert result.exit_code == 2 and str(config) in result.stderr and "UTF-8" in result.stderr


@pytest.mark.parametrize("flag,value", [("--min-risk", "nan"), ("--min-share", "-1"),
                                        ("--max-hhi", "inf")])
def test_a_bad_threshold_flag_is_refused(run, fixtures_dir, flag, value):
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", flag, value)
    assert result.exit_code == 2 and flag.strip("-").replace("-", "_") in result.stderr


def test_nan_thresholds_never_silently_disable_the_flags(mfg_eco):
    for key in flags.DEFAULTS:
        with pytest.raises(ParameterError, match=key):
            flags.flag_bottlenecks(mfg_eco, thresholds={key: float("nan")})


@pytest.mark.parametrize("content,problem", [
    (b"[]", "a JSON list"),
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"{not json", "cannot read"),
    (b'"flags"', "a JSON string"),
    (b'{"findings": []}', "no schema"),
    (b'{"schema": "ecograph.flag-bottlenecks/0", "findings": []}', "schema is"),
    (b'{"schema": "ecograph.flag-bottlenecks/1"}', "no findings"),
    (b'{"schema": "ecograph.flag-bottlenecks/1", "findings": {}}', "no findings"),
    (b'{"schema": "ecograph.flag-bottlenecks/1", "findings": [{"kind": "bottleneck"}]}', "finding 0"),
    (b'{"schema": "ecograph.flag-bottlenecks/1", "findings": [{"kind": "bottleneck", "key": "S1", '
     b'"value": "high"}]}', "finding 0"),
    (b'{"schema": "ecograph.flag-bottlenecks/1", "findings": [{"kind": "bottleneck", "key": "S1", '
     b'"value": NaN}]}', "NaN"),
    ('{"schema": "ecograph.flag-bottlenecks/1", "note": "r\xe9sum\xe9"}'.encode("latin-1"), "UTF-8"),
])
def test_a_bad_baseline_names_the_file(run, fixtures_dir, tmp_path, content, problem):
    baseline = tmp_path / "flags.json"
    baseline.write_bytes(content)
    _refused_naming(run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline", baseline),
                    baseline, problem)
    with pytest.raises(ParameterError, match=problem):
        flags.read_baseline(baseline)


def test_a_baseline_given_as_an_object_is_checked_too(mfg_eco):
    report = flags.flag_bottlenecks(mfg_eco)
    with pytest.raises(ParameterError, match="a JSON list"):
        flags.compare_to_baseline(report, [])
    with pytest.raises(ParameterError, match="finding 0"):
        flags.compare_to_baseline(report, {"schema": SCHEMA, "findings": [{"kind": "x", "key": ["S1"],
                                                                          "value": 1}]})
