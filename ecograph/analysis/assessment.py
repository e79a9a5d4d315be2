"""Partner ecosystem assessment: per-partner KPIs, segments, health scores and
tier recommendations.

Everything reads an :class:`~ecograph.Ecosystem` (or a KPI frame made from one)
**as of a date**: every function taking an ecosystem and ``as_of`` reads
:func:`~ecograph.analysis.snapshots.snapshot` (without ``as_of``: the bundle as
it stands, ended relationships left out). :func:`diff_snapshots` lists what
changed between two snapshots. Formulas, weights and the tier rule are in
``docs/assessment.md``; the MICMAC influence map is :mod:`.micmac`.

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/it_ecosystem")
>>> tiers = recommend_tiers(partner_kpis(eco))
>>> tiers.loc[tiers["direction"] == "over", "id"].iloc[0]   # the planted mis-tiered partner
'P00011'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import ledger
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..frames import isin
from ._common import adjacency, gini, node_ids
from .activity import partner_activity
from .brokerage import brokerage
from .centrality import two_step_reach
from .communities import detect_communities
from .snapshots import in_force

__all__ = ["partner_kpis", "segment_partners", "segment_profiles", "partner_health",
           "EcosystemHealth", "ecosystem_health", "recommend_tiers", "diff_snapshots", "CHANGES",
           "TIERS", "TIER_CUTS", "HEALTH_WEIGHTS", "ECOSYSTEM_WEIGHTS", "SEGMENT_FEATURES"]

#: Partner tiers, lowest first.
TIERS = ("registered", "silver", "gold", "platinum")
#: Tier cuts, as the generator assigns tiers: a partner earns a tier when the share of
#: partners ranked at or below it exceeds the cut (top 10% platinum, next 20% gold,
#: next 30% silver, the rest registered).
TIER_CUTS = {"platinum": 0.9, "gold": 0.7, "silver": 0.4}
#: Weights of the partner health score (percentile ranks of these KPIs).
HEALTH_WEIGHTS = {"won_amount": 0.30, "win_rate": 0.20, "deals": 0.15, "customers": 0.15,
                  "cosell_partners": 0.10, "units_deployed": 0.10}
#: Weights of the ecosystem health score (components in [0, 1]).
ECOSYSTEM_WEIGHTS = {"active_share": 0.25, "coverage_share": 0.20, "revenue_spread": 0.15,
                     "cosell_participation": 0.15, "win_rate": 0.15, "tier_alignment": 0.10}
#: KPIs segmentation clusters on (rates as they are, the others ``log1p``-scaled).
SEGMENT_FEATURES = ("deals", "approval_rate", "win_rate", "won_amount", "customers", "units_deployed",
                    "cosell_partners", "effective_size", "reach", "community_span", "regions",
                    "certifications")
_RATES = ("approval_rate", "win_rate", "reach")
_APPROVED = ("approved", "won", "lost")  # a deal that closed went through approval
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


# --- KPIs --------------------------------------------------------------------------------------

def _served(eco: Ecosystem) -> pd.DataFrame:
    """``partner, customer`` pairs: a sells_to relationship or a won deal (as in co-selling)."""
    rel = eco.relationships
    sells = rel[(rel["type"] == "sells_to") & isin(rel["source"], eco.partners["id"])]
    won = eco.deals[eco.deals["status"] == "won"]
    return pd.DataFrame({"partner": pd.concat([sells["source"], won["partner"]]),
                         "customer": pd.concat([sells["target"], won["customer"]])}).drop_duplicates()


def _network_position(eco: Ecosystem, ids: pd.Index,
                      communities: pd.DataFrame | None) -> pd.DataFrame:
    """Brokerage on the co-sell view; reach and community span on the partner–customer view."""
    b = brokerage(eco.view("cosell")).set_index("id").reindex(ids)
    G = eco.view("bipartite")
    partners = ids[isin(ids, node_ids(G))]
    reach = two_step_reach(G, nodes=partners).set_index("id")["reach_share"].reindex(ids)
    if communities is None:
        communities = detect_communities(G, seed=0)
    parts = communities.set_index("id")["community"]
    order = node_ids(G)
    codes = parts.reindex(order).to_numpy()
    A = adjacency(G)
    A.data[:] = 1.0
    n, k = len(order), int(codes.max()) + 1 if len(codes) else 0
    C = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    span = pd.Series(np.asarray(((A @ C) > 0).sum(axis=1)).ravel(), index=order.to_numpy())
    return pd.DataFrame({
        # Without co-sell contacts: no effective size, and the constraint of a single contact.
        "effective_size": b["effective_size"].fillna(0.0), "constraint": b["constraint"].fillna(1.0),
        "reach": reach.fillna(0.0), "community_span": span.reindex(ids, fill_value=0)}, index=ids)


def _count(cell) -> int:
    return len(cell) if isinstance(cell, tuple | list) else 0


def partner_kpis(eco: Ecosystem, *, as_of=None,
                 communities: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per partner: what it is, what it did, and where it sits in the network.

    With ``as_of`` everything is computed on :func:`snapshot` ``(eco, as_of)``.

    Columns: ``id, partner_type, tier, region`` (home), ``regions`` and
    ``certifications`` (counts), ``deals`` registered, ``approval_rate``
    (smoothed share that reached approval: ``(approved + won + lost + 1) /
    (deals + 2)``), ``won_deals``, ``win_rate`` (``(won + 1) / (won + lost + 2)``),
    ``won_amount``, ``accounts`` (customers with a deal registration),
    ``customers`` (served: a ``sells_to`` relationship or a won deal),
    ``units_deployed`` (``deploy`` movements out of the partner, counted SKUs
    only: kg and pumps do not add up), ``deployments`` (deploy movements, any
    SKU), ``cosell_partners``, ``cosold_deals``, ``cosold_won``, and network
    position: ``effective_size`` and ``constraint`` (Burt, unweighted co-sell
    view; without contacts 0 and 1), ``reach`` (two-step reach share on the
    partner–customer view), ``community_span`` (distinct Leiden communities,
    seed 0, among the partner's customers on that view). Highest ``won_amount``
    first; ``attrs["as_of"]`` is the date or ``None``. ``communities`` (a
    :func:`~ecograph.analysis.communities.detect_communities` frame of
    ``eco.view("bipartite")``) saves detecting them again; it is ignored when
    ``as_of`` or ended relationships make the view a different graph.

    >>> from ecograph import load_bundle
    >>> kpis = partner_kpis(load_bundle("fixtures/it_ecosystem"), as_of="2025-07-01")
    >>> list(kpis.columns[:6])
    ['id', 'partner_type', 'tier', 'region', 'regions', 'certifications']
    >>> bool(kpis["won_amount"].is_monotonic_decreasing)
    True
    """
    live = in_force(eco, as_of)
    if live is not eco:
        communities = None  # a different graph: partition it afresh
    eco = live
    p = eco.partners
    ids = pd.Index(p["id"], name="id")
    act = partner_activity(eco).set_index("partner").reindex(ids)
    d = eco.deals
    approved = d["status"].isin(_APPROVED).groupby(d["partner"]).sum().reindex(ids, fill_value=0)
    served = _served(eco).groupby("partner").size().reindex(ids, fill_value=0)
    m = eco.movements
    deploys = m[(m["kind"] == "deploy") & isin(m["from_party"], ids)]
    counted = eco.asset_classes.loc[eco.asset_classes["counted"].fillna(False).astype(bool), "sku"]
    legs = ledger.entries(deploys[isin(deploys["sku"], counted)])
    out = legs[legs["units"] < 0]
    units = (-out["units"]).groupby(out["party"]).sum().reindex(ids, fill_value=0.0)
    frame = pd.DataFrame({
        "partner_type": p["partner_type"].to_numpy(), "tier": p["tier"].to_numpy(),
        "region": p["regions"].map(lambda r: r[0] if len(r) else None).to_numpy(),
        "regions": p["regions"].map(_count).to_numpy(dtype=np.int64),
        "certifications": p["certifications"].map(_count).to_numpy(dtype=np.int64),
        "deals": act["deals"], "approval_rate": (approved + 1) / (act["deals"] + 2),
        "won_deals": act["won_deals"], "win_rate": act["win_rate"], "won_amount": act["won_amount"],
        "accounts": act["accounts"], "customers": served,
        "units_deployed": units, "deployments": deploys.groupby("from_party").size()
        .reindex(ids, fill_value=0),
        "cosell_partners": act["cosell_partners"], "cosold_deals": act["cosold_deals"],
        "cosold_won": act["cosold_won"]}, index=ids)
    frame = frame.join(_network_position(eco, ids, communities)).reset_index()
    frame = frame.sort_values(["won_amount", "id"], ascending=[False, True], ignore_index=True)
    frame.attrs["as_of"] = None if as_of is None else str(pd.Timestamp(as_of).date())
    return frame


