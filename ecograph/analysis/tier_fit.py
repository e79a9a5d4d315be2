"""Tier fit from all the evidence, with few false flags.

:func:`~ecograph.analysis.assessment.recommend_tiers` ranks partners by revenue
alone and flags every partner whose revenue rank differs from its tier, however
small the gap and whatever else speaks for the tier. :func:`tier_fit` reads every
lens a partner program uses, as percentile ranks among partners:

- ``revenue`` (won amount), ``won_deals`` and ``win_rate`` (counts below
  :data:`~ecograph.analysis.assessment.MIN_DEALS_FOR_RATE` deals read as neutral);
- ``cosell_influence`` (co-sold deals won, as registrant or named co-sell partner);
- ``certifications`` (certified capabilities) and ``deployments`` (units deployed
  in the partner's physical accounts).

Weights depend on the program (:data:`PROGRAM_WEIGHTS`): the ``resale`` path
earns a tier mostly by revenue; the ``alliance`` path by co-sell influence and
certifications, with no resale revenue expected. Every partner is read on the
resale path; alliances (technology, ISV, referral partners) on both, taking the
better (an alliance that also resells earns by its revenue). The weighted
evidence is ranked again among partners, and the tier cuts of the program
(:data:`~ecograph.analysis.assessment.TIER_CUTS`) give the **expected tier**.

A partner is flagged only on strong, consistent evidence: its evidence rank lies
beyond its tier's band by at least ``margin``, and lenses carrying at most
``dissent`` of the weight disagree (for an over-tiered partner: come within
``margin / 2`` of its tier's band; for an under-tiered one: stay within
``margin / 2`` of its band's top). Each row lists the evidence.

>>> from ecograph import load_bundle
>>> fit = tier_fit(load_bundle("fixtures/it_ecosystem"))
>>> fit.columns.tolist()[:6]
['id', 'name', 'tier', 'expected_tier', 'mis_tiered', 'direction']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ecosystem import Ecosystem
from ..errors import ParameterError
from .assessment import MIN_DEALS_FOR_RATE, TIER_CUTS, TIERS, partner_kpis

__all__ = ["tier_fit", "LENSES", "PROGRAM_WEIGHTS", "ALLIANCE_TYPES"]

#: The evidence lenses and the KPI each reads.
LENSES = {"revenue": "won_amount", "won_deals": "won_deals", "win_rate": "win_rate",
          "cosell_influence": "cosold_won", "certifications": "certifications",
          "deployments": "units_deployed"}
#: Partner types whose tier is not earned by resale.
ALLIANCE_TYPES = ("technology", "isv", "referral")
#: Lens weights per program (each sums to 1).
PROGRAM_WEIGHTS = {
    "resale": {"revenue": 0.45, "won_deals": 0.15, "win_rate": 0.10, "cosell_influence": 0.10,
               "certifications": 0.10, "deployments": 0.10},
    "alliance": {"revenue": 0.10, "won_deals": 0.05, "win_rate": 0.05, "cosell_influence": 0.45,
                 "certifications": 0.25, "deployments": 0.10},
}
_BOUNDS = np.array([0.0, TIER_CUTS["silver"], TIER_CUTS["gold"], TIER_CUTS["platinum"], 1.0])


def tier_fit(eco: Ecosystem, *, kpis: pd.DataFrame | None = None, margin: float = 0.1,
             dissent: float = 0.15) -> pd.DataFrame:
    """The tier every partner's evidence supports, flagged only when the evidence is strong and consistent.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    kpis : pandas.DataFrame or None, default None
        :func:`~ecograph.analysis.assessment.partner_kpis` of ``eco`` (computed when ``None``).
    margin : float, default 0.1
        How far (in evidence rank, 0–1) beyond its tier's band a partner must sit to be flagged.
    dissent : float, default 0.15
        The most lens weight that may disagree with a flag.

    Returns
    -------
    pandas.DataFrame
        Columns: ``id, name, tier, expected_tier, mis_tiered, direction`` (``over``,
        ``under`` or ``fit``), ``margin`` (how far beyond the band, in evidence
        rank; negative when inside it), ``evidence_rank`` (0–1), ``program``
        (``resale`` or ``alliance``), ``partner_type``, ``evidence`` (the lenses
        in words), ``dissent`` (the weight of lenses that disagree) and one
        ``<lens>_rank`` column per lens of :data:`LENSES`. Flagged partners
        first, by margin; then the rest by margin.

    Raises
    ------
    ParameterError
        When ``margin`` or ``dissent`` is outside [0, 1].

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> fit = tier_fit(load_bundle("fixtures/it_ecosystem"))
    >>> int(fit["mis_tiered"].sum()) <= len(fit) // 6
    True
    >>> set(fit["direction"]) <= {"over", "under", "fit"}
    True
    """
    if not (0 <= margin <= 1 and 0 <= dissent <= 1):
        raise ParameterError(f"margin and dissent must be within [0, 1]; got {margin}, {dissent}")
    k = partner_kpis(eco) if kpis is None else kpis
    k = k[k["kind"] == "partner"].reset_index(drop=True) if "kind" in k else k.reset_index(drop=True)
    values = pd.DataFrame({lens: k[col].astype(float).fillna(0.0) for lens, col in LENSES.items()})
    ranks = values.rank(pct=True, method="average")
    few = k["deals"].to_numpy() < MIN_DEALS_FOR_RATE
    ranks.loc[few, "win_rate"] = 0.5  # a rate on a handful of deals says nothing either way
    W = np.array([[PROGRAM_WEIGHTS[p][lens] for lens in LENSES] for p in ("resale", "alliance")])
    R = ranks.to_numpy()
    paths = R @ W.T  # partners × (resale, alliance)
    alliance = k["partner_type"].isin(ALLIANCE_TYPES).to_numpy() & (paths[:, 1] > paths[:, 0])
    program = np.where(alliance, "alliance", "resale")
    weights = W[alliance.astype(int)]
    evidence = pd.Series(paths[np.arange(len(R)), alliance.astype(int)]).rank(
        pct=True, method="average").to_numpy()
    current = k["tier"].map({t: i for i, t in enumerate(TIERS)}).fillna(0).astype(int).to_numpy()
    lo, hi = _BOUNDS[current], _BOUNDS[current + 1]
    expected = np.searchsorted(_BOUNDS[1:-1], evidence, side="left")
    below, above = lo - evidence, evidence - hi
    # dissent: the weight of lenses that reach the tier's band (over) or stay within it (under)
    floor, ceiling = lo[:, None] - margin / 2, hi[:, None] + margin / 2
    against_over = (weights * (floor <= R)).sum(axis=1)
    against_under = (weights * (ceiling >= R)).sum(axis=1)
    over = (below >= margin) & (against_over <= dissent + 1e-9)
    under = (above >= margin) & (against_under <= dissent + 1e-9)
    direction = np.select([over, under], ["over", "under"], "fit")
    beyond = np.maximum(below, above)
    out = pd.DataFrame({
        "id": k["id"].to_numpy(), "name": eco.names(k["id"]).to_numpy(), "tier": k["tier"].to_numpy(),
        "expected_tier": np.array(TIERS, dtype=object)[expected], "mis_tiered": over | under,
        "direction": direction, "margin": beyond, "evidence_rank": evidence, "program": program,
        "partner_type": k["partner_type"].to_numpy(), "evidence": "",
        "dissent": np.where(below > 0, against_over, np.where(above > 0, against_under, 0.0))})
    for j, lens in enumerate(LENSES):
        out[f"{lens}_rank"] = R[:, j]
    out = out.sort_values(["mis_tiered", "margin", "id"], ascending=[False, False, True], ignore_index=True)
    raw = values.set_axis(k["id"].to_numpy()).loc[out["id"].to_numpy()]
    out["evidence"] = [_evidence(r, v) for r, (_, v) in zip(out.itertuples(), raw.iterrows(), strict=True)]
    return out


def _evidence(r, raw: pd.Series) -> str:
    """One partner's evidence as a sentence (rows are few: one per partner)."""
    lenses = ", ".join(f"{lens.replace('_', ' ')} {getattr(r, f'{lens}_rank'):.0%}" for lens in LENSES)
    head = (f"{r.tier}; evidence puts it at the {r.evidence_rank:.0%} rank ({r.program} weights), "
            f"which supports {r.expected_tier}")
    facts = (f"won {raw['revenue']:,.0f} in {raw['won_deals']:.0f} deals, "
             f"{raw['cosell_influence']:.0f} co-sold wins, {raw['certifications']:.0f} certifications, "
             f"{raw['deployments']:.0f} units deployed")
    verdict = {"over": f"over-tiered: {r.margin:.2f} below its band and lenses weighing {r.dissent:.0%} "
                       "reach it",
               "under": f"under-tiered: {r.margin:.2f} above its band and lenses weighing {r.dissent:.0%} "
                        "stay within it",
               "fit": "fits: no strong, consistent evidence against its tier"}[r.direction]
    return f"{head}; {verdict}; ranks: {lenses}; {facts}"
