"""Weak truths among confounders: each planted fact and decoy is really in the tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ecograph import load_bundle
from ecograph.ecosystem import Ecosystem
from ecograph.errors import ParameterError
from ecograph.synth import generate_bundle
from ecograph.synth.weak import DIFFICULTIES, generate_weak_tables


@pytest.fixture(scope="module", params=["easy", "hard"])
def weak(request):
    tables, truth = generate_weak_tables(partners=170, customers=1200, seed=31, difficulty=request.param)
    return Ecosystem(tables), truth


def _sold(eco: Ecosystem, pid: str) -> set[str]:
    r = eco.relationships
    return set(r.loc[(r["type"] == "sells_to") & (r["source"] == pid), "target"])


def _cosold(eco: Ecosystem, a: str, b: str) -> bool:
    r, d = eco.relationships, eco.deals
    rel = (r["type"] == "co_sells_with") & (((r["source"] == a) & (r["target"] == b))
                                            | ((r["source"] == b) & (r["target"] == a)))
    deal = (((d["partner"] == a) & (d["cosell_partner"] == b))
            | ((d["partner"] == b) & (d["cosell_partner"] == a)))
    return bool(rel.any() or deal.any())


def test_complementary_pairs_are_weak_disjoint_and_never_cosold(weak):
    eco, truth = weak
    level = DIFFICULTIES[truth["difficulty"]]
    caps = eco.partners.set_index("id")["capabilities"]
    assert len(truth["weak"]["complementary_pairs"]) == 4
    for p in truth["weak"]["complementary_pairs"]:
        assert not set(caps[p["a"]]) & set(caps[p["b"]])
        assert len(_sold(eco, p["a"]) & _sold(eco, p["b"])) >= level.complement_shared
        assert not _cosold(eco, p["a"], p["b"])


def test_rival_pairs_are_alike_overlap_more_and_meet_head_to_head(weak):
    eco, truth = weak
    level = DIFFICULTIES[truth["difficulty"]]
    P = eco.partners.set_index("id")
    d = eco.deals
    assert len(truth["weak"]["rival_pairs"]) == level.rivals
    if truth["difficulty"] == "hard":  # the confounders overlap more than the truths
        assert level.rival_shared > 2 * level.complement_shared
    for p in truth["weak"]["rival_pairs"]:
        assert P.at[p["a"], "partner_type"] == P.at[p["b"], "partner_type"]
        assert tuple(P.at[p["a"], "capabilities"]) == tuple(P.at[p["b"], "capabilities"])
        assert len(_sold(eco, p["a"]) & _sold(eco, p["b"])) >= level.rival_shared
        both = d[d["partner"].isin([p["a"], p["b"]])].groupby(["customer", "product"])["partner"].nunique()
        assert (both == 2).sum() >= level.head_to_head
        assert not _cosold(eco, p["a"], p["b"])


def test_rivals_who_cosold_lost_every_cosold_deal(weak):
    eco, truth = weak
    d = eco.deals
    caps = eco.partners.set_index("id")["capabilities"]
    assert len(truth["weak"]["cosold_rival_pairs"]) == DIFFICULTIES[truth["difficulty"]].rivals // 2
    for p in truth["weak"]["cosold_rival_pairs"]:
        assert tuple(caps[p["a"]]) == tuple(caps[p["b"]]) and _cosold(eco, p["a"], p["b"])
        together = d[((d["partner"] == p["a"]) & (d["cosell_partner"] == p["b"]))
                     | ((d["partner"] == p["b"]) & (d["cosell_partner"] == p["a"]))]
        assert len(together) == p["cosold_deals"] and (together["status"] == "lost").all()


def test_tiers_planted_off_and_justified_decoys_have_their_evidence(weak):
    eco, truth = weak
    tiers = ("registered", "silver", "gold", "platinum")
    P = eco.partners.set_index("id")
    for m in truth["weak"]["mis_tiered"]:
        off = tiers.index(m["tier"]) - tiers.index(m["expected_tier"])
        assert P.at[m["id"], "tier"] == m["tier"] and np.sign(off) == (1 if m["direction"] == "over" else -1)
    assert truth["mis_tiered_partner"]["id"] == truth["weak"]["mis_tiered"][0]["id"]
    named = eco.deals["cosell_partner"].value_counts()
    for j in truth["weak"]["justified_tiers"]:
        assert tiers.index(j["tier"]) > tiers.index(j["revenue_tier"])
        assert named.get(j["id"], 0) >= 4 and len(P.at[j["id"], "certifications"]) >= 3


def test_broker_keeps_few_mates_and_weak_ties_cross_regions(weak):
    eco, truth = weak
    level = DIFFICULTIES[truth["difficulty"]]
    r = eco.relationships
    co = r[r["type"] == "co_sells_with"]
    home = eco.partners.set_index("id")["regions"].map(lambda x: x[0])
    b = truth["weak"]["broker"]
    mates = pd.concat([co.loc[co["source"] == b, "target"], co.loc[co["target"] == b, "source"]]).unique()
    assert home.reindex(mates).value_counts().max() <= level.broker_mates
    assert home.reindex(mates).nunique() >= 5
    assert len(truth["weak"]["weak_tie_partners"]) == level.weak_ties
    for x in truth["weak"]["weak_tie_partners"]:
        ends = pd.concat([co.loc[co["source"] == x, "target"], co.loc[co["target"] == x, "source"]])
        assert (home.reindex(ends) != home[x]).any()


def test_generate_bundle_writes_the_weak_truth(tmp_path):
    truth = generate_bundle(tmp_path / "b", partners=60, customers=400, seed=4, difficulty="medium")
    eco = load_bundle(tmp_path / "b")
    written = json.loads((tmp_path / "b" / "truth.json").read_text())
    assert written["difficulty"] == "medium" and written["weak"]["broker"] == truth["weak"]["broker"]
    assert set(eco.partners["id"]) >= {p["a"] for p in written["weak"]["complementary_pairs"]}
    told = (tmp_path / "b" / "TRUTH.md").read_text()
    assert "## Weak signals among confounders (difficulty medium)" in told
    assert all(p["a"] in told for p in written["weak"]["rival_pairs"])


def test_unknown_difficulty_is_refused():
    with pytest.raises(ParameterError, match="difficulty must be one of"):
        generate_weak_tables(partners=60, customers=400, difficulty="brutal")
