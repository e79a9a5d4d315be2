"""The self-contained HTML report of an :func:`~ecograph.pipeline.analyze` result.

:func:`write_report` writes one ``report.html`` that opens anywhere (figures
embedded as PNG data, no external files): a header with the data's as-of
date, the generation time, the bundle and the ecograph version, a table of
contents, then per section what was found (parties named with their ids),
how to read its figure, the figure (a ``plot_*`` function of
:mod:`ecograph.plots`, re-exported here), its table and a note on the method.
:func:`write_analysis` writes a whole analysis folder (tables,
``summary.json`` and the report) as one transaction.

>>> import tempfile
>>> from ecograph import load_bundle
>>> from ecograph.pipeline import analyze
>>> eco = load_bundle("fixtures/tiny")
>>> path = write_report(eco, analyze(eco), tempfile.mkdtemp())
>>> path.name
'report.html'
"""

from __future__ import annotations

import base64
import html
import importlib.metadata
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .ecosystem import Ecosystem
from .explorer import MAX_EXPLORER_NODES, explorer_html
from .files import atomic_write, replacing
from .graphs import view
from .outputs import write_json, write_tables
from .pipeline import Result
from .plots import (
    MAX_MAP_NODES,
    plot_audits,
    plot_broker_scores,
    plot_brokers,
    plot_community_map,
    plot_cosell,
    plot_coverage_heatmap,
    plot_ecosystem_map,
    plot_partner_health,
    plot_supply_network,
)
from .wording import join_words, party_label, plural

__all__ = ["plot_ecosystem_map", "plot_community_map", "plot_brokers", "plot_broker_scores", "plot_cosell",
           "plot_coverage_heatmap", "plot_supply_network", "plot_audits", "plot_partner_health",
           "write_report", "write_analysis", "SECTIONS", "findings", "summary_lines", "MIN_PARTNERS",
           "MIN_BROKER_CONTACTS"]

#: Report sections, in order: (anchor, title).
SECTIONS = (("map", "Ecosystem map"), ("brokers", "Top brokers"),
            ("cosell", "Co-selling suggestions"), ("coverage", "Coverage gaps"),
            ("supply", "Supply-chain risk"), ("ledger", "Physical accounts"),
            ("partners", "Partner segments and health"))
#: Fewer partners than this and percentile tiers and segments are not read as findings.
MIN_PARTNERS = 10
#: A broker is named only when it has at least this many co-selling contacts.
MIN_BROKER_CONTACTS = 3


@dataclass(frozen=True)
class _Section:
    """What one section of the report says: its finding, how to read the figure, the method."""

    text: str
    how: str
    method: str
    doc: str
    caption: str = ""


def _who(eco: Ecosystem, party) -> str:
    return party_label(eco.names([party]).iat[0], party)


