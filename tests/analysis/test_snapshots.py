"""Snapshots never see the future and keep everything up to their date."""

from __future__ import annotations

import pandas as pd
import pytest

import ecograph
from ecograph.analysis.snapshots import in_force, reference_date, snapshot


@pytest.mark.parametrize("as_of", ["2021-06-01", "2025-07-01"])
def test_snapshot_contains_nothing_dated_after_it(ecosystems, as_of):
    eco = ecosystems["it_ecosystem"]
    t = pd.Timestamp(as_of)
    snap = snapshot(eco, as_of)
    d, r, p = snap.deals, snap.relationships, snap.partners
    assert (d["registered"] < t).all() and (d["closed"].isna() | (d["closed"] < t)).all()
    assert d.loc[d["status"].isin(["won", "lost"]), "closed"].notna().all()
    assert (r["start"].isna() | (r["start"] < t)).all() and r["end"].isna().all()
    assert (p["joined"] < t).all() and (snap.movements["date"] < t).all() and (snap.audits["date"] < t).all()
    ids = set(p["id"])
    assert set(d["partner"]) <= ids and set(d["cosell_partner"].dropna()) <= ids
    ends = pd.concat([r["source"], r["target"]])
    assert ends[ends.isin(eco.partners["id"])].isin(ids).all()
    reset = eco.deals[(eco.deals["registered"] < t) & (eco.deals["closed"] >= t)]
    assert (snap.deals.set_index("id").loc[reset["id"], "status"] == "approved").all()
    assert len(eco.deals) == len(snapshot(eco, "2026-06-01").deals)


def test_without_a_date_the_bundle_is_read_the_day_after_its_last_event(fixtures_dir):
    eco = ecograph.load_bundle(fixtures_dir / "tiny")
    dates = pd.concat([eco.deals["registered"], eco.deals["closed"], eco.relationships["start"],
                       eco.movements["date"], eco.audits["date"], eco.partners["joined"]])
    day = reference_date(eco)
    assert day == dates.max() + pd.Timedelta(days=1)
    live = in_force(eco, None)
    assert live.relationships.equals(snapshot(eco, day).relationships)
    ended = ecograph.Ecosystem({**eco.tables, "relationships": eco.relationships.assign(
        end=pd.Timestamp("2024-06-01"))})  # every tie ended before the last event
    assert in_force(ended, None).relationships["id"].tolist() == []
    unended = ecograph.Ecosystem({**eco.tables, "relationships": eco.relationships.assign(end=pd.NaT)})
    assert in_force(unended, None) is unended
