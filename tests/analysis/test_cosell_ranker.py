"""The supervised ranker: no look-ahead, beats every topological baseline, fails loudly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecograph import Ecosystem
from ecograph.analysis import cosell_ranker as cr
from ecograph.analysis import coselling as cs
from ecograph.synth import generate_tables


@pytest.fixture(scope="module")
def generated() -> Ecosystem:
    return Ecosystem(generate_tables(partners=120, customers=1500, seed=2)[0])


def test_ranker_beats_the_best_baseline_on_fixtures(ecosystems, bundle_name):
    result = cr.evaluate_pairings(ecosystems[bundle_name])
    assert isinstance(result, cr.PairingEvaluation)
    report = result.scores
    assert report.at[0, "method"] == "ranker"
    best = report.loc[report["method"].isin(cs.SCORES), "roc_auc"].max()
    assert report.at[0, "roc_auc"] > best
    assert result.beats_best_baseline is True
    assert result.split["test_winners"] > 0 and result.split["train_winners"] > 0
    split = cr.temporal_split(ecosystems[bundle_name])
    assert result.split == split.to_dict()


def test_ranker_beats_the_best_baseline_on_generated_data(generated):
    report = cr.evaluate_pairings(generated).scores.set_index("method")
    best = report.loc[list(cs.SCORES), "roc_auc"].max()
    assert report.at["ranker", "roc_auc"] > best
    assert report.at["ranker", "average_precision"] > report.loc[list(cs.SCORES),
                                                                 "average_precision"].max()


def test_temporal_split_trains_strictly_before_it_tests(it_eco):
    split = cr.temporal_split(it_eco)
    assert split.train_as_of < split.cutoff < split.end
    assert split.cutoff - split.train_as_of == split.end - split.cutoff
    won = cr.won_cosell_pairs(it_eco, split.cutoff, split.end)
    assert int(split.test_labels.sum()) + split.missed_positives == len(won)


def test_won_pairs_are_those_closed_after_the_start_day_up_to_the_end_day(it_eco):
    d = it_eco.deals
    wins = d[(d["status"] == "won") & d["cosell_partner"].notna()]
    day = wins["closed"].value_counts().index[0]  # a day several co-sold deals were won

    def by_hand(lo, hi):
        hit = wins[(wins["closed"] > lo) & (wins["closed"] <= hi)]
        return {frozenset(p) for p in zip(hit["partner"], hit["cosell_partner"], strict=True)}

    on_the_day = cr.won_cosell_pairs(it_eco, day - pd.Timedelta(days=1), day)
    assert len(on_the_day) > 1 and on_the_day == by_hand(day - pd.Timedelta(days=1), day)
    after = cr.won_cosell_pairs(it_eco, day, "2026-12-31")  # wins on the start day are excluded
    assert after == by_hand(day, pd.Timestamp("2026-12-31")) and on_the_day.isdisjoint(after)
    assert cr.won_cosell_pairs(it_eco, "2024-12-31", it_eco.reference_date) == by_hand(
        pd.Timestamp("2024-12-31"), it_eco.reference_date)


def _as_known_at(eco: Ecosystem, t: pd.Timestamp) -> Ecosystem:
    """The bundle as it looked at the end of day ``t``: later rows gone, later outcomes unknown."""
    tables = {name: getattr(eco, name).copy() for name in eco.tables}
    d = tables["deals"]
    d = d[d["registered"] <= t].copy()
    later = d["closed"] > t
    d.loc[later, "status"] = "approved"
    d.loc[later, "closed"] = pd.NaT
    tables["deals"] = d
    rel = tables["relationships"]
    tables["relationships"] = rel[(rel["start"].isna() | (rel["start"] <= t))
                                  & (rel["end"].isna() | (rel["end"] >= t))]
    return Ecosystem(tables)


def test_features_at_a_date_do_not_see_the_future(it_eco):
    t = cr.temporal_split(it_eco).train_as_of
    assert (it_eco.deals["registered"] == t).any()  # deals registered on the day itself are known
    full = cs.pair_features(it_eco, as_of=t).sort_values(["a", "b"], ignore_index=True)
    past = cs.pair_features(_as_known_at(it_eco, t), as_of=t).sort_values(["a", "b"],
                                                                           ignore_index=True)
    pd.testing.assert_frame_equal(full, past)
    pd.testing.assert_frame_equal(cs.partner_activity(it_eco, as_of=t),
                                  cs.partner_activity(_as_known_at(it_eco, t), as_of=t))


def test_ranker_refuses_bad_use(it_eco):
    split = cr.temporal_split(it_eco)
    ranker = cr.CosellRanker()
    with pytest.raises(ValueError, match="not fitted"):
        ranker.predict_proba(split.test, split.test_activity)
    with pytest.raises(ValueError, match="both winners and non-winners"):
        ranker.fit(split.train, np.zeros(len(split.train), bool), split.train_activity)
    with pytest.raises(ValueError, match="labels for"):
        ranker.fit(split.train, split.train_labels[:-1], split.train_activity)
    with pytest.raises(ValueError, match="no time after it"):
        cr.temporal_split(it_eco, cutoff="2030-01-01")


def test_structure_only_ranker_ignores_history(it_eco):
    ranker = cr.fit_ranker(it_eco)
    assert set(cr.HISTORY) <= set(ranker.coefficients().index)
    split = cr.temporal_split(it_eco)
    blind = cr.CosellRanker(history=False).fit(split.train, split.train_labels,
                                               split.train_activity)
    assert not set(cr.HISTORY) & set(blind.coefficients().index)
    shuffled = split.test.assign(cosells=~split.test["cosells"], cosold_deals=0)
    assert np.allclose(blind.predict_proba(split.test, split.test_activity),
                       blind.predict_proba(shuffled, split.test_activity))


def test_suggestions_can_be_scored_by_the_ranker(it_eco):
    ranker = cr.fit_ranker(it_eco)
    top = cs.suggest_pairings(it_eco, top=15, ranker=ranker)
    assert top["score"].between(0, 1).all() and top["score"].is_monotonic_decreasing
