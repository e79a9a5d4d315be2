"""Plots and the self-contained HTML report of an :class:`~ecograph.pipeline.Analysis`.

Each ``plot_*`` function draws one figure with matplotlib and returns
``(fig, ax)`` (OSMnx style), so notebooks can restyle or save it;
:func:`write_report` embeds them as PNG data in one ``report.html`` that
opens anywhere, with the tables and a sentence naming the top findings.

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
from pathlib import Path

import matplotlib.pyplot as plt  # headless runs fall back to Agg; notebooks draw inline
import networkx as nx
import numpy as np
import pandas as pd

from .graphs import induced_subgraph, node_table, node_values

__all__ = ["plot_ecosystem_map", "plot_brokers", "plot_cosell", "plot_coverage_heatmap",
           "plot_supply_network", "plot_audits", "plot_partner_health", "write_report", "SECTIONS"]

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

    >>> from ecograph import load_bundle
    >>> from ecograph.analysis import centrality, communities as cm
    >>> eco = load_bundle("fixtures/tiny"); G = eco.view("bipartite")
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

    >>> from ecograph import load_bundle
    >>> from ecograph.analysis import bottlenecks as bn
    >>> eco = load_bundle("fixtures/tiny")
    >>> fig, ax = plot_supply_network(eco.view("supply"), bn.bottlenecks(eco))
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

    risky = bottlenecks.head(top).set_index("party")["units_at_risk"]
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


def write_report(eco, analysis, out: str | os.PathLike) -> Path:
    """Write ``report.html`` (figures embedded, no external files) into folder
    ``out`` and return its path. The file is written beside and then moved into
    place, so a failure never leaves half a report."""
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
        "map": plot_ecosystem_map(eco.view("bipartite"), t["communities"], t["pagerank"]),
        "brokers": plot_brokers(t["brokerage"]),
        "cosell": plot_cosell(t["cosell_suggestions"]) if len(t["cosell_suggestions"]) else None,
        "coverage": plot_coverage_heatmap(t["coverage"]) if len(t["coverage"]) else None,
        "supply": plot_supply_network(eco.view("supply"), t["bottlenecks"])
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
        "supply": _table(t["bottlenecks"], ["party", "kind", "risk_score", "units_at_risk",
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
    path = folder / "report.html"
    partial = folder / ".report.html.partial"
    try:
        partial.write_text(page)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk leaves no half-written report
        raise
    return path
