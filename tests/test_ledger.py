"""The physical-account ledger on its frames: balances, conservation, overdrafts,
reconciliation, custody. (The same accounts read for an Ecosystem, with names, and
the installed base per partner or region: tests/analysis/test_physical_accounts.py.)"""

from __future__ import annotations

import functools
from collections import defaultdict

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import ecograph
from ecograph import ledger, load_bundle
from ecograph.errors import ParameterError

from .conftest import FIXTURES, edit


def test_units_are_conserved_with_the_outside_party(ecosystems, bundle_name):
    legs = ledger.entries(ecosystems[bundle_name].movements, include_outside=True)
    per_sku = legs.groupby("sku")["units"].sum()
    assert per_sku.abs().max() < 1e-6


def test_every_transfer_is_minus_q_at_source_and_plus_q_at_destination(it_eco):
    legs = ledger.entries(it_eco.movements)
    moves = it_eco.movements.set_index("id")
    transfers = moves.index[moves["kind"].isin(["transfer", "deploy", "return"])]
    sub = legs[legs["id"].isin(transfers)]
    assert (sub.groupby("id").size() == 2).all()
    assert sub.groupby("id")["units"].sum().abs().max() == 0
    debit = sub[sub["units"] < 0].set_index("id")
    assert (debit["party"] == moves.loc[debit.index, "from_party"]).all()


def test_no_fixture_balance_is_ever_negative(ecosystems, bundle_name):
    assert ledger.overdrafts(ecosystems[bundle_name].movements).empty


def test_balance_as_of_a_day_counts_the_movements_up_to_the_end_of_it(tiny):
    moves = load_bundle(tiny).movements
    early = ledger.balances(moves, as_of="2025-01-10").set_index(["party", "sku"])["units"]
    # M2 (NIMBUS -> P2, 6 units) is dated 2025-01-10: as of that day it is in the books
    assert early.to_dict() == {("NIMBUS", "SRV"): 4.0, ("P2", "SRV"): 6.0, ("S1", "STEEL"): 12.5}
    before = ledger.balances(moves, as_of="2025-01-09").set_index(["party", "sku"])["units"]
    assert before.to_dict() == {("NIMBUS", "SRV"): 10.0, ("S1", "STEEL"): 12.5}
    final = ledger.balances(moves).set_index(["party", "sku"])["units"]
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


# --- reconciliation against the planted truth -------------------------------------------------

def test_planted_audit_discrepancy_is_ranked_first_with_its_exact_numbers(ecosystems, truths,
                                                                          bundle_name):
    planted = truths[bundle_name]["audit_discrepancy"]
    eco = ecosystems[bundle_name]
    top = ledger.reconcile(eco.movements, eco.audits).iloc[0]
    assert (top["audit"], top["party"], top["sku"]) == (planted["audit"], planted["party"],
                                                         planted["sku"])
    assert top["date"] == pd.Timestamp(planted["date"])
    assert top["expected"] == planted["ledger_units"]
    assert top["counted"] == planted["counted"]
    assert top["discrepancy"] == planted["discrepancy"] == -2
    assert top["abs_discrepancy"] == 2
    assert top["share"] == pytest.approx(-2 / planted["ledger_units"])
    assert top["status"] == "short"
    assert (top["adjustment_units"], top["adjustment_kind"]) == (-2, "write_off")


def test_the_planted_discrepancy_is_the_only_one(ecosystems, truths, bundle_name):
    eco = ecosystems[bundle_name]
    rec = ledger.reconcile(eco.movements, eco.audits)
    flagged = rec[rec["status"] != "ok"]
    assert flagged["audit"].tolist() == [truths[bundle_name]["audit_discrepancy"]["audit"]]
    assert len(rec) == len(eco.audits)
    rest = rec.iloc[1:]
    assert (rest["discrepancy"] == 0).all() and (rest["adjustment_kind"] == "none").all()


