"""The terminal face: one JSON shape for every analysis command, --top, --out, dates, tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecograph.console import cell, records, show, table
from ecograph.files import MANIFEST
from ecograph.pipeline import Result, Section

# command, bundle, options, JSON keys (headline first, then the sections in order),
# headline fields, tables written by --out
COMMANDS = {
    "cosell": ("it_ecosystem", ["--evaluate"], ["headline", "suggestions", "rivals", "evaluation"],
               {"top_cosell_pairs", "rival_pairs", "ranker_beats_best_baseline", "evaluation_split"},
               {"cosell_suggestions", "cosell_rivals", "account_mapping", "cosell_evaluation"}),
    "gaps": ("manufacturing", [], ["headline", "fragile_cells", "fixes", "partner_type_gaps"],
             {"coverage_gaps", "fragile_cells", "top_gap"},
             {"coverage", "coverage_fixes", "partner_type_gaps"}),
    "risk": ("manufacturing", ["--remove", "S0001", "--cascade", "0.5"],
             ["headline", "risk_exposure", "bottlenecks", "vital_edges", "what_if_by_sku",
              "what_if_by_region", "cascade"],
             {"top_exposure", "tts_lt_ttr", "exact", "top_bottleneck", "units_at_risk_top", "removed",
              "capacity_cut", "unmet_total", "demand_total", "cascade_unmet_total"},
             {"risk_exposure", "bottlenecks", "concentration", "vital_edges", "single_sourced", "dominators",
              "articulation_points", "bridges", "what_if", "what_if_by_region", "what_if_by_sku",
              "cascade"}),
    "ledger": ("it_ecosystem", ["--sku", "NET-SW"],
               ["headline", "discrepancies", "deployed_by_partner", "deployed_by_region",
                "conservation", "custody_chain"],
               {"audit_discrepancies", "top_discrepancy", "conserved"},
               {"balances", "reconciliation", "deployed_by_region", "adjustments",
                "deployed_by_partner", "conservation", "custody_chain"}),
    "assess": ("it_ecosystem", [], ["headline", "ecosystem_health", "mis_tiered", "segments",
                                    "healthiest"],
               {"ecosystem_health", "segments", "mis_tiered", "mis_tiered_count"},
               {"partner_kpis", "partner_segments", "segment_profiles", "segment_silhouette",
                "partner_health", "tier_recommendations", "ecosystem_health"}),
}
# sections shown whole whatever --top says
WHOLE = {"evaluation", "what_if_by_sku", "what_if_by_region", "cascade", "deployed_by_region",
         "conservation", "ecosystem_health", "segments"}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_analysis_command_prints_one_json_document_of_headline_and_sections(
        run, fixtures_dir, tmp_path, command):
    bundle, options, keys, headline, tables = COMMANDS[command]
    out = tmp_path / "out"
    result = run(command, fixtures_dir / bundle, *options, "--top", 2, "--format", "json",
                 "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == keys
    assert set(report["headline"]) == headline
    assert {p.name for p in out.iterdir()} == {f"{t}.{ext}" for t in tables
                                               for ext in ("csv", "json")} | {MANIFEST}
    for key in keys[1:]:
        assert isinstance(report[key], list) and report[key], key
        if key not in WHOLE:
            assert len(report[key]) <= 2, f"{key} ignores --top"
    whole = {"what_if_by_region": "what_if_by_region", "conservation": "conservation",
             "deployed_by_region": "deployed_by_region", "cascade": "cascade",
             "evaluation": "cosell_evaluation"}
    for key, name in whole.items():
        if key in report:  # shown whole: as many rows as the file
            assert len(report[key]) == len(json.loads((out / f"{name}.json").read_text())), key


def test_table_output_titles_every_section(run, fixtures_dir):
    result = run("risk", fixtures_dir / "manufacturing", "--remove", "S0001")
    assert result.exit_code == 0, result.output
    for title in ("Supply-chain bottlenecks", "Most vital supply relationships", "What if S0001:",
                  "Unmet demand by region"):
        assert title in result.output
    assert "Failure cascade" not in result.output  # only with --cascade


@pytest.mark.parametrize("command", ["cosell", "ledger", "assess", "summarize"])
def test_an_as_of_that_is_not_a_day_is_a_usage_error(run, fixtures_dir, command):
    result = run(command, fixtures_dir / "tiny", "--as-of", "2025-13-01")
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_an_as_of_day_is_accepted(run, fixtures_dir):
    result = run("ledger", fixtures_dir / "it_ecosystem", "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    assert "as of 2025-06-30" in result.output


def test_show_trims_ranked_sections_only_and_writes_every_table(capsys, tmp_path):
    ranked = pd.DataFrame({"id": ["P1", "P2", "P3"], "score": [3.0, 2.0, 1.0]})
    whole = pd.DataFrame({"region": ["N", "S", "E"], "units": [1, 2, 3]})
    result = Result({"scores": ranked, "regions": whole, "extra": ranked.head(1)}, {"n": 3},
                    [Section("top", "Top", ranked), Section("by_region", "By region", whole,
                                                            ranked=False)])
    show(result, fmt="json", top=2, out_dir=tmp_path)
    document = json.loads(capsys.readouterr().out)
    assert document == {"headline": {"n": 3},
                        "top": [{"id": "P1", "score": 3.0}, {"id": "P2", "score": 2.0}],
                        "by_region": whole.to_dict("records")}
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{t}.{ext}" for t in ("scores", "regions", "extra") for ext in ("csv", "json")} | {MANIFEST}
    assert len(json.loads((tmp_path / "scores.json").read_text())) == 3  # files hold all


def test_show_as_tables_prints_each_title_and_row(capsys):
    result = Result(sections=[Section("top", "Top partners", pd.DataFrame({"id": ["P1", "P2"]})),
                              Section("none", "Nothing here", pd.DataFrame({"id": []}))])
    show(result, fmt="table", top=1, out_dir=None)
    printed = capsys.readouterr().out
    assert "Top partners" in printed and "Nothing here" in printed
    assert "P1" in printed and "P2" not in printed


def test_records_are_json_ready():
    frame = pd.DataFrame({"day": pd.to_datetime(["2025-06-30", None]), "n": [1.5, None]})
    assert records(frame) == [{"day": "2025-06-30T00:00:00.000", "n": 1.5},
                              {"day": None, "n": None}]


def test_a_terminal_table_right_aligns_numbers():
    t = table(pd.DataFrame({"id": ["P1", "P2"], "units": [1.0, 2.5]}), title="Units")
    assert str(t.title) == "Units" and t.row_count == 2
    assert [c.justify for c in t.columns] == ["left", "right"]


@pytest.mark.parametrize("value,text", [(1234.0, "1,234"), (0.456, "0.46"), (7, "7"),
                                        (("a", "b"), "a, b"), (None, ""), (pd.NA, ""),
                                        (pd.Timestamp("2025-06-30"), "2025-06-30"),
                                        (pd.Timestamp("2025-06-30 08:15"), "2025-06-30 08:15:00")])
def test_cells_read_as_people_write_them(value, text):
    assert cell(value) == text
