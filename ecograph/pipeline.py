"""The analyses as named stages: each returns its result tables and headline numbers.

A stage reads an :class:`~ecograph.Ecosystem` and returns a :class:`Result`:
named tables (every frame it computed, so whoever writes them writes
everything), headline numbers (plain JSON values) and the sections worth
showing a person first (a titled, trimmed view of a table, for the terminal,
JSON output and reports alike). :func:`analyze` runs
every stage for ``ecograph analyze``; the commands ``cosell``, ``gaps``,
``risk``, ``ledger`` and ``assess`` run one stage each with their options, so
a table is computed the same way wherever it appears. ``detail=True`` adds
the tables a command shows beyond what ``analyze`` needs.

>>> from ecograph import load_bundle
>>> result = analyze(load_bundle("fixtures/tiny"))
>>> {"pagerank", "bottlenecks", "reconciliation"} <= set(result.tables)
True
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .analysis import (
    assessment,
    bottlenecks,
    brokerage,
    centrality,
    communities,
    cosell_ranker,
    coselling,
    coverage,
    physical_accounts,
    risk_exposure,
    segments,
    structure,
    tier_fit,
)
from .analysis.centrality import betweenness_pivots  # re-exported: the engines and benchmarks size by it
from .dates import AsOf
from .ecosystem import Ecosystem, derived
from .errors import ParameterError
from .graphs import view
from .store import gds
from .wording import plural

__all__ = ["Result", "Section", "analyze", "network", "community", "cosell", "gaps", "supply_risk",
           "accounts", "assess", "STAGES", "ENGINES", "betweenness_pivots"]

#: Where :func:`analyze` runs the network stages: in this process, or in Neo4j (GDS).
ENGINES = ("python", "neo4j")


@dataclass(frozen=True)
class Section:
    """A view of one result worth showing first: ``key`` (its name in JSON output),
    a ``title`` with the numbers that matter, the ``frame`` (rows and columns
    chosen), and whether it is ``ranked`` (best first: show its top rows only).

    Examples
    --------
    >>> Section("gaps", "2 gaps", pd.DataFrame({"region": ["N", "S"]})).frame.shape
    (2, 1)
    """

    key: str
    title: str
    frame: pd.DataFrame
    ranked: bool = True


@dataclass
class Result:
    """Result tables by name, headline numbers, sections to show, and seconds per stage.

    Examples
    --------
    >>> r = Result()
    >>> r.add(Result({"t": pd.DataFrame()}, {"n": 1}), seconds=("x", 0.5))
    >>> sorted(r.tables), r.headline, r.seconds
    (['t'], {'n': 1}, {'x': 0.5})
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, other: Result, *, seconds: tuple[str, float] | None = None) -> None:
        """Take in the tables, headline numbers and sections of ``other`` (a stage's result)."""
        self.tables.update(other.tables)
        self.headline.update(other.headline)
        self.sections += other.sections
        if seconds is not None:
            self.seconds[seconds[0]] = round(seconds[1], 3)

    def show(self, key: str, title: str, frame: pd.DataFrame, columns: list[str] | None = None,
             *, ranked: bool = True) -> None:
        """Add a :class:`Section` of ``frame`` (its ``columns``, when given)."""
        self.sections.append(Section(key, title, frame if columns is None else frame[columns],
                                     ranked))


