"""The scheduled job's state: it works from the first run, gives the same answer on the same data,
reports exactly what changed, and never loses the last good state."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecograph import flags, load_bundle

DOCS = Path(__file__).resolve().parents[1] / "docs"
ECOGRAPH = Path(sys.executable).with_name("ecograph")


def _cron_lines(doc: str) -> list[str]:
    """The ``ecograph flag-bottlenecks`` command lines of the doc's first ``bash`` blocks, as written."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", doc, flags=re.S):
        lines += [line for line in block.replace("\\\n", " ").splitlines()
                  if line.startswith("ecograph flag-bottlenecks")]
    return lines


@pytest.fixture
def workdir(tmp_path, fixtures_dir) -> Path:
    """A folder where ``data/latest`` is the manufacturing bundle, as in the docs."""
    (tmp_path / "data").mkdir()
    shutil.copytree(fixtures_dir / "manufacturing", tmp_path / "data" / "latest")
    return tmp_path


def _shell(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a documented line as cron would: a shell, ``ecograph`` on the PATH."""
    env = {**os.environ, "PATH": f"{ECOGRAPH.parent}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(cwd)}
    return subprocess.run(["/bin/sh", "-c", line], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_documented_cron_lines_work_from_the_first_run_five_times(workdir):
    lines = _cron_lines((DOCS / "flag-bottlenecks.md").read_text())
    assert any("--state" in line for line in lines) and any("--baseline" in line for line in lines)
    for line in lines:
        codes, documents = [], []
        for _ in range(5):
            done = _shell(line, workdir)
            codes.append(done.returncode)
            if "--format json" in line:
                documents.append(json.loads(done.stdout))  # one document on stdout
            elif done.returncode == 0:
                assert done.stdout == ""  # quiet on success: cron mails nothing
            assert done.stderr == "", done.stderr
        assert codes == [1, 0, 0, 0, 0], (line, codes)  # first run: all new; then nothing new or worse
        state = json.loads((workdir / "state" / "flags.json").read_text())
        assert state["findings"] and {f["trend"] for f in state["findings"]} == {"same"}
        for document in documents[1:]:
            assert [f["key"] for f in document["findings"]] == [f["key"] for f in documents[0]["findings"]]
        shutil.rmtree(workdir / "state")


def test_the_state_holds_every_finding_with_all_its_metrics(fixtures_dir, tmp_path):
    report = flags.run(fixtures_dir / "manufacturing", state=tmp_path / "state")
    saved = json.loads((tmp_path / "state" / "flags.json").read_text())
    assert saved == report and saved["baseline_generated"] is None  # the first run
    assert len(saved["findings"]) == len(flags.flag_bottlenecks(load_bundle(fixtures_dir / "manufacturing"))
                                         ["findings"])
    measured = {(m["kind"], m["key"]): m["metrics"]
                for m in flags.measure(load_bundle(fixtures_dir / "manufacturing"))}
    assert all(f["metrics"] == measured[(f["kind"], f["key"])] for f in saved["findings"])
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["flags.json", "flags.lock"]


def test_a_changed_bundle_reports_exactly_what_changed(fixtures_dir, tmp_path):
    bundle = tmp_path / "latest"
    shutil.copytree(fixtures_dir / "manufacturing", bundle)
    state = tmp_path / "state"
    before = flags.run(bundle, state=state)
    # planted: the chokepoint's steel gets a second source, so its exclusive upstream S0002 can be
    # absorbed (resolved); S0004 stops making motors and S0003, now their single source, takes 120
    # days to recover, longer than the stock downstream lasts (new)
    slow = '"S0003","Meridian Castings","component","East",1,662,'
    suppliers = (bundle / "suppliers.csv").read_text()
    assert slow + "30\n" in suppliers
    (bundle / "suppliers.csv").write_text(suppliers.replace(slow + "30\n", slow + "120\n"))
    text = (bundle / "relationships.csv").read_text()
    motor = '"R00000790","S0004","AQUILA","supplies","MOTOR",421,662,,"2023-01-01",\n'
    assert motor in text
    (bundle / "relationships.csv").write_text(
        text.replace(motor, "") + '"R00009999","S0005","S0001","supplies","STEEL",8655,,,"2023-01-01",\n')
    after = flags.run(bundle, state=state)
    trends = {f["key"]: f["trend"] for f in after["findings"]}
    trends |= {f["key"]: "resolved" for f in after["resolved"]}
    assert (trends["S0002"], trends["S0003"]) == ("resolved", "new")
    assert trends["S0001"] == "same"  # still the sole source of the same demand
    assert "S0005" not in trends  # a sole source too, but its buffer outlasts its 7-day recovery
    # every trend is what the two measurements say, and nothing else is reported as changed
    old = {(f["kind"], f["key"]): f["score"] for f in before["findings"]}
    for f in after["findings"]:
        was = old.pop((f["kind"], f["key"]), None)
        expected = ("new" if was is None else "worse" if f["score"] > was else "better" if f["score"] < was
                    else f["trend"])
        assert f["trend"] == expected and f["previous"] == was, f
    assert {(f["kind"], f["key"]) for f in after["resolved"]} == set(old)
    assert after["alerts"] == sum(f["trend"] in ("new", "worse") for f in after["findings"]) >= 1


@pytest.mark.parametrize("content,problem", [(b"{truncated", "cannot read"), (b"", "empty"),
                                             (b'{"schema": "other/1", "findings": []}', "schema is")])
def test_a_corrupt_state_is_an_error_naming_the_file_and_is_left_as_it_was(run, fixtures_dir, tmp_path,
                                                                          content, problem):
    state = tmp_path / "state"
    state.mkdir()
    (state / "flags.json").write_bytes(content)
    for fmt in ("text", "json"):
        result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--state", state, "--format", fmt)
        assert result.exit_code == 2
        assert str(state / "flags.json") in result.stderr and problem in result.stderr
        if fmt == "json":
            document = json.loads(result.stdout)
            assert document["status"] == "error" and document["exit_code"] == 2
            assert str(state / "flags.json") in document["error"]["message"]
        assert (state / "flags.json").read_bytes() == content  # never replaced by a fresh start
    assert sorted(p.name for p in state.iterdir()) == ["flags.json"]


def test_a_missing_baseline_that_is_not_the_output_is_an_error(run, fixtures_dir, tmp_path):
    missing = tmp_path / "before.json"
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--baseline", missing,
                 "--out", tmp_path / "after.json")
    assert result.exit_code == 2 and str(missing) in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "after.json").exists()


def test_a_failed_write_keeps_the_previous_good_state(fixtures_dir, tmp_path):
    state = tmp_path / "state"
    flags.run(fixtures_dir / "manufacturing", state=state)
    good = (state / "flags.json").read_bytes()
    limit = "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " \
            "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000)); "  # the disk fills up mid-write
    done = subprocess.run([sys.executable, "-c", limit + "from ecograph.cli import main; main()",
                           "flag-bottlenecks", str(fixtures_dir / "manufacturing"), "--state", str(state),
                           "--min-risk", "10"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: ") and "flags.json" in done.stderr
    assert (state / "flags.json").read_bytes() == good
    assert sorted(p.name for p in state.iterdir()) == ["flags.json", "flags.lock"]  # no partial file


def test_state_and_baseline_together_are_a_usage_error(run, fixtures_dir, tmp_path):
    result = run("flag-bottlenecks", fixtures_dir / "manufacturing", "--state", tmp_path,
                 "--baseline", tmp_path / "x.json", "--format", "json")
    assert result.exit_code == 2 and json.loads(result.stdout)["status"] == "error"


def test_the_cron_lines_are_in_the_docs_as_shell_would_split_them():
    for line in _cron_lines((DOCS / "flag-bottlenecks.md").read_text()):
        assert shlex.split(line)[:2] == ["ecograph", "flag-bottlenecks"]