# --- segments ----------------------------------------------------------------------------------

def _standardised(kpis: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """``log1p`` of counts and amounts (rates as they are), then z-scores (constant columns 0)."""
    X = kpis[features].astype(float)
    X = X.fillna(X.median())
    scaled = [c for c in features if c not in _RATES]
    X[scaled] = np.log1p(X[scaled].clip(lower=0))
    sd = X.std(ddof=0)
    return (X - X.mean()) / sd.where(sd > 0, 1.0)


def segment_partners(kpis: pd.DataFrame, *, k: int | None = None, seed: int = 0,
                     k_range: range = range(2, 9), features: list[str] | None = None) -> pd.DataFrame:
    """Cluster partners into segments with k-means on standardised KPIs.

    ``features`` default to :data:`SEGMENT_FEATURES` present in ``kpis``;
    counts and amounts are ``log1p``-scaled, then every feature is
    standardised. Without ``k``, the k of ``k_range`` (below the number of
    partners) with the best silhouette is chosen, ties to the smaller k.
    ``seed`` fixes k-means (10 restarts), so a run is reproducible.

    Returns ``kpis`` with a ``segment`` column after ``id`` (0 = largest
    segment, ties by smallest member id); ``attrs``: ``k``, ``silhouette``
    (``{k: score}``), ``features``, ``seed``.

    >>> from ecograph import load_bundle
    >>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), seed=0)
    >>> seg.attrs["k"] == max(seg.attrs["silhouette"], key=seg.attrs["silhouette"].get)
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
    candidates = [k] if k is not None else [c for c in k_range if 2 <= c < n]
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
    out.insert(1, "segment", np.array([relabel[s] for s in raw], dtype=np.int64))
    out.attrs.update(k=int(chosen), silhouette=silhouette, features=feats, seed=seed)
    return out


def segment_profiles(segmented: pd.DataFrame) -> pd.DataFrame:
    """One readable row per segment of :func:`segment_partners`.

    Columns: ``segment, label, size, share, dominant_type, dominant_type_share,
    traits`` (the three features furthest from the average, in standard
    deviations), then the segment's median of every feature. ``label`` names
    the segment by its two strongest traits: an adjective from the second and
    a noun from the strongest ("high-volume closers"). Segment order.

    >>> from ecograph import load_bundle
    >>> seg = segment_partners(partner_kpis(load_bundle("fixtures/it_ecosystem")), k=3)
    >>> profiles = segment_profiles(seg)
    >>> len(profiles), int(profiles["size"].sum()) == len(seg)
    (3, True)
    """
    feats = [f for f in segmented.attrs.get("features", SEGMENT_FEATURES) if f in segmented.columns]
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


# --- health ------------------------------------------------------------------------------------

def _beats(values: pd.Series) -> pd.Series:
    """Share of the other partners a partner strictly outperforms, in [0, 1]."""
    n = len(values)
    return ((values.fillna(values.min()).rank(method="min") - 1) / max(n - 1, 1)).fillna(0.0)


def partner_health(kpis: pd.DataFrame, *, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """A 0–100 health score per partner from percentile ranks of a few KPIs.

    ``health = 100 · Σ_k w_k · pct_k / Σ_k w_k`` where ``pct_k`` is the share
    of the other partners whose KPI ``k`` is strictly lower (ties share the
    lower rank, so a partner that did nothing scores 0 on that KPI) and the
    weights ``w`` default to :data:`HEALTH_WEIGHTS` (revenue won 0.30, win
    rate 0.20, deals 0.15, customers 0.15, co-sell partners 0.10, units
    deployed 0.10). Relative: it ranks partners within ``kpis``. Raising one
    KPI of one partner never lowers its score.

    Columns: ``id, health``, one ``<kpi>_pct`` per weighted KPI, then
    ``partner_type, tier`` when present; healthiest first.

    >>> from ecograph import load_bundle
    >>> health = partner_health(partner_kpis(load_bundle("fixtures/it_ecosystem")))
    >>> bool(health["health"].between(0, 100).all()), list(health.columns[:3])
    (True, ['id', 'health', 'won_amount_pct'])
    """
    w = dict(HEALTH_WEIGHTS if weights is None else weights)
    bad = [c for c in w if c not in kpis.columns]
    if bad or not w or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ParameterError(f"weights must be non-negative, not all zero, and name KPI columns of kpis; "
                             f"got {w}")
    pct = pd.DataFrame({f"{c}_pct": _beats(kpis[c]) for c in w}, index=kpis.index)
    health = 100 * sum(w[c] * pct[f"{c}_pct"] for c in w) / sum(w.values())
    out = pd.concat([kpis[["id"]], health.rename("health"), pct,
                     kpis[[c for c in ("partner_type", "tier") if c in kpis.columns]]], axis=1)
    return out.sort_values(["health", "id"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class EcosystemHealth:
    """The ecosystem health score (0–100) and its components (each in [0, 1]).

    ``score = 100 · Σ ECOSYSTEM_WEIGHTS[c] · c`` over ``active_share``,
    ``coverage_share``, ``revenue_spread`` (``1 − revenue_gini``),
    ``cosell_participation``, ``win_rate`` and ``tier_alignment``;
    ``revenue_hhi`` and ``cosell_density`` are reported, not scored.

    >>> from ecograph import load_bundle
    >>> h = ecosystem_health(load_bundle("fixtures/tiny"))
    >>> 0 <= h.score <= 100, h.partners
    (True, 3)
    """

    score: float
    partners: int
    active_share: float
    coverage_share: float
    revenue_spread: float
    revenue_gini: float
    revenue_hhi: float
    cosell_participation: float
    cosell_density: float
    win_rate: float
    tier_alignment: float

    def to_dict(self) -> dict:
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row, one column per field."""
        return pd.DataFrame([asdict(self)])


def ecosystem_health(eco: Ecosystem, *, kpis: pd.DataFrame | None = None,
                     as_of=None) -> EcosystemHealth:
    """How healthy the whole ecosystem is, as one score with its components.

    - ``active_share``: partners that registered a deal or sent units (any movement);
    - ``coverage_share``: accounts of status ``customer`` served by a partner
      (a ``sells_to`` relationship or a won deal);
    - ``revenue_spread``: ``1 − Gini`` of revenue won over partners (0 when
      nothing was won); ``revenue_hhi`` is ``Σ share²``;
    - ``cosell_participation``: partners with at least one co-sell partner;
      ``cosell_density`` is the density of the co-sell view;
    - ``win_rate``: won over closed deals (0.5 when none closed);
    - ``tier_alignment``: partners whose tier matches :func:`recommend_tiers`.

    ``kpis`` (from :func:`partner_kpis` on the same ecosystem and date) saves
    recomputing them; with ``as_of`` the ecosystem is a :func:`snapshot` first.

    >>> from ecograph import load_bundle
    >>> h = ecosystem_health(load_bundle("fixtures/it_ecosystem"))
    >>> round(h.score, 1) == round(100 * sum(w * getattr(h, c) for c, w in ECOSYSTEM_WEIGHTS.items()), 1)
    True
    """
    eco = in_force(eco, as_of)
    kpis = partner_kpis(eco) if kpis is None else kpis
    ids = kpis["id"]
    n = len(ids)
    senders = isin(ids, eco.deals["partner"]) | isin(ids, eco.movements["from_party"])
    active = float(senders.mean()) if n else 0.0
    buyers = eco.customers.loc[eco.customers["status"] == "customer", "id"]
    served = isin(buyers, _served(eco)["customer"]).mean() if len(buyers) else 0.0
    won = kpis["won_amount"].to_numpy(dtype=float)
    total = won.sum()
    revenue_gini = gini(won, degenerate=1.0)  # nothing earned: as concentrated as it gets
    hhi = float(np.sum((won / total) ** 2)) if total > 0 else 1.0
    status = eco.deals["status"]
    closed = int(status.isin(["won", "lost"]).sum())
    win = float((status == "won").sum() / closed) if closed else 0.5
    tiers = recommend_tiers(kpis)
    parts = {"active_share": active, "coverage_share": float(served),
             "revenue_spread": 0.0 if total <= 0 else 1.0 - revenue_gini,
             "cosell_participation": float((kpis["cosell_partners"] > 0).mean()) if n else 0.0,
             "win_rate": win, "tier_alignment": float((~tiers["mis_tiered"]).mean()) if n else 0.0}
    score = 100 * sum(ECOSYSTEM_WEIGHTS[c] * v for c, v in parts.items())
    return EcosystemHealth(score=float(score), partners=n, revenue_gini=revenue_gini, revenue_hhi=hhi,
                           cosell_density=float(nx.density(eco.view("cosell"))) if n > 1 else 0.0,
                           **parts)


# --- tiers -------------------------------------------------------------------------------------

def _tier_levels(values: pd.Series) -> np.ndarray:
    """0..3 (registered..platinum) by share of partners ranked at or below, ties to the lower tier."""
    pct = values.fillna(0.0).rank(method="min", pct=True).to_numpy()
    return np.select([pct > TIER_CUTS[t] for t in ("platinum", "gold", "silver")], [3, 2, 1], 0)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:.3g}"


