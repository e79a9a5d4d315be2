"""`ecograph analyze`: every section of the report, with figures, tables and the planted findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ecograph.cli import main
from ecograph.errors import ParameterError
from ecograph.outputs import write_tables
from ecograph.report import SECTIONS


@pytest.fixture(scope="module")
def analysed(tmp_path_factory, fixtures_dir):
    runner = CliRunner()
    out = {}
    for name in ("it_ecosystem", "manufacturing"):
        folder = tmp_path_factory.mktemp(name)
        result = runner.invoke(main, ["analyze", str(fixtures_dir / name), "--out", str(folder)],
                               catch_exceptions=False)
        out[name] = (result, folder)
    return out


def test_analyze_writes_every_section_with_figures_and_tables(analysed, bundle_name):
    result, folder = analysed[bundle_name]
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    for anchor, title in SECTIONS:
        section = re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S)
        assert section, f"no {anchor} section"
        assert title in section.group(1)
        assert "<table" in section.group(1) and "<td>" in section.group(1), anchor
        assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"',
                         section.group(1)), f"{anchor} has no figure"
    assert "http" not in page.split("<body>")[1]  # self-contained


def test_report_and_summary_name_the_planted_findings(analysed, truths, bundle_name):
    result, folder = analysed[bundle_name]
    truth = truths[bundle_name]
    page = (folder / "report.html").read_text()
    summary = json.loads((folder / "summary.json").read_text())
    choke = truth["chokepoint_supplier"]["id"]
    gap = truth["coverage_gap"]
    choke_name = truth["chokepoint_supplier"].get("name") or ecosystems_name(folder, choke)
    assert summary["top_bottleneck"] == choke and f"Top bottleneck: {choke_name} ({choke})" in page
    assert summary["top_gap"] == f"{gap['region']} × {gap['segment']} × {gap['capability']}"
    assert summary["top_gap"] in page
    assert summary["mis_tiered"] == [truth["mis_tiered_partner"]["id"]]
    assert truth["audit_discrepancy"]["audit"] in page
    pair = truth["complementary_pairs"][0]
    assert any({pair["a"], pair["b"]} == set(p.split(" + ")) for p in summary["top_cosell_pairs"])
    assert f"{choke_name} ({choke})" in result.output and "Report:" in result.output


def test_the_supply_section_shows_ttr_tts_index_and_value_at_risk_by_name(analysed, truths, bundle_name):
    _, folder = analysed[bundle_name]
    t = truths[bundle_name]["risk_exposure"]
    section = re.search(r'<section id="supply">(.*?)</section>', (folder / "report.html").read_text(),
                        flags=re.S).group(1)
    for header in ("ttr_days", "tts_days", "rei", "value_at_risk"):
        assert f"<th>{header}</th>" in section
    deep = t["deep_single_source"]["id"]
    table = pd.read_csv(folder / "bottlenecks.csv").set_index("id")
    assert table.at[deep, "rei"] == 100 and table.at[deep, "tts_days"] < table.at[deep, "ttr_days"]
    # the sentence names the riskiest party (the cheap, deep single source), not the biggest one
    row = table.loc[deep]
    assert (f"Highest risk exposure (index 100): {row['name']} ({deep}), whose customers are hurt after "
            f"{row['tts_days']:,.0f} days of its {t['deep_single_source']['ttr_days']:,.0f}-day recovery; "
            f"{row['value_at_risk']:,.0f} of value at risk.") in section
    for party in t["survives"]:  # absorbed for good (spare capacity) or past its recovery (a buffer)
        assert table.at[party, "rei"] == 0 and not table.at[party, "tts_lt_ttr"]


def test_the_broker_and_rival_sections_rank_by_their_scores_with_names(analysed, truths, bundle_name):
    _, folder = analysed[bundle_name]
    page = (folder / "report.html").read_text()
    brokers, rivals = pd.read_csv(folder / "brokers.csv"), pd.read_csv(folder / "cosell_rivals.csv")
    planted = truths[bundle_name]["broker_partner"]["id"]
    top = brokers.iloc[0]
    assert top["id"] == planted
    section = re.search(r'<section id="brokers">(.*?)</section>', page, flags=re.S).group(1)
    assert f"Top broker: {top['name']} ({planted})" in section and "communities" in section
    assert "<th>score</th>" in section and "<b>How to read:</b>" in section
    shown = re.findall(r"<tr>\s*<td>\d+</td>\s*<td>(P\d+)</td>\s*<td>([^<]+)</td>", section)
    assert shown[:3] == list(zip(brokers["id"].head(3), brokers["name"].head(3), strict=True))
    cosell = re.search(r'<section id="cosell">(.*?)</section>', page, flags=re.S).group(1)
    assert f"Rival pairs (channel conflict, {len(rivals)})" in cosell and len(rivals)
    first = rivals.iloc[0]
    assert f"the sharpest is {first['a_name']} ({first['a']}) and {first['b_name']} ({first['b']})" in cosell
    assert f"<td>{first['a_name']}</td>" in cosell and f"<td>{first['b_name']}</td>" in cosell


def ecosystems_name(folder: Path, party: str) -> str:
    """The name the analysis tables give ``party`` (the truth file may not carry it)."""
    table = pd.read_csv(folder / "bottlenecks.csv")
    return table.set_index("id")["name"][party]


def test_summary_json_is_written_whole_with_every_headline_number(analysed, ecosystems,
                                                                   fixtures_dir):
    from ecograph.pipeline import STAGES, analyze

    _, folder = analysed["it_ecosystem"]
    assert not [p.name for p in folder.iterdir() if "partial" in p.name]  # written atomically
    summary = json.loads((folder / "summary.json").read_text())
    headline = json.loads(json.dumps(analyze(ecosystems["it_ecosystem"]).headline))
    assert {key: summary[key] for key in headline} == headline
    assert {"segments", "betweenness_pivots", "ecosystem_health", "mis_tiered"} <= set(headline)
    assert summary["bundle"] == str(fixtures_dir / "it_ecosystem")
    assert list(summary["seconds"]) == list(STAGES)
    assert all(s >= 0 for s in summary["seconds"].values())


def test_every_table_is_written_as_csv_and_parquet(analysed):
    _, folder = analysed["manufacturing"]
    for csv in folder.glob("*.csv"):
        parquet = csv.with_suffix(".parquet")
        assert parquet.exists(), parquet.name
        assert len(pd.read_parquet(parquet)) == len(pd.read_csv(csv))


def test_csv_cells_a_spreadsheet_would_run_are_escaped(tmp_path):
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-x", "\tx", "plain"],
                          "units": [-2, 1, 2, 3, 4, 5]})
    write_tables(tmp_path, {"t": frame}, formats=("csv", "json"))
    text = (tmp_path / "t.csv").read_text().splitlines()
    assert [line.split(",")[0].strip('"')[:1] for line in text[1:6]] == ["'"] * 5
    assert text[6].startswith("plain")
    assert pd.read_csv(tmp_path / "t.csv")["units"].tolist() == [-2, 1, 2, 3, 4, 5]
    assert json.loads((tmp_path / "t.json").read_text())[0]["name"].startswith("=")  # JSON as is


def test_the_output_tables_and_summary_are_documented(analysed):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "analyze.md").read_text()
    _, folder = analysed["it_ecosystem"]
    for csv in folder.glob("*.csv"):
        assert f"`{csv.stem}`" in doc, f"docs/analyze.md does not describe {csv.name}"
    for key in json.loads((folder / "summary.json").read_text()):
        assert f"`{key}`" in doc, f"docs/analyze.md does not describe summary.json {key}"


def test_a_full_disk_leaves_no_half_written_files(tmp_path, monkeypatch, fixtures_dir):
    import errno

    from ecograph import load_bundle
    from ecograph.pipeline import analyze
    from ecograph.report import write_report

    eco = load_bundle(fixtures_dir / "tiny")
    result = analyze(eco)
    real_write = Path.write_text

    def full(self, data, *args, **kwargs):
        real_write(self, data[: len(data) // 2], *args, **kwargs)  # half of it got out
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="No space"):
        write_report(eco, result, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    monkeypatch.undo()

    def full_csv(self, path, **kwargs):
        Path(path).write_text("id,na")  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_csv)
    with pytest.raises(OSError, match="No space"):
        write_tables(tmp_path / "tables", {"t": pd.DataFrame({"id": ["a"]})})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no tables folder, no staging


@pytest.fixture(scope="module")
def tiny_analysis(fixtures_dir):
    from ecograph import load_bundle
    from ecograph.pipeline import analyze

    eco = load_bundle(fixtures_dir / "tiny")
    return eco, analyze(eco)


@pytest.mark.slow
def test_an_analysis_folder_is_all_or_nothing_at_every_file_it_writes(tmp_path, monkeypatch, tiny_analysis):
    from ecograph.report import write_analysis

    from .faults import every_step_is_all_or_nothing

    eco, result = tiny_analysis
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.html", "summary.json", "pagerank.csv"):  # an earlier run, by an older ecograph
        (out / name).write_text(f"old {name}")
    steps = every_step_is_all_or_nothing(monkeypatch, tmp_path, lambda: write_analysis(eco, result, out))
    assert steps == 2 * len(result.tables) + 3  # CSV and Parquet per table, summary, report, manifest
    assert json.loads((out / "summary.json").read_text())["bundle"] == eco.source
    assert (out / "report.html").read_text().startswith("<!doctype html>")


def test_an_analysis_is_never_written_into_its_bundle(tmp_path, tiny_analysis, tiny):
    from ecograph import Ecosystem
    from ecograph.report import write_analysis

    from .faults import snapshot

    loaded, result = tiny_analysis
    eco = Ecosystem(loaded.tables, source=str(tiny))  # as if loaded from the editable copy
    before = snapshot(tmp_path)
    for out in (tiny, tiny / "inside", tmp_path):
        with pytest.raises(ParameterError, match="input"):
            write_analysis(eco, result, out)
    assert snapshot(tmp_path) == before
