"""Partner ecosystem assessment: per-partner KPIs, segments, health scores and
tier recommendations.

Everything reads an :class:`~ecograph.Ecosystem` (or a KPI frame made from one)
**as of a date**: every function taking an ecosystem and ``as_of`` reads
:func:`~ecograph.analysis.snapshots.snapshot` (without ``as_of``: the bundle as
it stands, ended relationships left out). :func:`~ecograph.analysis.changes.diff_snapshots`
lists what changed between two snapshots. Formulas, weights and the tier rule are in
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
from ..dates import AsOf
from ..ecosystem import Ecosystem
from ..errors import ParameterError
from ..frames import isin
from ..graphs import view
from ..ties import partner_accounts
from ._common import adjacency, gini, node_ids
from .activity import partner_activity
from .brokerage import brokerage
from .centrality import two_step_reach
from .communities import detect_communities
from .snapshots import in_force

__all__ = ["partner_kpis", "partner_health", "EcosystemHealth", "ecosystem_health",
           "recommend_tiers", "TIERS", "TIER_CUTS", "HEALTH_WEIGHTS", "ECOSYSTEM_WEIGHTS"]

#: Partner tiers, lowest first.
TIERS = ("registered", "silver", "gold", "platinum")
#: Tier cuts, as the generator assigns tiers: a partner earns a tier when the share of
#: partners ranked at or below it exceeds the cut (top 10% platinum, next 20% gold,
#: next 30% silver, the rest registered).
TIER_CUTS = {"platinum": 0.9, "gold": 0.7, "silver": 0.4}
#: Weights of the partner health score (percentile ranks of these KPIs).
#: Fewer deals than this and a win rate is shown as counts only (a rate on 1 deal reads as fact).
MIN_DEALS_FOR_RATE = 5
HEALTH_WEIGHTS = {"won_amount": 0.30, "win_rate": 0.20, "deals": 0.15, "customers": 0.15,
                  "cosell_partners": 0.10, "units_deployed": 0.10}
#: Weights of the ecosystem health score (components in [0, 1]).
ECOSYSTEM_WEIGHTS = {"active_share": 0.25, "coverage_share": 0.20, "revenue_spread": 0.15,
                     "cosell_participation": 0.15, "win_rate": 0.15, "tier_alignment": 0.10}
_APPROVED = ("approved", "won", "lost")  # a deal that closed went through approval

# --- KPIs --------------------------------------------------------------------------------------

def _served(eco: Ecosystem) -> pd.DataFrame:
    """``partner, customer`` pairs where the partner serves the customer."""
    ties = partner_accounts(eco)
    return ties.loc[ties["serves"], ["partner", "customer"]]


def _network_position(eco: Ecosystem, ids: pd.Index,
                      communities: pd.DataFrame | None) -> pd.DataFrame:
    """Brokerage on the co-sell view; reach and community span on the partner–customer view."""
    b = brokerage(view(eco, "cosell")).set_index("id").reindex(ids)
    G = view(eco, "bipartite")
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


def partner_kpis(eco: Ecosystem, *, as_of: AsOf = None,
                 communities: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per partner: what it is, what it did, and where it sits in the network.

    With ``as_of`` everything is computed on :func:`snapshot` ``(eco, as_of)``;
    without it, on the ecosystem as of its reference date (relationships that
    ended before it left out: :func:`~ecograph.analysis.snapshots.in_force`).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (:mod:`ecograph.dates`); ``None``: the reference date.
    communities : pandas.DataFrame, optional
        A :func:`~ecograph.analysis.communities.detect_communities` frame of
        ``view(eco, "bipartite")`` (:func:`ecograph.graphs.view`); saves
        detecting them again. It is ignored when ``as_of`` or ended
        relationships make the view a different graph.

    Returns
    -------
    pandas.DataFrame
        Columns: ``id, name, kind, partner_type, tier, region`` (home), ``regions`` and
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
        first, then by ``id``.

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes: The Social Structure of Competition*,
       Harvard University Press, 1992 (effective size and constraint).
    .. [2] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 5233, 2019.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> kpis = partner_kpis(load_bundle("fixtures/it_ecosystem"), as_of="2025-06-30")
    >>> list(kpis.columns[:6])
    ['id', 'name', 'kind', 'partner_type', 'tier', 'region']
    >>> bool(kpis["won_amount"].is_monotonic_decreasing)
    True
    """
    live = in_force(eco, as_of)
    if live is not eco:
        communities = None  # a different graph: partition it afresh
    eco = live
    p = eco.partners
    ids = pd.Index(p["id"], name="id")
    act = partner_activity(eco).set_index("id").reindex(ids)
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
        "name": p["name"].to_numpy(), "kind": "partner",
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
    return frame.sort_values(["won_amount", "id"], ascending=[False, True], ignore_index=True)