def recommend_tiers(kpis: pd.DataFrame, *, by: str = "won_amount") -> pd.DataFrame:
    """The tier each partner's performance supports, against its current tier.

    Rule (the generator's): rank partners by ``by`` (revenue won); the top 10%
    are ``platinum``, the next 20% ``gold``, the next 30% ``silver``, the rest
    ``registered``. A partner's share is the share of partners ranked at or
    below it, and tied partners share the **lower** rank, so no partner earns
    a tier by row order (every partner that won nothing is ``registered``).

    Columns: ``id, tier, recommended_tier, mis_tiered, direction`` (``over``:
    tier above what it earns, ``under``, ``fit``), ``severity`` (tier steps
    apart), ``by`` (the KPI), ``rank`` (1 = best), ``gap`` (how far the KPI is
    from the bound of its current tier: the least value that earns it when
    over-tiered, the least that earns the next tier when under-tiered; 0 when
    it fits), ``evidence`` (the numbers), ``partner_type``. Most severe first,
    then largest gap.

    >>> import pandas as pd
    >>> kpis = pd.DataFrame({"id": list("abcdefghij"), "won_amount": [0, *range(10, 90, 10), 900],
    ...                      "tier": ["platinum", *["registered"] * 3, *["silver"] * 3, "gold", "gold",
    ...                               "platinum"]})
    >>> tiers = recommend_tiers(kpis)
    >>> top = tiers.iloc[0]
    >>> top["id"], top["recommended_tier"], top["direction"], int(top["severity"])
    ('a', 'registered', 'over', 3)
    >>> int(tiers["mis_tiered"].sum())
    1
    >>> top["evidence"]
    'platinum but won 0, rank 10 of 10; platinum needs ≥ 900 (top 10%); performance supports registered'
    """
    if by not in kpis.columns or "tier" not in kpis.columns:
        raise ParameterError(f"kpis need an id, a tier and the {by!r} column; got {list(kpis.columns)}")
    x = kpis[by].astype(float).fillna(0.0)
    n = len(x)
    level = _tier_levels(x)
    current = kpis["tier"].map({t: i for i, t in enumerate(TIERS)}).to_numpy()
    steps = current - level
    # The least value that earns each tier (NaN when no partner earns it).
    cut = pd.Series(x.to_numpy()).groupby(level).min().reindex(range(4)).bfill()
    need_now = cut.reindex(current).to_numpy()
    need_next = cut.reindex(np.minimum(current + 1, 3)).to_numpy()
    gap = np.where(steps > 0, need_now - x, np.where(steps < 0, x - need_next, 0.0))
    rank = x.rank(method="min", ascending=False).astype(np.int64).to_numpy()
    rec = np.array(TIERS, dtype=object)[level]
    direction = np.select([steps > 0, steps < 0], ["over", "under"], "fit")
    need_rec = cut.reindex(level).to_numpy()
    evidence = [_evidence(r, by, t, rt, v, k, n, s, c, nr) for r, t, rt, v, k, s, c, nr in zip(
        kpis.itertuples(index=False), kpis["tier"], rec, x, rank, steps, need_now, need_rec, strict=True)]
    out = pd.DataFrame({"id": kpis["id"].to_numpy(), "tier": kpis["tier"].to_numpy(),
                        "recommended_tier": rec, "mis_tiered": steps != 0, "direction": direction,
                        "severity": np.abs(steps).astype(np.int64), by: x.to_numpy(), "rank": rank,
                        "gap": gap, "evidence": evidence})
    if "partner_type" in kpis.columns:
        out["partner_type"] = kpis["partner_type"].to_numpy()
    return out.sort_values(["severity", "gap", "id"], ascending=[False, False, True], ignore_index=True)


