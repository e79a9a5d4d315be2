"""The scheduled bottleneck job: exit codes, thresholds, baseline, lock, and a pinned JSON schema."""

from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path

import pytest

from ecograph import flags, load_bundle
from ecograph.analysis import bottlenecks
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
    config.write_text("min_unmet = 2\nmin_share = 2\nmin_rei = 101\n")
    result = run("flag-bottlenecks", fixtures_dir / "it_ecosystem", "--config", config,
                 "--max-hhi", 20000)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""  # quiet on success: cron mails nothing
    verbose = run("flag-bottlenecks", fixtures_dir / "it_ecosystem", "--config", config, "--max-hhi", 20000,
                  "--verbose")
    assert verbose.exit_code == 0 and verbose.stdout.strip().endswith(
        "0 resolved in " + str(fixtures_dir / "it_ecosystem"))


def test_a_baseline_alerts_only_on_what_is_new_or_worse(run, fixtures_dir, tmp_path):
    state = tmp_path / "flags.json"
    assert run("flag-bottlenecks", fixtures_dir / "manufacturing", "--out", state).exit_code == 1
    again = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline", state,
                "--format", "json")
    report = json.loads(again.stdout)
    assert again.exit_code == 0 and report["alerts"] == 0
    assert {f["trend"] for f in report["findings"]} == {"same"} and report["resolved"] == []
    worse = json.loads(state.read_text())
    dropped = [f for f in worse["findings"] if f["kind"] == "concentration"]
    worse["findings"] = [f for f in worse["findings"] if f["kind"] != "concentration"]
    worse["findings"][0]["score"] -= 10  # it used to be better
    worse["findings"].append({**worse["findings"][1], "key": "GONE"})  # flagged then, not now
    state.write_text(json.dumps(worse))
    diff = json.loads(run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline",
                          state, "--format", "json").stdout)
    trends = {(f["kind"], f["key"]): f["trend"] for f in diff["findings"]}
    assert trends.pop(("bottleneck", worse["findings"][0]["key"])) == "worse"
    assert {k: trends.pop(k) for k in [(f["kind"], f["key"]) for f in dropped]} == {
        (f["kind"], f["key"]): "new" for f in dropped}
    assert set(trends.values()) == {"same"}
    assert [(f["key"], f["trend"]) for f in diff["resolved"]] == [("GONE", "resolved")]
    assert diff["alerts"] == 1 + len(dropped) == diff["counts"]["new"] + diff["counts"]["worse"]


def test_invalid_input_exits_2_and_an_invalid_bundle_1(run, tiny, fixtures_dir, tmp_path):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    invalid = run("flag-bottlenecks", tiny)
    assert invalid.exit_code == 1  # invalid data, as for validate and analyze
    assert "deals.csv:2:customer: dangling_reference: " in invalid.stderr  # the findings, whole
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
    assert set(report) == {"schema", "generated", "thresholds", "findings", "resolved", "counts", "alerts",
                           "status", "bundle"}
    assert report["schema"] == SCHEMA == "ecograph.flag-bottlenecks/2"
    assert set(report["thresholds"]) == set(flags.DEFAULTS)
    assert all(tuple(f) == FINDING_FIELDS for f in report["findings"])
    for f in report["findings"]:  # the rule a finding names is one that fired: value reaches threshold
        assert f["value"] >= f["threshold"] and f["rules"][0]["metric"] == f["metric"]
        assert all(r["direction"] == ">=" and f["metrics"][r["metric"]] == r["value"] >= r["threshold"]
                   for r in f["rules"])
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.M))
    assert set(report) | set(FINDING_FIELDS) | {"baseline_generated"} <= documented
    assert {r for f in report["findings"] for r in f["metrics"]} <= documented


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


# --- precise alerts: a party is flagged only when its loss cannot be absorbed -------------------


