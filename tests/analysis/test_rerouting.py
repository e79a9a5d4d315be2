"""Rerouted losses: what a party's loss leaves unmet once its buyers turn to their other sources."""

from __future__ import annotations

import pytest

from ecograph.analysis import bottlenecks
from ecograph.errors import ParameterError


def test_no_headroom_is_the_unmet_demand_of_the_bottleneck_table(mfg_eco):
    plain = bottlenecks.bottlenecks(mfg_eco).set_index("id")["units_at_risk"]
    rerouted = bottlenecks.rerouted_losses(mfg_eco, headroom=0.0).set_index("id")["units_unmet"]
    assert rerouted.sort_index().round(6).equals(plain.reindex(rerouted.index).sort_index().round(6))


def test_a_twin_absorbs_the_loss_and_a_sole_source_cannot(mfg_eco, truths):
    lost = bottlenecks.rerouted_losses(mfg_eco, headroom=1.0).set_index("id")["share_unmet"]
    choke = truths["manufacturing"]["chokepoint_supplier"]
    # nothing to turn to: every pump unmet, which is half of demand with pumps and valves weighing the same
    assert lost[choke["id"]] == lost[choke["exclusive_upstream"][0]] == pytest.approx(0.5)
    assert lost["S0003"] == lost["S0004"] == 0  # the dual-sourced pair: either doubles
    half = bottlenecks.rerouted_losses(mfg_eco, headroom=0.5).set_index("id")["share_unmet"]
    none = bottlenecks.rerouted_losses(mfg_eco, headroom=0.0).set_index("id")["share_unmet"]
    assert 0 < half["S0003"] < none["S0003"]  # more headroom, less unmet: monotone
    assert (lost <= half.reindex(lost.index) + 1e-12).all()


@pytest.mark.parametrize("headroom", [-0.1, float("nan"), float("inf")])
def test_a_bad_headroom_is_refused(mfg_eco, headroom):
    with pytest.raises(ParameterError, match="headroom"):
        bottlenecks.rerouted_losses(mfg_eco, headroom=headroom)