# --- health ------------------------------------------------------------------------------------

def _keys(kpis: pd.DataFrame) -> list[str]:
    """``id`` and the ``name``, ``kind`` beside it when ``kpis`` has them."""
    return ["id", *(c for c in ("name", "kind") if c in kpis.columns)]


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

    Parameters
    ----------
    kpis : pandas.DataFrame
        One row per partner (:func:`partner_kpis`): ``id`` and every KPI
        column ``weights`` names.
    weights : dict of str to float, optional
        KPI column to weight (non-negative, not all zero); ``None``:
        :data:`HEALTH_WEIGHTS`.

    Returns
    -------
    pandas.DataFrame
        Columns: ``id`` (with ``name, kind`` when ``kpis`` has them), ``health``,
        one ``<kpi>_pct`` per weighted KPI, then ``partner_type, tier`` when
        present; healthiest first (then by ``id``).

    Raises
    ------
    ParameterError
        When ``weights`` is empty, has a negative weight, sums to zero or
        names a column ``kpis`` lacks.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> health = partner_health(partner_kpis(load_bundle("fixtures/it_ecosystem")))
    >>> bool(health["health"].between(0, 100).all()), list(health.columns[:5])
    (True, ['id', 'name', 'kind', 'health', 'won_amount_pct'])
    """
    w = dict(HEALTH_WEIGHTS if weights is None else weights)
    bad = [c for c in w if c not in kpis.columns]
    if bad or not w or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ParameterError(f"weights must be non-negative, not all zero, and name KPI columns of kpis; "
                             f"got {w}")
    pct = pd.DataFrame({f"{c}_pct": _beats(kpis[c]) for c in w}, index=kpis.index)
    health = 100 * sum(w[c] * pct[f"{c}_pct"] for c in w) / sum(w.values())
    out = pd.concat([kpis[_keys(kpis)], health.rename("health"), pct,
                     kpis[[c for c in ("partner_type", "tier") if c in kpis.columns]]], axis=1)
    return out.sort_values(["health", "id"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class EcosystemHealth:
    """The ecosystem health score (0–100) and its components (each in [0, 1]).

    ``score = 100 · Σ ECOSYSTEM_WEIGHTS[c] · c`` over ``active_share``,
    ``coverage_share``, ``revenue_spread`` (``1 − revenue_gini``),
    ``cosell_participation``, ``win_rate`` and ``tier_alignment``;
    ``revenue_hhi`` and ``cosell_density`` are reported, not scored.
    :func:`ecosystem_health` makes it; each component is defined there.

    Attributes
    ----------
    score : float
        The score, 0–100.
    partners : int
        How many partners were assessed.
    active_share, coverage_share, revenue_spread : float
        Scored components, in [0, 1].
    revenue_gini : float
        Gini coefficient of revenue won over partners (``revenue_spread = 1 −
        revenue_gini`` when something was won).
    revenue_hhi : float
        ``Σ share²`` of revenue won, in [0, 1] (not scored).
    cosell_participation : float
        Scored component, in [0, 1].
    cosell_density : float
        Density of the co-sell view (not scored).
    win_rate, tier_alignment : float
        Scored components, in [0, 1].

    Examples
    --------
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
        """Every field by name.

        Returns
        -------
        dict
            Field name to value, in field order.

        Examples
        --------
        >>> from ecograph import load_bundle
        >>> list(ecosystem_health(load_bundle("fixtures/tiny")).to_dict())[:3]
        ['score', 'partners', 'active_share']
        """
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row, one column per field.

        Returns
        -------
        pandas.DataFrame
            One row; the columns are the fields, in order.

        Examples
        --------
        >>> from ecograph import load_bundle
        >>> ecosystem_health(load_bundle("fixtures/tiny")).to_frame().shape
        (1, 11)
        """
        return pd.DataFrame([asdict(self)])


def ecosystem_health(eco: Ecosystem, *, kpis: pd.DataFrame | None = None, as_of: AsOf = None,
                     tiers: pd.DataFrame | None = None) -> EcosystemHealth:
    """How healthy the whole ecosystem is, as one score with its components.

    - ``active_share``: partners that registered a deal or sent units (any movement);
    - ``coverage_share``: accounts of status ``customer`` served by a partner
      (a ``sells_to`` relationship or a won deal);
    - ``revenue_spread``: ``1 − Gini`` of revenue won over partners (0 when
      nothing was won); ``revenue_hhi`` is ``Σ share²`` of revenue won, in
      [0, 1] (1 when nothing was won);
    - ``cosell_participation``: partners with at least one co-sell partner;
      ``cosell_density`` is the density of the co-sell view (0 with fewer
      than two partners);
    - ``win_rate``: won over closed deals (0.5 when none closed);
    - ``tier_alignment``: partners not flagged mis-tiered in ``tiers`` (``analyze``
      passes :func:`~ecograph.analysis.tier_fit.tier_fit`'s flags; without it,
      :func:`recommend_tiers`' revenue-rank flags).

    ``kpis`` (from :func:`partner_kpis` on the same ecosystem and date) saves
    recomputing them; with ``as_of`` the ecosystem is a :func:`snapshot` first.
    The score is ``100 · Σ ECOSYSTEM_WEIGHTS[c] · c`` over the six components.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    kpis : pandas.DataFrame, optional
        :func:`partner_kpis` of ``eco`` at the same date; ``None``: computed.
    as_of : str, date or None
        The day (:mod:`ecograph.dates`); ``None``: the reference date.
    tiers : pandas.DataFrame, optional
        A tier table with ``mis_tiered`` per partner of ``kpis``, at the same date.

    Returns
    -------
    EcosystemHealth
        The score and every component.

    References
    ----------
    .. [1] C. Gini, *Variabilità e mutabilità*, Tipografia di Paolo Cuppini,
       Bologna, 1912 (the Gini coefficient).
    .. [2] A. O. Hirschman, *National Power and the Structure of Foreign
       Trade*, University of California Press, 1945, and O. C. Herfindahl,
       *Concentration in the Steel Industry*, PhD thesis, Columbia University,
       1950 (the Herfindahl–Hirschman index).

    Examples
    --------
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
    tiers = recommend_tiers(kpis) if tiers is None else tiers
    parts = {"active_share": active, "coverage_share": float(served),
             "revenue_spread": 0.0 if total <= 0 else 1.0 - revenue_gini,
             "cosell_participation": float((kpis["cosell_partners"] > 0).mean()) if n else 0.0,
             "win_rate": win, "tier_alignment": float((~tiers["mis_tiered"]).mean()) if n else 0.0}
    score = 100 * sum(ECOSYSTEM_WEIGHTS[c] * v for c, v in parts.items())
    return EcosystemHealth(score=float(score), partners=n, revenue_gini=revenue_gini, revenue_hhi=hhi,
                           cosell_density=float(nx.density(view(eco, "cosell"))) if n > 1 else 0.0,
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

    Parameters
    ----------
    kpis : pandas.DataFrame
        One row per partner (:func:`partner_kpis`): ``id``, ``tier`` and the
        ``by`` column; ``win_rate`` and ``deals``, when present, go into the
        evidence of mis-tiered partners.
    by : str, default "won_amount"
        The KPI partners are ranked by (missing values count as 0).

    Returns
    -------
    pandas.DataFrame
        Columns: ``id`` (with ``name, kind`` when ``kpis`` has them), ``tier,
        recommended_tier, mis_tiered, direction`` (``over``: tier above what it
        earns, ``under``, ``fit``), ``severity`` (tier steps apart), the ``by``
        column (the KPI), ``rank`` (1 = best), ``gap`` (how far the KPI is from
        the bound of its current tier: the least value that earns it when
        over-tiered, the least that earns the next tier when under-tiered; 0
        when it fits), ``evidence`` (the numbers), ``partner_type`` (when
        ``kpis`` has it). Most severe first, then largest gap.

    Raises
    ------
    ParameterError
        When ``kpis`` lacks ``tier`` or the ``by`` column.

    Examples
    --------
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
    if not {"id", "tier", by} <= set(kpis.columns):
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
    out = pd.DataFrame({**{c: kpis[c].to_numpy() for c in _keys(kpis)}, "tier": kpis["tier"].to_numpy(),
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
    if steps and hasattr(r, "won_deals") and hasattr(r, "deals"):  # counts: a rate on 2 deals misleads
        head += f"; {r.won_deals} won of {r.deals} deal{'' if r.deals == 1 else 's'} registered"
        if hasattr(r, "win_rate") and r.deals >= MIN_DEALS_FOR_RATE:
            head += f" (smoothed win rate {r.win_rate:.0%})"
    return head


def _top(tier: str) -> float:
    """The best share of partners that ``tier`` reaches down to (platinum 0.1, gold 0.3...)."""
    return 1.0 - TIER_CUTS.get(tier, 0.0)
