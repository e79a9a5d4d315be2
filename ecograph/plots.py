"""The figures of the report, each a ``plot_*`` function returning ``(fig, ax)`` (OSMnx style).

Every figure has a title, axis labels or a legend, and is sorted by what it
draws; parties are named with their ids beside them ("Cedar Data (P00001)").
Notebooks restyle or save them; :mod:`ecograph.report` embeds them.

>>> import pandas as pd
>>> fig, ax = plot_brokers(pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"],
...                                      "effective_size": [1.0, 3.0], "contacts": [1, 4]}))
>>> [t.get_text() for t in ax.get_yticklabels()]  # largest drawn at the top
['A (a)', 'B (b)']
"""

from __future__ import annotations

import matplotlib.pyplot as plt  # headless runs fall back to Agg; notebooks draw inline
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from .analysis.communities import community_ties
from .graphs import induced_subgraph
from .twins import node_table, node_values
from .wording import party_label, party_labels, plural

__all__ = ["plot_ecosystem_map", "plot_community_map", "plot_brokers", "plot_broker_scores", "plot_cosell",
           "plot_coverage_heatmap", "plot_supply_network", "plot_audits", "plot_partner_health",
           "MAX_MAP_NODES"]

#: The map draws at most this many parties (the most central by PageRank).
MAX_MAP_NODES = 400
_OTHER = "#bbbbbb"


def _axes(ax, size):
    return (ax.figure, ax) if ax is not None else plt.subplots(figsize=size)


