"""A supervised co-selling ranker, trained and judged on time.

:class:`CosellRanker` learns which partner pairs go on to **win a co-sold
deal** from the evidence of :func:`~ecograph.analysis.coselling.pair_features`
(overlap counts, topological scores, complementarity, regions, segments,
communities), both partners' activity KPIs and, unless ``history=False``, the
pair's own co-selling history (a co-sell relationship, deals registered
together) as known at the date. The evaluation reports both variants, so the
share of the lift that comes from history rather than structure is visible.

:func:`temporal_split` makes the honest experiment: features are computed
from what was known at a date, labels from what happened after it. Training
uses an earlier date than testing, so the model never sees the test period.
:func:`evaluate_pairings` reports ROC-AUC, average precision and precision@k
of the ranker against every topological baseline on the test period.

>>> from ecograph import load_bundle
>>> evaluation = evaluate_pairings(load_bundle("fixtures/it_ecosystem"))
>>> evaluation.scores["method"].iloc[0], evaluation.beats_best_baseline
('ranker', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..dates import AsOf, timestamp
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from .activity import partner_activity
from .coselling import SCORES, heuristic_score, pair_features

__all__ = ["CosellRanker", "TemporalSplit", "PairingEvaluation", "temporal_split",
           "won_cosell_pairs", "fit_ranker", "evaluate_pairings", "FEATURES", "HISTORY"]

#: Pair evidence the ranker reads (from :func:`pair_features`).
PAIR_FEATURES = ("shared_customers", "a_open_at_b_customers", "b_open_at_a_customers",
                 "shared_prospects", *SCORES, "need_share_complementary", "need_share_covered",
                 "capability_overlap", "region_overlap", "segment_overlap", "same_community",
                 "same_type", "head_to_head", "competition")
#: Partner activity KPIs, taken for both partners as the pair's min and max.
ACTIVITY = ("deals", "won_deals", "win_rate", "won_amount", "accounts", "cosell_partners",
            "cosold_deals", "cosold_won")
#: The pair's own co-selling history (used unless ``history=False``).
HISTORY = ("cosells", "cosold_deals")
#: Every feature column, in model order.
FEATURES = (*PAIR_FEATURES, *(f"{k}_{side}" for k in ACTIVITY for side in ("min", "max")),
            *HISTORY)


def _design(features: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    """The model's feature matrix: pair evidence, min/max of both partners' KPIs,
    and the pair's history."""
    kpi = activity.set_index("id")
    X = features[list(PAIR_FEATURES)].astype(float)
    for k in ACTIVITY:
        a = kpi[k].reindex(features["a"]).to_numpy(dtype=float)
        b = kpi[k].reindex(features["b"]).to_numpy(dtype=float)
        X[f"{k}_min"], X[f"{k}_max"] = np.minimum(a, b), np.maximum(a, b)
    for h in HISTORY:
        X[h] = features[h].astype(float)
    return X[list(FEATURES)]


