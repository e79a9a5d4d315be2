"""The analysis stages and `analyze`: every table each stage computes, headline numbers, timings."""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import pipeline
from ecograph.analysis.coselling import RIVALRY
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
    assert set(pipeline.cosell(it_eco, top=5, detail=True).tables) == {"cosell_suggestions", "cosell_rivals",
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
    section, rivals = result.sections
    assert section.key == "suggestions" and section.ranked
    assert {"a_name", "b_name", "why"} <= set(section.frame.columns)
    assert rivals.key == "rivals" and rivals.title.startswith("Rival pairs (channel conflict)")


def test_brokers_rank_every_partner_with_names_and_the_planted_broker_near_the_top(ecosystems, truths,
                                                                                   bundle_name):
    eco = ecosystems[bundle_name]
    result = pipeline.network(eco)
    brokers = result.tables["brokers"]
    assert set(brokers["id"]) == set(eco.partners["id"])
    assert brokers["name"].tolist() == eco.names(brokers["id"]).tolist()
    assert brokers["score"].is_monotonic_decreasing and brokers["why"].str.len().gt(0).all()
    assert truths[bundle_name]["broker_partner"]["id"] in brokers["id"].head(3).tolist()
    assert result.headline["top_broker"] == brokers["id"].iat[0]
    walked = result.tables["betweenness"].set_index("id")["betweenness"]  # the account lens, walked once
    assert brokers.set_index("id")["account_betweenness"].to_dict() == walked.reindex(brokers["id"]).to_dict()
    assert "constraint" in result.tables["brokerage"]  # Burt's table stays beside


def test_assess_flags_from_the_evidence_the_planted_mis_tiered_partner_only(ecosystems, truths, bundle_name):
    eco, planted = ecosystems[bundle_name], truths[bundle_name]["mis_tiered_partner"]
    result = pipeline.assess(eco)
    tiers = result.tables["tier_recommendations"]
    assert {"expected_tier", "direction", "evidence", "name"} <= set(tiers.columns)
    flagged = tiers[tiers["mis_tiered"]]
    assert result.headline["mis_tiered"] == flagged["id"].tolist() == [planted["id"]]
    assert result.headline["mis_tiered_count"] == len(flagged)
    row = flagged.iloc[0]
    expected = (planted["tier"], planted["expected_tier"], "over")
    assert (row["tier"], row["expected_tier"], row["direction"]) == expected
    section = next(s for s in result.sections if s.key == "mis_tiered")
    assert section.frame["id"].tolist() == [planted["id"]] and "evidence" in section.frame


def test_cosell_lists_rivals_apart_with_names_and_competition_of_a_rivalry(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    result = pipeline.cosell(eco, top=3)
    rivals, pairs = result.tables["cosell_rivals"], result.tables["cosell_suggestions"]
    assert len(rivals) and result.headline["rival_pairs"] == len(rivals)
    assert (rivals["competition"] >= RIVALRY).all() and (pairs["competition"] < RIVALRY).all()
    assert rivals["a_name"].tolist() == eco.names(rivals["a"]).tolist()
    assert rivals["b_name"].tolist() == eco.names(rivals["b"]).tolist()
    assert rivals["conflict"].is_monotonic_decreasing
    keys = {frozenset(k) for k in zip(rivals["a"], rivals["b"], strict=True)}
    assert not keys & {frozenset(k) for k in zip(pairs["a"], pairs["b"], strict=True)}


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
