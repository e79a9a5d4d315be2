"""Partner segments: k-means on standardised KPIs, and a readable profile per segment.

Segmentation learns state (the number of segments, chosen by silhouette), so
:func:`segment_partners` returns a :class:`Segmentation`: the partners with
their segment, and the evidence for ``k``. Formulas in ``docs/assessment.md``.

>>> from ecograph import load_bundle
>>> from ecograph.analysis.assessment import partner_kpis
>>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), seed=0)
>>> seg.k == int(seg.silhouette.sort_values(["silhouette", "k"], ascending=[False, True])["k"].iloc[0])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["Segmentation", "segment_partners", "segment_profiles", "SEGMENT_FEATURES"]

#: KPIs segmentation clusters on (rates as they are, the others ``log1p``-scaled).
SEGMENT_FEATURES = ("deals", "approval_rate", "win_rate", "won_amount", "customers", "units_deployed",
                    "cosell_partners", "effective_size", "reach", "community_span", "regions",
                    "certifications")
_RATES = ("approval_rate", "win_rate", "reach")
#: Words for a segment's strongest traits: (adjective high, adjective low, noun high, noun low).
_WORDS = {
    "deals": ("high-volume", "low-volume", "registrars", "occasional registrars"),
    "approval_rate": ("well-qualified", "poorly-qualified", "qualifiers", "unqualified registrars"),
    "win_rate": ("high-conversion", "low-conversion", "closers", "non-closers"),
    "won_amount": ("high-revenue", "low-revenue", "earners", "non-earners"),
    "customers": ("broad-coverage", "narrow-coverage", "account builders", "niche sellers"),
    "units_deployed": ("deployment-heavy", "deployment-light", "deployers", "non-deployers"),
    "cosell_partners": ("co-selling", "solo", "co-sellers", "solo sellers"),
    "effective_size": ("well-connected", "isolated", "brokers", "loners"),
    "reach": ("far-reaching", "local", "connectors", "locals"),
    "community_span": ("cross-community", "single-community", "bridgers", "insiders"),
    "regions": ("multi-region", "single-region", "generalists", "regional players"),
    "certifications": ("certified", "uncertified", "specialists", "uncertified partners"),
}

def _standardised(kpis: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """``log1p`` of counts and amounts (rates as they are), then z-scores (constant columns 0)."""
    X = kpis[features].astype(float)
    X = X.fillna(X.median())
    scaled = [c for c in features if c not in _RATES]
    X[scaled] = np.log1p(X[scaled].clip(lower=0))
    sd = X.std(ddof=0)
    return (X - X.mean()) / sd.where(sd > 0, 1.0)


@dataclass(frozen=True)
class Segmentation:
    """Partners in segments, and how the number of segments was chosen.

    ``partners``: the KPI frame with a ``segment`` column after the keys (0 =
    largest segment, ties by smallest member id); ``k``: segments made;
    ``silhouette``: ``k, silhouette`` for every k tried; ``features``: the
    KPIs clustered on; ``seed``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis.assessment import partner_kpis
    >>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), k=3)
    >>> seg.k, seg.partners["segment"].nunique()
    (3, 3)
    """

    partners: pd.DataFrame
    k: int
    silhouette: pd.DataFrame
    features: tuple[str, ...]
    seed: int


def segment_partners(kpis: pd.DataFrame, *, k: int | None = None, seed: int = 0,
                     k_range: range = range(2, 9), features: list[str] | None = None) -> Segmentation:
    """Cluster partners into segments with k-means on standardised KPIs.

    Counts and amounts are ``log1p``-scaled, then every feature is
    standardised. Without ``k``, the k of ``k_range`` (below the number of
    partners) with the best silhouette is chosen, ties to the smaller k.

    Parameters
    ----------
    kpis : pandas.DataFrame
        One row per partner (:func:`~ecograph.analysis.assessment.partner_kpis`).
    k : int, optional
        Number of segments; default: chosen by silhouette.
    seed : int, default 0
        Fixes k-means (10 restarts), so a run is reproducible.
    k_range : range, default range(2, 9)
        The k tried when ``k`` is not given (with fewer than 3 partners: one segment).
    features : list of str, optional
        KPI columns to cluster on; default: :data:`SEGMENT_FEATURES` present in ``kpis``.

    Returns
    -------
    Segmentation

    References
    ----------
    .. [1] P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation
       and validation of cluster analysis", J. Comput. Appl. Math. 20, 1987.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis.assessment import partner_kpis
    >>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), seed=0)
    >>> best = seg.silhouette.sort_values(["silhouette", "k"], ascending=[False, True])
    >>> seg.k == int(best["k"].iloc[0])
    True
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    feats = [f for f in (features or SEGMENT_FEATURES) if f in kpis.columns]
    missing = set(features or ()) - set(feats)
    if missing or not feats:
        raise ParameterError(f"features must be KPI columns of kpis; missing {sorted(missing) or feats}")
    X = _standardised(kpis, feats).to_numpy()
    n = len(X)
    # under 3 partners no two segments can be compared: one segment, rather than an error
    candidates = [k] if k is not None else ([c for c in k_range if 2 <= c < n] or [1][:n])
    if not candidates or (k is not None and not 1 <= k <= n):
        raise ParameterError(f"k must be between 1 and the number of partners ({n}); "
                             f"got k={k}, k_range={k_range}")
    labels, silhouette = {}, {}
    for c in candidates:
        labels[c] = KMeans(n_clusters=c, n_init=10, random_state=seed).fit_predict(X)
        distinct = len(np.unique(labels[c]))
        # exact up to 3,000 partners; a seeded sample of 3,000 beyond (the score is O(n²))
        sample = {"sample_size": 3_000, "random_state": seed} if n > 3_000 else {}
        silhouette[c] = (float(silhouette_score(X, labels[c], **sample)) if 2 <= distinct < n
                         else float("nan"))
    chosen = k if k is not None else max(candidates, key=lambda c: (np.nan_to_num(silhouette[c], nan=-2),
                                                                     -c))
    raw = labels[chosen]
    # Stable ids: largest segment first, ties by the smallest member id.
    first = pd.Series(kpis["id"].astype(str).to_numpy()).groupby(raw).min()
    size = pd.Series(raw).value_counts()
    order = sorted(size.index, key=lambda s: (-size[s], first[s]))
    relabel = {s: i for i, s in enumerate(order)}
    out = kpis.copy()
    keys = [c for c in ("id", "name", "kind") if c in out.columns]
    out.insert(len(keys), "segment", np.array([relabel[s] for s in raw], dtype=np.int64))
    scores = pd.DataFrame({"k": list(silhouette), "silhouette": list(silhouette.values())})
    return Segmentation(out, int(chosen), scores, tuple(feats), seed)


