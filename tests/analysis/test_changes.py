"""Comparing snapshots across analyses: nothing changes against itself; induced changes show."""

from __future__ import annotations

from ecograph import Ecosystem
from ecograph.analysis.changes import compare
from ecograph.analysis.snapshots import snapshot


def test_an_ecosystem_compared_with_itself_has_no_changes(mfg_eco):
    assert len(compare(mfg_eco, mfg_eco)) == 0


def test_partners_joining_and_gaps_closing_are_listed(mfg_eco):
    old = snapshot(mfg_eco, "2021-01-01")
    changes = compare(old, mfg_eco)
    joined = mfg_eco.partners.loc[mfg_eco.partners["joined"] >= "2021-01-01", "id"]
    assert set(changes.loc[changes["change"] == "partner_added", "party"]) == set(joined)
    assert (changes["change"] == "gap_closed").any()


def test_losing_every_capable_partner_opens_a_gap(it_eco, truths):
    gap = truths["it_ecosystem"]["coverage_gap"]
    cells = it_eco.partners
    # drop every partner that serves the gap's region from the newer ecosystem
    gone = set(cells.loc[cells["regions"].map(lambda r: gap["region"] in r), "id"])
    tables = {name: frame.copy() for name, frame in it_eco.tables.items()}
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