class CosellRanker:
    """Scores partner pairs by how likely they are to win a co-sold deal.

    A logistic regression (L2, strength ``1/C``) on ``log1p``-scaled,
    standardised :data:`FEATURES` (without :data:`HISTORY` when
    ``history=False``), with balanced class weights (winners are rare). ``fit(features, labels,
    activity)`` takes :func:`pair_features` rows, a boolean label per row, and
    :func:`partner_activity` as of the same date; ``predict_proba`` returns one
    probability per row. Pass the fitted ranker to
    :func:`~ecograph.analysis.coselling.suggest_pairings` (``ranker=``).

    Parameters
    ----------
    C : float, default 0.1
        Inverse regularisation strength of the logistic regression.
    history : bool, default True
        Use the pair's own co-selling history (:data:`HISTORY`) as features.

    Attributes
    ----------
    model_ : sklearn.pipeline.Pipeline
        The fitted scaler and logistic regression (after ``fit``).
    activity_ : pandas.DataFrame
        The partner activity seen in ``fit``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> split = temporal_split(eco)
    >>> ranker = CosellRanker().fit(split.train, split.train_labels, split.train_activity)
    >>> p = ranker.predict_proba(split.test, split.test_activity)
    >>> len(p) == len(split.test) and bool(((p >= 0) & (p <= 1)).all())
    True
    """

    def __init__(self, *, C: float = 0.1, history: bool = True) -> None:
        self.C = C
        self.history = history

    @property
    def features(self) -> list[str]:
        """The feature columns this ranker uses."""
        return [f for f in FEATURES if self.history or f not in HISTORY]

    def _matrix(self, features: pd.DataFrame, activity: pd.DataFrame) -> np.ndarray:
        X = _design(features, activity)[self.features].to_numpy(dtype=float)
        return np.log1p(np.maximum(X, 0.0))

    def fit(self, features: pd.DataFrame, labels, activity: pd.DataFrame) -> CosellRanker:
        """Learn from pairs whose outcome is known.

        Parameters
        ----------
        features : pandas.DataFrame
            :func:`~ecograph.analysis.coselling.pair_features` rows.
        labels : array-like of bool
            One per row: did the pair win a co-sold deal.
        activity : pandas.DataFrame
            :func:`~ecograph.analysis.activity.partner_activity` as of the same date.

        Returns
        -------
        CosellRanker
            ``self``, fitted.

        Raises
        ------
        ParameterError
            When labels and rows differ in number, or the labels are all one class.
        """
        y = np.asarray(labels, dtype=bool)
        if len(y) != len(features):
            raise ParameterError(f"{len(y)} labels for {len(features)} pairs")
        if y.all() or not y.any():
            raise ParameterError("labels need both winners and non-winners to learn from")
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000))
        self.model_.fit(self._matrix(features, activity), y)
        self.activity_ = activity
        return self

    def predict_proba(self, features: pd.DataFrame, activity: pd.DataFrame | None = None
                      ) -> np.ndarray:
        """Probability of a won co-sold deal for each row of ``features``
        (``activity`` defaults to the one seen in ``fit``)."""
        if not hasattr(self, "model_"):
            raise ParameterError("CosellRanker is not fitted yet: call fit() first")
        X = self._matrix(features, self.activity_ if activity is None else activity)
        return self.model_.predict_proba(X)[:, 1]

    def coefficients(self) -> pd.Series:
        """Standardised coefficients per feature, largest effect first."""
        coef = pd.Series(self.model_[-1].coef_[0], index=self.features)
        return coef.reindex(coef.abs().sort_values(ascending=False).index)

    def importances(self) -> pd.DataFrame:
        """What the fitted ranker learned, feature by feature.

        Returns
        -------
        pandas.DataFrame
            Columns: ``feature``, ``coefficient`` (standardised: the change in
            log-odds of a won co-sold deal per standard deviation of the
            ``log1p`` feature), ``importance`` (its share of the sum of absolute
            coefficients) and ``direction`` (``raises`` or ``lowers`` the
            chance); most important first.

        Examples
        --------
        >>> from ecograph import load_bundle
        >>> imp = fit_ranker(load_bundle("fixtures/it_ecosystem")).importances()
        >>> round(float(imp["importance"].sum()), 6), imp.columns.tolist()
        (1.0, ['feature', 'coefficient', 'importance', 'direction'])
        """
        coef = self.coefficients()
        total = float(coef.abs().sum()) or 1.0
        return pd.DataFrame({"feature": coef.index, "coefficient": coef.to_numpy(),
                             "importance": coef.abs().to_numpy() / total,
                             "direction": np.where(coef.to_numpy() < 0, "lowers", "raises")})


def won_cosell_pairs(eco: Ecosystem, start: AsOf, end: AsOf) -> set[frozenset]:
    """Partner pairs with a co-sold deal won (closed) after day ``start``, up to and
    including day ``end``: what happened after an ``as_of=start`` view.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    start, end : str or date
        The days bounding the period ``(start, end]``.

    Returns
    -------
    set of frozenset
        Each pair as a frozenset of two partner ids.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> len(won_cosell_pairs(load_bundle("fixtures/it_ecosystem"), "2024-12-31", "2025-12-31")) > 0
    True
    """
    d = eco.deals
    hit = (d["status"] == "won") & d["cosell_partner"].notna() & \
        (d["closed"] > timestamp(start)) & (d["closed"] <= timestamp(end))
    return {frozenset(p) for p in zip(d.loc[hit, "partner"], d.loc[hit, "cosell_partner"],
                                      strict=True)}


def _labels(features: pd.DataFrame, pairs: set[frozenset]) -> np.ndarray:
    keys = pd.Series([frozenset(p) for p in zip(features["a"], features["b"], strict=True)],
                     dtype=object)
    return keys.isin(pairs).to_numpy()


