"""Snapshots never see the future and keep everything up to their date."""

from __future__ import annotations

import pandas as pd
import pytest

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


def test_without_a_date_only_ended_relationships_are_dropped(fixtures_dir):
    import ecograph

    eco = ecograph.load_bundle(fixtures_dir / "tiny")
    assert eco.relationships["end"].notna().any()  # the tiny bundle has an ended co-selling
    live = in_force(eco, None)
    assert reference_date(eco) > eco.relationships["start"].max()
    assert len(live.relationships) == eco.relationships["end"].isna().sum() + (
        eco.relationships["end"] >= reference_date(eco)).sum()
    assert live.deals.equals(eco.deals)
