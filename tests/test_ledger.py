"""The physical-account ledger: balances, conservation, overdrafts."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph import ledger


def test_units_are_conserved_with_the_outside_party(ecosystems, bundle_name):
    legs = ledger.entries(ecosystems[bundle_name], include_outside=True)
    per_sku = legs.groupby("sku")["units"].sum()
    assert per_sku.abs().max() < 1e-6


def test_every_transfer_is_minus_q_at_source_and_plus_q_at_destination(it_eco):
    legs = ledger.entries(it_eco)
    moves = it_eco.movements.set_index("id")
    transfers = moves.index[moves["kind"].isin(["transfer", "deploy", "return"])]
    sub = legs[legs["id"].isin(transfers)]
    assert (sub.groupby("id").size() == 2).all()
    assert sub.groupby("id")["units"].sum().abs().max() == 0
    debit = sub[sub["units"] < 0].set_index("id")
    assert (debit["party"] == moves.loc[debit.index, "from_party"]).all()


def test_no_fixture_balance_is_ever_negative(ecosystems, bundle_name):
    assert ledger.overdrafts(ecosystems[bundle_name]).empty


def test_balance_as_of_a_date_only_counts_earlier_movements(tiny):
    from ecograph import load_bundle

    eco = load_bundle(tiny)
    early = ledger.balances(eco, as_of="2025-01-10").set_index(["party", "sku"])["units"]
    assert early.to_dict() == {("NIMBUS", "SRV"): 4.0, ("P2", "SRV"): 6.0, ("S1", "STEEL"): 12.5}
    final = ledger.balances(eco).set_index(["party", "sku"])["units"]
    assert final[("P1", "SRV")] == 1.0  # 4 received, 3 deployed, 1 returned, 1 scrapped


@st.composite
def ledgers(draw):
    """Random valid ledgers: every debit is covered by an earlier receipt."""
    parties = ["A", "B", "C", "D"]
    moves, held = [], {p: 0 for p in parties}
    for i in range(draw(st.integers(1, 25))):
        day = pd.Timestamp("2025-01-01") + pd.Timedelta(days=i)
        src = draw(st.sampled_from(parties))
        if held[src] == 0 or draw(st.booleans()):
            q = draw(st.integers(1, 50))
            moves.append((f"m{i}", day, "supply", None, src, q))
            held[src] += q
            continue
        q = draw(st.integers(1, held[src]))
        dst = draw(st.sampled_from([p for p in parties if p != src] + [None]))
        moves.append((f"m{i}", day, "transfer" if dst else "dispose", src, dst, q))
        held[src] -= q
        if dst:
            held[dst] += q
    frame = pd.DataFrame(moves, columns=["id", "date", "kind", "from_party", "to_party", "units"])
    return frame.assign(sku="X", units=frame["units"].astype(float)), held


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.randoms(use_true_random=False))
def test_replay_matches_a_running_count_whatever_the_row_order(data, rnd):
    moves, held = data
    order = list(moves.index)
    rnd.shuffle(order)
    shuffled = moves.loc[order]
    got = ledger.balances(shuffled, include_zero=True).set_index("party")["units"].to_dict()
    assert {p: got.get(p, 0.0) for p in held} == {p: float(q) for p, q in held.items()}
    assert ledger.overdrafts(shuffled).empty
    outside = ledger.entries(shuffled, include_outside=True)["units"].sum()
    assert abs(outside) < 1e-9


@settings(max_examples=40, deadline=None)
@given(ledgers(), st.integers(0, 10**6))
def test_overdraft_is_found_when_a_debit_is_inflated(data, pick):
    moves, _ = data
    debits = moves.index[moves["kind"].isin(["transfer", "dispose"])]
    if len(debits) == 0:
        return
    row = debits[pick % len(debits)]
    moves.loc[row, "units"] += 10_000
    found = ledger.overdrafts(moves)
    assert moves.at[row, "from_party"] in set(found["party"])