def segment_profiles(segmentation: Segmentation) -> pd.DataFrame:
    """One readable row per segment of a :class:`Segmentation`.

    ``label`` names the segment by its two strongest traits: an adjective from
    the second and a noun from the strongest ("high-volume closers").

    Parameters
    ----------
    segmentation : Segmentation
        From :func:`segment_partners`.

    Returns
    -------
    pandas.DataFrame
        ``segment, label, size, share, dominant_type, dominant_type_share,
        traits`` (the three features furthest from the average, in standard
        deviations), then the segment's median of every feature; segment order.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis.assessment import partner_kpis
    >>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), k=3)
    >>> profiles = segment_profiles(seg)
    >>> len(profiles), int(profiles["size"].sum()) == len(seg.partners)
    (3, True)
    """
    segmented = segmentation.partners
    feats = list(segmentation.features)
    Z = _standardised(segmented, feats).groupby(segmented["segment"].to_numpy()).mean()
    g = segmented.groupby("segment")
    out = pd.DataFrame({"size": g.size()})
    out["share"] = out["size"] / len(segmented)
    types = segmented.groupby("segment")["partner_type"]
    out["dominant_type"] = types.agg(lambda s: s.value_counts().index[0])
    out["dominant_type_share"] = types.agg(lambda s: s.value_counts().iloc[0] / len(s))
    labels, traits, used = [], [], set()
    for seg, z in Z.iterrows():
        top = z.abs().sort_values(ascending=False, kind="stable").index
        words = [_WORDS.get(f, (f"high-{f}", f"low-{f}", f"high {f}", f"low {f}")) for f in top[:3]]
        hi = [z[f] >= 0 for f in top[:3]]
        noun = words[0][2] if hi[0] else words[0][3]
        adj = (words[1][0] if hi[1] else words[1][1]) if len(words) > 1 else ""
        label = f"{adj} {noun}".strip()
        if label in used:
            label = f"{label} ({seg})"
        used.add(label)
        labels.append(label)
        traits.append(", ".join(f"{f} {z[f]:+.1f} sd" for f in top[:3]))
    out["label"], out["traits"] = labels, traits
    out = out.join(g[feats].median())
    first = ["label", "size", "share", "dominant_type", "dominant_type_share", "traits"]
    return out[first + feats].rename_axis("segment").reset_index()