def test_expected_is_the_balance_replayed_to_each_audit_date(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    rec = ledger.reconcile(eco.movements, eco.audits)
    for r in rec.itertuples():
        held = ledger.balances(eco.movements, as_of=r.date).set_index(["party", "sku"])["units"]
        assert r.expected == held.get((r.party, r.sku), 0.0), r.audit
        assert r.discrepancy == r.counted - r.expected


def test_tolerance_changes_the_status_but_not_the_adjustment(it_eco, truths):
    planted = truths["it_ecosystem"]["audit_discrepancy"]["audit"]
    m, a = it_eco.movements, it_eco.audits
    rec = ledger.reconcile(m, a, tolerance=2).set_index("audit")
    assert rec.at[planted, "status"] == "ok"
    assert rec.at[planted, "adjustment_units"] == -2
    assert ledger.reconcile(m, a, tolerance=1.5).set_index("audit").at[planted, "status"] == "short"


@pytest.mark.parametrize("bad", [-1, "2", None, float("nan"), True])
def test_reconcile_rejects_a_tolerance_that_is_not_a_non_negative_number(it_eco, bad):
    with pytest.raises(ParameterError, match="tolerance"):
        ledger.reconcile(it_eco.movements, it_eco.audits, tolerance=bad)


def test_adjusted_books_validate_and_agree_with_every_count(tiny):
    # P1 holds 1 SRV on 2025-03-01 (see fixtures/tiny); count 0 there and 5 at C1 (which holds 2).
    edit(tiny, "audits.csv", "A1,2025-03-01,P1,SRV,1", "A1,2025-03-01,P1,SRV,0\nA2,2025-03-01,C1,SRV,5")
    eco = load_bundle(tiny)
    adj = ledger.adjustments(eco.movements, eco.audits)
    assert adj[["id", "kind", "from_party", "to_party", "units", "change"]].astype(object).where(
        adj.notna(), None).values.tolist() == [
        ["ADJ-A2", "supply", None, "C1", 3.0, 3.0],
        ["ADJ-A1", "dispose", "P1", None, 1.0, -1.0],
    ]
    assert adj["note"].tolist() == ["found per audit A2", "write_off per audit A1"]
    # adjustments are valid movements: the booked tables pass every rule
    again = ecograph.load_tables({**eco.tables, "movements": pd.concat([eco.movements, adj])})
    assert len(again.movements) == len(eco.movements) + 2
    assert (ledger.reconcile(again.movements, again.audits)["discrepancy"] == 0).all()
    assert ledger.conservation(again.movements)["balanced"].all()


def test_a_second_audit_only_adjusts_what_changed_since_the_first():
    moves = _frame([("m1", 0, "SRV", "supply", None, "P1", 10.0),
                    ("m2", 5, "SRV", "deploy", "P1", "C1", 2.0)])
    audits = pd.DataFrame({"id": ["A1", "A2", "A3"], "date": _days([1, 3, 9]),
                           "party": "P1", "sku": "SRV", "counted": [7.0, 7.0, 6.0]})
    rec = ledger.reconcile(moves, audits).set_index("audit")
    assert rec["expected"].to_dict() == {"A1": 10.0, "A2": 10.0, "A3": 8.0}
    assert rec["discrepancy"].to_dict() == {"A1": -3.0, "A2": -3.0, "A3": -2.0}
    assert rec["adjustment_units"].to_dict() == {"A1": -3.0, "A2": 0.0, "A3": 1.0}
    assert rec["adjustment_kind"].to_dict() == {"A1": "write_off", "A2": "none", "A3": "found"}
    assert list(rec.index) == ["A1", "A2", "A3"]  # |-3| twice (by date), then |-2|


def test_an_audit_on_the_day_of_a_movement_counts_after_it():
    # as of the end of the day: the deploy of day 5 is in the books of an audit on day 5
    moves = _frame([("m1", 0, "SRV", "supply", None, "P1", 10.0),
                    ("m2", 5, "SRV", "deploy", "P1", "C1", 2.0)])
    audits = pd.DataFrame({"id": ["A1", "A2"], "date": _days([4, 5]), "party": "P1", "sku": "SRV",
                           "counted": [10.0, 8.0]})
    rec = ledger.reconcile(moves, audits).set_index("audit")
    assert rec["expected"].to_dict() == {"A1": 10.0, "A2": 8.0}
    assert (rec["status"] == "ok").all()



def test_the_ledger_reads_days_at_both_ends_of_the_calendar():
    # days, never nanosecond timestamps: 0001-01-01 and 9999-12-31 are ordinary days
    moves = pd.DataFrame({"id": ["m1", "m2"], "sku": "SRV", "kind": ["supply", "deploy"],
                          "date": pd.Series(["0001-01-01", "2025-01-01"], dtype="datetime64[s]"),
                          "from_party": [None, "P1"], "to_party": ["P1", "C1"], "units": [10.0, 4.0],
                          "note": None})
    audits = pd.DataFrame({"id": ["A1", "A2"], "party": "P1", "sku": "SRV", "counted": [10.0, 5.0],
                           "date": pd.Series(["0001-01-01", "9999-12-31"], dtype="datetime64[s]")})
    rec = ledger.reconcile(moves, audits).set_index("audit")
    assert rec["expected"].to_dict() == {"A1": 10.0, "A2": 6.0}
    assert rec.loc["A2", "date"] == pd.Timestamp("9999-12-31")
    adj = ledger.adjustments(moves, audits)
    assert adj[["id", "kind", "units"]].values.tolist() == [["ADJ-A2", "dispose", 1.0]]
    assert ledger.balances(moves, as_of="0001-01-01").to_dict("records") == [
        {"party": "P1", "sku": "SRV", "units": 10.0}]
    final = ledger.balances(pd.concat([moves, adj]), as_of="9999-12-31").set_index("party")["units"]
    assert final.to_dict() == {"P1": 5.0, "C1": 4.0}
    assert ledger.overdrafts(moves).empty

# --- custody and conservation on the fixtures ---------------------------------------------------

def test_custody_chain_lists_every_movement_of_the_sku_in_date_order(ecosystems, bundle_name):
    m = ecosystems[bundle_name].movements
    for sku in m["sku"].unique():
        chain = ledger.custody_chain(m, sku)
        assert sorted(chain["id"]) == sorted(m.loc[m["sku"] == sku, "id"])
        assert chain["date"].is_monotonic_increasing
        assert chain["step"].tolist() == list(range(1, len(chain) + 1))
        # Each party's last balance in the chain is what it holds at the end.
        sides = pd.concat([
            chain[["step", "from_party", "from_balance"]].set_axis(["step", "party", "bal"], axis=1),
            chain[["step", "to_party", "to_balance"]].set_axis(["step", "party", "bal"], axis=1),
        ]).dropna().sort_values("step").drop_duplicates("party", keep="last").set_index("party")
        held = ledger.balances(m, include_zero=True).query("sku == @sku").set_index("party")
        assert sides["bal"].to_dict() == pytest.approx(held["units"].to_dict())


def test_custody_chain_of_one_party_keeps_the_steps_that_name_it(tiny):
    moves = load_bundle(tiny).movements
    chain = ledger.custody_chain(moves, "SRV", party="P1")
    assert chain["id"].tolist() == ["M3", "M4", "M5", "M6"]
    assert chain["step"].tolist() == [3, 4, 5, 6]
    # P1 after deploying 3 of 4, C1 after returning 1 of 3, P1 after scrapping 1 of 2
    assert chain["from_balance"].tolist()[1:] == [1.0, 2.0, 1.0]
    assert chain["to_balance"].isna().tolist() == [False, False, False, True]  # dispose: outside


def test_custody_chain_rejects_a_sku_that_never_moved(tiny):
    moves = load_bundle(tiny).movements
    with pytest.raises(ParameterError, match="sku"):
        ledger.custody_chain(moves, "NOPE")
    assert ledger.custody_chain(moves, "STEEL", party="P3").empty  # P3 never touched it


def test_fixture_units_are_conserved_per_sku(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    skus = eco.asset_classes["sku"]
    table = ledger.conservation(eco.movements, skus=skus)
    assert table["sku"].tolist() == skus.tolist()
    assert table["balanced"].all()
    held = ledger.balances(eco.movements).groupby("sku")["units"].sum().reindex(table["sku"],
                                                                                fill_value=0)
    assert table.set_index("sku")["held"].to_dict() == pytest.approx(held.to_dict())
    ledger.assert_conserved(eco.movements)


def test_conservation_lists_the_skus_asked_for_first_even_if_they_never_moved(tiny):
    moves = load_bundle(tiny).movements
    table = ledger.conservation(moves, skus=["GPU", "STEEL"])
    assert table["sku"].tolist() == ["GPU", "STEEL", "SRV"]
    assert table.columns.tolist() == ["sku", "supplied", "produced", "consumed", "disposed", "held",
                                      "required", "balanced"]
    assert table.iloc[0].drop(["sku", "required"]).tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, True]
    assert table["required"].isna().all()  # no bill given: consumption is not checked against one
    # as of a day: the dispose of 2025-02-15 is counted on that day, not the day before
    srv = lambda day: ledger.conservation(moves, as_of=day).set_index("sku").loc["SRV"]  # noqa: E731
    assert (srv("2025-02-14")["disposed"], srv("2025-02-15")["disposed"]) == (0.0, 1.0)
    assert srv("2025-02-14")["held"] == 10.0 and srv("2025-02-15")["held"] == 9.0


def test_a_transfer_without_its_source_breaks_conservation(tiny):
    moves = load_bundle(tiny).movements.copy()
    moves.loc[moves["id"] == "M2", "from_party"] = None  # units appear at P2 from nowhere
    table = ledger.conservation(moves).set_index("sku")
    assert table["balanced"].to_dict() == {"SRV": False, "STEEL": True}
    assert table.at["SRV", "held"] - (table.at["SRV", "supplied"] - table.at["SRV", "disposed"]) == 6
    with pytest.raises(AssertionError, match="SRV"):
        ledger.assert_conserved(moves)


# --- property tests: random valid ledgers over the tiny bundle's parties -----------------------

HOLDERS = ["NIMBUS", "P1", "P2", "P3", "S1"]
DEPLOYERS = ["NIMBUS", "P1", "P2", "P3"]
SITES = {"C1": "EMEA", "C2": "EMEA", "C3": "APAC"}
STEP = {"SRV": 1.0, "STEEL": 0.5}  # counted / measured (halves stay exact in binary)
KINDS = ["supply", "transfer", "deploy", "return", "dispose"]
START = pd.Timestamp("2025-01-01")


def _days(days) -> pd.Series:
    return pd.Series([START + pd.Timedelta(days=int(d)) for d in days]).astype("datetime64[ns]")


def _frame(rows) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["id", "day", "sku", "kind", "from_party", "to_party", "units"])
    cols = ["id", "date", "sku", "kind", "from_party", "to_party", "units", "note"]
    return f.assign(date=_days(f["day"]), note=None, units=f["units"].astype(float))[cols]