@dataclass
class TemporalSplit:
    """Training and test pairs for one cut-off (see :func:`temporal_split`).

    Attributes
    ----------
    train_as_of, cutoff, end : pandas.Timestamp
        Training features are as of ``train_as_of``, test features as of
        ``cutoff``; test labels come from ``(cutoff, end]``.
    train, test : pandas.DataFrame
        :func:`~ecograph.analysis.coselling.pair_features` as of
        ``train_as_of`` and ``cutoff``.
    train_labels, test_labels : numpy.ndarray
        Booleans, one per row: the pair won a co-sold deal in the following period.
    train_activity, test_activity : pandas.DataFrame
        :func:`~ecograph.analysis.activity.partner_activity` as of the same dates.
    missed_positives : int
        Test winners with no shared account at the cut-off (no row to score).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> facts = temporal_split(load_bundle("fixtures/it_ecosystem")).to_dict()
    >>> facts["train_as_of"] < facts["cutoff"] < facts["end"]
    True
    """

    train_as_of: pd.Timestamp
    cutoff: pd.Timestamp
    end: pd.Timestamp
    train: pd.DataFrame
    train_labels: np.ndarray
    train_activity: pd.DataFrame
    test: pd.DataFrame
    test_labels: np.ndarray
    test_activity: pd.DataFrame
    missed_positives: int  # test winners with no shared account at the cut-off

    def to_dict(self) -> dict:
        """Dates and counts (no frames), for reports."""
        return {"train_as_of": str(self.train_as_of.date()), "cutoff": str(self.cutoff.date()),
                "end": str(self.end.date()), "train_pairs": len(self.train),
                "train_winners": int(self.train_labels.sum()), "test_pairs": len(self.test),
                "test_winners": int(self.test_labels.sum()),
                "test_winners_without_overlap": self.missed_positives}


def temporal_split(eco: Ecosystem, *, cutoff: AsOf = None,
                   horizon: pd.Timedelta | str | None = None) -> TemporalSplit:
    """Features known at the end of a day, labels from what followed.

    Test: features as of ``cutoff`` (default: two thirds into the span of
    deal closing dates), labels = pairs winning a co-sold deal after it, up to
    ``cutoff + horizon`` (see :func:`won_cosell_pairs`). Train: the same one
    ``horizon`` earlier (features as of ``cutoff − horizon``, labels up to
    ``cutoff``). ``horizon`` defaults to the time from ``cutoff`` to the last
    closing date.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    cutoff : str, datetime.date, pandas.Timestamp or None, default None
        The test features' day; ``None``: two thirds into the span of deal
        closing dates.
    horizon : pandas.Timedelta, str or None, default None
        The length of each label period (e.g. ``"90D"``); ``None``: from
        ``cutoff`` to the last closing date.

    Returns
    -------
    TemporalSplit
        The dates, the train and test pair features, labels and partner activity.

    Raises
    ------
    ParameterError
        When no deal is closed, or ``cutoff`` leaves no time after it.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> split = temporal_split(load_bundle("fixtures/it_ecosystem"), cutoff="2025-09-01")
    >>> str(split.cutoff.date()), int(split.test_labels.sum()) > 0
    ('2025-09-01', True)
    """
    closed = eco.deals["closed"].dropna()
    if closed.empty:
        raise ParameterError("no closed deals: nothing to learn co-selling outcomes from")
    first, last = closed.min(), closed.max()
    t = timestamp(cutoff) if cutoff is not None else (first + (last - first) * 2 / 3).normalize()
    h = pd.Timedelta(horizon) if horizon is not None else last - t
    if h <= pd.Timedelta(0):
        raise ParameterError(f"cutoff {t.date()} leaves no time after it to observe outcomes")
    t0 = t - h
    train = pair_features(eco, as_of=t0)
    test = pair_features(eco, as_of=t)
    won_test = won_cosell_pairs(eco, t, t + h)
    test_labels = _labels(test, won_test)
    return TemporalSplit(t0, t, t + h, train, _labels(train, won_cosell_pairs(eco, t0, t)),
                         partner_activity(eco, as_of=t0), test, test_labels,
                         partner_activity(eco, as_of=t), len(won_test) - int(test_labels.sum()))