def findings(eco: Ecosystem, analysis: Result) -> dict[str, str]:
    """The sentence naming each section's top finding, parties named with their ids.

    Sections with too little data say so rather than draw a conclusion (fewer
    than :data:`MIN_PARTNERS` partners for tiers and segments, fewer than
    :data:`MIN_BROKER_CONTACTS` co-selling contacts for a broker).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem analysed.
    analysis : Result
        From :func:`~ecograph.pipeline.analyze` on ``eco``.

    Returns
    -------
    dict of str to str
        One sentence per anchor of :data:`SECTIONS`.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.pipeline import analyze
    >>> eco = load_bundle("fixtures/tiny")
    >>> findings(eco, analyze(eco))["supply"].split(". ")[0]
    'Top bottleneck: Apex Systems (P1): 3 units of customer demand go unmet without it'
    """
    t, h = analysis.tables, analysis.headline
    sizes = t["community_profile"]["size"]
    alone = int((sizes == 1).sum())
    brokers = t["brokers"]
    able = brokers[brokers["contacts"] >= MIN_BROKER_CONTACTS]
    pairs = t["cosell_suggestions"].head(3)
    recon = t["reconciliation"]
    off = recon[recon["status"] != "ok"]
    top = t["bottlenecks"].head(1)
    flagged = [_who(eco, p) for p in h["mis_tiered"]]
    text = {"map": f"{plural(h['partners'], 'partner')} and {plural(h['customers'], 'customer')} form "
                   f"{plural(int((sizes > 1).sum()), 'community')} of two or more parties "
                   f"(modularity {h['modularity']})"
                   + (f"; {plural(alone, 'party')} with no tie to any group "
                      f"{'sits' if alone == 1 else 'sit'} alone and "
                      f"{'is' if alone == 1 else 'are'} not counted." if alone else ".")}
    if len(able):
        b = able.iloc[0]
        text["brokers"] = (f"Top broker: {party_label(b['name'], b['id'])}, score {b['score']:.2f}: it "
                           f"{b['why']}.")
    else:
        most = int(brokers["contacts"].max()) if len(brokers) else 0
        text["brokers"] = (f"Too little co-selling to name a broker: no partner co-sells with more than "
                           f"{plural(most, 'other')} (a broker needs {MIN_BROKER_CONTACTS}).")
    text["cosell"] = ("Best new pairings: " + join_words(
        [f"{party_label(r.a_name, r.a)} + {party_label(r.b_name, r.b)}" for r in pairs.itertuples()])
        + "." if len(pairs) else
        "No new pairing to suggest: no two partners share customers, prospects or open deals.")
    rivals = t["cosell_rivals"]
    text["cosell"] += (f" {plural(len(rivals), 'rival pair')} compete for the same deals (channel conflict); "
                       f"the sharpest is {party_label(rivals['a_name'].iat[0], rivals['a'].iat[0])} and "
                       f"{party_label(rivals['b_name'].iat[0], rivals['b'].iat[0])}: {rivals['why'].iat[0]}."
                       if len(rivals) else " No two partners compete for the same deals.")
    text["coverage"] = (f"{plural(h['coverage_gaps'], 'gap')} (no able partner) and "
                        f"{plural(h['fragile_cells'], 'fragile cell')} (fewer able partners than "
                        f"needed); worst gap: {h['top_gap'] or 'none'}.")
    text["supply"] = (f"Top bottleneck: {_who(eco, top['id'].iat[0])}: "
                      f"{plural(top['units_at_risk'].iat[0], 'unit')} of customer demand go unmet "
                      "without it." + _exposure_sentence(eco, t["bottlenecks"]) if len(top) else
                      "No supply relationships carry units: there is no bottleneck to rank.")
    text["ledger"] = (f"{plural(len(off), 'audit discrepancy')} in {plural(len(recon), 'audit count')}"
                      + (f"; largest: audit {off['audit'].iat[0]} at {_who(eco, off['party'].iat[0])}, "
                         f"{off['discrepancy'].iat[0]:+,.0f} units of {off['sku'].iat[0]}."
                         if len(off) else "."))
    if h["partners"] < MIN_PARTNERS:
        text["partners"] = (f"Ecosystem health {h['ecosystem_health']}/100. Only "
                            f"{plural(h['partners'], 'partner')}: too few to rank tiers or segments by "
                            f"percentile (at least {MIN_PARTNERS} needed), so no partner is called "
                            "mis-tiered; the tier fit below is for reference only.")
    else:
        text["partners"] = (f"Ecosystem health {h['ecosystem_health']}/100; "
                            f"{plural(len(flagged), 'partner')} of {h['partners']} mis-tiered on strong, "
                            "consistent evidence" + (f": {join_words(flagged)}." if flagged else "."))
    return text


_EXPLORE_HOW = ("drag to pan, scroll to zoom, hover a party for its scores, search a name or id, filter "
                "by kind, region or community, click a party to keep only it and its neighbours. Up to "
                f"{MAX_EXPLORER_NODES} parties it opens on every party; above, on the communities (coloured "
                "as in the table, sized by their members): click one to see its most central members. The "
                "menu on the left switches between communities and the most central parties by PageRank; "
                "the static map below is for print.")
_BIG_MAP_HOW = ("Too many parties to draw one by one: each circle is a community, numbered as in the "
                "table, sized by its members; a thicker line means more relationships between two "
                "communities. Coloured: the ten largest.")
