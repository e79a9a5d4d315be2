"""Who serves whom and which edges carry goods: the ties tables equal brute-force
counts from the relationships and deals tables."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from ecograph import load_tables, view
from ecograph.ties import live_relationships, partner_accounts, supply_edges

COUNTS = ["relationships", "volume", "deals", "closed_deals", "won_deals", "won_amount",
          "open_deals"]


def _brute_force_accounts(eco, day: pd.Timestamp) -> dict:
    """Tie counts per (partner, customer), one table row at a time."""
    partners = set(eco.partners["id"])
    ties: dict = {}

    def tie(p, c):
        return ties.setdefault((p, c), dict.fromkeys(COUNTS, 0))

    for r in eco.relationships.itertuples(index=False):
        started = pd.isna(r.start) or r.start <= day
        ended = pd.notna(r.end) and r.end < day
        if r.type == "sells_to" and r.source in partners and started and not ended:
            t = tie(r.source, r.target)
            t["relationships"] += 1
            t["volume"] += 0.0 if pd.isna(r.volume) else r.volume
    for d in eco.deals.itertuples(index=False):
        if d.registered > day:
            continue
        t = tie(d.partner, d.customer)
        t["deals"] += 1
        closed = pd.notna(d.closed) and d.closed <= day
        t["closed_deals"] += closed
        t["open_deals"] += not closed
        if closed and d.status == "won":
            t["won_deals"] += 1
            t["won_amount"] += 0.0 if pd.isna(d.amount) else d.amount
    for t in ties.values():
        t["serves"] = t["relationships"] > 0 or t["won_deals"] > 0
    return ties


def _as_dict(frame: pd.DataFrame) -> dict:
    return {(r["partner"], r["customer"]): {k: r[k] for k in [*COUNTS, "serves"]}
            for r in frame.to_dict("records")}


@pytest.mark.parametrize("as_of", [None, "2024-06-30", "2025-06-30"])
def test_partner_accounts_equal_a_brute_force_count(it_eco, as_of):
    day = it_eco.reference_date if as_of is None else pd.Timestamp(as_of)
    ties = partner_accounts(it_eco, as_of=as_of)
    assert not ties.duplicated(["partner", "customer"]).any()
    ours, expected = _as_dict(ties), _brute_force_accounts(it_eco, day)
    assert ours.keys() == expected.keys()
    for pair, counts in expected.items():
        assert ours[pair] == pytest.approx(counts), pair
    if as_of is not None:  # the day matters: earlier days see fewer ties
        assert len(ties) < len(partner_accounts(it_eco))


def test_partner_accounts_as_of_the_reference_date_is_the_default(it_eco):
    pd.testing.assert_frame_equal(partner_accounts(it_eco),
                                  partner_accounts(it_eco, as_of=it_eco.reference_date))


def test_serves_is_exactly_sells_to_in_force_or_a_won_deal(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    ties = partner_accounts(eco)
    rel = live_relationships(eco)
    sells = rel[rel["type"] == "sells_to"]
    won = eco.deals[eco.deals["status"] == "won"]
    served = set(zip(sells["source"], sells["target"], strict=True)) | set(
        zip(won["partner"], won["customer"], strict=True))
    assert set(zip(ties.loc[ties["serves"], "partner"], ties.loc[ties["serves"], "customer"],
                   strict=True)) == served
    # some ties are deals only, never won: a tie, but not served
    assert (~ties["serves"]).sum() > 0
    # the bipartite view has an edge per tie, served or not
    G = view(eco, "bipartite")
    assert G.number_of_edges() == len(ties)
    assert all(G.has_edge(p, c) for p, c in zip(ties["partner"], ties["customer"], strict=True))


def _key(frame: pd.DataFrame) -> Counter:
    rows = frame[["source", "target", "type", "sku", "volume"]].astype(object)
    return Counter(tuple(None if pd.isna(x) else x for x in row) for row in rows.to_numpy())


def test_supply_edges_equal_a_hand_filter_of_relationships(ecosystems, bundle_name):
    eco = ecosystems[bundle_name]
    rel, day = eco.relationships, eco.reference_date
    live = rel[~(rel["start"] > day) & ~(rel["end"] < day)]
    forward = live[(live["type"] == "supplies")
                   | ((live["type"] == "sells_to") & (live["sku"].notna() | live["volume"].notna()))]
    back = live[live["type"] == "distributes_for"].rename(columns={"source": "target",
                                                                  "target": "source"})
    edges = supply_edges(eco)
    assert list(edges.columns) == ["source", "target", "type", "sku", "volume", "capacity"]
    assert _key(edges) == _key(pd.concat([forward, back])) and len(edges) > 0
    # the hand filter left pure services out, and the library agrees
    services = live[(live["type"] == "sells_to") & live["sku"].isna() & live["volume"].isna()]
    assert len(services) > 0 and set(edges["type"]) == {"supplies", "sells_to", "distributes_for"}


def test_ended_relationships_leave_the_ties_and_the_goods_path(mfg_eco):
    tables = dict(mfg_eco.tables)
    rel = tables["relationships"]
    sells = rel.index[(rel["type"] == "sells_to") & rel["sku"].notna()][:5]
    supplies = rel.index[rel["type"] == "supplies"][:3]
    ended = sells.append(supplies)
    last = pd.Timestamp("2025-01-31")
    tables["relationships"] = rel.assign(end=rel["end"].where(~rel.index.isin(ended), last))
    eco = load_tables(tables)
    assert eco.reference_date == mfg_eco.reference_date > last
    assert len(live_relationships(eco)) == len(rel) - len(ended)
    assert len(supply_edges(eco)) == len(supply_edges(mfg_eco)) - len(ended)
    # in force on their last day, gone after it
    before = _as_dict(partner_accounts(eco, as_of=last))
    after = _as_dict(partner_accounts(eco))
    gone = Counter(zip(rel.loc[sells, "source"], rel.loc[sells, "target"], strict=True))
    for pair, n in gone.items():
        left = after[pair]["relationships"] if pair in after else 0
        assert left == before[pair]["relationships"] - n
    expected = _brute_force_accounts(eco, eco.reference_date)
    assert after.keys() == expected.keys()
    assert all(after[pair] == pytest.approx(counts) for pair, counts in expected.items())