def plot_ecosystem_map(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame, *,
                       seed: int = 0, legend: int = 10, ax=None):
    """The most central parties, coloured by community and sized by PageRank, with a legend.

    The nodes drawn are the first :data:`MAX_MAP_NODES` rows of ``pagerank``
    (highest first, as :func:`~ecograph.analysis.centrality.pagerank` returns
    them) with the edges of ``G`` among them, placed by a force-directed
    (spring) layout. The ``legend`` largest communities of two or more parties
    get their own colour and a legend entry ``community 3 (81 parties)``, so
    they can be matched with the community table; the others are grey.

    Parameters
    ----------
    G : networkx.Graph
        The graph the scores were computed on (e.g. the ``bipartite`` view).
    communities : pandas.DataFrame
        ``id, community`` (:func:`~ecograph.analysis.communities.detect_communities`).
    pagerank : pandas.DataFrame
        ``id, pagerank``, highest first.
    seed : int, default 0
        Seed of the layout, so the same graph is drawn the same way.
    legend : int, default 10
        How many of the largest communities get a colour (at most 10).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 9 × 7 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    References
    ----------
    .. [1] T. M. J. Fruchterman and E. M. Reingold, "Graph drawing by
       force-directed placement", Software: Practice and Experience 21(11),
       1129–1164, 1991 (the spring layout, :func:`networkx.spring_layout`).

    Examples
    --------
    >>> from ecograph import load_bundle, view
    >>> from ecograph.analysis import centrality, communities as cm
    >>> G = view(load_bundle("fixtures/tiny"), "bipartite")
    >>> fig, ax = plot_ecosystem_map(G, cm.detect_communities(G), centrality.pagerank(G))
    >>> ax.get_legend().get_texts()[0].get_text()
    'community 0 (3 parties)'
    """
    keep = pagerank["id"].head(MAX_MAP_NODES).tolist()
    H = induced_subgraph(G, keep)
    pos = nx.spring_layout(H, seed=seed, k=1.5 / max(np.sqrt(H.number_of_nodes()), 1))
    sizes = communities["community"].value_counts()
    largest = sizes[sizes > 1].head(min(legend, 10)).index.tolist()
    palette = dict(zip(largest, plt.get_cmap("tab10").colors, strict=False))
    comm = communities.set_index("id")["community"].reindex(list(H))
    colour = [palette.get(c, _OTHER) for c in comm]
    score = pagerank.set_index("id")["pagerank"].reindex(list(H)).to_numpy()
    fig, ax = _axes(ax, (9, 7))
    nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.15, width=0.5)
    ax.scatter([pos[n][0] for n in H], [pos[n][1] for n in H], c=colour,
               s=20 + 3000 * score / max(score.max(), 1e-12), edgecolors="white", linewidths=0.3)
    handles = [Line2D([], [], marker="o", ls="", color=palette[c], label=f"community {c} "
                      f"({plural(sizes[c], 'party')})") for c in largest]
    handles.append(Line2D([], [], marker="o", ls="", color=_OTHER, label="smaller communities"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title="colour = community", title_fontsize=8, frameon=False)
    shown = "every party" if H.number_of_nodes() == G.number_of_nodes() else \
        f"the {H.number_of_nodes()} most central parties of {G.number_of_nodes():,}"
    ax.set_title(f"Ecosystem map: {shown}; size = PageRank")
    ax.set_axis_off()
    fig.tight_layout()
    return fig, ax


def plot_community_map(G: nx.Graph, communities: pd.DataFrame, *, top: int = 30, seed: int = 0,
                       ax=None):
    """The ``top`` largest communities as nodes sized by their members, joined by the
    relationships between them: the map of an ecosystem too large to draw party by party.

    Communities of one party are left out. Each node is labelled with its
    community number (as in the community table) and member count, and
    coloured like :func:`plot_ecosystem_map` colours its ten largest; an
    edge's width grows with the relationships between the two communities.

    Parameters
    ----------
    G : networkx.Graph
        The graph the communities were detected on.
    communities : pandas.DataFrame
        ``id, community``.
    top : int, default 30
        How many of the largest communities to draw.
    seed : int, default 0
        Seed of the layout.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 9 × 7 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> from ecograph import load_bundle, view
    >>> from ecograph.analysis import communities as cm
    >>> G = view(load_bundle("fixtures/it_ecosystem"), "bipartite")
    >>> fig, ax = plot_community_map(G, cm.detect_communities(G, seed=0))
    >>> ax.get_title().startswith("Communities of the ecosystem")
    True
    """
    sizes = communities["community"].value_counts()
    shown = sizes[sizes > 1].head(top)
    ties = community_ties(G, communities)
    ties = ties[ties["a"].isin(shown.index) & ties["b"].isin(shown.index)]
    C = nx.Graph()
    C.add_nodes_from(shown.index)
    C.add_weighted_edges_from(ties.itertuples(index=False, name=None))
    pos = nx.spring_layout(C, seed=seed, weight="weight", k=2 / max(np.sqrt(len(C)), 1))
    palette = dict(zip(shown.index[:10], plt.get_cmap("tab10").colors, strict=False))
    fig, ax = _axes(ax, (9, 7))
    most = max(ties["ties"].max() if len(ties) else 1, 1)
    nx.draw_networkx_edges(C, pos, ax=ax, alpha=0.3,
                           width=[0.5 + 6 * d["weight"] / most for *_, d in C.edges(data=True)])
    ax.scatter([pos[c][0] for c in C], [pos[c][1] for c in C], c=[palette.get(c, _OTHER) for c in C],
               s=[100 + 3000 * shown[c] / shown.max() for c in C], edgecolors="white")
    for c in C:
        ax.annotate(f"{c}\n({shown[c]:,})", pos[c], ha="center", va="center", fontsize=7)
    alone = int((sizes == 1).sum())
    many = int((sizes > 1).sum())
    which = f"all {plural(many, 'community')}" if len(shown) == many else \
        f"the {len(shown)} largest of {plural(many, 'community')}"
    ax.set_title(f"Communities of the ecosystem: {which} of two or more parties\n(size = members, "
                 f"edge width = relationships between them; {plural(alone, 'party')} alone not drawn)")
    ax.set_axis_off()
    fig.tight_layout()
    return fig, ax


def _bar(labels, values, *, title: str, xlabel: str, color: str, notes=None, ax=None):
    """Horizontal bars, the first at the top; ``notes`` are written at each bar's end."""
    labels, values = list(labels), list(values)
    fig, ax = _axes(ax, (9, max(2.5, 0.45 * len(labels) + 1.2)))
    ax.barh(labels[::-1], values[::-1], color=color)
    for y, (v, note) in enumerate(zip(values[::-1], (notes or [""] * len(values))[::-1],
                                      strict=True)):
        if note:
            ax.annotate(note, (v, y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.margins(x=0.15)
    fig.tight_layout()
    return fig, ax


def _labels(frame: pd.DataFrame, id_col: str = "id", name_col: str = "name") -> list[str]:
    names = frame[name_col] if name_col in frame.columns else [None] * len(frame)
    return party_labels(names, frame[id_col])


def plot_brokers(brokerage: pd.DataFrame, *, top: int = 10, ax=None):
    """The ``top`` brokers of the co-sell network by effective size, largest at the top.

    The bars are sorted by what they draw: effective size (the contacts that
    are not also tied to each other). The note at each bar's end gives the
    contacts it is out of.

    Parameters
    ----------
    brokerage : pandas.DataFrame
        ``id, effective_size`` (and ``name``, ``contacts`` when present), as
        :func:`~ecograph.analysis.brokerage.brokerage` returns it.
    top : int, default 10
        How many brokers to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure sized to the bars.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_brokers(pd.DataFrame({"id": ["a"], "effective_size": [3.0]}))
    >>> ax.get_xlabel()
    'effective size (co-sell contacts not tied to each other)'
    """
    best = (brokerage.dropna(subset=["effective_size"])
            .sort_values("effective_size", ascending=False, kind="stable").head(top))
    notes = ([f"{e:.1f} of {plural(c, 'contact')}" for e, c in zip(best["effective_size"],
                                                                  best["contacts"], strict=True)]
             if "contacts" in best.columns else None)
    return _bar(_labels(best), best["effective_size"], title="Brokers on the co-sell network",
                xlabel="effective size (co-sell contacts not tied to each other)", color="#4c72b0",
                notes=notes, ax=ax)


def plot_broker_scores(brokers: pd.DataFrame, *, top: int = 10, ax=None):
    """The ``top`` partners by broker score (several lenses at once), highest at the top.

    The bars are sorted by what they draw: the score of
    :func:`~ecograph.analysis.brokerage.broker_scores` (communities reached ×
    how well the partner bridges on co-sell betweenness and low constraint).
    The note at each bar's end gives the communities reached and the co-sell
    ties (strong ones in brackets). Partners scoring 0 are left out.

    Parameters
    ----------
    brokers : pandas.DataFrame
        ``id, score`` (and ``name``, ``communities_reached``, ``contacts``,
        ``strong_contacts`` when present), as
        :func:`~ecograph.analysis.brokerage.broker_scores` returns it.
    top : int, default 10
        How many brokers to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure sized to the bars.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_broker_scores(pd.DataFrame({"id": ["a", "b"], "score": [1.0, 2.5]}))
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xlabel().split(" (")[0]
    (['a', 'b'], 'broker score')
    """
    best = brokers[brokers["score"] > 0].sort_values("score", ascending=False, kind="stable").head(top)
    notes = ([f"{r.communities_reached:.1f} communities, {plural(r.contacts, 'tie')} "
              f"({r.strong_contacts} strong)" for r in best.itertuples()]
             if {"communities_reached", "contacts", "strong_contacts"} <= set(best.columns) else None)
    return _bar(_labels(best), best["score"], title="Brokers by several lenses",
                xlabel="broker score (communities reached × bridging percentile)", color="#4c72b0",
                notes=notes, ax=ax)


def plot_cosell(suggestions: pd.DataFrame, *, top: int = 10, ax=None):
    """The best new pairings by score, best at the top, each with its shared customers.

    Parameters
    ----------
    suggestions : pandas.DataFrame
        ``a, b, score, shared_customers`` (and ``a_name, b_name`` when present),
        best pair first (the ``cosell_suggestions`` table of
        :func:`~ecograph.pipeline.analyze`).
    top : int, default 10
        How many pairs to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new figure sized to the bars.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"a": ["P1"], "b": ["P2"], "a_name": ["Apex"], "b_name": ["Delta"],
    ...                   "score": [3.0], "shared_customers": [5]})
    >>> fig, ax = plot_cosell(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Apex (P1) + Delta (P2)']
    """
    best = suggestions.sort_values("score", ascending=False, kind="stable").head(top)
    labels = [f"{a} + {b}" for a, b in zip(_labels(best, "a", "a_name"), _labels(best, "b", "b_name"),
                                           strict=True)]
    notes = [f"{plural(n, 'shared customer')}" for n in best["shared_customers"]]
    return _bar(labels, best["score"], title="Best new co-selling pairs",
                xlabel="suggestion score (higher: more shared accounts, complementary skills)",
                color="#55a868", notes=notes, ax=ax)


def plot_coverage_heatmap(cells: pd.DataFrame, *, ax=None):
    """Region × segment: the worst gap score of the cell's capabilities.

    The integer part of a gap score counts the partners missing to reach the
    redundancy ``k`` (2 by default: 2 and over means no able partner, 1 and
    over one too few); the fraction grows with the demand each able partner
    carries. A region × segment without demand is left blank ("no demand").

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
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["N", "S"], "segment": ["s", "t"], "gap_score": [2.5, 0.4]})
    >>> fig, ax = plot_coverage_heatmap(cells)
    >>> sorted(t.get_text() for t in ax.texts)
    ['0.4', '2.5', '–', '–']
    """
    grid = cells.pivot_table(index="region", columns="segment", values="gap_score", aggfunc="max")
    fig, ax = _axes(ax, (8, 4.5))
    values = grid.to_numpy(dtype=float)
    cmap = plt.get_cmap("Reds").with_extremes(bad="#eeeeee")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto", vmin=0,
                      vmax=max(2.0, np.nanmax(values) if np.isfinite(values).any() else 2.0))
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, "–" if np.isnan(v) else f"{v:.1f}", ha="center", va="center", fontsize=8,
                color="white" if v >= 2 else "black")
    fig.colorbar(image, ax=ax, label="worst gap score: ≥ 2 no able partner,\n≥ 1 fewer than needed, "
                 "< 1 covered")
    ax.set_xlabel("customer segment")
    ax.set_ylabel("region")
    ax.set_title("Coverage: worst gap per region × segment (– = no demand)")
    fig.tight_layout()
    return fig, ax


def plot_supply_network(G: nx.DiGraph, bottlenecks: pd.DataFrame, *, top: int = 5, ax=None):
    """The supply network in layers (suppliers → company → distributors → partners → customers),
    the ``top`` bottlenecks in red and sized by units at risk, with a legend.

    Layers from left to right: suppliers by ``supply_tier`` (deepest first),
    the company (a blue square), distributors, other partners, and customers
    gathered into one node per region (sized by how many). The red nodes are
    numbered, riskiest first, and named "Name (ID)" in the legend.

    Parameters
    ----------
    G : networkx.DiGraph
        The ``supply`` view (nodes carry ``kind``, ``type``, ``supply_tier``, ``region``).
    bottlenecks : pandas.DataFrame
        ``id, units_at_risk``, riskiest first
        (:func:`~ecograph.analysis.bottlenecks.bottlenecks`).
    top : int, default 5
        How many of the first rows of ``bottlenecks`` to show in red.
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 10 × 6 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> from ecograph import load_bundle, view
    >>> from ecograph.analysis import bottlenecks as bn
    >>> eco = load_bundle("fixtures/tiny")
    >>> fig, ax = plot_supply_network(view(eco, "supply"), bn.bottlenecks(eco))
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['company', 'top bottleneck (size = units at risk)']
    """
    nodes = node_table(G)
    kind = node_values(G, "kind")
    region = pd.Series(node_values(G, "region")).fillna("unknown region").to_numpy()
    group = np.where(kind == "customer", "customers in " + region.astype(str), nodes["id"].to_numpy())
    where = dict(zip(nodes["id"], group, strict=True))
    H = nx.DiGraph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") != "customer")
    counts = pd.Series(group[kind == "customer"]).value_counts()
    H.add_nodes_from((g, {"kind": "customer", "count": int(c)}) for g, c in counts.items())
    H.add_edges_from((where[u], where[v]) for u, v in G.edges() if where[u] != where[v])
    tiers = [t for _, t in H.nodes(data="supply_tier") if t is not None and t == t]
    deepest = int(max(tiers, default=1))

    def layer(n) -> int:  # deepest suppliers left, customers right
        d = H.nodes[n]
        if d.get("kind") == "supplier":
            return deepest - int(d.get("supply_tier") or 1)
        offsets = {"company": 1, "partner": 3 if d.get("type") != "distributor" else 2, "customer": 4}
        return deepest + offsets.get(d.get("kind"), 3)

    risky = bottlenecks.head(top).set_index("id")["units_at_risk"]
    layers: dict[int, list] = {}
    for n in H:
        layers.setdefault(layer(n), []).append(n)
    pos = {n: (x, (i + 1) / (len(members) + 1))  # each layer spread over the full height
           for x, members in layers.items() for i, n in enumerate(sorted(members, key=str))}
    fig, ax = _axes(ax, (10, 6))
    nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.15, width=0.5, arrows=False)
    hot = [n for n in H if n in risky.index]
    groups = [n for n in H if H.nodes[n].get("kind") == "customer"]
    cold = [n for n in H if n not in risky.index and n not in groups]
    company = [n for n in H if H.nodes[n].get("kind") == "company"]
    most = max(counts.max() if len(counts) else 1, 1)
    ax.scatter([pos[n][0] for n in cold], [pos[n][1] for n in cold], s=12, c="#999999")
    ax.scatter([pos[n][0] for n in groups], [pos[n][1] for n in groups], c="#8172b3", alpha=0.7,
               s=[40 + 600 * H.nodes[n]["count"] / most for n in groups])
    scale = 800 / max(float(risky.max()) if len(risky) else 1.0, 1e-12)
    ax.scatter([pos[n][0] for n in hot], [pos[n][1] for n in hot], c="#d62728",
               s=[60 + scale * risky[n] for n in hot], edgecolors="black")
    ax.scatter([pos[n][0] for n in company], [pos[n][1] for n in company], s=160, marker="s",
               c="#1f77b4", edgecolors="black")
    for n in company:
        ax.annotate(party_label(H.nodes[n].get("name"), n), pos[n], xytext=(10, -3),
                    textcoords="offset points", fontsize=8)
    hot = [n for n in risky.index if n in H]  # riskiest first: numbered in the node, named in the legend
    for i, n in enumerate(hot, 1):
        ax.annotate(str(i), pos[n], ha="center", va="center", fontsize=8, color="white", weight="bold")
    for n in groups:
        ax.annotate(f"{n} ({H.nodes[n]['count']:,})", pos[n], xytext=(8, -3),
                    textcoords="offset points", fontsize=7, color="#4b3f8a")
    ax.legend(handles=[
        Line2D([], [], marker="s", ls="", color="#1f77b4", label="company"),
        Line2D([], [], marker="o", ls="", color="#d62728", label="top bottleneck (size = units at risk)"),
        Line2D([], [], marker="o", ls="", color="#999999", label="other supplier or partner"),
        Line2D([], [], marker="o", ls="", color="#8172b3", label="customers of a region (size = count)"),
    ] + [Line2D([], [], ls="", label=f"{i}: {party_label(H.nodes[n].get('name'), n)}")
         for i, n in enumerate(hot, 1)],
        loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=8, frameon=False)
    ax.set_title("Supply network, left to right: suppliers → company → distributors → partners → "
                 "customers")
    ax.set_axis_off()
    fig.tight_layout()
    return fig, ax