_METHODS = {
    "map": _Section("", "Each dot is a party; parties that trade with each other sit close together. "
                    "Colour = community (the legend's numbers match the table), size = PageRank "
                    "(more and better-connected relationships). Grey: smaller communities.",
                    "Leiden communities (seed 0) and PageRank on the partner–customer graph; parties "
                    "in a community of one are reported apart.", "docs/analytics.md § Communities",
                    "Communities of two or more parties, largest first"),
    "brokers": _Section("", "A bar per partner, longest first: its broker score. A long bar is a partner "
                        "whose ties reach many communities and who sits on the short paths between them; "
                        "the note gives the communities reached and its co-sell ties.",
                        "broker_scores: the communities a partner's co-sell ties reach (Leiden on the "
                        "partner × account graph, weighted by tie strength = 1 + co-sold deals + shared "
                        "accounts) × the mean percentile of its co-sell betweenness and of its low Burt "
                        "constraint, so a few weak ties cannot make a broker (betweenness from sampled "
                        "pivots on large graphs).", "docs/analytics.md § Brokers by more than one lens",
                        "Brokers by broker score"),
    "cosell": _Section("", "A bar per suggested pair, best first; the note counts the customers they "
                       "share. The table's why column lists all the evidence.",
                       "Suggestions rank by expected joint value: shared accounts and complementary "
                       "capabilities, lowered by competition; pairs that already co-sell are left out. "
                       "Rival pairs (competition of 0.5 or more: same partner type, same capabilities, "
                       "head-to-head deals) are listed apart, by conflict = competition × accounts "
                       "contested.",
                       "docs/analytics.md § Co-selling", "Top suggested pairs"),
    "coverage": _Section("", "Rows are regions, columns customer segments; each cell shows the worst "
                         "capability gap there. 2 and over: customers need a capability no partner "
                         "there has; 1 to 2: fewer able partners than the 2 needed; under 1: covered "
                         "(the fraction grows with the demand per partner). –: no demand.",
                         "Demand (customers, prospects, open deals) per region × segment × capability "
                         "against the partners able to serve it (k = 2).",
                         "docs/analytics.md § Coverage gaps", "Nearest fixes for each gap"),
    "supply": _Section("", "Units flow left to right. Red: the parties whose loss leaves most customer "
                       "demand unmet (bigger = more units). Purple: a region's customers, gathered "
                       "(bigger = more customers).", "Each party is removed in turn and the maximum flow "
                       "of units to customers recomputed; also single sourcing, articulation points "
                       "and min-cuts. Then each is down for its time to recover (TTR, days) in a linear "
                       "program with capacities, bills of materials and inventory on hand (Simchi-Levi "
                       "et al., 2015): its time to survive (TTS: days until a customer goes short; "
                       "'never' when alternatives absorb it), Risk Exposure Index (0-100) and value at "
                       "risk.", "docs/analytics.md § Supply-chain risk",
                       "Bottlenecks, riskiest first"),
    "ledger": _Section("", "Bars: units installed at customer sites per region, one bar per SKU, net of "
                       "returns, regions with most units first. The title counts audits that disagree "
                       "with the ledger.", "The dated movements are replayed to each audit's day and "
                       "set against the count.", "docs/ledger.md § Reconciliation",
                       "Audit counts that disagree with the ledger, largest first"),
    "partners": _Section("", "A dot per partner: revenue won (partners that won nothing at 0) against "
                         "health 0–100; colour = segment, named in the legend.",
                         "Health weighs percentiles of revenue, win rate, deals, customers, co-selling "
                         "and deployments. Tier fit (tier_fit) reads revenue, won deals, win rate, co-sell "
                         "influence, certifications and deployments, weighted by program (alliances are "
                         "not resellers), and flags a partner only when the evidence is strong and "
                         "consistent (a margin beyond its tier's band, few lenses disagreeing).",
                         "docs/assessment.md § Health and § Tiers", "Mis-tiered partners"),
}


def _exposure_sentence(eco: Ecosystem, table: pd.DataFrame) -> str:
    """The party with the highest Risk Exposure Index, its TTS against its TTR and its value at risk
    (empty when the table has no risk-exposure columns)."""
    if "rei" not in table or not table["rei"].notna().any():
        return ""
    worst = table.loc[table["rei"].idxmax()]
    if not worst["tts_lt_ttr"]:
        return " Every party's loss is absorbed within its time to recover (alternatives and inventory)."
    value = (f"; {worst['value_at_risk']:,.0f} of value at risk" if pd.notna(worst["value_at_risk"])
             else "")
    return (f" Highest risk exposure (index {worst['rei']:.0f}): {_who(eco, worst['id'])}, whose customers "
            f"are hurt after {worst['tts_days']:,.0f} days of its {worst['ttr_days']:,.0f}-day recovery"
            f"{value}.")


