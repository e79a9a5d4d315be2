"""One ``as_of`` convention across the library: the end of the day, inclusive.

Each check moves ``as_of`` from the day before an event to the event's own day
and expects the event to appear exactly then — in the ledger, snapshots,
partner activity and assessment, the partner–account ties co-selling reads,
relationships in force, and the co-selling ranker's labels.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecograph import load_bundle
from ecograph.analysis import assessment, physical_accounts
from ecograph.analysis.activity import partner_activity
from ecograph.analysis.cosell_ranker import won_cosell_pairs
from ecograph.analysis.snapshots import snapshot
from ecograph.ledger import balances
from ecograph.ties import partner_accounts

from .conftest import FIXTURES

#: In fixtures/tiny: D1 (P1 at C1) closes won on 2025-02-01, D2 (P1 at C2, co-sold with P2)
#: is registered on 2025-03-01, movement M4 deploys 3 SRV at C1 on 2025-02-01, audit A1 counts
#: on 2025-03-01, partner P3 joined on 2022-06-30 and the co-selling tie R4 ends on 2025-05-01.
CLOSED, REGISTERED, DEPLOYED, JOINED, ENDED = (
    "2025-02-01", "2025-03-01", "2025-02-01", "2022-06-30", "2025-05-01")


@pytest.fixture(scope="module")
def eco():
    return load_bundle(FIXTURES / "tiny")


def _day_before(day: str) -> str:
    return str((pd.Timestamp(day) - pd.Timedelta(days=1)).date())


def test_the_ledger_counts_movements_of_the_day(eco):
    held = {d: balances(eco.movements, as_of=d).set_index(["party", "sku"])["units"]
            for d in (_day_before(DEPLOYED), DEPLOYED)}
    assert ("C1", "SRV") not in held[_day_before(DEPLOYED)].index
    assert held[DEPLOYED][("C1", "SRV")] == 3.0
    deployed = physical_accounts.deployed(eco, as_of=DEPLOYED)
    assert deployed.loc[deployed["id"] == "P1", "deployed"].tolist() == [3.0]
    assert physical_accounts.deployed(eco, as_of=_day_before(DEPLOYED)).empty


def test_a_snapshot_holds_what_is_dated_on_its_day(eco):
    assert "D2" in set(snapshot(eco, REGISTERED).deals["id"])
    assert "D2" not in set(snapshot(eco, _day_before(REGISTERED)).deals["id"])
    assert "A1" in set(snapshot(eco, REGISTERED).audits["id"])
    assert "P3" in set(snapshot(eco, JOINED).partners["id"])
    assert "P3" not in set(snapshot(eco, _day_before(JOINED)).partners["id"])
    closed = snapshot(eco, CLOSED).deals.set_index("id")
    assert closed.at["D1", "status"] == "won"
    assert snapshot(eco, _day_before(CLOSED)).deals.set_index("id").at["D1", "status"] == "approved"


def test_a_relationship_is_in_force_through_its_end_day(eco):
    assert "R4" in set(snapshot(eco, ENDED).relationships["id"])
    assert "R4" not in set(snapshot(eco, "2025-05-02").relationships["id"])


def test_partner_activity_and_kpis_count_the_day(eco):
    for as_of, deals, won in ((_day_before(CLOSED), 1, 0), (CLOSED, 1, 1), (REGISTERED, 2, 1)):
        act = partner_activity(eco, as_of=as_of).set_index("id")
        assert (act.at["P1", "deals"], act.at["P1", "won_deals"]) == (deals, won), as_of
        kpis = assessment.partner_kpis(eco, as_of=as_of).set_index("id")
        assert (kpis.at["P1", "deals"], kpis.at["P1", "won_deals"]) == (deals, won), as_of


def test_cosellings_accounts_see_the_day(eco):
    before = partner_accounts(eco, as_of=_day_before(REGISTERED))
    on = partner_accounts(eco, as_of=REGISTERED).set_index(["partner", "customer"])
    assert ("P1", "C2") not in set(zip(before["partner"], before["customer"], strict=True))
    assert on.at[("P1", "C2"), "open_deals"] == 1
    served = partner_accounts(eco, as_of=CLOSED).set_index(["partner", "customer"])
    assert served.at[("P1", "C1"), "won_deals"] == 1 and served.at[("P1", "C1"), "serves"]
    early = partner_accounts(eco, as_of=_day_before(CLOSED)).set_index(["partner", "customer"])
    assert early.at[("P1", "C1"), "open_deals"] == 1  # won the next day: still open the day before


def test_without_as_of_it_is_the_reference_date(eco):
    assert str(eco.reference_date.date()) == REGISTERED  # the last dated record
    pd.testing.assert_frame_equal(partner_activity(eco), partner_activity(eco, as_of=REGISTERED))
    pd.testing.assert_frame_equal(partner_accounts(eco), partner_accounts(eco, as_of=REGISTERED))


def test_ranker_labels_are_what_happened_after_the_day():
    eco = load_bundle(FIXTURES / "it_ecosystem")
    d = eco.deals
    wins = d[(d["status"] == "won") & d["cosell_partner"].notna()]
    pairs = wins.apply(lambda r: frozenset((r["partner"], r["cosell_partner"])), axis=1)
    once = wins[pairs.map(pairs.value_counts()) == 1].sort_values("closed").iloc[0]  # won once
    day = str(once["closed"].date())
    pair = frozenset((once["partner"], once["cosell_partner"]))
    assert pair not in won_cosell_pairs(eco, day, "2030-12-31")  # closed on the as-of day: known
    assert pair in won_cosell_pairs(eco, _day_before(day), day)