def plot_audits(reconciliation: pd.DataFrame, deployed: pd.DataFrame, *, ax=None):
    """Units deployed per region and SKU (a bar per SKU), with the audit discrepancies in the title.

    Regions are sorted by units deployed, most first.

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
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_audits(pd.DataFrame({"status": ["ok", "short"]}),
    ...                       pd.DataFrame({"region": ["N"], "sku": ["S"], "net": [3.0]}))
    >>> ax.get_ylabel(), ax.get_title().split("; ")[1]
    ('units deployed (net of returns)', '1 of 2 audit counts disagrees with the ledger')
    """
    grid = deployed.pivot_table(index="region", columns="sku", values="net", aggfunc="sum").fillna(0)
    grid = grid.loc[grid.sum(axis=1).sort_values(ascending=False).index]
    fig, ax = _axes(ax, (8, 4))
    grid.plot.bar(ax=ax)
    off = int((reconciliation["status"] != "ok").sum())
    verb = "disagrees" if off == 1 else "disagree"
    ax.set_title(f"Installed base by region; {off} of {plural(len(reconciliation), 'audit count')} "
                 f"{verb} with the ledger")
    ax.set_ylabel("units deployed (net of returns)")
    ax.set_xlabel("region")
    ax.legend(title="SKU", fontsize=8)
    fig.tight_layout()
    return fig, ax