def summary_lines(eco: Ecosystem, analysis: Result) -> list[str]:
    """The few lines ``ecograph analyze`` prints: the headline, parties named with their ids.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem analysed.
    analysis : Result
        From :func:`~ecograph.pipeline.analyze` on ``eco``.

    Returns
    -------
    list of str
        Plain text (no markup).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.pipeline import analyze
    >>> eco = load_bundle("fixtures/tiny")
    >>> summary_lines(eco, analyze(eco))[0]
    'Nimbus Cloud: 3 partners, 3 customers, ecosystem health 63.3/100'
    """
    h, say = analysis.headline, findings(eco, analysis)
    return [f"{eco.company['name'].iat[0]}: {plural(h['partners'], 'partner')}, "
            f"{plural(h['customers'], 'customer')}, ecosystem health {h['ecosystem_health']}/100",
            f"  {say['supply']}", f"  Coverage: {say['coverage']}", f"  Co-selling: {say['cosell']}",
            f"  Audits: {say['ledger']}", f"  Tiers: {say['partners']}"]


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _readable_tts(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with an infinite time to survive shown as 'never' (the loss is absorbed for good)."""
    if "tts_days" not in table:
        return table
    tts = table["tts_days"]
    return table.assign(tts_days=tts.map(lambda d: "never" if d == float("inf") else
                                         "" if pd.isna(d) else f"{d:,.1f}"))


def _table(frame: pd.DataFrame, columns: list[str], rows: int = 10) -> str:
    if frame.empty:
        return "<p class='empty'>No rows.</p>"
    cols = [c for c in columns if c in frame.columns]
    return frame[cols].head(rows).to_html(index=False, border=0, classes="t", float_format=
                                          lambda x: f"{x:,.2f}", escape=True, na_rep="")


def _section(anchor: str, title: str, say: _Section, image: str | None, table: str,
             extra: str = "") -> str:
    e = html.escape
    img = (f'<p class="how"><b>How to read:</b> {e(say.how)}</p>'
           f'<img alt="{e(title)}" src="data:image/png;base64,{image}">') if image else ""
    caption = f"<h3>{e(say.caption)}</h3>" if say.caption and "No rows." not in table else ""
    return (f'<section id="{anchor}"><h2>{e(title)}</h2><p class="finding">{e(say.text)}</p>'
            f"{extra}{img}{caption}{table}<p class='method'><b>Method:</b> {e(say.method)} "
            f"See <code>{e(say.doc)}</code>.</p></section>")


def _figures(eco: Ecosystem, t: dict[str, pd.DataFrame]) -> dict:
    recon, G = t["reconciliation"], view(eco, "bipartite")
    labels = t["segment_profiles"].set_index("segment")["label"].to_dict() \
        if "label" in t["segment_profiles"].columns else None
    return {
        "map": plot_ecosystem_map(G, t["communities"], t["pagerank"]) if len(G) <= MAX_MAP_NODES
        else plot_community_map(G, t["communities"]),  # party by party is a blur at scale
        "brokers": plot_broker_scores(t["brokers"]) if (t["brokers"]["score"] > 0).any() else None,
        "cosell": plot_cosell(t["cosell_suggestions"]) if len(t["cosell_suggestions"]) else None,
        "coverage": plot_coverage_heatmap(t["coverage"]) if len(t["coverage"]) else None,
        "supply": plot_supply_network(view(eco, "supply"), t["bottlenecks"])
        if len(t["bottlenecks"]) else None,
        "ledger": plot_audits(recon, t["deployed_by_region"]) if len(t["deployed_by_region"]) else None,
        "partners": plot_partner_health(t["partner_health"], t["partner_segments"], labels=labels),
    }


def _tables(analysis: Result) -> tuple[dict[str, str], dict[str, str]]:
    """The HTML table of each section and, where it differs from the default, its caption."""
    t, h = analysis.tables, analysis.headline
    recon = t["reconciliation"]
    off = recon[recon["status"] != "ok"]
    profile = t["community_profile"].reset_index()
    brokers = t["brokers"][t["brokers"]["score"] > 0]
    tiers = t["tier_recommendations"]
    few = h["partners"] < MIN_PARTNERS
    shown_tiers = tiers if few else tiers[tiers["mis_tiered"]]
    captions = {}
    if not len(off):
        captions["ledger"] = "Every audit count (each agrees with the ledger)"
    if few:
        captions["partners"] = "Tier fit of every partner (for reference: too few partners for percentiles)"
    elif not len(shown_tiers):
        captions["partners"] = "No partner is mis-tiered; the partner segments"
    else:
        captions["partners"] = f"Mis-tiered partners ({len(shown_tiers)} of {len(tiers)})"
    fixes = t["coverage_fixes"]
    if not len(fixes):
        captions["coverage"] = "No gap to fix; the most fragile cells"
        fragile = t["coverage"][t["coverage"]["fragile"]]
    tier_table = (_table(shown_tiers, ["id", "name", "tier", "expected_tier", "direction", "evidence"])
                  if len(shown_tiers) else "")
    rivals = t["cosell_rivals"]
    rival_table = (f"<h3>Rival pairs (channel conflict, {len(rivals)})</h3>"
                   + (_table(rivals, ["rank", "a", "a_name", "b", "b_name", "competition", "conflict", "why"])
                      if len(rivals) else "<p class='empty'>No two partners compete for the same deals.</p>"))
    tables = {
        "map": _table(profile[profile["size"] > 1], ["community", "size", "dominant_region",
                                                      "dominant_segment", "internal_share"]),
        "brokers": _table(brokers, ["rank", "id", "name", "score", "communities_reached", "contacts",
                                    "strong_contacts", "why"]),
        "cosell": _table(t["cosell_suggestions"], ["rank", "a", "a_name", "b", "b_name", "score", "why"])
        + rival_table,
        "coverage": _table(fixes, ["region", "segment", "capability", "fix", "partner", "partner_name",
                                   "why"]) if len(fixes) else
        _table(fragile, ["region", "segment", "capability", "customers", "able_partners", "gap_score"]),
        "supply": _table(_readable_tts(t["bottlenecks"]),
                         ["id", "name", "kind", "ttr_days", "tts_days", "rei", "value_at_risk", "risk_score",
                          "units_at_risk", "why"]),
        "ledger": _table(off if len(off) else recon, ["audit", "party", "party_name", "sku", "expected",
                                                      "counted", "discrepancy", "adjustment_kind"]),
        "partners": tier_table + (_table(t["segment_profiles"], ["segment", "label", "size",
                                                                  "dominant_type", "traits"])
                                  if not len(shown_tiers) else ""),
    }
    return tables, captions


_STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:auto;padding:1em;color:#222}"
          "img{max-width:100%}table.t{border-collapse:collapse;font-size:0.85em}"
          ".t td,.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left}"
          ".meta{color:#555;font-size:0.9em}.how{font-size:0.9em}.method{font-size:0.85em;color:#555;"
          "border-left:3px solid #ccc;padding-left:0.6em}.finding{font-size:1.05em}"
          "nav ol{columns:2}section{margin-top:2em}")


def write_report(eco: Ecosystem, analysis: Result, out: str | os.PathLike, *,
                 generated: datetime | None = None) -> Path:
    """Write ``report.html`` (figures embedded, no external files) into folder ``out``.

    The file is written beside and then moved into place, so a failure never
    leaves half a report. A header gives the data's as-of date (the bundle's
    latest record, :attr:`~ecograph.Ecosystem.reference_date`), the
    generation time, the bundle and the ecograph version; a table of
    contents follows. One section per entry of :data:`SECTIONS`: the finding
    (:func:`findings`), how to read the figure, the figure (left out when its
    table is empty), a titled table (its first 10 rows) and a method note
    naming the page of the docs that explains it.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem analysed.
    analysis : Result
        From :func:`~ecograph.pipeline.analyze` on ``eco``.
    out : str or os.PathLike
        The folder (created if needed).
    generated : datetime, optional
        The generation time to print (default: now, in UTC).

    Returns
    -------
    pathlib.Path
        The report's path (``out/report.html``).

    Examples
    --------
    >>> import tempfile
    >>> from ecograph import load_bundle
    >>> from ecograph.pipeline import analyze
    >>> eco = load_bundle("fixtures/tiny")
    >>> path = write_report(eco, analyze(eco), tempfile.mkdtemp())
    >>> page = path.read_text()
    >>> all(f'id="{anchor}"' in page for anchor, _ in SECTIONS), "Data as of 2025-03-01" in page
    (True, True)
    """
    t, h = analysis.tables, analysis.headline
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    said = findings(eco, analysis)
    figures = _figures(eco, t)
    tables, captions = _tables(analysis)
    big = view(eco, "bipartite").number_of_nodes() > MAX_MAP_NODES
    hows = {a: _BIG_MAP_HOW if a == "map" and big else m.how for a, m in _METHODS.items()}
    extra = {"map": f"<p class='how'><b>Explore:</b> {html.escape(_EXPLORE_HOW)}</p>" + explorer_html(
        view(eco, "bipartite"), t["communities"], t["pagerank"], t.get("betweenness"))}
    body = "".join(_section(a, title, _Section(said[a], hows[a], m.method, m.doc, captions.get(a, m.caption)),
                            _png(figures[a][0]) if figures.get(a) else None, tables[a], extra.get(a, ""))
                   for (a, title), m in zip(SECTIONS, _METHODS.values(), strict=True))
    e = html.escape
    company = e(str(eco.company["name"].iat[0]))
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    bundle = Path(eco.source).name if eco.source else "(tables in memory)"
    try:
        version = importlib.metadata.version("ecograph")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        version = "unknown"
    toc = "".join(f'<li><a href="#{a}">{e(title)}</a></li>' for a, title in SECTIONS)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{company} ecosystem "
            f"report</title><style>{_STYLE}</style></head><body><header>"
            f"<h1>{company}: partner ecosystem report</h1><p class='meta'>Data as of "
            f"{eco.reference_date:%Y-%m-%d} (the latest dated record) · generated {when} · bundle "
            f"<code>{e(bundle)}</code> · ecograph {e(version)}</p>"
            f"<p>{plural(h['partners'], 'partner')}, {plural(h['customers'], 'customer')}, "
            f"{plural(h['relationships'], 'relationship')}, {plural(h['deals'], 'deal registration')}."
            f"</p></header><nav><h2>Contents</h2><ol>{toc}</ol></nav>{body}</body></html>")
    return atomic_write(folder / "report.html", lambda p: p.write_text(page, encoding="utf-8"))


def write_analysis(eco: Ecosystem, analysis: Result, out: str | os.PathLike, *,
                   protect: Iterable[str | os.PathLike | None] = ()) -> Path:
    """Write a whole analysis folder: every result table as CSV and Parquet,
    ``summary.json`` (the headline, the bundle and the seconds per stage) and
    ``report.html`` (:func:`write_report`), replacing the folder as a whole.

    The folder is written as a transaction (:func:`ecograph.files.replacing`):
    a full disk, an exception or Ctrl-C at any point leaves the previous
    complete folder (or none), never new tables beside an old report. It may
    not be, be inside, or hold the bundle ``eco`` was loaded from.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem analysed.
    analysis : Result
        From :func:`~ecograph.pipeline.analyze` on ``eco``.
    out : str or os.PathLike
        The folder (created if needed). An existing one is replaced only when
        ecograph wrote everything in it.
    protect : iterable of str or os.PathLike, default ()
        Other inputs the folder must stay apart from.

    Returns
    -------
    pathlib.Path
        The report's path (``out/report.html``).

    Examples
    --------
    >>> import json, tempfile
    >>> from ecograph import load_bundle
    >>> from ecograph.pipeline import analyze
    >>> eco = load_bundle("fixtures/tiny")
    >>> report = write_analysis(eco, analyze(eco), tempfile.mkdtemp())
    >>> json.loads((report.parent / "summary.json").read_text())["bundle"]
    'fixtures/tiny'
    """
    source = [eco.source] if eco.source and Path(eco.source).exists() else []
    with replacing(out, protect=[*protect, *source]) as folder:
        write_tables(folder, analysis.tables, formats=("csv", "parquet"))
        write_json(folder / "summary.json", {"bundle": eco.source, **analysis.headline,
                                             "seconds": analysis.seconds})
        write_report(eco, analysis, folder)
    return Path(out) / "report.html"