def network(eco: Ecosystem, *, graph: gds.Projection | None = None) -> Result:
    """PageRank and betweenness on the partner–customer view; brokers by several lenses, and
    Burt's brokerage on the co-sell view.

    Parameters
    ----------
    eco : Ecosystem
    graph : ecograph.store.gds.Projection, optional
        The partner–customer view projected in Neo4j (:func:`ecograph.store.gds.projected`):
        PageRank and betweenness then run there, in GDS's conventions (headline
        ``convention``); brokers and brokerage run here on the partner × account and
        co-sell matrices.

    Returns
    -------
    Result
        Tables ``pagerank``, ``betweenness``, ``brokers``
        (:func:`~ecograph.analysis.brokerage.broker_scores`: every partner, best broker
        first; sampled pivots on large graphs, seed 0; its ``account_betweenness`` lens
        is the ``betweenness`` table) and ``brokerage`` (constraint); headline
        ``betweenness_pivots``, ``top_broker``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> sorted(network(load_bundle("fixtures/tiny")).tables)
    ['betweenness', 'brokerage', 'brokers', 'pagerank']
    >>> network(load_bundle("fixtures/it_ecosystem")).headline["top_broker"]
    'P00060'
    """
    if graph is not None:
        k = betweenness_pivots(graph.nodes)
        out = Result({"pagerank": gds.pagerank(graph), "betweenness": gds.betweenness(graph, k=k)},
                     {"betweenness_pivots": k, "convention": "gds"})
    else:
        G = view(eco, "bipartite")
        k = betweenness_pivots(G.number_of_nodes())
        out = Result({"pagerank": centrality.pagerank(G), "betweenness": centrality.betweenness(G, k=k)},
                     {"betweenness_pivots": k})
    # the partner–customer betweenness just computed is the brokers' account lens: walked once
    brokers = brokerage.broker_scores(
        eco, account_betweenness=out.tables["betweenness"].set_index("id")["betweenness"])
    out.tables.update(brokers=brokers, brokerage=brokerage.brokerage(view(eco, "cosell")))
    out.headline["top_broker"] = brokers["id"].iat[0] if len(brokers) else None
    return out


def community(eco: Ecosystem, *, graph: gds.Projection | None = None) -> Result:
    """Leiden communities (seed 0) of the partner–customer view, and their profiles.

    Parameters
    ----------
    eco : Ecosystem
    graph : ecograph.store.gds.Projection, optional
        The partner–customer view projected in Neo4j: Leiden then runs there (GDS).

    Returns
    -------
    Result
        Tables ``communities``, ``community_profile``; headline
        ``communities`` and ``modularity``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> community(load_bundle("fixtures/tiny")).headline["communities"] >= 1
    True
    """
    if graph is not None:
        found = gds.communities(graph, seed=0)
        return Result({"communities": found.partition, "community_profile": found.profile},
                      {"communities": found.count, "modularity": round(found.modularity, 4)})
    G = view(eco, "bipartite")
    parts = communities.detect_communities(G, seed=0)
    return Result({"communities": parts, "community_profile": communities.community_profile(G, parts)},
                  {"communities": int(parts["community"].nunique()),
                   "modularity": round(communities.modularity(G, parts), 4)})


def cosell(eco: Ecosystem, *, top: int | None = 50, as_of: AsOf = None, counts_only: bool = False,
           include_existing: bool = False, ranker: bool = False, evaluate: bool = False,
           detail: bool = False) -> Result:
    """Co-selling suggestions, the rival pairs (channel conflict) and, with ``detail``, the account mapping.

    Parameters
    ----------
    eco : Ecosystem
    top : int or None, default 50
        Suggestions kept.
    as_of, counts_only, include_existing
        As for :func:`~ecograph.analysis.coselling.suggest_pairings`.
    ranker : bool, default False
        Score with the supervised ranker fitted on recent co-sold wins.
    evaluate : bool, default False
        Add ``cosell_evaluation`` (ranker vs every baseline) and its split.
    detail : bool, default False
        Add ``account_mapping``.

    Returns
    -------
    Result
        Tables ``cosell_suggestions`` and ``cosell_rivals`` (every pair of
        :func:`~ecograph.analysis.coselling.rival_pairs`: competition of
        :data:`~ecograph.analysis.coselling.RIVALRY` or more, highest conflict first)
        (and the ones asked for); headline ``top_cosell_pairs``, ``rival_pairs``
        (how many) (and ``ranker_beats_best_baseline``).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> cosell(load_bundle("fixtures/it_ecosystem"), top=3).headline["top_cosell_pairs"][0]
    'P00023 + P00051'
    """
    fitted = cosell_ranker.fit_ranker(eco) if ranker else None
    pairs = coselling.suggest_pairings(eco, top=top, as_of=as_of, counts_only=counts_only,
                                       include_existing=include_existing, ranker=fitted)
    rivals = coselling.rival_pairs(eco, top=None, as_of=as_of)
    best = pairs.head(3)
    out = Result({"cosell_suggestions": pairs, "cosell_rivals": rivals},
                 {"top_cosell_pairs": [f"{x} + {y}" for x, y in zip(best["a"], best["b"],
                                                                   strict=True)],
                  "rival_pairs": int(len(rivals))})
    out.show("suggestions", f"Co-selling suggestions: {plural(len(pairs), 'pair')}, best first", pairs,
             ["rank", "a", "a_name", "b", "b_name", "score", "status", "why"])
    out.show("rivals", f"Rival pairs (channel conflict): {plural(len(rivals), 'pair')} competing for "
             "the same deals, sharpest first",
             rivals, ["rank", "a", "a_name", "b", "b_name", "competition", "conflict", "why"])
    if detail:
        out.tables["account_mapping"] = coselling.account_mapping(eco, as_of=as_of)
    if evaluate:
        evaluation = cosell_ranker.evaluate_pairings(eco)
        out.tables["cosell_evaluation"] = evaluation.scores
        out.headline.update(ranker_beats_best_baseline=evaluation.beats_best_baseline,
                            evaluation_split=evaluation.split)
        verdict = "beats" if evaluation.beats_best_baseline else "does NOT beat"
        out.show("evaluation", f"Ranker vs baselines (test period after "
                 f"{evaluation.split['cutoff']}): the ranker {verdict} the best topological score",
                 evaluation.scores, ranked=False)
    return out