def plot_partner_health(health: pd.DataFrame, segments: pd.DataFrame, *, labels=None, ax=None):
    """Partner health against revenue won, a colour and a legend entry per segment.

    Revenue is drawn on a symmetric log scale, linear below the smallest
    revenue won, so partners that won nothing sit at 0 (not at 10⁰).

    Parameters
    ----------
    health : pandas.DataFrame
        ``id, health`` (:func:`~ecograph.analysis.assessment.partner_health`).
    segments : pandas.DataFrame
        ``id, won_amount, segment`` (the ``partner_segments`` table of
        :func:`~ecograph.pipeline.analyze`).
    labels : mapping of segment to str, optional
        Words for each segment in the legend (e.g. the ``label`` column of
        ``segment_profiles``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; ``None``: a new 8 × 4.5 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> fig, ax = plot_partner_health(pd.DataFrame({"id": ["a", "b"], "health": [50.0, 10.0]}),
    ...     pd.DataFrame({"id": ["a", "b"], "won_amount": [10.0, 0.0], "segment": [0, 1]}),
    ...     labels={0: "sellers", 1: "quiet"})
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('revenue won (0, then log scale)', ['segment 0: sellers (1)', 'segment 1: quiet (1)'])
    """
    both = health[["id", "health"]].merge(segments[["id", "won_amount", "segment"]], on="id")
    fig, ax = _axes(ax, (8, 4.5))
    colours = plt.get_cmap("tab10").colors
    for i, (seg, part) in enumerate(both.groupby("segment", sort=True)):
        words = f": {labels[seg]}" if labels is not None and seg in labels else ""
        ax.scatter(part["won_amount"], part["health"], s=30, color=colours[i % 10], alpha=0.8,
                   label=f"segment {seg}{words} ({len(part)})")
    positive = both.loc[both["won_amount"] > 0, "won_amount"]
    ax.set_xscale("symlog", linthresh=float(positive.min()) if len(positive) else 1.0)
    ax.set_xlim(left=0)
    ax.set_xlabel("revenue won (0, then log scale)")
    ax.set_ylabel("partner health (0-100)")
    ax.set_title("Partner health against revenue won, by segment")
    ax.legend(fontsize=8, title="segment (partners)", title_fontsize=8)
    fig.tight_layout()
    return fig, ax