def _evidence(r, by: str, tier: str, rec: str, value: float, rank: int, n: int, steps: int,
              need: float, need_rec: float) -> str:
    """The numbers behind one partner's recommendation, as a sentence."""
    what = "won" if by == "won_amount" else by
    head = f"{tier} but {what} {_fmt(value)}, rank {rank} of {n}" if steps else \
        f"{tier}: {what} {_fmt(value)}, rank {rank} of {n}"
    if steps > 0:
        head += f"; {tier} needs ≥ {_fmt(need)} (top {100 * _top(tier):.0f}%); performance supports {rec}"
    elif steps < 0:
        head += f"; {rec} starts at {_fmt(need_rec)}"
    if steps and hasattr(r, "win_rate") and hasattr(r, "deals"):
        head += f"; win rate {r.win_rate:.0%} on {r.deals} deals"
    return head


def _top(tier: str) -> float:
    """The best share of partners that ``tier`` reaches down to (platinum 0.1, gold 0.3...)."""
    return 1.0 - TIER_CUTS.get(tier, 0.0)


# --- what changed ------------------------------------------------------------------------------

#: Kinds of change :func:`diff_snapshots` reports, in the order it lists them.
CHANGES = ("partner_added", "partner_removed", "tier_moved", "recommended_tier_changed",
           "newly_mis_tiered", "mis_tiering_resolved", "health_changed", "ecosystem_health_changed")