def gaps(eco: Ecosystem, *, k: int = 2, detail: bool = False) -> Result:
    """Coverage of every region × segment × capability cell, and fixes for the gaps.

    Parameters
    ----------
    eco : Ecosystem
    k : int, default 2
        Redundancy: cells served by fewer than ``k`` partners are fragile.
    detail : bool, default False
        Add ``partner_type_gaps``.

    Returns
    -------
    Result
        Tables ``coverage``, ``coverage_fixes`` (and ``partner_type_gaps``);
        headline ``coverage_gaps``, ``fragile_cells``, ``top_gap``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> gaps(load_bundle("fixtures/it_ecosystem")).headline["top_gap"]
    'NA-West × enterprise × compliance'
    """
    cells = coverage.coverage_matrix(eco, k=k)
    holes = cells[cells["gap"]]
    out = Result({"coverage": cells, "coverage_fixes": coverage.nearest_fixes(eco, holes)},
                 {"coverage_gaps": int(len(holes)),
                  "fragile_cells": int((cells["fragile"] & ~cells["gap"]).sum()),
                  "top_gap": (" × ".join(holes.iloc[0][["region", "segment", "capability"]])
                              if len(holes) else None)})
    h = out.headline
    out.show("fragile_cells", f"{plural(h['coverage_gaps'], 'gap')} and "
             f"{plural(h['fragile_cells'], 'fragile cell')} (fewer than {plural(k, 'partner')})",
             cells[cells["fragile"]],
             ["region", "segment", "capability", "customers", "open_opportunities",
              "able_partners", "gap_score"])
    out.show("fixes", "Nearest fixes", out.tables["coverage_fixes"],
             ["region", "segment", "capability", "fix", "rank", "partner", "partner_name", "why"])
    if detail:
        out.tables["partner_type_gaps"] = coverage.partner_type_gaps(eco)
        out.show("partner_type_gaps", "Partner-type shortfalls", out.tables["partner_type_gaps"])
    return out


#: Columns of :func:`ecograph.analysis.risk_exposure.risk_exposure` the bottlenecks table gains.
EXPOSURE_COLUMNS = ["ttr_days", "tts_days", "tts_lt_ttr", "rei", "lost_units", "value_at_risk", "absorbed_by"]