@st.composite
def histories(draw):
    """A random valid ledger over the tiny bundle's parties (``movements``, ``audits``)
    and an independent running count of it."""
    held: dict = defaultdict(float)          # (party, sku) -> units
    pairs: dict = defaultdict(float)         # (deployer, site, sku) -> units still deployed
    rows, snaps, day = [], [], 0
    for i in range(draw(st.integers(1, 30))):
        day += draw(st.integers(0, 2))
        sku = draw(st.sampled_from(list(STEP)))
        step = STEP[sku]
        kind = draw(st.sampled_from(KINDS))
        have = [p for p in HOLDERS if held[(p, sku)] > 0]
        back = [k for k, n in pairs.items() if k[2] == sku and n > 0]
        if kind == "deploy":
            have = [p for p in have if p in DEPLOYERS]
        if (kind == "return" and not back) or (kind not in ("supply", "return") and not have):
            kind = "supply"
        if kind == "supply":
            dst = draw(st.sampled_from(HOLDERS))
            src = draw(st.sampled_from([None, "S1"])) if dst != "S1" else None  # vendor, not debited
            q = step * draw(st.integers(1, 40))
        elif kind == "return":
            dst, src, _ = draw(st.sampled_from(back))
            q = step * draw(st.integers(1, int(pairs[(dst, src, sku)] / step)))
            pairs[(dst, src, sku)] -= q
        else:
            src = draw(st.sampled_from(have))
            q = step * draw(st.integers(1, int(held[(src, sku)] / step)))
            if kind == "transfer":
                dst = draw(st.sampled_from([p for p in HOLDERS if p != src]))
            elif kind == "deploy":
                dst = draw(st.sampled_from(list(SITES)))
                pairs[(src, dst, sku)] += q
            else:
                dst = None
        if kind != "supply":
            held[(src, sku)] -= q
        if dst is not None:
            held[(dst, sku)] += q
        rows.append((f"M{i:03d}", day, sku, kind, src, dst, q))
        snaps.append((day, dict(held)))
    moves = _frame(rows)
    keys = draw(st.lists(st.tuples(st.sampled_from(HOLDERS + list(SITES)), st.sampled_from(list(STEP)),
                                   st.integers(0, day + 3), st.integers(-3, 3)),
                         max_size=8, unique_by=lambda t: t[:3]))
    audits = []
    for j, (party, sku, d, noise) in enumerate(keys):
        truth = held_on(snaps, d).get((party, sku), 0.0)
        audits.append((f"A{j:03d}", party, sku, d, max(0.0, truth + noise * STEP[sku])))
    audits = pd.DataFrame(audits, columns=["id", "party", "sku", "day", "counted"])
    audits = audits.assign(date=_days(audits["day"]))[["id", "date", "party", "sku", "counted"]]
    return moves, audits, {"held": dict(held), "pairs": dict(pairs), "snaps": snaps}


