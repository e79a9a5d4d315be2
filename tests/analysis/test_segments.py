"""Partner segments: reproducible, k chosen by the silhouette it reports, obvious groups found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from ecograph.analysis.assessment import partner_kpis
from ecograph.analysis.segments import SEGMENT_FEATURES, Segmentation, segment_partners, segment_profiles
from ecograph.errors import ParameterError


@pytest.fixture(scope="module")
def kpis(it_eco) -> pd.DataFrame:
    return partner_kpis(it_eco)


def test_segmentation_is_reproducible_and_k_maximises_the_silhouette(kpis, it_eco):
    one = segment_partners(kpis, seed=3)
    two = segment_partners(kpis, seed=3)
    assert isinstance(one, Segmentation) and (one.seed, one.features) == (3, SEGMENT_FEATURES)
    assert one.partners["segment"].tolist() == two.partners["segment"].tolist()
    sil = one.silhouette
    assert list(sil.columns) == ["k", "silhouette"]
    assert sil["k"].tolist() == list(range(2, 9))  # one row per k tried
    assert sil["silhouette"].between(-1, 1).all()
    best = sil.sort_values(["silhouette", "k"], ascending=[False, True])["k"].iloc[0]
    assert one.k == best == one.partners["segment"].nunique()
    # the partners frame is the KPI frame with the segment beside the keys
    assert list(one.partners.columns[:4]) == ["id", "name", "kind", "segment"]
    pd.testing.assert_frame_equal(one.partners.drop(columns="segment"), kpis)
    names = it_eco.partners.set_index("id")["name"]
    assert one.partners.set_index("id")["name"].to_dict() == names.to_dict()
    sizes = one.partners["segment"].value_counts().sort_index()
    assert sizes.is_monotonic_decreasing  # segment 0 is the largest
    given = segment_partners(kpis, k=4, seed=3)
    assert given.partners["segment"].nunique() == 4 and given.k == 4
    assert given.silhouette["k"].tolist() == [4]  # only the k asked for is tried
    profiles = segment_profiles(given)
    assert profiles["segment"].tolist() == [0, 1, 2, 3]
    assert profiles["size"].sum() == len(kpis) and profiles["label"].is_unique
    assert profiles["dominant_type"].isin(kpis["partner_type"]).all()
    medians = given.partners.groupby("segment")["won_amount"].median()
    assert profiles["won_amount"].tolist() == medians.tolist()


def test_segmentation_recovers_two_obvious_groups_and_names_them():
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"deals": rng.integers(80, 100, 12), "won_amount": rng.uniform(9e5, 1e6, 12)})
    small = pd.DataFrame({"deals": rng.integers(0, 3, 18), "won_amount": rng.uniform(0, 1e3, 18)})
    kpis = pd.concat([big, small], ignore_index=True)
    kpis.insert(0, "id", [f"P{i:02d}" for i in range(30)])
    kpis["partner_type"] = ["msp"] * 12 + ["reseller"] * 18
    seg = segment_partners(kpis, features=["deals", "won_amount"], k_range=range(2, 6))
    assert seg.k == 2 and seg.features == ("deals", "won_amount")
    assert seg.partners["segment"].tolist() == [1] * 12 + [0] * 18  # the larger group is segment 0
    # the reported silhouette is sklearn's on the log1p-scaled, standardised features
    X = np.log1p(kpis[["deals", "won_amount"]].to_numpy(dtype=float))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    score = seg.silhouette.set_index("k").at[2, "silhouette"]
    assert score == pytest.approx(silhouette_score(X, seg.partners["segment"]))
    assert seg.silhouette["k"].tolist() == [2, 3, 4, 5] and score == seg.silhouette["silhouette"].max()
    profile = segment_profiles(seg).set_index("segment")
    assert profile.loc[1, "label"] in {"high-volume earners", "high-revenue registrars"}
    assert profile.loc[1, "dominant_type"] == "msp" and profile.loc[1, "dominant_type_share"] == 1.0
    with pytest.raises(ParameterError, match="features"):
        segment_partners(kpis, features=["no_such_kpi"])