def exposure(eco: Ecosystem) -> pd.DataFrame:
    """:func:`~ecograph.analysis.risk_exposure.risk_exposure` of ``eco`` with its defaults (each
    party down for its time to recover), solved once per ecosystem.

    Parameters
    ----------
    eco : Ecosystem

    Returns
    -------
    pandas.DataFrame
        One row per shipping party, highest Risk Exposure Index first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/manufacturing")
    >>> exposure(eco)["id"].iat[0], exposure(eco) is exposure(eco)
    ('S0002', True)
    """
    return derived(eco, ("risk_exposure", "defaults"), lambda: risk_exposure.risk_exposure(eco))


def supply_risk(eco: Ecosystem, *, remove=(), capacity_cut: dict | None = None,
                cascade: float | None = None, detail: bool = False) -> Result:
    """Supply-chain bottlenecks and concentration, and optionally a what-if.

    Parameters
    ----------
    eco : Ecosystem
    remove : iterable of str, optional
        What-if: parties taken out.
    capacity_cut : dict of str to float, optional
        What-if: parties' capacity cut by a fraction.
    cascade : float, optional
        With ``remove``: also run a failure cascade at this threshold.
    detail : bool, default False
        Add ``vital_edges``, ``single_sourced``, ``dominators``,
        ``articulation_points`` and ``bridges`` of the supply view.

    Returns
    -------
    Result
        Tables ``bottlenecks`` (with the risk-exposure columns
        :data:`EXPOSURE_COLUMNS` of each party down for its time to recover,
        :func:`exposure`), ``concentration`` (and those asked for:
        ``what_if``, ``what_if_by_region``, ``what_if_by_sku``, ``cascade``);
        headline ``top_bottleneck``, ``units_at_risk_top`` (and
        ``unmet_total``, ``demand_total`` of the what-if).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> r = supply_risk(load_bundle("fixtures/manufacturing"), remove=["S0001"])
    >>> r.headline["top_bottleneck"], r.headline["unmet_total"] > 0
    ('S0001', True)
    """
    table = bottlenecks.bottlenecks(eco).merge(exposure(eco)[["id", *EXPOSURE_COLUMNS]], on="id", how="left")
    table["tts_lt_ttr"] = table["tts_lt_ttr"].fillna(False).astype(bool)  # the company: not disrupted
    out = Result({"bottlenecks": table, "concentration": bottlenecks.concentration(eco)},
                 {"top_bottleneck": table["id"].iat[0] if len(table) else None,
                  "units_at_risk_top": float(table["units_at_risk"].iat[0]) if len(table) else 0.0})
    out.show("bottlenecks", "Supply-chain bottlenecks", table,
             ["id", "name", "kind", "risk_score", "units_at_risk", "customers_cut_off", "ttr_days",
              "tts_days", "rei", "value_at_risk", "why"])
    if detail:
        supply = view(eco, "supply")
        out.tables.update(vital_edges=bottlenecks.vital_edges(eco),
                          single_sourced=bottlenecks.single_sourced(eco),
                          dominators=bottlenecks.dominators(eco),
                          articulation_points=structure.articulation_points(supply),
                          bridges=structure.bridges(supply))
        out.show("vital_edges", "Most vital supply relationships", out.tables["vital_edges"])
    remove = list(remove)
    if remove or capacity_cut:
        hit = bottlenecks.simulate(eco, remove=remove, capacity_cut=capacity_cut)
        out.tables.update(hit.tables())
        out.headline.update(removed=remove, capacity_cut=dict(capacity_cut or {}),
                            unmet_total=hit.unmet_total, demand_total=hit.demand_total)
        out.show("what_if_by_sku", f"What if {', '.join([*remove, *(capacity_cut or {})])}: "
                 f"{hit.unmet_total:,.0f} of {hit.demand_total:,.0f} units unmet", hit.by_sku,
                 ranked=False)
        out.show("what_if_by_region", "Unmet demand by region", hit.by_region, ranked=False)
    if cascade is not None and remove:
        chain = bottlenecks.cascade(eco, remove, threshold=cascade)
        out.tables["cascade"] = chain.failures
        out.headline["cascade_unmet_total"] = chain.disruption.unmet_total
        out.show("cascade", "Failure cascade", chain.failures, ranked=False)
    return out