def fit_ranker(eco: Ecosystem, *, horizon: pd.Timedelta | str | None = None, C: float = 0.1) -> CosellRanker:
    """A ranker trained on the most recent window; use it to score pairs today.

    Features as of ``last − horizon`` (``last``: the last deal closing date),
    labels = co-sold wins since (``horizon`` defaults to a third of the span of
    deal closing dates).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    horizon : pandas.Timedelta, str or None, default None
        The label window; ``None``: a third of the span of deal closing dates.
    C : float, default 0.1
        Inverse regularisation strength of the ranker.

    Returns
    -------
    CosellRanker
        Fitted (with pair history), ready for
        :func:`~ecograph.analysis.coselling.suggest_pairings` (``ranker=``).

    Raises
    ------
    ParameterError
        When no deal is closed, or the window's labels are all one class.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> ranker = fit_ranker(eco)
    >>> ranker.coefficients().index[0] in FEATURES
    True
    """
    closed = eco.deals["closed"].dropna()
    if closed.empty:
        raise ParameterError("no closed deals: nothing to learn co-selling outcomes from")
    last = closed.max()
    h = pd.Timedelta(horizon) if horizon is not None else (last - closed.min()) / 3
    t0 = (last - h).normalize()
    features = pair_features(eco, as_of=t0)
    labels = _labels(features, won_cosell_pairs(eco, t0, last))
    return CosellRanker(C=C).fit(features, labels, partner_activity(eco, as_of=t0))


def _precision_at(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    order = np.argsort(-scores, kind="stable")[:k]
    return float(labels[order].mean()) if len(order) else float("nan")


@dataclass
class PairingEvaluation:
    """What :func:`evaluate_pairings` found: one row of scores per method, the
    split's dates and counts, and whether the ranker beat every topological score.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> result = evaluate_pairings(load_bundle("fixtures/it_ecosystem"), k=(10,))
    >>> sorted(result.split)[:2]
    ['cutoff', 'end']
    """

    scores: pd.DataFrame
    split: dict
    beats_best_baseline: bool


def evaluate_pairings(eco: Ecosystem, *, cutoff: AsOf = None, horizon=None,
                      k: tuple[int, ...] = (10, 25), C: float = 0.1) -> PairingEvaluation:
    """ROC-AUC, average precision and precision@k on the test period of
    :func:`temporal_split`, for the ranker, the ranker without pair history
    (``ranker_structure_only``), the fit-free heuristic and every topological
    score.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    cutoff : str, date or None
        As for :func:`temporal_split`.
    horizon : str or pandas.Timedelta, optional
        As for :func:`temporal_split`.
    k : tuple of int, default (10, 25)
        The precision@k cut-offs.
    C : float, default 0.1
        Inverse regularisation strength of the ranker.

    Returns
    -------
    PairingEvaluation
        ``scores``: ``method, roc_auc, average_precision, precision_at_<k>``,
        ranker first, then best ROC-AUC first; ``split``: the split's dates and
        counts; ``beats_best_baseline``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> result = evaluate_pairings(load_bundle("fixtures/manufacturing"), k=(10,))
    >>> list(result.scores.columns)
    ['method', 'roc_auc', 'average_precision', 'precision_at_10']
    """
    split = temporal_split(eco, cutoff=cutoff, horizon=horizon)
    y = split.test_labels
    if y.all() or not y.any():
        raise ParameterError("the test period has no co-sold winners among overlapping pairs")
    methods = {}
    for name, history in (("ranker", True), ("ranker_structure_only", False)):
        ranker = CosellRanker(C=C, history=history)
        ranker.fit(split.train, split.train_labels, split.train_activity)
        methods[name] = ranker.predict_proba(split.test, split.test_activity)
    methods["heuristic"] = heuristic_score(split.test)
    methods.update({name: split.test[name].to_numpy(dtype=float) for name in SCORES})
    rows = [{"method": m, "roc_auc": roc_auc_score(y, s), "average_precision":
             average_precision_score(y, s), **{f"precision_at_{n}": _precision_at(s, y, n)
                                               for n in k}} for m, s in methods.items()]
    report = pd.DataFrame(rows)
    report = pd.concat([report.iloc[:1], report.iloc[1:].sort_values("roc_auc", ascending=False)],
                       ignore_index=True)
    best = report.loc[report["method"].isin(SCORES), "roc_auc"].max()
    return PairingEvaluation(report, split.to_dict(), bool(report.at[0, "roc_auc"] > best))
