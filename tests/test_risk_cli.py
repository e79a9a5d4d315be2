"""``ecograph risk``: the risk-exposure table first, a single party's disruption with --party,
CSV for spreadsheets, and clean refusals."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest


def test_risk_json_leads_with_exposure_and_keeps_bottlenecks(run, fixtures_dir):
    result = run("risk", fixtures_dir / "manufacturing", "--format", "json", "--top", "3")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    rows = doc["risk_exposure"]
    assert len(rows) == 3 and rows[0]["rei"] == 100.0
    assert {"id", "name", "ttr_days", "tts_days", "lost_units", "value_at_risk", "rei",
            "tts_lt_ttr", "absorbed_by"} <= set(rows[0])
    assert doc["headline"]["top_exposure"] == rows[0]["id"]
    assert doc["bottlenecks"]  # the flow-model ranking is still there


def test_risk_party_partial_cut_names_the_alternative_that_absorbed_it(run, fixtures_dir):
    result = run("risk", fixtures_dir / "manufacturing", "--party", "S0003", "--cut", "0.9",
                 "--days", "14", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["headline"]["party"] == "S0003" and doc["headline"]["cut"] == 0.9
    assert doc["headline"]["window_days"] == 14
    absorbed = doc["impact_absorbed"]
    assert absorbed and absorbed[0]["alternative"] == "S0004"
    assert absorbed[0]["alternative_name"]


def test_risk_csv_is_the_exposure_table(run, fixtures_dir, tmp_path):
    result = run("risk", fixtures_dir / "manufacturing", "--format", "csv", "--out", tmp_path / "r")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))  # the note on --out goes to stderr
    assert table.columns[:3].tolist() == ["id", "name", "kind"]
    assert table["rei"].max() == 100.0
    assert (tmp_path / "r" / "risk_exposure.csv").exists()


def test_risk_table_explains_tts_against_ttr(run, fixtures_dir):
    result = run("risk", fixtures_dir / "manufacturing", "--top", "2")
    assert result.exit_code == 0
    assert "TTS < TTR" in result.output


def test_risk_refuses_bad_cuts_and_unknown_parties(run, fixtures_dir):
    assert run("risk", fixtures_dir / "manufacturing", "--cut", "half").exit_code == 2
    assert run("risk", fixtures_dir / "manufacturing", "--party", "S0003", "--cut", "1.5").exit_code == 2
    assert run("risk", fixtures_dir / "manufacturing", "--party", "NOPE").exit_code == 2


def test_risk_help_teaches_the_model(run):
    text = run("risk", "--help").output
    for word in ("TTR", "TTS", "Risk Exposure Index", "--party", "--days", "alternatives"):
        assert word in text


def test_risk_pairs_show_the_redundant_suppliers_failing_together(run, fixtures_dir):
    result = run("risk", fixtures_dir / "manufacturing", "--pairs", "6", "--days", "120",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    first = doc["pair_exposure"][0]
    assert (first["a"], first["b"]) == ("S0003", "S0004")  # each absorbed alone, not together
    assert first["alone_units"] == 0 and first["excess_units"] > 100
    assert all(isinstance(r["tts_days"], float | None) for r in doc["risk_exposure"])
    assert doc["risk_exposure"][0]["window_days"] == 120


def test_risk_party_keeps_the_table_at_each_partys_own_ttr(run, fixtures_dir):
    plain = run("risk", fixtures_dir / "manufacturing", "--format", "csv")
    longer = run("risk", fixtures_dir / "manufacturing", "--party", "S0003", "--days", "60",
                 "--format", "json")
    assert plain.exit_code == longer.exit_code == 0, longer.output
    doc = json.loads(longer.output)
    table = pd.read_csv(io.StringIO(plain.output))
    assert [r["rei"] for r in doc["risk_exposure"]] == pytest.approx(table["rei"].head(10).tolist())
    assert doc["headline"]["window_days"] == 60
    text = run("risk", fixtures_dir / "manufacturing", "--party", "S0003").output
    assert "customers never hurt (TTS unbounded)" in text.splitlines()[0]