def accounts(eco: Ecosystem, *, as_of: AsOf = None, sku: str | None = None,
             detail: bool = False) -> Result:
    """Physical accounts: holdings, audit reconciliation and the installed base.

    Parameters
    ----------
    eco : Ecosystem
    as_of : str, date or None
        Holdings and deployments at the end of this day.
    sku : str, optional
        Add ``custody_chain`` of this SKU.
    detail : bool, default False
        Add ``adjustments``, ``deployed_by_partner`` and ``conservation``.

    Returns
    -------
    Result
        Tables ``balances``, ``reconciliation``, ``deployed_by_region`` (and
        those asked for); headline ``audit_discrepancies``, ``top_discrepancy``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> accounts(load_bundle("fixtures/it_ecosystem")).headline["top_discrepancy"]
    'A000006'
    """
    recon = physical_accounts.reconcile(eco)
    off = recon[recon["status"] != "ok"]
    out = Result({"balances": physical_accounts.holdings(eco, as_of=as_of),
                  "reconciliation": recon,
                  "deployed_by_region": physical_accounts.deployed(eco, as_of=as_of, by="region")},
                 {"audit_discrepancies": int(len(off)),
                  "top_discrepancy": off["audit"].iat[0] if len(off) else None})
    out.show("discrepancies", f"{plural(len(off), 'audit discrepancy')} "
             f"of {plural(len(recon), 'count')}", off.drop(columns="abs_discrepancy"))
    when = f" as of {as_of}" if as_of is not None else ""
    if detail:
        conserved = physical_accounts.conservation(eco, as_of=as_of)
        out.tables.update(adjustments=physical_accounts.adjustments(eco),
                          deployed_by_partner=physical_accounts.deployed(eco, as_of=as_of),
                          conservation=conserved)
        out.headline["conserved"] = bool(conserved["balanced"].all())
        out.show("deployed_by_partner", f"Units deployed by partner{when}",
                 out.tables["deployed_by_partner"])
    out.show("deployed_by_region", f"Units deployed by region{when}",
             out.tables["deployed_by_region"], ranked=False)
    if detail:
        out.show("conservation", "Conservation per SKU", conserved, ranked=False)
    if sku is not None:
        out.tables["custody_chain"] = physical_accounts.custody(eco, sku)
        out.show("custody_chain", f"Custody of {sku}", out.tables["custody_chain"])
    return out


def assess(eco: Ecosystem, *, as_of: AsOf = None, k: int | None = None,
           communities: pd.DataFrame | None = None) -> Result:
    """Partner KPIs, segments, health scores, tier fit and the ecosystem health score.

    Parameters
    ----------
    eco : Ecosystem
    as_of : str, date or None
        Assess the ecosystem as it stood at the end of this day.
    k : int, optional
        Number of segments (default: chosen by silhouette).
    communities : pandas.DataFrame, optional
        Communities of the partner–customer view, if already detected.

    Returns
    -------
    Result
        Tables ``partner_kpis``, ``partner_segments``, ``segment_profiles``,
        ``segment_silhouette``, ``partner_health``, ``tier_recommendations``
        (:func:`~ecograph.analysis.tier_fit.tier_fit`: the tier all the evidence
        supports, flagged partners first), ``ecosystem_health`` (one row); headline
        ``ecosystem_health``, ``segments``, ``mis_tiered`` (the flagged ids, largest
        margin first), ``mis_tiered_count``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> assess(load_bundle("fixtures/it_ecosystem")).headline["mis_tiered"][0]
    'P00011'
    """
    kpis = assessment.partner_kpis(eco, as_of=as_of, communities=communities)
    segmented = segments.segment_partners(kpis, k=k)
    tiers = tier_fit.tier_fit(eco, kpis=kpis)
    health = assessment.ecosystem_health(eco, kpis=kpis, as_of=as_of, tiers=tiers)
    flagged = tiers[tiers["mis_tiered"]]
    out = Result({"partner_kpis": kpis, "partner_segments": segmented.partners,
                  "segment_profiles": segments.segment_profiles(segmented),
                  "segment_silhouette": segmented.silhouette,
                  "partner_health": assessment.partner_health(kpis),
                  "tier_recommendations": tiers, "ecosystem_health": health.to_frame()},
                 {"ecosystem_health": round(health.score, 1), "segments": segmented.k,
                  "mis_tiered": flagged["id"].tolist(), "mis_tiered_count": int(len(flagged))})
    out.show("ecosystem_health", "Ecosystem health", out.tables["ecosystem_health"], ranked=False)
    out.show("mis_tiered", f"{len(flagged)} of {len(tiers)} partners mis-tiered on strong, consistent "
             "evidence", flagged, ["id", "name", "tier", "expected_tier", "direction", "evidence"])
    out.show("segments", "Partner segments", out.tables["segment_profiles"],
             ["segment", "label", "size", "dominant_type", "traits"], ranked=False)
    out.show("healthiest", "Healthiest partners", out.tables["partner_health"],
             ["id", "name", "health", "partner_type", "tier"])
    return out