def _labels(truth: dict) -> dict:
    from ecograph.synth import generate_tables

    return generate_tables(partners=truth["partners"], customers=truth["customers"], seed=truth["seed"],
                           domain=truth["domain"])[1]["supply_truth"]


@pytest.mark.parametrize("name", ["it_ecosystem", "manufacturing"])
def test_the_defaults_flag_every_planted_chokepoint_and_no_redundant_decoy(ecosystems, truths, name):
    labels = _labels(truths[name])
    survives = set(truths[name]["risk_exposure"]["survives"])  # absorbed within their time to recover
    report = flags.flag_bottlenecks(ecosystems[name])
    flagged = {f["key"] for f in report["findings"] if f["kind"] == "bottleneck"}
    assert set(labels["chokepoints"]) - survives <= flagged  # recall 1.0
    assert not flagged & (set(labels["redundant"]) | survives)  # precision 1.0 over the labelled suppliers
    shares = {i["key"]: i["metrics"] for i in flags.measure(ecosystems[name]) if i["kind"] == "bottleneck"}
    fooled = {k for k, m in shares.items() if m["risk_score"] >= 50 or m["share_at_risk"] >= 0.25}
    assert fooled & set(labels["redundant"])  # the decoys cross the old rules' thresholds...
    former = flags.flag_bottlenecks(ecosystems[name], thresholds={"min_risk": 50, "min_share": 0.25})
    assert not {f["key"] for f in former["findings"]} & fooled & survives  # ...but are absorbed in time


@pytest.mark.parametrize("domain", ["manufacturing", "it"])
def test_the_generator_plants_chokepoints_and_decoys_and_labels_them(tmp_path, domain):
    from ecograph.synth import generate_bundle

    plain = generate_bundle(tmp_path / "a", partners=60, customers=400, seed=4, domain=domain)
    truth = generate_bundle(tmp_path / "b", partners=60, customers=400, seed=4, domain=domain,
                            chokepoints=2, decoys=3)
    labels, eco = truth["supply_truth"], load_bundle(tmp_path / "b")
    assert len(labels["chokepoints"]) == len(plain["supply_truth"]["chokepoints"]) + 2
    twins = set(labels["redundant"]) - set(eco.suppliers["id"])
    assert twins and twins <= set(eco.partners.loc[eco.partners["partner_type"] == "distributor", "id"])
    assert set(labels["chokepoints"]) | set(labels["redundant"]) == set(eco.suppliers["id"]) | twins
    assert not set(labels["chokepoints"]) & set(labels["redundant"])
    lost = bottlenecks.rerouted_losses(eco).set_index("id")["share_unmet"]
    assert all(lost[t] < 0.01 for t in twins if t in lost)  # either twin makes up for the other
    flagged = {f["key"] for f in flags.flag_bottlenecks(eco)["findings"]}
    survives = set(truth["risk_exposure"]["survives"])  # a buffer or spare capacity outlasts its recovery
    assert set(labels["chokepoints"]) - survives <= flagged
    assert not flagged & (set(labels["redundant"]) | survives)


def test_explain_says_why_a_decoy_is_not_flagged(run, fixtures_dir, tmp_path):
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--explain", "S0003", "--format", "json",
                 "--out", tmp_path / "never.json")
    assert result.exit_code == 0 and not (tmp_path / "never.json").exists()
    why = json.loads(result.stdout)
    assert why["flagged"] is False and why["metrics"]["share_at_risk"] == 0.25  # half the pumps...
    assert why["rules"][0] == {"rule": "min_unmet", "metric": "share_unmet", "value": 0.0, "threshold": 0.2,
                               "direction": ">=", "fired": False}  # ...that its twin can make up for
    text = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--explain", "S0001").stdout
    assert text.startswith("bottleneck S0001 (") and ": flagged: " in text
    assert "min_unmet: share_unmet 0.5 >= 0.2? yes" in text
    unknown = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--explain", "NOPE")
    assert unknown.exit_code == 2 and "NOPE" in unknown.stderr
