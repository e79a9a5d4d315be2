"""Comparing snapshots: partner diffs report what changed, nothing changes against itself,
induced changes show across analyses."""

from __future__ import annotations

import pandas as pd

from ecograph import Ecosystem
from ecograph.analysis.assessment import partner_kpis
from ecograph.analysis.changes import CHANGES, compare, diff_snapshots
from ecograph.analysis.snapshots import snapshot

COLUMNS = ["change", "party", "party_name", "before", "after", "detail"]


def _copy(eco: Ecosystem, **changes: pd.DataFrame) -> Ecosystem:
    return Ecosystem({**{n: f.copy() for n, f in eco.tables.items()}, **changes})


# --- diff_snapshots ------------------------------------------------------------------------------

def test_diff_lists_partners_who_joined_in_between(it_eco):
    eco = it_eco
    old, new = snapshot(eco, "2020-12-31"), snapshot(eco, "2021-12-31")
    joined = eco.partners[(eco.partners["joined"] > "2020-12-31") & (eco.partners["joined"] <= "2021-12-31")]
    assert len(joined) > 0
    diff = diff_snapshots(old, new)
    assert list(diff.columns) == COLUMNS
    added = diff[diff["change"] == "partner_added"]
    assert set(added["party"]) == set(joined["id"])
    by_id = joined.set_index("id").loc[added["party"]]
    assert (added["after"].to_numpy() == by_id["tier"].to_numpy()).all()
    assert (added["party_name"].to_numpy() == by_id["name"].to_numpy()).all()
    back = diff_snapshots(new, old)
    removed = back[back["change"] == "partner_removed"]
    assert set(removed["party"]) == set(joined["id"])
    # a partner gone from the newer ecosystem keeps the name the older one gave it
    assert (removed["party_name"].to_numpy() == eco.names(removed["party"]).to_numpy()).all()
    assert "partner_removed" not in set(diff["change"])


def test_diff_reports_tier_moves_and_tier_gaps_opened_and_closed(it_eco, truths):
    eco = it_eco
    planted = truths["it_ecosystem"]["mis_tiered_partner"]["id"]
    top = partner_kpis(eco)["id"].iloc[0]  # the best earner, rightly platinum
    partners = eco.partners.copy()
    partners.loc[partners["id"] == planted, "tier"] = "registered"
    partners.loc[partners["id"] == top, "tier"] = "silver"
    diff = diff_snapshots(eco, _copy(eco, partners=partners))
    moved = diff[diff["change"] == "tier_moved"].set_index("party")
    assert set(moved.index) == {planted, top}
    assert moved.loc[planted, ["before", "after", "detail"]].tolist() == ["platinum", "registered",
                                                                          "down 3 steps"]
    assert moved.loc[top, ["before", "after"]].tolist() == ["platinum", "silver"]
    assert moved["party_name"].to_dict() == eco.partners.set_index("id").loc[moved.index, "name"].to_dict()
    assert diff.loc[diff["change"] == "mis_tiering_resolved", "party"].tolist() == [planted]
    gap = diff[diff["change"] == "newly_mis_tiered"]
    assert gap["party"].tolist() == [top] and gap["after"].iloc[0] == "platinum"
    why = gap["detail"].iloc[0]
    assert why.startswith("silver; evidence puts it") and "under-tiered" in why
    assert not diff["change"].isin(["partner_added", "partner_removed", "recommended_tier_changed"]).any()
    assert diff["change"].tolist() == sorted(diff["change"], key=CHANGES.index)


def test_diff_reports_health_changes_beyond_the_threshold(mfg_eco):
    diff = diff_snapshots(snapshot(mfg_eco, "2025-03-31"), snapshot(mfg_eco, "2025-09-30"), threshold=15)
    health = diff[diff["change"] == "health_changed"]
    assert len(health) > 0
    change = health["after"].astype(float) - health["before"].astype(float)
    assert (change.abs() >= 15 - 0.1).all()
    assert "ecosystem_health_changed" in set(diff["change"])
    company = diff[diff["change"] == "ecosystem_health_changed"]
    assert company[["party", "party_name"]].values.tolist() == mfg_eco.company[["id", "name"]].values.tolist()


# --- compare -------------------------------------------------------------------------------------


def test_an_ecosystem_compared_with_itself_has_no_changes(mfg_eco):
    same = compare(mfg_eco, mfg_eco)
    assert len(same) == 0 and list(same.columns) == COLUMNS


def test_partners_joining_and_gaps_closing_are_listed(mfg_eco):
    old = snapshot(mfg_eco, "2020-12-31")
    changes = compare(old, mfg_eco)
    assert list(changes.columns) == COLUMNS
    joined = mfg_eco.partners[mfg_eco.partners["joined"] > "2020-12-31"]
    added = changes[changes["change"] == "partner_added"]
    assert set(added["party"]) == set(joined["id"])
    assert added.set_index("party")["party_name"].to_dict() == joined.set_index("id")["name"].to_dict()
    risk = changes[changes["change"].str.startswith("bottleneck_")]
    assert len(risk) > 0
    assert risk["party_name"].tolist() == mfg_eco.names(risk["party"]).tolist()
    assert (changes["change"] == "gap_closed").any()


def test_losing_every_capable_partner_opens_a_gap(it_eco, truths):
    gap = truths["it_ecosystem"]["coverage_gap"]
    cells = it_eco.partners
    # drop every partner that serves the gap's region from the newer ecosystem
    gone = set(cells.loc[cells["regions"].map(lambda r: gap["region"] in r), "id"])
    tables = dict(it_eco.tables)
    tables["partners"] = cells[~cells["id"].isin(gone)]
    rel = tables["relationships"]
    tables["relationships"] = rel[~rel["source"].isin(gone) & ~rel["target"].isin(gone)]
    deals = tables["deals"]
    deals = deals[~deals["partner"].isin(gone)].copy()
    deals.loc[deals["cosell_partner"].isin(gone), "cosell_partner"] = None
    tables["deals"] = deals
    m = tables["movements"]
    tables["movements"] = m[~m["from_party"].isin(gone) & ~m["to_party"].isin(gone)]
    tables["audits"] = tables["audits"][~tables["audits"]["party"].isin(gone)]
    changes = compare(it_eco, Ecosystem(tables))
    opened = changes.loc[changes["change"] == "gap_opened", "party"]
    assert opened.str.startswith(gap["region"]).any()
    assert set(changes.loc[changes["change"] == "partner_removed", "party"]) == gone