def diff_snapshots(old_eco: Ecosystem, new_eco: Ecosystem, *, threshold: float = 10.0) -> pd.DataFrame:
    """What changed between two ecosystems (typically two :func:`snapshot`\\ s), as a table.

    One row per change: ``change, party, before, after, detail`` (``before``
    and ``after`` as text, empty when absent). Changes, in this order:
    ``partner_added`` / ``partner_removed``; ``tier_moved`` (the tier in the
    partners table); ``recommended_tier_changed`` (:func:`recommend_tiers`);
    ``newly_mis_tiered`` (a new tier gap, with its evidence) and
    ``mis_tiering_resolved``; ``health_changed`` (partner health moved by at
    least ``threshold`` points; health is relative, so it can move when others
    do); ``ecosystem_health_changed`` (the score, when it moved by 0.1 or more;
    ``party`` is the focal company).

    >>> from ecograph import load_bundle
    >>> from ecograph.analysis.snapshots import snapshot
    >>> eco = load_bundle("fixtures/it_ecosystem")
    >>> diff = diff_snapshots(snapshot(eco, "2021-01-01"), snapshot(eco, "2022-01-01"))
    >>> "partner_added" in set(diff["change"])
    True
    """
    ko, kn = partner_kpis(old_eco), partner_kpis(new_eco)
    cols = ["id", "tier", "recommended_tier", "mis_tiered", "evidence", "won_amount"]
    both = (recommend_tiers(ko)[cols].merge(partner_health(ko)[["id", "health"]], on="id")
            .merge(recommend_tiers(kn)[cols].merge(partner_health(kn)[["id", "health"]], on="id"),
                   on="id", how="outer", suffixes=("_0", "_1"), indicator="side"))
    both = both.sort_values("id", ignore_index=True)
    rows: list[tuple] = []
    joined = new_eco.partners.set_index("id")["joined"]
    for r in both.itertuples(index=False):
        if r.side == "right_only":
            j = joined.get(r.id)
            rows.append(("partner_added", r.id, None, r.tier_1,
                         f"joined {j.date()}" if pd.notna(j) else "no joined date"))
        elif r.side == "left_only":
            rows.append(("partner_removed", r.id, r.tier_0, None, "not in the newer ecosystem"))
        else:
            if r.tier_0 != r.tier_1:
                move = TIERS.index(r.tier_1) - TIERS.index(r.tier_0)
                rows.append(("tier_moved", r.id, r.tier_0, r.tier_1,
                             f"{'up' if move > 0 else 'down'} {abs(move)} step{'s' * (abs(move) > 1)}"))
            if r.recommended_tier_0 != r.recommended_tier_1:
                rows.append(("recommended_tier_changed", r.id, r.recommended_tier_0, r.recommended_tier_1,
                             f"won {_fmt(r.won_amount_0)} → {_fmt(r.won_amount_1)}"))
            if _flag(r.mis_tiered_0) and not _flag(r.mis_tiered_1):
                rows.append(("mis_tiering_resolved", r.id, r.recommended_tier_0, r.recommended_tier_1,
                             f"tier {r.tier_1} now fits"))
            if abs(r.health_1 - r.health_0) >= threshold:
                rows.append(("health_changed", r.id, f"{r.health_0:.1f}", f"{r.health_1:.1f}",
                             f"{r.health_1 - r.health_0:+.1f} points"))
        if r.side != "left_only" and _flag(r.mis_tiered_1) and not _flag(r.mis_tiered_0):
            rows.append(("newly_mis_tiered", r.id, None, r.recommended_tier_1, r.evidence_1))
    h0 = ecosystem_health(old_eco, kpis=ko).score
    h1 = ecosystem_health(new_eco, kpis=kn).score
    if abs(round(h1 - h0, 1)) >= 0.1:
        company = new_eco.company["id"].iloc[0] if len(new_eco.company) else ""
        rows.append(("ecosystem_health_changed", company, f"{h0:.1f}", f"{h1:.1f}",
                     f"{h1 - h0:+.1f} points"))
    out = pd.DataFrame(rows, columns=["change", "party", "before", "after", "detail"])
    out["change"] = pd.Categorical(out["change"], categories=CHANGES, ordered=True)
    out = out.sort_values(["change", "party"], kind="stable", ignore_index=True)
    out["change"] = out["change"].astype(str)
    return out


def _flag(value) -> bool:
    """A merged boolean cell: True only when present and true (absent is NaN)."""
    return isinstance(value, bool | np.bool_) and bool(value)
