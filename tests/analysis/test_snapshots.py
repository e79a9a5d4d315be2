"""Snapshots never see the future and keep everything up to the end of their day."""

from __future__ import annotations

import pandas as pd
import pytest

import ecograph
from ecograph.analysis.activity import partner_activity
from ecograph.analysis.snapshots import in_force, snapshot

DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def tiny_eco(fixtures_dir) -> ecograph.Ecosystem:
    return ecograph.load_bundle(fixtures_dir / "tiny")


@pytest.mark.parametrize("as_of", ["2021-05-31", "2025-06-30"])
def test_snapshot_contains_nothing_dated_after_it(ecosystems, as_of):
    eco = ecosystems["it_ecosystem"]
    t = pd.Timestamp(as_of)
    snap = snapshot(eco, as_of)
    d, r, p = snap.deals, snap.relationships, snap.partners
    assert (d["registered"] <= t).all() and (d["closed"].isna() | (d["closed"] <= t)).all()
    assert d.loc[d["status"].isin(["won", "lost"]), "closed"].notna().all()
    assert (r["start"].isna() | (r["start"] <= t)).all() and r["end"].isna().all()
    assert (p["joined"] <= t).all()
    assert (snap.movements["date"] <= t).all() and (snap.audits["date"] <= t).all()
    ids = set(p["id"])
    assert set(d["partner"]) <= ids and set(d["cosell_partner"].dropna()) <= ids
    ends = pd.concat([r["source"], r["target"]])
    assert ends[ends.isin(eco.partners["id"])].isin(ids).all()
    reset = eco.deals[(eco.deals["registered"] <= t) & (eco.deals["closed"] > t)]
    assert (len(reset) > 0) == (t > eco.deals["registered"].min())  # no deal before 2025
    assert (snap.deals.set_index("id").loc[reset["id"], "status"] == "approved").all()
    kept = eco.deals[eco.deals["registered"] <= t]
    assert sorted(snap.deals["id"]) == sorted(kept["id"])
    # as of its reference date (the last dated day) the bundle is whole
    assert snapshot(eco, eco.reference_date) == eco


def test_a_record_dated_on_the_day_is_part_of_that_days_snapshot(it_eco):
    d = it_eco.deals
    day = d["registered"].value_counts().index[0]  # a day several deals were registered
    on, before = snapshot(it_eco, day), snapshot(it_eco, day - DAY)
    that_day = set(d.loc[d["registered"] == day, "id"])
    assert that_day <= set(on.deals["id"]) and not that_day & set(before.deals["id"])
    # partner activity reads the same inclusive day
    counts = d[d["registered"] == day].groupby("partner").size()
    grew = (partner_activity(it_eco, as_of=day).set_index("id")["deals"]
            - partner_activity(it_eco, as_of=day - DAY).set_index("id")["deals"])
    assert grew[grew > 0].to_dict() == counts.to_dict()
    # a deal closed on the day counts as closed that day, and as still open the day before
    won = d[(d["status"] == "won") & (d["registered"] < d["closed"])].iloc[0]
    closed = won["closed"]
    assert snapshot(it_eco, closed).deals.set_index("id").at[won["id"], "status"] == "won"
    assert snapshot(it_eco, closed - DAY).deals.set_index("id").at[won["id"], "status"] == "approved"


def test_a_relationship_is_in_force_through_its_end_day(tiny_eco):
    # R4 (P1 co-sells with P2) runs 2024-05-01 to 2025-05-01.
    def ties(day):
        return set(snapshot(tiny_eco, day).relationships["id"])

    assert "R4" not in ties("2024-04-30") and "R4" in ties("2024-05-01")
    assert "R4" in ties("2025-05-01") and "R4" not in ties("2025-05-02")


def test_without_a_date_the_bundle_is_read_as_of_its_last_dated_day(tiny_eco):
    eco = tiny_eco
    dates = pd.concat([eco.deals["registered"], eco.deals["closed"], eco.relationships["start"],
                       eco.movements["date"], eco.audits["date"], eco.partners["joined"]])
    day = eco.reference_date
    assert day == dates.max() == pd.Timestamp("2025-03-01")  # D2 and audit A1: no day added
    assert set(snapshot(eco, day).deals["id"]) == set(eco.deals["id"])
    # the co-selling tie ends after the last record: nothing has ended, the bundle is read as is
    assert in_force(eco, None) is eco
    assert set(in_force(eco, None).relationships["id"]) == set(snapshot(eco, day).relationships["id"])

    def ending(end):
        return ecograph.Ecosystem({**eco.tables, "relationships": eco.relationships.assign(
            end=pd.Timestamp(end))})

    ended = ending("2024-06-01")  # every tie ended before the last record
    assert in_force(ended, None).relationships["id"].tolist() == []
    assert in_force(ending(day - DAY), None).relationships["id"].tolist() == []
    on_the_day = ending(day)  # ending on the reference date: still in force on it
    assert sorted(in_force(on_the_day, None).relationships["id"]) == ["R1", "R2", "R3", "R4"]
    unended = ecograph.Ecosystem({**eco.tables, "relationships": eco.relationships.assign(end=pd.NaT)})
    assert in_force(unended, None) is unended