@functools.cache
def tiny_eco() -> ecograph.Ecosystem:
    return load_bundle(FIXTURES / "tiny")


def held_on(snaps, day) -> dict:
    """The running count at the end of ``day``: the last snapshot on or before it."""
    before = [h for d, h in snaps if d <= day]
    return before[-1] if before else {}


def _sorted(frame: pd.DataFrame, keys) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


def props(examples: int):
    """Modest example counts: each example replays a whole ledger through several functions."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@props(50)
@given(histories())
def test_units_are_created_only_by_supply_and_leave_only_by_dispose(case):
    m, _, oracle = case
    table = ledger.conservation(m, skus=list(STEP)).set_index("sku")
    assert table["balanced"].all()
    for sku in STEP:
        rows = m[m["sku"] == sku]
        held = sum(v for (_, s), v in oracle["held"].items() if s == sku)
        assert table.at[sku, "held"] == held
        assert table.at[sku, "supplied"] - table.at[sku, "disposed"] == held
        assert table.at[sku, "supplied"] == rows.loc[rows["kind"] == "supply", "units"].sum()
    legs = ledger.entries(m, include_outside=True)
    assert (legs.groupby("sku")["units"].sum() == 0).all()
    moved = legs[legs["id"].isin(m.loc[m["kind"].isin(["transfer", "deploy", "return"]), "id"])]
    assert (moved.groupby("id")["units"].agg(["size", "sum"]) == [2, 0]).all().all()


@props(40)
@given(histories())
def test_no_balance_is_ever_negative_and_custody_follows_the_running_count(case):
    m, _, oracle = case
    assert ledger.overdrafts(m).empty
    for sku in STEP:
        if not (m["sku"] == sku).any():
            continue
        chain = ledger.custody_chain(m, sku)
        for side in ("from", "to"):
            rows = chain[chain[f"{side}_balance"].notna()]
            for r in rows.itertuples():
                day = (r.date - START).days
                want = held_on(oracle["snaps"], day).get((getattr(r, f"{side}_party"), sku), 0.0)
                assert getattr(r, f"{side}_balance") == want >= 0


@pytest.mark.slow
@props(25)
@given(histories(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order_or_file_splitting(case, rnd):
    m, a, _ = case
    order = list(m.index)
    rnd.shuffle(order)
    cut = rnd.randint(0, len(m))
    first, second = m.loc[order[:cut]], m.loc[order[cut:]]  # two files, concatenated
    other = pd.concat([second, first])
    audits = a.sample(frac=1.0, random_state=rnd.randint(0, 2**31))
    assert_frame_equal(_sorted(ledger.balances(other), ["party", "sku"]),
                       _sorted(ledger.balances(m), ["party", "sku"]))
    assert_frame_equal(ledger.reconcile(other, audits), ledger.reconcile(m, a))
    assert_frame_equal(ledger.adjustments(other, audits), ledger.adjustments(m, a))
    assert_frame_equal(ledger.conservation(other, skus=list(STEP)),
                       ledger.conservation(m, skus=list(STEP)))
    sku = m["sku"].iloc[0]
    assert_frame_equal(ledger.custody_chain(other, sku), ledger.custody_chain(m, sku))
    assert ledger.overdrafts(other).empty


@props(40)
@given(histories())
def test_balance_plus_adjustment_is_the_count_at_every_audit(case):
    m, a, oracle = case
    rec = ledger.reconcile(m, a)
    adj = ledger.adjustments(m, a)
    booked = pd.concat([m, adj], ignore_index=True)
    for r in rec.itertuples():
        truth = held_on(oracle["snaps"], (r.date - START).days).get((r.party, r.sku), 0.0)
        assert r.expected == truth
        assert r.discrepancy == r.counted - truth
        assert r.status == ("short" if r.discrepancy < 0 else "over" if r.discrepancy > 0 else "ok")
        fixed = ledger.balances(booked, as_of=r.date).set_index(["party", "sku"])["units"]
        assert fixed.get((r.party, r.sku), 0.0) == r.counted
    assert len(adj) == (rec["adjustment_units"] != 0).sum()
    assert (adj["units"] > 0).all() and (adj["units"] == adj["change"].abs()).all()
    assert rec["abs_discrepancy"].is_monotonic_decreasing
    assert ledger.conservation(booked)["balanced"].all()


@props(6)
@given(histories())
def test_balances_and_reconciliation_survive_a_csv_round_trip(tmp_path_factory, case):
    m, a, _ = case
    eco = ecograph.Ecosystem({**tiny_eco().tables, "movements": m, "audits": a})
    again = load_bundle(eco.to_bundle(tmp_path_factory.mktemp("rt")))
    assert_frame_equal(ledger.balances(again.movements), ledger.balances(m))
    assert_frame_equal(ledger.reconcile(again.movements, again.audits), ledger.reconcile(m, a))


# --- production: lots turn components into finished units by the bill of materials --------------

#: A two-level bill over the tiny bundle's SKUs and two more: a PUMP takes 2 GEARBOX and 1 kg of
#: STEEL (no bom line: 1), a GEARBOX 1.5 kg of STEEL, a SRV 12.5 kg. Amounts of STEEL stay in
#: halves, exact in binary, so the sums below are compared exactly.
ASSETS = pd.DataFrame({
    "sku": ["SRV", "STEEL", "GEARBOX", "PUMP"],
    "name": ["Rack server", "Steel bar", "Reduction gearbox", "Centrifugal pump"],
    "unit": ["each", "kg", "each", "each"],
    "category": ["server", "raw material", "component", "finished good"],
    "counted": [True, False, True, True],
    "inputs": [("STEEL",), (), ("STEEL",), ("GEARBOX", "STEEL")]})
BOM = pd.DataFrame({"id": ["B1", "B2", "B3"], "sku": ["SRV", "GEARBOX", "PUMP"],
                    "input": ["STEEL", "STEEL", "GEARBOX"], "quantity": [12.5, 1.5, 2.0]})
MADE = {"SRV": {"STEEL": 12.5}, "GEARBOX": {"STEEL": 1.5}, "PUMP": {"GEARBOX": 2.0, "STEEL": 1.0}}
UNIT = {"SRV": 1.0, "STEEL": 0.5, "GEARBOX": 1.0, "PUMP": 1.0}


def _lot_frame(rows) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["id", "day", "sku", "kind", "from_party", "to_party", "units", "lot"])
    cols = ["id", "date", "sku", "kind", "from_party", "to_party", "units", "note", "lot"]
    return f.assign(date=_days(f["day"]), note=None, units=f["units"].astype(float))[cols]


@st.composite
def factories(draw):
    """A random valid ledger with production lots over the tiny bundle's parties, and an
    independent running count of it: who holds what, and what each lot made."""
    held: dict = defaultdict(float)
    rows, snaps, made, day = [], [], [], 0

    def book(sku, kind, src, dst, q, lot=None):
        rows.append((f"M{len(rows):03d}", day, sku, kind, src, dst, q, lot))
        if src is not None:
            held[(src, sku)] -= q
        if dst is not None:
            held[(dst, sku)] += q

    for i in range(draw(st.integers(1, 25))):
        day += draw(st.integers(0, 2))
        action = draw(st.sampled_from(["supply", "produce", "produce", "transfer", "dispose"]))
        if action == "produce":
            party, sku = draw(st.sampled_from(HOLDERS)), draw(st.sampled_from(list(MADE)))
            can = min(int(held[(party, c)] // q) for c, q in MADE[sku].items())
            if can == 0:
                action = "supply"
            else:
                units, lot = float(draw(st.integers(1, min(can, 5)))), f"L{i:03d}"
                book(sku, "produce", None, party, units, lot)
                for component, q in MADE[sku].items():
                    book(component, "consume", party, None, units * q, lot)
                made.append((lot, party, sku, units))
        if action in ("transfer", "dispose"):
            have = sorted(k for k, v in held.items() if v > 0)
            if not have:
                action = "supply"
            else:
                src, sku = draw(st.sampled_from(have))
                q = UNIT[sku] * draw(st.integers(1, int(held[(src, sku)] / UNIT[sku])))
                others = [p for p in HOLDERS if p != src]
                dst = draw(st.sampled_from(others)) if action == "transfer" else None
                book(sku, action, src, dst, q)
        if action == "supply":
            sku = draw(st.sampled_from(["STEEL", "STEEL", "GEARBOX"]))  # gearboxes are also bought in
            book(sku, "supply", None, draw(st.sampled_from(HOLDERS)), UNIT[sku] * draw(st.integers(1, 80)))
        snaps.append((day, dict(held)))
    return _lot_frame(rows), {"held": dict(held), "snaps": snaps, "made": made}


def test_bill_of_materials_takes_bom_quantities_and_one_for_an_input_without_a_line():
    bill = ledger.bill_of_materials(ASSETS, BOM)
    assert bill.values.tolist() == [["SRV", "STEEL", 12.5], ["GEARBOX", "STEEL", 1.5],
                                    ["PUMP", "GEARBOX", 2.0], ["PUMP", "STEEL", 1.0]]
    # a line for a pair that is not an input (the validator's bom_not_an_input) is not in the bill
    stray = pd.concat([BOM, pd.DataFrame({"id": ["B9"], "sku": ["STEEL"], "input": ["PUMP"],
                                          "quantity": [3.0]})])
    assert_frame_equal(ledger.bill_of_materials(ASSETS, stray), bill)
    raw = ASSETS.assign(inputs=["STEEL", "", "STEEL", "GEARBOX;STEEL"])  # text cells, as in a file
    assert_frame_equal(ledger.bill_of_materials(raw, BOM), bill)
    assert ledger.bill_of_materials(ASSETS)["quantity"].tolist() == [1.0, 1.0, 1.0, 1.0]


@props(50)
@given(factories())
def test_production_conserves_units_by_the_bill_of_materials(case):
    m, oracle = case
    bill = ledger.bill_of_materials(ASSETS, BOM)
    table = ledger.conservation(m, skus=list(UNIT), bill=bill).set_index("sku")
    assert table["balanced"].all()
    required: dict = defaultdict(float)
    produced: dict = defaultdict(float)
    for _, _, sku, units in oracle["made"]:
        produced[sku] += units
        for component, q in MADE[sku].items():
            required[component] += units * q
    for sku in UNIT:
        held = sum(v for (_, s), v in oracle["held"].items() if s == sku)
        row = table.loc[sku]
        assert row["held"] == held
        assert row["supplied"] + row["produced"] - row["consumed"] - row["disposed"] == held
        assert row["produced"] == produced[sku]
        assert row["consumed"] == row["required"] == required[sku]
    legs = ledger.entries(m, include_outside=True)
    assert (legs.groupby("sku")["units"].sum() == 0).all()  # outside and production included
    lots = ledger.lots(m, bill)
    assert lots["balanced"].all()
    assert sorted(lots.drop_duplicates("lot")[["lot", "party", "sku", "units"]].itertuples(
        index=False, name=None)) == sorted(oracle["made"])
    assert len(lots) == sum(len(MADE[sku]) for _, _, sku, _ in oracle["made"])


@props(40)
@given(factories(), st.integers(0, 60))
def test_no_balance_goes_negative_through_production(case, cutoff):
    m, oracle = case
    assert ledger.overdrafts(m).empty
    final = ledger.balances(m).set_index(["party", "sku"])["units"].to_dict()
    assert final == {k: v for k, v in oracle["held"].items() if v != 0}
    at = ledger.balances(m, as_of=START + pd.Timedelta(days=cutoff)).set_index(["party", "sku"])["units"]
    assert (at >= 0).all()
    assert at.to_dict() == {k: v for k, v in held_on(oracle["snaps"], cutoff).items() if v != 0}


@props(30)
@given(factories(), st.integers(0, 10**6), st.sampled_from(["more", "less", "vanish"]))
def test_a_lot_that_does_not_follow_the_bill_is_caught_and_the_other_lots_are_not(case, pick, how):
    m, oracle = case
    used = m.index[m["kind"] == "consume"]
    if len(used) == 0:
        return
    bill = ledger.bill_of_materials(ASSETS, BOM)
    row = used[pick % len(used)]
    lot, sku = m.at[row, "lot"], m.at[row, "sku"]
    if how == "vanish":  # the component's consumption is not on the books
        m = m.drop(index=row)
    else:
        m.loc[row, "units"] += UNIT[sku] if how == "more" else -m.at[row, "units"] / 2
    lots = ledger.lots(m, bill)
    assert set(lots.loc[~lots["balanced"], "lot"]) == {lot}
    assert lots.loc[~lots["balanced"], "input"].tolist() == [sku]
    table = ledger.conservation(m, bill=bill).set_index("sku")
    assert table.index[~table["balanced"]].tolist() == [sku]
    with pytest.raises(AssertionError, match=sku):
        ledger.assert_conserved(m, bill=bill)
    ledger.assert_conserved(m)  # the books alone still add up: the units left by a consume


def test_a_ledger_from_before_lots_has_no_lots_and_empty_lot_cells(tiny):
    moves = load_bundle(tiny).movements.drop(columns="lot", errors="ignore")
    assert ledger.lots(moves, ledger.bill_of_materials(ASSETS, BOM)).empty
    assert ledger.custody_chain(moves, "SRV")["lot"].isna().all()
    assert ledger.conservation(moves, bill=ledger.bill_of_materials(ASSETS, BOM))["balanced"].all()


def test_custody_chain_names_the_lot_a_component_went_into():
    m = _lot_frame([("M1", 0, "STEEL", "supply", None, "S1", 30.0, None),
                    ("M2", 1, "SRV", "produce", None, "S1", 2.0, "L1"),
                    ("M3", 1, "STEEL", "consume", "S1", None, 25.0, "L1"),
                    ("M4", 2, "SRV", "transfer", "S1", "P1", 2.0, None)])
    steel = ledger.custody_chain(m, "STEEL")
    assert steel[["kind", "lot", "from_party", "from_balance"]].values.tolist()[1] == [
        "consume", "L1", "S1", 5.0]  # 30 kg in, 25 kg into lot L1
    assert pd.isna(steel.at[1, "to_balance"])
    srv = ledger.custody_chain(m, "SRV")
    assert srv[["kind", "lot", "to_party", "to_balance"]].values.tolist()[0] == ["produce", "L1", "S1", 2.0]
    assert pd.isna(srv.at[0, "from_balance"])  # the production side is not an account
    legs = ledger.entries(m, include_outside=True)
    assert legs.loc[legs["party"] == ledger.PRODUCTION, ["id", "units"]].values.tolist() == [
        ["M2", -2.0], ["M3", 25.0]]
