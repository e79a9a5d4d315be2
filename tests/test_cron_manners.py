"""Cron manners, command by command: one exit-code table, one JSON document for every outcome with
``--format json``, errors on standard error, and piped output that keeps every file name whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecograph.job_commands import EXIT_CODES

from .conftest import edit

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()

#: Every command that reads a bundle, with the arguments it needs besides it.
BUNDLE_COMMANDS = {"validate": [], "summarize": [], "analyze": ["--out", "{tmp}/analysis"],
                   "convert": ["{tmp}/converted"], "cosell": [], "gaps": [], "risk": [], "ledger": [],
                   "assess": [], "diff": ["{bundle}"], "flag-bottlenecks": ["--lock", "{tmp}/f.lock"],
                   "run": ["--state", "{tmp}/state"]}
#: Those that take ``--format json``.
JSON_COMMANDS = ["validate", "cosell", "gaps", "risk", "ledger", "assess", "diff", "flag-bottlenecks", "run"]


def _args(command: str, bundle: Path, tmp: Path, *extra: str) -> list[str]:
    rest = [a.format(tmp=tmp, bundle=bundle) for a in BUNDLE_COMMANDS[command]]
    return [command, str(bundle), *rest, *extra]


@pytest.fixture
def broken(tiny) -> Path:
    """The tiny bundle with one dangling reference (deals.csv row 2, column customer)."""
    edit(tiny, "deals.csv", "D1,P1,C1,", "D1,P1,C9,")
    return tiny


@pytest.mark.parametrize("command", BUNDLE_COMMANDS)
def test_an_invalid_bundle_exits_1_with_every_finding_whole_on_a_pipe(run, command, broken, tmp_path):
    result = run(*_args(command, broken, tmp_path))
    assert result.exit_code == 1, result.output
    shown = result.stdout + result.stderr
    whole = r"^deals\.csv:2:customer: dangling_reference: .*\(value 'C9'\)$"
    assert re.search(whole, shown, flags=re.M), shown
    assert "…" not in shown and "─" not in shown  # no table drawn, nothing cut


@pytest.mark.parametrize("command", BUNDLE_COMMANDS)
def test_a_missing_bundle_is_a_usage_error_on_stderr(run, command, tmp_path):
    result = run(*_args(command, tmp_path / "nowhere", tmp_path))
    assert result.exit_code == 2
    assert result.stdout == "" and "nowhere" in result.stderr


@pytest.mark.parametrize("command", JSON_COMMANDS)
@pytest.mark.parametrize("case", ["invalid", "missing", "usage"])
def test_format_json_gives_one_document_for_every_outcome(run, command, case, broken, tmp_path):
    bundle = {"invalid": broken, "missing": tmp_path / "nowhere", "usage": broken}[case]
    extra = ["--no-such-option"] if case == "usage" else []
    result = run(*_args(command, bundle, tmp_path, "--format", "json", *extra))
    assert result.exit_code == {"invalid": 1, "missing": 2, "usage": 2}[case]
    document = json.loads(result.stdout)  # one document, nothing else on stdout
    assert result.stderr or command == "validate"  # on stderr too (validate: findings are its result)
    if case == "invalid":
        findings = document.get("findings", document.get("validation"))
        assert any(f["file"] == "deals.csv" and f["rule"] == "dangling_reference" for f in findings)
    else:
        assert document["status"] == "error" and document["exit_code"] == 2


@pytest.mark.parametrize("command", JSON_COMMANDS[1:])
def test_format_json_on_success_is_one_document(run, command, fixtures_dir, tmp_path):
    result = run(*_args(command, fixtures_dir / "tiny", tmp_path, "--format", "json"))
    assert result.exit_code in (0, 1), result.output
    json.loads(result.stdout)


def test_the_exit_code_table_is_in_the_readme_and_the_help(run):
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, flags=re.M))
    assert set(map(int, rows)) == set(EXIT_CODES)
    help_text = " ".join(run("--help").stdout.split())
    for code in (0, 1, 2, 3, 130, 143):
        assert str(code) in help_text
    assert "--format json every outcome" in help_text


@pytest.mark.parametrize("command", [c for c in BUNDLE_COMMANDS if c not in ("analyze", "convert")])
def test_piped_tables_are_plain_lines_with_every_field_whole(run, command, fixtures_dir, tmp_path):
    result = run(*_args(command, fixtures_dir / "manufacturing", tmp_path))
    assert result.exit_code in (0, 1), result.output
    shown = result.stdout + result.stderr
    assert not set(shown) & set("…─│┃━┏┗╭╰"), shown[:2000]  # no box drawn, nothing cut
    runs, current = [], []
    for line in result.stdout.splitlines() + [""]:
        if "\t" in line:
            current.append(line.count("\t"))
        elif current:
            runs.append(current)
            current = []
    assert all(len(set(run_)) == 1 for run_ in runs), runs  # every row whole: as many fields as its header
