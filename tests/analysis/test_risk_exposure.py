"""The risk-exposure LP on a planted network: the deep single-source raw supplier that sells least
is the riskiest, a redundant supplier whose alternative has spare capacity loses nothing, an
inventory buffer covers a short TTR, a decoy without slack elsewhere does lose; and the LP agrees
with max-flow where they must (no BOM, no inventory)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import ecograph
from ecograph.analysis import bottlenecks as bn
from ecograph.analysis.risk_exposure import disruption_impact, pair_exposure, risk_exposure
from ecograph.errors import ParameterError

START = pd.Timestamp("2024-01-01")


def _tables(relationships, suppliers, asset_classes, bom=(), movements=(), partner_ttr=None):
    """A valid bundle around the given supply network (the tiny fixture's parties)."""
    base = dict(ecograph.load_bundle("fixtures/tiny").tables)
    rel = pd.DataFrame(relationships, columns=["source", "target", "type", "sku", "volume", "capacity"])
    rel.insert(0, "id", [f"R{i}" for i in range(len(rel))])
    rel["weight"], rel["start"], rel["end"] = np.nan, START, pd.NaT
    sup = pd.DataFrame(suppliers, columns=["id", "capacity", "ttr_days"])
    sup = sup.assign(name=sup["id"] + " Ltd", supplier_type="component", region="EMEA", supply_tier=1)
    assets = pd.DataFrame(asset_classes, columns=["sku", "inputs", "unit_value"])
    assets = assets.assign(name=assets["sku"], unit="each", category="part", counted=True)
    assets["inputs"] = assets["inputs"].map(lambda s: s.split(";") if s else [])
    moves = pd.DataFrame(movements, columns=["date", "sku", "kind", "from_party", "to_party", "units"])
    moves.insert(0, "id", [f"M{i}" for i in range(len(moves))])
    moves["date"] = pd.to_datetime(moves["date"])
    moves["note"] = None
    partners = base["partners"].copy()
    if partner_ttr:
        partners["ttr_days"] = partners["id"].map(partner_ttr)
    tables = {**base, "relationships": rel, "suppliers": sup, "asset_classes": assets,
              "bom": pd.DataFrame(bom, columns=["id", "sku", "input", "quantity"]),
              "movements": moves, "audits": base["audits"].iloc[0:0], "deals": base["deals"].iloc[0:0],
              "products": base["products"].iloc[0:0], "partners": partners}
    return ecograph.load_tables(tables)


@pytest.fixture(scope="module")
def planted():
    """NIMBUS makes PUMP (1 GEAR + 1 MOTOR each), 2 a day, sold through P1 to C1 and C3.

    - SR (tier 2, TTR 60) is the only source of the STEEL that SG turns into gears (2 kg each):
      the least spend of all, and the riskiest: NIMBUS holds 70 gears, 35 days of pumps.
    - SG (the only gear supplier, TTR 14): the 70 gears outlast its recovery.
    - SM1 and SM2 each ship a motor a day; SM2 could ship two (spare capacity): losing SM1 costs
      nothing, losing SM2 (TTR 30) costs a pump a day, SM1 having no slack (the decoy).
    - P1 (TTR 7) is the only seller: 14 pumps.
    """
    rel = [("P1", "C1", "sells_to", "PUMP", 365, None), ("P1", "C3", "sells_to", "PUMP", 365, None),
           ("NIMBUS", "P1", "supplies", "PUMP", 730, None),
           ("SG", "NIMBUS", "supplies", "GEAR", 730, None),
           ("SR", "SG", "supplies", "STEEL", 1460, None),
           ("SM1", "NIMBUS", "supplies", "MOTOR", 365, None),
           ("SM2", "NIMBUS", "supplies", "MOTOR", 365, 730)]
    sup = [("SG", None, 14), ("SR", None, 60), ("SM1", None, 30), ("SM2", None, 30)]
    assets = [("PUMP", "GEAR;MOTOR", 1000.0), ("GEAR", "STEEL", 50.0), ("MOTOR", "", 100.0),
              ("STEEL", "", 1.0)]
    bom = [("B1", "GEAR", "STEEL", 2.0)]
    moves = [("2024-01-02", "GEAR", "supply", "SG", "NIMBUS", 70)]
    return _tables(rel, sup, assets, bom, moves, partner_ttr={"P1": 7.0})


@pytest.fixture(scope="module")
def exposure(planted):
    return risk_exposure(planted).set_index("id")


def test_deep_single_source_raw_supplier_that_sells_least_ranks_first(exposure):
    sr = exposure.loc["SR"]
    assert exposure.index[0] == "SR" and sr["rei"] == 100.0
    assert sr["tts_days"] == pytest.approx(35.0, rel=1e-6)  # 70 gears at 2 a day
    assert bool(sr["tts_lt_ttr"])
    assert sr["lost_units"] == pytest.approx(2 * (60 - 35), rel=1e-6)  # pumps, after the buffer
    assert sr["value_at_risk"] == pytest.approx(50 * 1000.0, rel=1e-6)
    assert sr["lost_by_sku"] == "PUMP 50.0"


def test_redundant_supplier_with_spare_capacity_loses_nothing(planted, exposure):
    sm1 = exposure.loc["SM1"]
    assert sm1["lost_units"] == 0 and math.isinf(sm1["tts_days"]) and not sm1["tts_lt_ttr"]
    assert sm1["rei"] == 0
    assert sm1["absorbed_by"].startswith("SM2 (MOTOR +30")
    hit = disruption_impact(planted, "SM1")
    row = hit.absorbed.iloc[0]
    assert (row["alternative"], row["buyer"], row["sku"]) == ("SM2", "NIMBUS", "MOTOR")
    assert row["extra_units"] == pytest.approx(30.0, rel=1e-6)  # a motor a day for its 30-day TTR
    assert row["alternative_name"] == "SM2 Ltd"


def test_decoy_without_slack_at_its_alternative_loses_a_pump_a_day(exposure):
    sm2 = exposure.loc["SM2"]
    assert sm2["lost_units"] == pytest.approx(30.0, rel=1e-6)
    assert sm2["tts_days"] == 0.0 and bool(sm2["tts_lt_ttr"])
    assert sm2["absorbed_by"] == ""


def test_inventory_buffer_covers_a_short_ttr(exposure):
    sg = exposure.loc["SG"]
    assert sg["lost_units"] == 0 and not sg["tts_lt_ttr"]
    assert sg["tts_days"] == pytest.approx(35.0, rel=1e-6)  # it would run out after 35 days


def test_ranking_and_index_follow_value_lost(exposure):
    assert list(exposure.index[:3]) == ["SR", "SM2", "P1"]
    assert exposure.loc["SM2", "rei"] == pytest.approx(100 * 30 / 50, rel=1e-6)
    assert exposure.loc["P1", "lost_units"] == pytest.approx(14.0, rel=1e-6)  # 2 a day, 7 days
    assert exposure["exact"].all()
    assert "NIMBUS" not in exposure.index  # the focal company, unless asked for


def test_two_motor_suppliers_down_together_lose_what_neither_loses_alone(planted):
    pairs = pair_exposure(planted, top=6)
    assert {*pairs["a"], *pairs["b"]} == {"SR", "SG", "SM1", "SM2", "P1"}  # every shipping party
    assert (pairs["a"] < pairs["b"]).all() and len(pairs) == 10
    both = pairs.iloc[0]
    assert (both["a"], both["b"], both["b_name"]) == ("SM1", "SM2", "SM2 Ltd")
    assert both["window_days"] == 30  # the longer TTR of the two
    assert both["lost_units"] == pytest.approx(60.0, rel=1e-6)  # no motors: 2 pumps a day
    assert both["alone_units"] == pytest.approx(30.0, rel=1e-6)  # SM1 alone 0, SM2 alone 30
    assert both["excess_units"] == pytest.approx(30.0, rel=1e-6)
    assert both["value_at_risk"] == pytest.approx(60 * 1000.0, rel=1e-6)
    chain = pairs[(pairs["a"] == "SG") & (pairs["b"] == "SR")].iloc[0]  # in series: no excess
    assert chain["window_days"] == 60 and chain["excess_units"] == 0
    assert chain["lost_units"] == pytest.approx(50.0, rel=1e-6)  # the 70 gears last 35 of 60 days
    with pytest.raises(ParameterError, match="at least 2"):
        pair_exposure(planted, top=1)


def test_partial_disruption_loses_the_cut_share_for_its_days(planted):
    # SM2 can ship 2 motors a day: down 75% it ships half a motor a day, half a pump short
    hit = disruption_impact(planted, "SM2", cut=0.75, days=10)
    assert hit.lost_units == pytest.approx(5.0, rel=1e-6)
    assert hit.by_sku[["sku", "lost_units"]].values.tolist() == [["PUMP", pytest.approx(5.0)]]
    assert hit.value_at_risk == pytest.approx(5000.0, rel=1e-6)
    assert disruption_impact(planted, "SM2", cut=0.5, days=10).lost_units == 0.0  # still its normal
    slack = disruption_impact(planted, "SM1", cut=0.5, days=10)  # SM2's spare covers the half
    assert slack.lost_units == 0.0 and slack.absorbed["extra_units"].sum() == pytest.approx(5.0)


def test_inventory_drawn_is_reported(planted):
    hit = disruption_impact(planted, "SR")
    drawn = hit.inventory.set_index(["party", "sku"])["used"]
    assert drawn[("NIMBUS", "GEAR")] == pytest.approx(70.0, rel=1e-6)


def test_bound_rows_are_marked_and_bound_the_exact_loss(planted):
    few = risk_exposure(planted, exact=1).set_index("id")
    full = risk_exposure(planted).set_index("id")
    inexact = few.index[~few["exact"]]
    assert len(inexact) >= 2
    assert (few.loc[inexact, "lost_units"] >= full.loc[inexact, "lost_units"] - 1e-9).all()
    assert few.loc[inexact, "tts_days"].isna().all()


def test_units_are_weighted_never_summed_across_skus(planted):
    """Without unit values each SKU counts as a share of its own demand."""
    tables = dict(planted.tables)
    tables["asset_classes"] = tables["asset_classes"].assign(unit_value=np.nan)
    eco = ecograph.load_tables(tables)
    risk = risk_exposure(eco).set_index("id")
    assert risk["value_at_risk"].isna().loc["SR"]
    assert risk.loc["SR", "lost_share"] == pytest.approx(50 / (730 * 60 / 365), rel=1e-6)


def test_bad_parameters_are_refused(planted):
    with pytest.raises(ParameterError, match="cut"):
        risk_exposure(planted, cut=1.5)
    with pytest.raises(ParameterError, match="not in the supply network"):
        disruption_impact(planted, "NOPE")


# --- the cross-check: no BOM, no inventory, where the LP is a max-flow --------------------------

#: Spare capacity upstream (SG can double, SM1 nearly so); none on the last hop, where
#: max-flow takes a customer's demand from the volumes.
DIAMOND = [("SG", "P2", "supplies", "SRV", 60, 100), ("SM1", "P2", "supplies", "SRV", 40, 40),
           ("SM1", "P3", "supplies", "SRV", 50, 90), ("P2", "C1", "sells_to", "SRV", 70, 70),
           ("P2", "C2", "sells_to", "SRV", 30, 30), ("P3", "C2", "sells_to", "SRV", 20, 20),
           ("P3", "C3", "sells_to", "SRV", 30, 30)]


@pytest.mark.parametrize("party", ["SG", "SM1", "P2", "P3"])
def test_lp_agrees_with_max_flow_without_bom_or_inventory(party):
    """Units lost in a year = demand − max-flow of the network without the party (capacities as
    the LP reads them: ``relationships.capacity``)."""
    sup = [("SG", None, None), ("SM1", None, None)]
    assets = [("SRV", "", None)]
    eco = _tables(DIAMOND, sup, assets)
    lost = disruption_impact(eco, party, days=365).lost_units
    # max_flow reads the volume as the edge's capacity: hand it the capacities as volumes, and
    # none out of the party (its buyers stay buyers, not producers of their own)
    rest = [(*r[:4], 0 if r[0] == party else r[5], None) for r in DIAMOND]
    flow = bn.max_flow(_tables(rest, sup, assets), "SRV").flow
    assert lost == pytest.approx(150 - flow, abs=1e-6)
