"""The analysis stages and `analyze`: every table each stage computes, headline numbers, timings."""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import pipeline
from ecograph.pipeline import STAGES, Result, Section, analyze, betweenness_pivots


def _stages(eco) -> dict[str, Result]:
    """Each stage run on its own, the way `analyze` chains them."""
    parts = pipeline.community(eco)
    return {"network": pipeline.network(eco), "communities": parts,
            "co-selling": pipeline.cosell(eco), "coverage": pipeline.gaps(eco),
            "supply risk": pipeline.supply_risk(eco), "physical accounts": pipeline.accounts(eco),
            "assessment": pipeline.assess(eco, communities=parts.tables["communities"])}


def test_analyze_returns_every_table_each_stage_computed_and_every_stages_seconds(it_eco):
    result = analyze(it_eco)
    stages = _stages(it_eco)
    assert list(stages) == list(STAGES)
    tables = {name: frame for stage in stages.values() for name, frame in stage.tables.items()}
    assert set(result.tables) == set(tables)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(result.tables[name], frame, obj=name)
    assert {"segment_silhouette", "ecosystem_health"} <= set(result.tables)
    assert list(result.seconds) == list(STAGES)
    assert all(isinstance(s, float) and s >= 0 for s in result.seconds.values())
    assert [s.key for s in result.sections] == [
        s.key for stage in stages.values() for s in stage.sections]


def test_analyze_headline_is_every_stages_headline_and_the_counts(it_eco):
    result = analyze(it_eco)
    headline = {"partners": len(it_eco.partners), "customers": len(it_eco.customers),
                "relationships": len(it_eco.relationships), "deals": len(it_eco.deals),
                "engine": "python"}
    for stage in _stages(it_eco).values():
        headline.update(stage.headline)
    assert result.headline == headline
    assert result.headline["segments"] == len(result.tables["segment_profiles"])
    assert result.headline["betweenness_pivots"] is None  # a small graph: exact betweenness
    assert result.headline["ecosystem_health"] == round(
        result.tables["ecosystem_health"]["score"].iat[0], 1)


def test_stage_headlines_name_the_planted_truths(ecosystems, truths, bundle_name):
    eco, truth = ecosystems[bundle_name], truths[bundle_name]
    gap = truth["coverage_gap"]
    assert pipeline.gaps(eco).headline["top_gap"] == " × ".join(
        [gap["region"], gap["segment"], gap["capability"]])
    assert pipeline.supply_risk(eco).headline["top_bottleneck"] == truth["chokepoint_supplier"]["id"]
    assert pipeline.accounts(eco).headline["top_discrepancy"] == truth["audit_discrepancy"]["audit"]
    assert pipeline.assess(eco).headline["mis_tiered"] == [truth["mis_tiered_partner"]["id"]]
    top = {frozenset(p.split(" + ")) for p in pipeline.cosell(eco).headline["top_cosell_pairs"]}
    assert frozenset((truth["complementary_pairs"][0]["a"],
                      truth["complementary_pairs"][0]["b"])) in top


def test_a_what_if_and_its_cascade_add_their_tables_and_totals(mfg_eco, truths):
    choke = truths["manufacturing"]["chokepoint_supplier"]["id"]
    plain = pipeline.supply_risk(mfg_eco)
    assert set(plain.tables) == {"bottlenecks", "concentration"}
    result = pipeline.supply_risk(mfg_eco, remove=[choke], cascade=0.5, detail=True)
    assert set(result.tables) == {"bottlenecks", "concentration", "vital_edges", "single_sourced",
                                  "dominators", "articulation_points", "bridges", "what_if",
                                  "what_if_by_region", "what_if_by_sku", "cascade"}
    h = result.headline
    assert h["removed"] == [choke] and h["capacity_cut"] == {}
    assert 0 < h["unmet_total"] < h["demand_total"]
    for name in ("what_if", "what_if_by_region", "what_if_by_sku"):
        assert result.tables[name]["unmet"].sum() == pytest.approx(h["unmet_total"])
    first = result.tables["cascade"].iloc[0]
    assert (first["round"], first["id"], first["cause"]) == (0, choke, "removed")
    assert h["cascade_unmet_total"] >= h["unmet_total"]  # knock-on failures only add to it


def test_detail_adds_the_tables_the_commands_show(it_eco):
    assert set(pipeline.gaps(it_eco).tables) == {"coverage", "coverage_fixes"}
    assert "partner_type_gaps" in pipeline.gaps(it_eco, detail=True).tables
    assert set(pipeline.cosell(it_eco, top=5, detail=True).tables) == {"cosell_suggestions",
                                                                       "account_mapping"}
    plain = pipeline.accounts(it_eco)
    assert set(plain.tables) == {"balances", "reconciliation", "deployed_by_region"}
    assert "conserved" not in plain.headline
    full = pipeline.accounts(it_eco, detail=True, sku="NET-SW")
    assert set(full.tables) - set(plain.tables) == {"adjustments", "deployed_by_partner",
                                                    "conservation", "custody_chain"}
    assert full.headline["conserved"] is bool(full.tables["conservation"]["balanced"].all())


def test_cosell_keeps_top_suggestions(it_eco):
    result = pipeline.cosell(it_eco, top=4)
    assert len(result.tables["cosell_suggestions"]) == 4
    assert len(result.headline["top_cosell_pairs"]) == 3
    (section,) = result.sections
    assert section.key == "suggestions" and section.ranked
    assert {"a_name", "b_name", "why"} <= set(section.frame.columns)


def test_assess_as_of_reads_the_ecosystem_at_that_day(it_eco):
    now, then = pipeline.assess(it_eco), pipeline.assess(it_eco, as_of="2025-03-31")
    won = it_eco.deals[(it_eco.deals["status"] == "won")
                       & (it_eco.deals["closed"] <= "2025-03-31")]["amount"].sum()
    assert then.tables["partner_kpis"]["won_amount"].sum() == pytest.approx(won)
    assert now.tables["partner_kpis"]["won_amount"].sum() > won


@pytest.mark.parametrize("nodes,pivots", [(1, None), (2_000, None), (2_001, 256),
                                          (100_000, 256), (100_001, 64)])
def test_betweenness_is_exact_on_small_graphs_and_sampled_on_large(nodes, pivots):
    assert betweenness_pivots(nodes) == pivots


def test_a_result_takes_in_a_stages_tables_headline_sections_and_seconds():
    total = Result(headline={"partners": 3})
    stage = Result({"t": pd.DataFrame({"a": [1]})}, {"n": 2},
                   [Section("t", "T", pd.DataFrame({"a": [1]}))])
    total.add(stage, seconds=("stage", 0.12345))
    assert list(total.tables) == ["t"] and total.headline == {"partners": 3, "n": 2}
    assert [s.key for s in total.sections] == ["t"] and total.seconds == {"stage": 0.123}
    total.show("more", "More", pd.DataFrame({"a": [1], "b": [2]}), ["b"], ranked=False)
    assert total.sections[-1].frame.columns.tolist() == ["b"] and not total.sections[-1].ranked