#: The stages of :func:`analyze`, in the order they run.
STAGES: dict[str, Callable[[Ecosystem, Result], Result]] = {
    "network": lambda eco, done: network(eco),
    "communities": lambda eco, done: community(eco),
    "co-selling": lambda eco, done: cosell(eco),
    "coverage": lambda eco, done: gaps(eco),
    "supply risk": lambda eco, done: supply_risk(eco),
    "physical accounts": lambda eco, done: accounts(eco),
    # the partner KPIs reuse the communities already detected
    "assessment": lambda eco, done: assess(eco, communities=done.tables["communities"]),
}


def analyze(eco: Ecosystem, *, progress: bool = False, engine: str = "python",
            store=None) -> Result:
    """Run every stage of :data:`STAGES` on ``eco`` and collect the results.

    Parameters
    ----------
    eco : Ecosystem
    progress : bool, default False
        Show a progress bar per stage (on standard error).
    engine : {"python", "neo4j"}, default "python"
        ``"neo4j"``: the network and community stages run as Graph Data Science
        procedures on the graph ``ecograph load --store neo4j`` wrote (projected,
        then dropped), and only their results come back (docs/scaling.md); the
        other stages run here on ``eco``'s tables.
    store : Neo4jStore, optional
        With ``engine="neo4j"``: the store (default: ``Neo4jStore.from_env()``,
        closed afterwards).

    Returns
    -------
    Result
        Every table, the headline numbers (also ``partners``, ``customers``,
        ``relationships``, ``deals``, ``engine``) and the seconds each stage took.

    Raises
    ------
    ParameterError
        When ``engine`` is not one of :data:`ENGINES`.
    StoreError
        With ``engine="neo4j"``: when Neo4j cannot be reached, has no GDS, or does not
        hold ``eco`` (:func:`ecograph.store.gds.check_holds`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> result = analyze(load_bundle("fixtures/tiny"))
    >>> list(result.seconds) == list(STAGES)
    True
    """
    from rich.progress import Progress

    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    out = Result(headline={"partners": len(eco.partners), "customers": len(eco.customers),
                           "relationships": len(eco.relationships), "deals": len(eco.deals),
                           "engine": engine})
    stages = dict(STAGES)
    with contextlib.ExitStack() as stack:
        if engine == "neo4j":
            if store is None:
                from .store import Neo4jStore

                store = stack.enter_context(contextlib.closing(Neo4jStore.from_env()))
            started = time.perf_counter()
            graph = stack.enter_context(gds.projected(store, eco))  # dropped on leaving, error or not
            out.seconds["projection"] = round(time.perf_counter() - started, 3)
            stages.update({"network": lambda eco, done: network(eco, graph=graph),
                           "communities": lambda eco, done: community(eco, graph=graph)})
        with Progress(disable=not progress, transient=True) as bar:
            task = bar.add_task("Analysing", total=len(stages))
            for name, stage in stages.items():
                bar.update(task, description=f"Analysing: {name}")
                started = time.perf_counter()
                out.add(stage(eco, out), seconds=(name, time.perf_counter() - started))
                bar.advance(task)
    return out
