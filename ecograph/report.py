"""Plots and the self-contained HTML report of an :func:`~ecograph.pipeline.analyze` result.

Each ``plot_*`` function draws one figure with matplotlib and returns
``(fig, ax)`` (OSMnx style), so notebooks can restyle or save it;
:func:`write_report` embeds them as PNG data in one ``report.html`` that
opens anywhere, with the tables and a sentence naming the top findings;
:func:`write_analysis` writes a whole analysis folder (tables, ``summary.json``
and the report) as one transaction.

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
import io
import os
from collections.abc import Iterable
from pathlib import Path

import matplotlib.pyplot as plt  # headless runs fall back to Agg; notebooks draw inline
import networkx as nx
import numpy as np
import pandas as pd

from .ecosystem import Ecosystem
from .files import atomic_write, replacing
from .graphs import induced_subgraph, view
from .outputs import write_json, write_tables
from .pipeline import Result
from .twins import node_table, node_values

__all__ = ["plot_ecosystem_map", "plot_brokers", "plot_cosell", "plot_coverage_heatmap",
           "plot_supply_network", "plot_audits", "plot_partner_health", "write_report", "write_analysis",
           "SECTIONS"]

#: Report sections, in order: (anchor, title).
SECTIONS = (("map", "Ecosystem map"), ("brokers", "Top brokers"),
            ("cosell", "Co-selling suggestions"), ("coverage", "Coverage gaps"),
            ("supply", "Supply-chain risk"), ("ledger", "Physical accounts"),
            ("partners", "Partner segments and health"))
_MAX_MAP_NODES = 400


def plot_ecosystem_map(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame, *,
                       seed: int = 0, ax=None):
    """Parties coloured by community and sized by PageRank (the ``400`` most
    central when the graph is larger).

    The nodes drawn are the first 400 rows of ``pagerank`` (highest first, as
    :func:`~ecograph.analysis.centrality.pagerank` returns them) with the
    edges of ``G`` among them, placed by a force-directed (spring) layout;
    marker area grows with PageRank, colour cycles over 20 communities.

    Parameters
    ----------
    G : networkx.Graph
        The graph the scores were computed on (e.g. the ``bipartite`` view).
    communities : pandas.DataFrame
        ``id, community`` (:func:`~ecograph.analysis.communities.detect_communities`);
        a node without one is coloured as community ``-1``.
    pagerank : pandas.DataFrame
        ``id, pagerank``, highest first.
    seed : int, default 0
        Seed of the layout, so the same graph is drawn the same way.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 9 × 7 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    References
    ----------
    .. [1] T. M. J. Fruchterman and E. M. Reingold, "Graph drawing by
       force-directed placement", Software: Practice and Experience 21(11),
       1129–1164, 1991 (the spring layout, :func:`networkx.spring_layout`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis import centrality, communities as cm
    >>> from ecograph import view
    >>> eco = load_bundle("fixtures/tiny"); G = view(eco, "bipartite")
    >>> fig, ax = plot_ecosystem_map(G, cm.detect_communities(G), centrality.pagerank(G))
    >>> ax.get_title()
    'Ecosystem map: colour = community, size = PageRank'
    """
    keep = pagerank["id"].head(_MAX_MAP_NODES).tolist()
    H = induced_subgraph(G, keep)
    pos = nx.spring_layout(H, seed=seed, k=1.5 / max(np.sqrt(H.number_of_nodes()), 1))
    comm = communities.set_index("id")["community"].reindex(list(H)).fillna(-1).to_numpy()
    size = pagerank.set_index("id")["pagerank"].reindex(list(H)).to_numpy()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 7))
    nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.15, width=0.5)
    ax.scatter([pos[n][0] for n in H], [pos[n][1] for n in H], c=comm % 20, cmap="tab20",
               s=20 + 3000 * size / max(size.max(), 1e-12), edgecolors="white", linewidths=0.3)
    ax.set_title("Ecosystem map: colour = community, size = PageRank")
    ax.set_axis_off()
    return fig, ax


def _bar(labels, values, *, title: str, xlabel: str, color: str, ax=None):
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4))
    ax.barh(list(labels)[::-1], list(values)[::-1], color=color)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig, ax


def plot_brokers(brokerage: pd.DataFrame, *, top: int = 10, ax=None):
    """Effective size of the best brokers (lowest constraint) on the co-sell network.

    A horizontal bar per broker, the first at the top. The function does not
    sort: it draws the first ``top`` rows that have an effective size, so pass
    the frame best first, as :func:`~ecograph.analysis.brokerage.brokerage`
    returns it (lowest constraint first).

    Parameters
    ----------
    brokerage : pandas.DataFrame
        ``id, effective_size``, best broker first.
    top : int, default 10
        How many brokers to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_brokers(pd.DataFrame({"id": ["a"], "effective_size": [3.0]}))
    >>> ax.get_xlabel()
    'effective size (non-redundant contacts)'
    """
    best = brokerage.dropna(subset=["effective_size"]).head(top)
    return _bar(best["id"], best["effective_size"], title="Top brokers on the co-sell network",
                xlabel="effective size (non-redundant contacts)", color="#4c72b0", ax=ax)


def plot_cosell(suggestions: pd.DataFrame, *, top: int = 10, ax=None):
    """The best new pairings by score, labelled with their shared customers.

    A horizontal bar per pair (``a + b (n shared)``), the first at the top;
    the first ``top`` rows are drawn in the order given (co-selling
    suggestions come best first).

    Parameters
    ----------
    suggestions : pandas.DataFrame
        ``a, b, score, shared_customers``, best pair first (the
        ``cosell_suggestions`` table of :func:`~ecograph.pipeline.analyze`).
    top : int, default 10
        How many pairs to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"a": ["P1"], "b": ["P2"], "score": [3.0], "shared_customers": [5]})
    >>> fig, ax = plot_cosell(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['P1 + P2 (5 shared)']
    """
    best = suggestions.head(top)
    labels = [f"{a} + {b} ({n} shared)" for a, b, n in zip(best["a"], best["b"],
                                                             best["shared_customers"], strict=True)]
    return _bar(labels, best["score"], title="Best new co-selling pairs",
                xlabel="suggestion score", color="#55a868", ax=ax)


def plot_coverage_heatmap(cells: pd.DataFrame, *, ax=None):
    """Region × segment: the worst gap score of the cell's capabilities (≥ 1
    means fewer able partners than required; ≥ 2 means none).

    Each cell is annotated with its value; a region × segment with no row is 0.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``region, segment, gap_score``, one row per capability of a cell (the
        ``coverage`` table of :func:`~ecograph.pipeline.analyze`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4.5 inch figure. A colour bar is
        added beside it.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["N"], "segment": ["s"], "gap_score": [2.5]})
    >>> fig, ax = plot_coverage_heatmap(cells)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['s']
    """
    grid = cells.pivot_table(index="region", columns="segment", values="gap_score",
                             aggfunc="max").fillna(0.0)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.5))
    image = ax.imshow(grid.to_numpy(), cmap="Reds", aspect="auto", vmin=0)
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="worst gap score")
    ax.set_title("Coverage: worst gap per region × segment")
    fig.tight_layout()
    return fig, ax


def plot_supply_network(G: nx.DiGraph, bottlenecks: pd.DataFrame, *, top: int = 5, ax=None):
    """The supply network in layers (suppliers → company → partners → customers),
    the ``top`` bottlenecks in red and sized by units at risk.

    Layers from left to right: suppliers by ``supply_tier`` (deepest first),
    the company (a blue square), distributors, other partners, customers (at
    most the first 150 in node order). The red nodes and the company are
    labelled with their ids.

    Parameters
    ----------
    G : networkx.DiGraph
        The ``supply`` view (nodes carry ``kind``, ``type``, ``supply_tier``).
    bottlenecks : pandas.DataFrame
        ``id, units_at_risk``, riskiest first
        (:func:`~ecograph.analysis.bottlenecks.bottlenecks`).
    top : int, default 5
        How many of the first rows of ``bottlenecks`` to show in red.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 9 × 6 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> from ecograph.analysis import bottlenecks as bn
    >>> eco = load_bundle("fixtures/tiny")
    >>> from ecograph import view
    >>> fig, ax = plot_supply_network(view(eco, "supply"), bn.bottlenecks(eco))
    >>> ax.get_title().startswith("Supply network")
    True
    """
    ids, customer = node_table(G)["id"], node_values(G, "kind") == "customer"
    H = induced_subgraph(G, ids[~customer].tolist() + ids[customer].tolist()[:150])
    kinds = dict(H.nodes(data="kind"))
    tiers = [t for _, t in H.nodes(data="supply_tier") if t is not None and t == t]
    deepest = int(max(tiers, default=1))

    def layer(n) -> int:  # deepest suppliers left, customers right
        d = H.nodes[n]
        if d.get("kind") == "supplier":
            return deepest - int(d.get("supply_tier") or 1)
        offsets = {"company": 1, "partner": 3 if d.get("type") != "distributor" else 2,
                   "customer": 4}
        return deepest + offsets.get(d.get("kind"), 3)

    risky = bottlenecks.head(top).set_index("id")["units_at_risk"]
    layers: dict[int, list] = {}
    for n in H:
        layers.setdefault(layer(n), []).append(n)
    pos = {n: (x, (i + 1) / (len(members) + 1))  # each layer spread over the full height
           for x, members in layers.items() for i, n in enumerate(sorted(members, key=str))}
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 6))
    nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.2, width=0.5, arrows=False)
    hot = [n for n in H if n in risky.index]
    cold = [n for n in H if n not in risky.index]
    ax.scatter([pos[n][0] for n in cold], [pos[n][1] for n in cold], s=12, c="#999999")
    scale = 800 / max(float(risky.max()) if len(risky) else 1.0, 1e-12)
    ax.scatter([pos[n][0] for n in hot], [pos[n][1] for n in hot], c="#d62728",
               s=[60 + scale * risky[n] for n in hot], edgecolors="black")
    company = [n for n in H if kinds.get(n) == "company"]
    ax.scatter([pos[n][0] for n in company], [pos[n][1] for n in company], s=160, marker="s",
               c="#1f77b4", edgecolors="black")
    for n in hot + company:
        ax.annotate(n, pos[n], xytext=(8, -3), textcoords="offset points", fontsize=9)
    ax.set_title("Supply network: suppliers → company → distributors → partners → customers;\n"
                 "red = top bottlenecks, sized by units at risk")
    ax.set_axis_off()
    return fig, ax


def plot_audits(reconciliation: pd.DataFrame, deployed: pd.DataFrame, *, ax=None):
    """Units deployed per region and SKU, with the audit discrepancies in the title.

    One group of bars per region, one bar per SKU; the title counts the audits
    whose ``status`` is not ``ok``.

    Parameters
    ----------
    reconciliation : pandas.DataFrame
        ``status`` per audit (:func:`ecograph.ledger.reconcile`).
    deployed : pandas.DataFrame
        ``region, sku, net`` (units deployed net of returns; the
        ``deployed_by_region`` table of :func:`~ecograph.pipeline.analyze`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_audits(pd.DataFrame({"status": ["ok"]}),
    ...                       pd.DataFrame({"region": ["N"], "sku": ["S"], "net": [3.0]}))
    >>> ax.get_ylabel()
    'units deployed (net of returns)'
    """
    grid = deployed.pivot_table(index="region", columns="sku", values="net", aggfunc="sum")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4))
    grid.fillna(0).plot.bar(ax=ax)
    off = int((reconciliation["status"] != "ok").sum())
    ax.set_title(f"Installed base by region; {off} audit count(s) disagree with the ledger")
    ax.set_ylabel("units deployed (net of returns)")
    fig.tight_layout()
    return fig, ax


def plot_partner_health(health: pd.DataFrame, segments: pd.DataFrame, *, ax=None):
    """Partner health against revenue won, coloured by segment.

    One point per partner present in both frames; revenue is drawn as
    ``won_amount + 1`` on a log scale, so partners that won nothing show.

    Parameters
    ----------
    health : pandas.DataFrame
        ``id, health`` (:func:`~ecograph.analysis.assessment.partner_health`).
    segments : pandas.DataFrame
        ``id, won_amount, segment`` (the ``partner_segments`` table of
        :func:`~ecograph.pipeline.analyze`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4.5 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure ``ax`` belongs to.
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_partner_health(pd.DataFrame({"id": ["a"], "health": [50.0]}),
    ...     pd.DataFrame({"id": ["a"], "won_amount": [10.0], "segment": [0]}))
    >>> ax.get_xlabel()
    'revenue won (log scale)'
    """
    both = health[["id", "health"]].merge(segments[["id", "won_amount", "segment"]], on="id")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.5))
    ax.scatter(both["won_amount"] + 1, both["health"], c=both["segment"], cmap="tab10", s=30)
    ax.set_xscale("log")
    ax.set_xlabel("revenue won (log scale)")
    ax.set_ylabel("partner health (0-100)")
    ax.set_title("Partner health by segment")
    fig.tight_layout()
    return fig, ax


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _table(frame: pd.DataFrame, columns: list[str], rows: int = 10) -> str:
    cols = [c for c in columns if c in frame.columns]
    return frame[cols].head(rows).to_html(index=False, border=0, classes="t", float_format=
                                          lambda x: f"{x:,.2f}", escape=True)


def _section(anchor: str, title: str, text: str, image: str | None, table: str) -> str:
    img = f'<img alt="{html.escape(title)}" src="data:image/png;base64,{image}">' if image else ""
    return (f'<section id="{anchor}"><h2>{html.escape(title)}</h2><p>{html.escape(text)}</p>'
            f"{img}{table}</section>")


def write_report(eco: Ecosystem, analysis: Result, out: str | os.PathLike) -> Path:
    """Write ``report.html`` (figures embedded, no external files) into folder ``out``.

    The file is written beside and then moved into place, so a failure never
    leaves half a report.

    One section per entry of :data:`SECTIONS`, each a sentence naming the top
    findings, a figure (a ``plot_*`` function; the co-selling, coverage,
    supply and ledger figures are left out when their table is empty) and the
    first 10 rows of its table.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem analysed.
    analysis : Result
        From :func:`~ecograph.pipeline.analyze` on ``eco``.
    out : str or os.PathLike
        The folder (created if needed).

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
    >>> path.name, all(f'id="{anchor}"' in path.read_text() for anchor, _ in SECTIONS)
    ('report.html', True)
    """
    t, h = analysis.tables, analysis.headline
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    brokers = t["brokerage"].dropna(subset=["constraint"])
    top_broker = brokers["id"].iat[0] if len(brokers) else "none"
    pairs = ", ".join(h.get("top_cosell_pairs") or []) or "none"
    recon = t["reconciliation"]
    off = recon[recon["status"] != "ok"]
    text = {
        "map": f"{h['partners']} partners and {h['customers']} customers in "
               f"{h['communities']} communities (modularity {h['modularity']}).",
        "brokers": f"{top_broker} bridges the most otherwise unconnected co-sellers.",
        "cosell": f"Best new pairings: {pairs}.",
        "coverage": f"{h['coverage_gaps']} gaps (no able partner) and {h['fragile_cells']} "
                    f"fragile cells; worst gap: {h['top_gap'] or 'none'}.",
        "supply": f"Top bottleneck: {h['top_bottleneck'] or 'none'}, "
                  f"{h['units_at_risk_top']:,.0f} units of demand unmet without it.",
        "ledger": f"{len(off)} audit discrepancies"
                  + (f"; largest: {off['audit'].iat[0]} at {off['party'].iat[0]} "
                     f"({off['discrepancy'].iat[0]:+,.0f} units of {off['sku'].iat[0]})."
                     if len(off) else "."),
        "partners": f"Ecosystem health {h['ecosystem_health']}/100; mis-tiered: "
                    f"{', '.join(h['mis_tiered']) or 'none'}.",
    }
    figures = {
        "map": plot_ecosystem_map(view(eco, "bipartite"), t["communities"], t["pagerank"]),
        "brokers": plot_brokers(t["brokerage"]),
        "cosell": plot_cosell(t["cosell_suggestions"]) if len(t["cosell_suggestions"]) else None,
        "coverage": plot_coverage_heatmap(t["coverage"]) if len(t["coverage"]) else None,
        "supply": plot_supply_network(view(eco, "supply"), t["bottlenecks"])
        if len(t["bottlenecks"]) else None,
        "ledger": plot_audits(recon, t["deployed_by_region"])
        if len(t["deployed_by_region"]) else None,
        "partners": plot_partner_health(t["partner_health"], t["partner_segments"]),
    }
    tables = {
        "map": _table(t["community_profile"].reset_index(), ["community", "size",
                                                             "dominant_region", "internal_share"]),
        "brokers": _table(brokers, ["id", "constraint", "effective_size", "type", "region"]),
        "cosell": _table(t["cosell_suggestions"], ["rank", "a", "b", "score", "why"]),
        "coverage": _table(t["coverage_fixes"], ["region", "segment", "capability", "fix",
                                                 "partner", "why"]),
        "supply": _table(t["bottlenecks"], ["id", "name", "kind", "risk_score", "units_at_risk",
                                            "why"]),
        "ledger": _table(off if len(off) else recon, ["audit", "party", "sku", "expected",
                                                      "counted", "discrepancy",
                                                      "adjustment_kind"]),
        "partners": _table(t["tier_recommendations"], ["id", "tier", "recommended_tier",
                                                       "mis_tiered", "evidence"]),
    }
    body = "".join(_section(a, title, text[a], _png(figures[a][0]) if figures.get(a) else None,
                            tables[a]) for a, title in SECTIONS)
    company = html.escape(str(eco.company["name"].iat[0]))
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{company} ecosystem "
            "report</title><style>body{font-family:sans-serif;max-width:1000px;margin:auto;"
            "padding:1em}img{max-width:100%}table.t{border-collapse:collapse;font-size:0.85em}"
            ".t td,.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left}</style>"
            f"</head><body><h1>{company}: partner ecosystem report</h1>"
            f"<p>{h['partners']} partners, {h['customers']} customers, "
            f"{h['relationships']} relationships, {h['deals']} deal registrations.</p>"
            f"{body}</body></html>")
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
