"""No traceback ever reaches the user: every command, against a bundle with one structural defect.

Each case copies fixtures/tiny and breaks it in one way (or sets up one bad
environment); each command then runs on it in-process. Whatever the input, the
command ends with one of the documented exit codes and a message — never an
uncaught exception.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecograph.cli import main
from ecograph.store import EmbeddedServer

from .conftest import FIXTURES


def _replace(file: str, old: str, new: str):
    def mutate(bundle: Path) -> None:
        path = bundle / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def _drop_column(file: str, column: str):
    def mutate(bundle: Path) -> None:
        import csv

        path = bundle / file
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        at = rows[0].index(column)
        path.write_text("\n".join(",".join(r[:at] + r[at + 1:]) for r in rows) + "\n",
                        encoding="utf-8")
    return mutate


def _write(file: str, data: bytes):
    def mutate(bundle: Path) -> None:
        (bundle / file).write_bytes(data)
    return mutate


def _empty_folder(bundle: Path) -> None:
    for f in bundle.iterdir():
        f.unlink()


#: One structural defect each (or an extreme but valid value).
DEFECTS = {
    "empty_folder": _empty_folder,
    "missing_source_column": _drop_column("relationships.csv", "source"),
    "missing_id_column": _drop_column("partners.csv", "id"),
    "header_only_partners": _write("partners.csv",
                                   b"id,name,partner_type,tier,regions,capabilities,certifications,joined\n"),
    "random_bytes_deals": _write("deals.csv", bytes(range(256)) * 4),
    "open_ended_end": _replace("relationships.csv", "2024-05-01,2025-05-01", "2024-05-01,9999-12-31"),
    "earliest_start": _replace("relationships.csv", "2024-01-01,", "0001-01-01,"),
    "nul_in_name": _replace("partners.csv", "Apex Systems", "Apex\x00Systems"),
    "non_ascii_digits": _replace("deals.csv", ",1000,", ",\u0661\u0660\u0660\u0660,"),
    "int_beyond_float": _replace("customers.csv", ",EMEA,5000,", ",EMEA,9007199254740993,"),
    "int_beyond_64_bits": _replace("customers.csv", ",EMEA,40,", ",EMEA,99999999999999999999,"),
    "nfd_duplicate_id": _replace("partners.csv", "P3,Echo", "P1\u0301,Echo"),
    "only_an_unknown_table": lambda bundle: (_empty_folder(bundle),
                                             (bundle / "notes.csv").write_text("a,b\n1,2\n")),
}


def _commands(bundle: Path, out: Path, store: Path) -> dict[str, list[str]]:
    b = str(bundle)
    return {
        "validate": ["validate", b],
        "validate_json": ["validate", b, "--format", "json"],
        "summarize": ["summarize", b, "--out", str(out / "summary")],
        "convert": ["convert", b, str(out / "converted")],
        "analyze": ["analyze", b, "--out", str(out / "analysis")],
        "flag-bottlenecks": ["flag-bottlenecks", b, "--out", str(out / "flags.json"),
                             "--lock", str(out / "flags.lock")],
        "cosell": ["cosell", b, "--out", str(out / "cosell")],
        "gaps": ["gaps", b, "--format", "json"],
        "risk": ["risk", b, "--out", str(out / "risk")],
        "ledger": ["ledger", b, "--out", str(out / "ledger")],
        "assess": ["assess", b, "--format", "json"],
        "diff": ["diff", b, b],
        "load": ["load", b, "--store-dir", str(store)],
    }


@pytest.mark.slow
@pytest.mark.parametrize("defect", list(DEFECTS))
def test_no_command_shows_a_traceback(defect, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(FIXTURES / "tiny", bundle)
    DEFECTS[defect](bundle)
    out, store = tmp_path / "out", tmp_path / "store"
    out.mkdir()
    runner = CliRunner()
    try:
        for name, args in _commands(bundle, out, store).items():
            result = runner.invoke(main, args, catch_exceptions=True)
            crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
            assert not crashed, f"{name} on {defect}: {result.exception!r}\n{result.output}"
            assert result.exit_code in (0, 1, 2, 3), f"{name} on {defect}: exit {result.exit_code}"
            assert "Traceback" not in result.output, f"{name} on {defect}"
    finally:
        EmbeddedServer(store).stop()


@pytest.mark.slow
def test_a_file_in_the_way_of_out_is_one_line_not_a_traceback(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    runner = CliRunner()
    bundle = str(FIXTURES / "tiny")
    for args in (["summarize", bundle, "--out", str(blocker / "sub")],
                 ["convert", bundle, str(blocker / "sub")],
                 ["analyze", bundle, "--out", str(blocker / "sub")],
                 ["risk", bundle, "--out", str(blocker / "sub")],
                 ["flag-bottlenecks", bundle, "--out", str(blocker / "sub" / "f.json"),
                  "--lock", str(tmp_path / "f.lock")]):
        result = runner.invoke(main, args, catch_exceptions=True)
        assert isinstance(result.exception, SystemExit), f"{args[0]}: {result.exception!r}"
        assert result.exit_code in (2, 3), f"{args[0]}: exit {result.exit_code}"
        assert "blocker" in result.output, f"{args[0]} does not name the path:\n{result.output}"
    assert blocker.read_text() == "not a folder"


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["assess", "--as-of", "2019-01-01"], ["cosell", "--as-of", "2019-01-01"],
    ["ledger", "--as-of", "0001-01-01"], ["summarize", "--as-of", "9999-12-31"]])
def test_a_day_before_anything_happened_is_not_a_traceback(args):
    """As of a day before any partner joined, the analyses have nothing to work on."""
    result = CliRunner().invoke(main, [args[0], str(FIXTURES / "it_ecosystem"), *args[1:]],
                                catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
