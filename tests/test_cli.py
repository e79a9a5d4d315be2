"""The command line: exit codes, machine-readable output, help that teaches."""

from __future__ import annotations

import json

import click
import pytest

from ecograph.analysis.coselling import suggest_pairings
from ecograph.cli import main

from .conftest import edit


def test_validate_exits_0_on_a_valid_bundle(run, fixtures_dir):
    result = run("validate", fixtures_dir / "it_ecosystem")
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_exits_1_and_lists_every_error_as_json(run, tiny):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    edit(tiny, "partners.csv", "referral,registered", "referral,diamond")
    result = run("validate", tiny, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["errors"] == 2
    assert {(f["file"], f["row"], f["rule"]) for f in report["findings"]} == {
        ("deals.csv", 2, "dangling_reference"), ("partners.csv", 4, "enum")}


def test_validate_csv_output_has_the_finding_columns(run, tiny):
    edit(tiny, "audits.csv", "SRV,1", "SRV,-1")
    result = run("validate", tiny, "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "severity,file,row,column,rule,value,message"


def test_missing_bundle_exits_2(run, tmp_path):
    result = run("validate", tmp_path / "nowhere")
    assert result.exit_code == 2


def test_summarize_prints_counts_and_writes_tables(run, fixtures_dir, tmp_path):
    out = tmp_path / "out"
    result = run("summarize", fixtures_dir / "manufacturing", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Aquila Pumps" in result.output and "Parties by region" in result.output
    headline = json.loads((out / "summary.json").read_text())
    assert headline["parties"]["partner"] == 40
    assert {"by_kind.csv", "by_region.csv", "balances.csv", "stock.csv"} <= {
        p.name for p in out.iterdir()}


def test_summarize_rejects_a_bad_date_as_usage_error(run, fixtures_dir):
    result = run("summarize", fixtures_dir / "tiny", "--as-of", "yesterday-ish")
    assert result.exit_code == 2


def test_summarize_of_invalid_bundle_exits_1_and_loads_nothing(run, tiny, tmp_path):
    edit(tiny, "audits.csv", "SRV,1", "SRV,-1")
    result = run("summarize", tiny, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert not (tmp_path / "o").exists()


def test_generate_then_validate_and_convert(run, tmp_path):
    out = tmp_path / "gen"
    assert run("generate", out, "--partners", 30, "--customers", 200, "--seed", 2).exit_code == 0
    assert json.loads((out / "truth.json").read_text())["seed"] == 2
    assert run("validate", out).exit_code == 0
    pq = tmp_path / "pq"
    assert run("convert", out, pq, "--format", "parquet").exit_code == 0
    assert run("validate", pq).exit_code == 0


def _commands(group: click.Group):
    return sorted(group.commands.items())


@pytest.mark.parametrize("name,command", _commands(main))
def test_every_command_has_help_with_an_example(run, name, command):
    assert command.help and len(command.help) > 80, f"{name} needs real help text"
    result = run(name, "--help")
    assert result.exit_code == 0
    assert f"ecograph {name}" in result.output  # an example line to copy
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"


def test_cosell_prints_planted_pairs_and_writes_tables(run, fixtures_dir, tmp_path, truths,
                                                       it_eco):
    out = tmp_path / "cosell"
    result = run("cosell", fixtures_dir / "it_ecosystem", "--top", 5, "--out", out)
    assert result.exit_code == 0, result.output
    planted = {frozenset((p["a"], p["b"])) for p in truths["it_ecosystem"]["complementary_pairs"]}
    assert "Co-selling suggestions: " in result.output and "shared" in result.output
    assert all(party in result.output for pair in planted for party in pair)
    written = json.loads((out / "cosell_suggestions.json").read_text())
    # the files hold every suggestion, the terminal the --top 5
    assert len(written) == len(suggest_pairings(it_eco, top=None)) > 5
    shown = result.output.split("Co-selling suggestions: ")[1].split("Rival pairs")[0]
    assert len(shown.strip().splitlines()) == 2 + 5  # the title's end, the header, 5 rows
    assert {"a", "a_name", "b", "b_name", "score", "why", "example_accounts"} <= set(written[0])
    # the three planted complementary pairs come first, each with its why
    assert {frozenset((row["a"], row["b"])) for row in written[:3]} == planted
    assert all("shared customers" in row["why"] for row in written[:3])
    assert [row["a_name"] for row in written] == it_eco.names([r["a"] for r in written]).tolist()
    assert (out / "account_mapping.csv").exists()
    rivals = json.loads((out / "cosell_rivals.json").read_text())
    assert "Rival pairs (channel conflict)" in result.output and rivals
    assert rivals[0]["a_name"] in result.output and rivals[0]["b_name"] in result.output
    assert not {frozenset((r["a"], r["b"])) for r in rivals} & {frozenset((r["a"], r["b"])) for r in written}


def test_cosell_counts_only_json_names_no_account(run, fixtures_dir, ecosystems):
    result = run("cosell", fixtures_dir / "it_ecosystem", "--counts-only", "--format", "json",
                 "--evaluate")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"headline", "suggestions", "rivals", "evaluation"}
    assert report["evaluation"][0]["method"] == "ranker"
    assert report["headline"]["ranker_beats_best_baseline"] is True
    assert report["headline"]["top_cosell_pairs"][0] == "{a} + {b}".format(**report["suggestions"][0])
    assert not any(c in result.stdout for c in ecosystems["it_ecosystem"].customers["id"])


def test_gaps_names_the_planted_gap_first(run, fixtures_dir, tmp_path, truths):
    out = tmp_path / "gaps"
    result = run("gaps", fixtures_dir / "manufacturing", "--format", "json", "--out", out)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    gap = truths["manufacturing"]["coverage_gap"]
    cell = (gap["region"], gap["segment"], gap["capability"])
    top = report["fragile_cells"][0]
    assert (top["region"], top["segment"], top["capability"]) == cell
    assert top["able_partners"] == 0
    assert report["headline"]["top_gap"] == " × ".join(cell)
    assert report["headline"]["coverage_gaps"] == 1  # the planted gap is the only one
    fix = report["fixes"][0]
    assert (fix["region"], fix["segment"], fix["capability"]) == cell
    assert {p.name for p in out.iterdir()} >= {"coverage.csv", "coverage_fixes.json",
                                               "partner_type_gaps.csv"}


@pytest.mark.parametrize("command", ["cosell", "gaps", "risk", "ledger", "assess", "analyze"])
def test_every_analysis_command_exits_1_on_an_invalid_bundle(run, tiny, tmp_path, command):
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    result = run(command, tiny, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "the bundle is invalid; nothing was loaded" in result.output
    assert not (tmp_path / "o").exists()


def test_an_out_folder_that_cannot_be_written_exits_2(run, fixtures_dir, tmp_path):
    taken = tmp_path / "a_file"
    taken.write_text("not a folder")
    result = run("gaps", fixtures_dir / "tiny", "--out", taken / "gaps")
    assert result.exit_code == 2
    assert "error:" in result.output and taken.read_text() == "not a folder"


# --- outputs: refused over an input, written whole, one error line naming the path -----------------

def _one_error_line(result, *named) -> str:
    """The run printed exactly one line on standard error, ``error: ...`` naming each of ``named``."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for path in named:
        assert str(path) in lines[0], (path, lines[0])
    assert "Traceback" not in result.output
    return lines[0]


#: Every command that writes a folder: its arguments with bundle B and output folder O.
WRITERS = {
    "summarize": lambda b, o: ("summarize", b, "--out", o),
    "convert": lambda b, o: ("convert", b, o),
    "analyze": lambda b, o: ("analyze", b, "--out", o),
    **{c: (lambda b, o, c=c: (c, b, "--out", o)) for c in ("cosell", "gaps", "risk", "ledger", "assess")},
    "diff": lambda b, o: ("diff", b, b, "--out", o),
    "generate": lambda b, o: ("generate", o, "--partners", 20, "--customers", 100),
}


@pytest.mark.parametrize("args,named", [
    (lambda b: ("summarize", b, "--out", b), "B"),
    (lambda b: ("convert", b, b), "B"),
    (lambda b: ("convert", b, b / "sub"), "B/sub"),
    (lambda b: ("analyze", b, "--out", b / "inside"), "B/inside"),
    (lambda b: ("diff", b, b.parent / "NEW", "--out", b), "B"),
    (lambda b: ("diff", b.parent / "NEW", b, "--out", b / "changes"), "B/changes"),
    (lambda b: ("cosell", b, "--out", b.parent), ""),  # would replace the folder holding B
    (lambda b: ("gaps", b, "--out", b.parent / "link"), "link"),  # a symbolic link to B
], ids=["summarize B --out B", "convert B B", "convert B B/sub", "analyze B --out B/inside",
        "diff B NEW --out B", "diff NEW B --out B/changes", "cosell B --out parent", "gaps --out link"])
def test_an_output_over_or_inside_an_input_is_refused_and_the_bundle_is_untouched(
        run, fixtures_dir, tmp_path, args, named):
    import shutil

    from .faults import snapshot

    bundle = tmp_path / "B"
    shutil.copytree(fixtures_dir / "tiny", bundle)
    shutil.copytree(fixtures_dir / "tiny", tmp_path / "NEW")
    (tmp_path / "link").symlink_to(bundle, target_is_directory=True)
    before = snapshot(tmp_path)
    result = run(*args(bundle))
    assert result.exit_code == 2, result.output
    line = _one_error_line(result, tmp_path / named)
    assert "input" in line
    assert snapshot(tmp_path) == before  # byte for byte, and nothing new beside it


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_writing_command_names_a_file_in_the_way_on_one_line(run, fixtures_dir, tmp_path, command):
    in_the_way = tmp_path / "a_file"
    in_the_way.write_text("not a folder")
    result = run(*WRITERS[command](fixtures_dir / "tiny", in_the_way / "out"))
    assert result.exit_code == 2, result.output
    _one_error_line(result, in_the_way)
    assert in_the_way.read_text() == "not a folder" and [p.name for p in tmp_path.iterdir()] == ["a_file"]


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_writing_command_names_a_folder_it_may_not_write_on_one_line(
        run, fixtures_dir, tmp_path, monkeypatch, command):
    import os

    read_only = tmp_path / "read_only"
    read_only.mkdir()
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):  # what the kernel says there (root is never refused a chmod)
        if str(path).startswith(str(read_only)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    result = run(*WRITERS[command](fixtures_dir / "tiny", read_only / "out"))
    assert result.exit_code == 2, result.output
    assert "Permission denied" in _one_error_line(result, read_only / "out")
    assert list(read_only.iterdir()) == []


def test_flag_bottlenecks_names_a_file_in_the_way_of_its_out_with_exit_3(run, fixtures_dir, tmp_path):
    in_the_way = tmp_path / "state"
    in_the_way.write_text("a file")
    result = run("flag-bottlenecks", fixtures_dir / "tiny", "--out", in_the_way / "flags.json")
    assert result.exit_code == 3
    _one_error_line(result, in_the_way)


@pytest.mark.slow
def test_a_full_disk_or_ctrl_c_during_analyze_leaves_the_previous_output_whole(
        run, fixtures_dir, tmp_path, monkeypatch):
    from .faults import faulty_disk, snapshot

    out = tmp_path / "out"
    with faulty_disk(monkeypatch) as counting:
        assert run("analyze", fixtures_dir / "tiny", "--out", out).exit_code == 0
    before = snapshot(tmp_path)
    for at, fault in ((1, None), (counting.calls // 2, KeyboardInterrupt), (counting.calls, None)):
        with faulty_disk(monkeypatch, at=at, **({"fault": fault} if fault else {})):
            result = run("analyze", fixtures_dir / "tiny", "--out", out)
        assert result.exit_code != 0
        if fault is None:  # the disk was full
            assert result.exit_code == 2
            assert "No space left on device" in _one_error_line(result, out)
        assert snapshot(tmp_path) == before, f"a fault at file {at} of {counting.calls} left a mix"


@pytest.mark.slow
def test_two_runs_at_once_to_one_out_both_finish_with_one_whole_output(fixtures_dir, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from ecograph.files import MANIFEST

    ecograph = Path(sys.executable).with_name("ecograph")
    out = tmp_path / "out"
    runs = [subprocess.Popen([str(ecograph), "summarize", str(fixtures_dir / name), "--out", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for name in ("tiny", "manufacturing")]
    for proc in runs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *files])
    partners = json.loads((out / "summary.json").read_text())["parties"]["partner"]
    by_kind = (out / "by_kind.csv").read_text()
    assert f"partner,{partners}" in by_kind  # summary and tables from the same run
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left


def test_risk_names_the_chokepoint_and_simulates_a_removal(run, fixtures_dir, tmp_path, truths):
    choke = truths["manufacturing"]["chokepoint_supplier"]
    out = tmp_path / "risk"
    result = run("risk", fixtures_dir / "manufacturing", "--remove", choke["id"], "--cascade", 0.5,
                 "--format", "json", "--out", out, "--top", 3)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    headline = report["headline"]
    assert report["bottlenecks"][0]["id"] == headline["top_bottleneck"] == choke["id"]
    assert len(report["bottlenecks"]) == 3  # --top; the file holds every party
    assert len(json.loads((out / "bottlenecks.json").read_text())) > 3
    assert headline["removed"] == [choke["id"]]
    assert 0 < headline["unmet_total"] < headline["demand_total"]
    for section in ("what_if_by_sku", "what_if_by_region"):
        assert sum(r["unmet"] for r in report[section]) == pytest.approx(headline["unmet_total"])
        assert sum(r["demand"] for r in report[section]) == pytest.approx(headline["demand_total"])
    assert report["cascade"][0] == {**report["cascade"][0], "round": 0, "id": choke["id"],
                                    "cause": "removed"}
    assert {"bottlenecks.csv", "what_if.csv", "what_if_by_sku.csv", "cascade.json",
            "dominators.csv"} <= {p.name for p in out.iterdir()}


def test_risk_refuses_unknown_parties_and_bad_cuts(run, fixtures_dir):
    assert run("risk", fixtures_dir / "manufacturing", "--remove", "NOPE").exit_code == 2
    assert run("risk", fixtures_dir / "manufacturing", "--cut", "S0001=half").exit_code == 2


def test_assess_flags_the_mis_tiered_partner(run, fixtures_dir, truths):
    result = run("assess", fixtures_dir / "it_ecosystem", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    planted = truths["it_ecosystem"]["mis_tiered_partner"]
    assert report["mis_tiered"][0]["id"] == planted["id"]
    assert report["mis_tiered"][0]["tier"] == planted["tier"]
    assert report["headline"]["mis_tiered"] == [planted["id"]] and report["headline"]["mis_tiered_count"] == 1
    flag = report["mis_tiered"][0]
    assert flag["expected_tier"] == planted["expected_tier"] and flag["evidence"]
    (health,) = report["ecosystem_health"]
    assert 0 <= health["score"] <= 100
    assert report["headline"]["ecosystem_health"] == round(health["score"], 1)


def test_diff_lists_partners_that_joined(run, fixtures_dir, ecosystems):
    result = run("diff", fixtures_dir / "manufacturing", "--old-as-of", "2021-01-01",
                 "--format", "json")
    assert result.exit_code == 0
    changes = json.loads(result.stdout)
    partners = ecosystems["manufacturing"].partners
    joined = set(partners.loc[partners["joined"] >= "2021-01-01", "id"])
    assert {c["party"] for c in changes if c["change"] == "partner_added"} == joined
    assert run("diff", fixtures_dir / "manufacturing").exit_code == 2  # nothing to compare with


def test_ledger_reports_the_planted_discrepancy(run, fixtures_dir, tmp_path, truths, it_eco):
    planted = truths["it_ecosystem"]["audit_discrepancy"]
    out = tmp_path / "ledger"
    result = run("ledger", fixtures_dir / "it_ecosystem", "--format", "json", "--sku", "NET-SW",
                 "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    first = report["discrepancies"][0]
    assert (first["audit"], first["party"], first["discrepancy"]) == (
        planted["audit"], planted["party"], planted["discrepancy"])
    assert report["headline"] == {"audit_discrepancies": 1, "top_discrepancy": planted["audit"],
                                  "conserved": True}
    moves = it_eco.movements
    assert {row["id"] for row in report["custody_chain"]} <= set(moves.loc[moves["sku"] == "NET-SW", "id"])
    assert {"balances.csv", "reconciliation.csv", "custody_chain.csv", "adjustments.json"} <= {
        p.name for p in out.iterdir()}
    table = run("ledger", fixtures_dir / "it_ecosystem", "--as-of", "2025-06-30")
    assert table.exit_code == 0 and "1 audit discrepancy of" in table.output


# --- signals: Ctrl-C and SIGTERM stop any command cleanly, with codes no result shares ----------


@pytest.fixture(scope="module")
def slow_bundle(tmp_path_factory):
    """A bundle flag-bottlenecks needs a few seconds for, so a signal lands mid-run."""
    from ecograph.synth import generate_bundle

    path = tmp_path_factory.mktemp("signals") / "bundle"
    generate_bundle(path, partners=300, customers=60_000, seed=1, domain="manufacturing")
    return path


#: The command in a child process; Ctrl-C is handled as in a terminal even when the tests run in
#: the background (where a shell starts children with SIGINT ignored).
_CHILD = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "from ecograph.cli import entry; entry()")  # the `ecograph` program's entry point


@pytest.mark.slow
@pytest.mark.parametrize("signame,code,said", [("SIGINT", 130, "interrupted (Ctrl-C)"),
                                               ("SIGTERM", 143, "terminated (SIGTERM)")])
def test_a_signal_stops_a_run_cleanly_with_its_own_exit_code(slow_bundle, tmp_path, signame, code,
                                                             said):
    import signal
    import subprocess
    import sys
    import time

    from ecograph import flags

    lock = tmp_path / "flags.lock"
    state = tmp_path / "state"
    state.mkdir()
    previous = '{"schema": "ecograph.flag-bottlenecks/1", "findings": [], "generated": "before"}'
    (state / "flags.json").write_text(previous)
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, "flag-bottlenecks", str(slow_bundle),
                             "--lock", str(lock), "--out", str(state / "flags.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not (lock.exists() and lock.read_bytes().startswith(flags.LOCK_MARKER)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before the signal came: use a larger bundle"
        proc.send_signal(getattr(signal, signame))  # the run holds the lock and is computing
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code
    assert "Traceback" not in stderr and stderr.strip().splitlines() == [f"stopped: {said}"]
    assert (state / "flags.json").read_text() == previous  # the earlier document, whole
    assert [p.name for p in state.iterdir()] == ["flags.json"]  # no .partial file left behind
    with flags.exclusive(slow_bundle, lock) as held:  # released: the next run can take it
        assert held == lock


def test_the_signal_handlers_are_only_installed_while_a_command_runs(run, fixtures_dir):
    import signal

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert run("validate", fixtures_dir / "tiny").exit_code == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_ctrl_c_inside_a_command_exits_130_not_a_result_code():
    from click.testing import CliRunner

    @main.command("press-ctrl-c", hidden=True)
    def press_ctrl_c() -> None:
        raise KeyboardInterrupt

    try:
        result = CliRunner().invoke(main, ["press-ctrl-c"])
    finally:
        main.commands.pop("press-ctrl-c")
    assert result.exit_code == 130 and "interrupted (Ctrl-C)" in result.stderr
