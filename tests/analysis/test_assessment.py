"""Partner assessment: the planted mis-tiering is caught, KPIs follow the tables and scores
behave. (Segments: test_segments.py; diffs between snapshots: test_changes.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ecograph
from ecograph.analysis import assessment as A
from ecograph.analysis.activity import partner_activity
from ecograph.analysis.communities import detect_communities
from ecograph.errors import ParameterError

MID = "2025-06-30"  # as of the end of that day


@pytest.fixture(scope="module")
def kpis(ecosystems) -> dict[str, pd.DataFrame]:
    return {name: A.partner_kpis(eco) for name, eco in ecosystems.items()}


@pytest.fixture(scope="module")
def tiny_eco(fixtures_dir) -> ecograph.Ecosystem:
    return ecograph.load_bundle(fixtures_dir / "tiny")


# --- tiers ---------------------------------------------------------------------------------------

def test_planted_mis_tiered_partner_is_the_most_severe_over_tiered_row(bundle_name, kpis, truths):
    truth = truths[bundle_name]["mis_tiered_partner"]
    tiers = A.recommend_tiers(kpis[bundle_name])
    first_over = tiers[tiers["direction"] == "over"].iloc[0]
    assert first_over["id"] == truth["id"] == tiers["id"].iloc[0]
    assert first_over["tier"] == truth["tier"]
    assert first_over["recommended_tier"] == truth["expected_tier"]
    assert first_over["mis_tiered"] and first_over["severity"] == 3
    assert f"won {truth['won_amount']:,.0f}" in first_over["evidence"]
    assert "performance supports registered" in first_over["evidence"]


def test_tier_rule_reproduces_every_generated_tier_but_the_planted_one(bundle_name, kpis, truths):
    tiers = A.recommend_tiers(kpis[bundle_name])
    assert set(tiers.loc[tiers["mis_tiered"], "id"]) == {truths[bundle_name]["mis_tiered_partner"]["id"]}
    fit = tiers[~tiers["mis_tiered"]]
    assert (fit["direction"] == "fit").all() and (fit["severity"] == 0).all() and (fit["gap"] == 0).all()


def test_tied_partners_share_the_lower_tier():
    kpis = pd.DataFrame({"id": list("abcde"), "won_amount": [0.0, 0.0, 0.0, 50.0, 90.0],
                         "tier": ["silver", "registered", "registered", "gold", "platinum"]})
    tiers = A.recommend_tiers(kpis).set_index("id")
    # Three partners at 0: by row order one would reach silver (3/5 > 0.4); ties share the lower tier.
    assert (tiers.loc[["a", "b", "c"], "recommended_tier"] == "registered").all()
    assert tiers.loc["a", "direction"] == "over" and tiers.loc["a", "severity"] == 1
    assert tiers.loc["d", "recommended_tier"] == "gold"   # 4/5 = 0.8 > 0.7
    assert tiers.loc["e", "recommended_tier"] == "platinum"


def test_under_tiered_partner_is_flagged_with_the_bound_it_passed():
    kpis = pd.DataFrame({"id": list("abcdefghij"), "won_amount": np.arange(10) * 100.0,
                         "tier": ["registered"] * 10})
    tiers = A.recommend_tiers(kpis)
    top = tiers.iloc[0]
    assert (top["id"], top["direction"], top["severity"]) == ("j", "under", 3)
    assert top["gap"] == 900 - 400  # least value earning silver, the next tier up
    assert "platinum starts at 900" in top["evidence"]


# --- KPIs ----------------------------------------------------------------------------------------

def _brute_force(eco: ecograph.Ecosystem, pid: str, as_of: str | None) -> dict:
    t = pd.Timestamp(as_of) if as_of else eco.reference_date  # inclusive: the end of day t
    deals = [d for d in eco.deals.itertuples() if d.partner == pid and d.registered <= t]
    closed = [d for d in deals if d.status in ("won", "lost") and d.closed <= t]
    won = [d for d in closed if d.status == "won"]
    approved = [d for d in deals if d.status in ("approved", "won", "lost")]
    counted = set(eco.asset_classes.loc[eco.asset_classes["counted"].astype(bool), "sku"])
    units = sum(m.units for m in eco.movements.itertuples()
                if m.kind == "deploy" and m.from_party == pid and m.date <= t and m.sku in counted)
    sells = {r.target for r in eco.relationships.itertuples()
             if r.type == "sells_to" and r.source == pid and (pd.isna(r.start) or r.start <= t)
             and (pd.isna(r.end) or r.end >= t)}
    return {"deals": len(deals), "won_deals": len(won), "win_rate": (len(won) + 1) / (len(closed) + 2),
            "approval_rate": (len(approved) + 1) / (len(deals) + 2),
            "won_amount": sum(d.amount for d in won if pd.notna(d.amount)), "units_deployed": units,
            "customers": len(sells | {d.customer for d in won})}


@pytest.mark.parametrize("as_of", [None, MID])
def test_kpis_equal_brute_force_counts_from_the_tables(bundle_name, ecosystems, kpis, truths, as_of):
    eco = ecosystems[bundle_name]
    frame = (kpis[bundle_name] if as_of is None else A.partner_kpis(eco, as_of=as_of)).set_index("id")
    busiest = eco.deals["partner"].value_counts().index[:2].tolist()
    deployer = eco.movements.loc[eco.movements["kind"] == "deploy", "from_party"].value_counts().index[0]
    for pid in {*busiest, deployer, truths[bundle_name]["mis_tiered_partner"]["id"]}:
        expected = _brute_force(eco, pid, as_of)
        got = frame.loc[pid, list(expected)].to_dict()
        assert got == pytest.approx(expected), pid
    assert frame["units_deployed"].sum() > 0 and frame.loc[deployer, "units_deployed"] > 0


def test_kpis_as_of_a_date_match_partner_activity(ecosystems):
    eco = ecosystems["it_ecosystem"]
    frame = A.partner_kpis(eco, as_of=MID)
    assert list(frame.columns[:3]) == ["id", "name", "kind"] and (frame["kind"] == "partner").all()
    ours = frame.set_index("id").sort_index()
    ref = partner_activity(eco, as_of=MID).set_index("id").sort_index()
    assert list(partner_activity(eco).columns[:3]) == ["id", "name", "kind"]
    cols = ["name", "kind", "deals", "won_deals", "win_rate", "won_amount", "accounts", "cosell_partners",
            "cosold_deals", "cosold_won"]
    pd.testing.assert_frame_equal(ours[cols], ref.loc[ours.index, cols], check_dtype=False,
                                  check_names=False)
    assert ours["won_amount"].sum() < A.partner_kpis(eco)["won_amount"].sum()
    # the names beside the ids are the partners table's
    names = eco.partners.set_index("id")["name"]
    assert ours["name"].to_dict() == names.loc[ours.index].to_dict()
    assert ref["name"].to_dict() == names.to_dict()


def test_kpis_health_and_tiers_carry_the_partners_names(bundle_name, ecosystems, kpis):
    k = kpis[bundle_name]
    names = ecosystems[bundle_name].partners.set_index("id")["name"]
    assert sorted(k["id"]) == sorted(names.index)
    k = k.sample(frac=1, random_state=0)  # names travel with their rows, not by position
    for frame in (k, A.partner_health(k), A.recommend_tiers(k)):
        assert list(frame.columns[:3]) == ["id", "name", "kind"]
        assert frame.set_index("id")["name"].to_dict() == names.to_dict()


def test_kpis_of_the_tiny_bundle_by_hand(tiny_eco):
    k = A.partner_kpis(tiny_eco).set_index("id")
    p1 = k.loc["P1"]
    # D1 won (1000, C1), D2 registered with co-sell partner P2; R1 sells to C1; M4 deploys 3 SRV.
    assert (p1["deals"], p1["won_deals"], p1["won_amount"], p1["customers"]) == (2, 1, 1000.0, 1)
    assert p1["approval_rate"] == pytest.approx(2 / 4) and p1["win_rate"] == pytest.approx(2 / 3)
    assert (p1["units_deployed"], p1["cosell_partners"], p1["regions"], p1["certifications"]) == (3, 1, 1, 1)
    assert k.loc["P2", "regions"] == 2 and k.loc["P3", "effective_size"] == 0
    assert k.loc["P3", "constraint"] == 1.0  # no co-sell contact: a single contact's constraint


def test_network_position_finds_the_planted_broker(bundle_name, ecosystems, kpis, truths):
    k = kpis[bundle_name]
    broker = truths[bundle_name]["broker_partner"]["id"]
    assert k.sort_values("constraint", kind="stable")["id"].iloc[0] == broker
    eco = ecosystems[bundle_name]
    G = ecograph.view(eco, "bipartite")
    parts = detect_communities(G, seed=0).set_index("id")["community"]
    for pid in k["id"].iloc[:5]:
        span = len({parts[c] for c in G.neighbors(pid)})
        assert k.set_index("id").loc[pid, "community_span"] == span
    assert k["reach"].between(0, 1).all() and k["reach"].max() > 0


# --- health --------------------------------------------------------------------------------------

def test_partner_health_is_bounded_and_monotone_in_revenue(kpis):
    k = kpis["manufacturing"]
    health = A.partner_health(k).set_index("id")["health"]
    assert health.between(0, 100).all() and health.max() > health.min()
    low = k.sort_values(["won_amount", "id"])["id"].iloc[0]
    for pid in (low, k["id"].iloc[len(k) // 2], k["id"].iloc[0]):
        raised = k.copy()
        raised.loc[raised["id"] == pid, "won_amount"] = k["won_amount"].max() * 2
        after = A.partner_health(raised).set_index("id")
        assert after.loc[pid, "health"] >= health[pid]
        assert after.loc[pid, "won_amount_pct"] == 1.0
    raised = k.copy()
    raised.loc[raised["id"] == low, "won_amount"] = k["won_amount"].max() * 2
    assert A.partner_health(raised).set_index("id").loc[low, "health"] > health[low]


def test_partner_health_formula_with_one_weight():
    kpis = pd.DataFrame({"id": list("abcd"), "won_amount": [0.0, 10.0, 10.0, 30.0]})
    h = A.partner_health(kpis, weights={"won_amount": 1.0}).set_index("id")["health"]
    # Share of the other three partners each strictly outperforms.
    assert h.to_dict() == pytest.approx({"a": 0.0, "b": 100 / 3, "c": 100 / 3, "d": 100.0})
    with pytest.raises(ParameterError, match="weights"):
        A.partner_health(kpis, weights={"missing": 1.0})


def test_ecosystem_health_is_the_documented_weighted_sum(bundle_name, ecosystems, kpis):
    eco, k = ecosystems[bundle_name], kpis[bundle_name]
    h = A.ecosystem_health(eco, kpis=k)
    parts = {c: getattr(h, c) for c in A.ECOSYSTEM_WEIGHTS}
    assert all(0 <= v <= 1 for v in parts.values())
    assert h.score == pytest.approx(100 * sum(A.ECOSYSTEM_WEIGHTS[c] * v for c, v in parts.items()))
    assert h.tier_alignment == pytest.approx(1 - 1 / len(k))  # only the planted partner is off
    assert h.revenue_spread == pytest.approx(1 - h.revenue_gini)
    assert h.to_frame().shape == (1, len(h.to_dict()))
    early = A.ecosystem_health(eco, as_of="2024-12-31")  # no deal registered yet
    assert early.win_rate == 0.5 and early.revenue_spread == 0.0 and early.score < h.score
