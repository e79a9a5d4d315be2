"""The command line: exit codes, machine-readable output, help that teaches."""

from __future__ import annotations

import json

import click
import pytest

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
    assert "Top 5 co-selling suggestions" in result.output and "shared" in result.output
    assert all(party in result.output for pair in planted for party in pair)
    written = json.loads((out / "cosell_suggestions.json").read_text())
    assert len(written) == 5
    assert {"a", "a_name", "b", "b_name", "score", "why", "example_accounts"} <= set(written[0])
    # the three planted complementary pairs come first, each with its why
    assert {frozenset((row["a"], row["b"])) for row in written[:3]} == planted
    assert all("shared customers" in row["why"] for row in written[:3])
    assert [row["a_name"] for row in written] == it_eco.names([r["a"] for r in written]).tolist()
    assert (out / "account_mapping.csv").exists()


def test_cosell_counts_only_json_names_no_account(run, fixtures_dir, ecosystems):
    result = run("cosell", fixtures_dir / "it_ecosystem", "--counts-only", "--format", "json",
                 "--evaluate")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"headline", "suggestions", "evaluation"}
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
    assert report["headline"]["mis_tiered"] == [planted["id"]]
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
