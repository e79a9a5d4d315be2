"""The interactive network explorer embedded in ``report.html``: offline, its JavaScript inline.

Pan (drag) and zoom (wheel), a hover card with the party's scores, search by
name or id, filters by kind, region and community, a legend, and a click that
keeps only a party and its neighbours. It has two views, and a menu to switch:

- **communities**: each community of two or more parties is a circle sized by
  its members and coloured as in the community table (the ten largest; the
  others grey), joined by lines as thick as the relationships between them. A
  click drills down into that community: its most central members by PageRank,
  partners and customers in turn, at most ``max_members`` of them, and the
  status line says "showing 80 of 8,123 members".
- **most central parties**: the ``max_nodes`` parties with the highest PageRank
  (every party of a small ecosystem) and the edges among them.

It opens on the most central parties when they are every party (up to
``community_view_above`` parties, :data:`MAX_EXPLORER_NODES` by default) and on
the communities above that, where a drawing of parties one by one is a blur.
What it embeds is bounded whatever the size of the ecosystem: ``max_nodes``
parties, ``max_communities`` communities and ``max_members`` members of each,
so ``report.html`` stays a few megabytes at a million relationships. Search
finds any party embedded in either view and switches to the view that shows it.
Layouts are seeded force-directed layouts computed here. No network access, no
CDN: the page works from a file on a laptop in a plane.

A page can open it on a search with ``report.html#search=Cedar``. The
explorer marks its root ``data-ready="1"`` once drawn (``data-ready-ms``: the
milliseconds since the page started loading), ``data-view`` names the view
shown, and any JavaScript error is recorded in ``data-errors`` (the browser
tests read them).

>>> from ecograph import load_bundle, view
>>> from ecograph.analysis import centrality, communities as cm
>>> G = view(load_bundle("fixtures/tiny"), "bipartite")
>>> html = explorer_html(G, cm.detect_communities(G), centrality.pagerank(G))
>>> "id='explorer'" in html and "http" not in html
True
"""

from __future__ import annotations

import json
import re
import uuid
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd

from .analysis.communities import community_ties
from .errors import ParameterError
from .frames import positions, records_of
from .graphs import induced_subgraph
from .twins import node_table, twin

__all__ = ["explorer_html", "Explorer", "MAX_EXPLORER_NODES", "MAX_COMMUNITIES", "MAX_MEMBERS"]

#: The most central parties (by PageRank) the explorer draws one by one; above this many
#: parties it opens on the communities.
MAX_EXPLORER_NODES = 600
#: The largest communities drawn in the community view.
MAX_COMMUNITIES = 40
#: The most central members embedded per community, shown when it is drilled into.
MAX_MEMBERS = 80


def _layout(H: nx.Graph, seed: int, order=None, **options) -> dict:
    """A seeded spring layout of ``H``'s linked nodes in [-1, 1]², and its nodes without an
    edge in a grid beneath them (in ``order``, the nodes most central first; default ``H``'s
    order), where a spring layout would fling them to the edges and crowd the rest into the
    middle (over the whole square when none is linked)."""
    alone = [n for n in (H if order is None else order) if H.degree(n) == 0]
    linked = H.subgraph([n for n, d in H.degree() if d])
    pos = dict(nx.spring_layout(linked, seed=seed, iterations=60, **options)) if len(linked) else {}
    columns = max(int(np.ceil(np.sqrt(2 * len(alone)))), 1)  # twice as wide as tall
    rows = -(-len(alone) // columns)
    top, step = (1.25, 0.15) if pos else (-1.0, 2 / max(rows - 1, 1))
    pos.update({n: (-1 + 2 * (i % columns + 0.5) / columns, top + step * (i // columns))
                for i, n in enumerate(alone)})
    return {n: (round(float(x), 4), round(float(y), 4)) for n, (x, y) in pos.items()}


def _data(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame,
          betweenness: pd.DataFrame | None, *, max_nodes: int, max_communities: int, max_members: int,
          community_view_above: int, seed: int) -> dict:
    table = node_table(G)
    ids = table["id"]

    def by_node(frame: pd.DataFrame | None, column: str) -> np.ndarray:  # in twin order, NaN if absent
        out = np.full(len(ids), np.nan)
        if frame is not None and column in frame.columns:
            at = positions(frame["id"], ids)
            out[at[at >= 0]] = frame[column].to_numpy(dtype=float)[at >= 0]
        return out

    table = table.assign(degree=twin(G).degree(), community=by_node(communities, "community"),
                         pagerank=np.nan_to_num(by_node(pagerank, "pagerank")),
                         betweenness=by_node(betweenness, "betweenness"))
    sizes = communities["community"].value_counts()
    shown = sizes[sizes > 1].head(max_communities)
    order = positions(pagerank["id"], ids)
    ranked = table.iloc[order[order >= 0]].set_index("id")
    top = ranked.index[:max_nodes].tolist()
    # each community's most central members, taking partners and customers (each kind) in turn
    candidates = ranked[ranked["community"].isin(shown.index)]
    by = ["community", "kind"] if "kind" in table else ["community"]
    turn = candidates.groupby(by, sort=False, dropna=False).cumcount()
    members = (candidates.assign(turn=turn.to_numpy()).sort_values("turn", kind="stable")
               .groupby("community", sort=False).head(max_members))
    H = induced_subgraph(G, list(dict.fromkeys(top + members.index.tolist())))
    nodes = list(H)
    where = {n: i for i, n in enumerate(nodes)}
    at_top = _layout(H.subgraph(top), seed, top, k=1.5 / max(np.sqrt(len(top)), 1))
    group_of = {c: k for k, c in enumerate(shown.index)}
    inside: dict = {}
    for _, part in members.groupby("community", sort=False):
        inside.update(_layout(H.subgraph(part.index), seed, part.index, k=1.5 / max(np.sqrt(len(part)), 1)))
    ties = community_ties(G, communities)
    ties = ties[ties["a"].isin(shown.index) & ties["b"].isin(shown.index)]
    C = nx.Graph()
    C.add_nodes_from(shown.index)
    most = max(ties["ties"].max() if len(ties) else 1, 1)  # pulls of at most 1, or big ones clump
    C.add_weighted_edges_from((a, b, w / most) for a, b, w in ties.itertuples(index=False, name=None))
    at_group = _layout(C, seed, weight="weight", k=2 / max(np.sqrt(len(C)), 1))
    kinds: dict = {}  # community -> {kind: members}
    counts = table.groupby("community")["kind"].value_counts() if "kind" in table else pd.Series()
    for (c, kind), n in counts.items():
        kinds.setdefault(c, {})[str(kind)] = int(n)

    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    def number(value):
        return None if pd.isna(value) else round(float(value), 6)

    def node(n, r: dict) -> dict:
        x, y = at_top.get(n, (None, None))
        mx, my = inside.get(n, (None, None))
        return {"id": str(n), "name": text(r.get("name")), "kind": text(r.get("kind")),
                "type": text(r.get("type")), "region": text(r.get("region")),
                "community": None if pd.isna(r["community"]) else int(r["community"]),
                "pagerank": number(r["pagerank"]) or 0.0, "betweenness": number(r["betweenness"]),
                "degree": int(r["degree"]), "x": x, "y": y, "mx": mx, "my": my,
                "g": group_of[r["community"]] if n in inside else None}

    return {
        "total": G.number_of_nodes(),
        "view": "communities" if G.number_of_nodes() > community_view_above and len(shown) else "top",
        "top": len(top),
        "nodes": [node(n, r) for n, r in zip(nodes, records_of(table.iloc[positions(nodes, ids)]),
                                             strict=True)],
        "edges": [[where[u], where[v]] for u, v in H.edges()],
        "communities": [[int(c), int(s)] for c, s in sizes[sizes > 1].head(10).items()],  # the coloured
        "groups": [{"c": int(c), "size": int(size), "x": at_group[c][0], "y": at_group[c][1],
                    "kinds": kinds.get(c, {}),
                    "members": [where[n] for n in members.index[members["community"] == c]]}
                   for c, size in shown.items()],
        "ties": [[group_of[a], group_of[b], int(w)] for a, b, w in ties.itertuples(index=False, name=None)],
        "many": int((sizes > 1).sum()),
        "alone": int((sizes == 1).sum()),
    }


_ASSETS = resources.files("ecograph") / "assets"


def explorer_html(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame,
                  betweenness: pd.DataFrame | None = None, *, max_nodes: int = MAX_EXPLORER_NODES,
                  max_communities: int = MAX_COMMUNITIES, max_members: int = MAX_MEMBERS,
                  community_view_above: int | None = None, seed: int = 0,
                  element_id: str = "explorer") -> str:
    """The explorer as an HTML fragment (a ``div``, its style and its script, all inline).

    Parameters
    ----------
    G : networkx.Graph
        The graph to explore (the report uses the ``bipartite`` view).
    communities : pandas.DataFrame
        ``id, community``.
    pagerank : pandas.DataFrame
        ``id, pagerank``, highest first: the most central parties are its first
        ``max_nodes`` rows, and each community's most central members come in its order.
    betweenness : pandas.DataFrame, optional
        ``id, betweenness``, shown in the hover card.
    max_nodes : int, default :data:`MAX_EXPLORER_NODES`
        How many parties the "most central parties" view draws.
    max_communities : int, default :data:`MAX_COMMUNITIES`
        How many of the largest communities (of two or more parties) the community view draws.
    max_members : int, default :data:`MAX_MEMBERS`
        How many members of each of them a click on it shows: the most central by PageRank,
        each kind (partners, customers) in turn, so both are seen.
    community_view_above : int, optional
        Open on the communities when ``G`` has more nodes than this (default: ``max_nodes``,
        so it opens on the parties one by one only when they are all drawn).
    seed : int, default 0
        Seed of the layouts.
    element_id : str, default "explorer"
        The ``id`` of its root element (unique in the page; its data is ``<id>-data``).

    Returns
    -------
    str
        HTML to place in a page.

    Examples
    --------
    >>> from ecograph import load_bundle, view
    >>> from ecograph.analysis import centrality, communities as cm
    >>> G = view(load_bundle("fixtures/tiny"), "bipartite")
    >>> fragment = explorer_html(G, cm.detect_communities(G), centrality.pagerank(G))
    >>> fragment.count("<script")
    2
    """
    data = _data(G, communities, pagerank, betweenness, max_nodes=max_nodes, max_communities=max_communities,
                 max_members=max_members, seed=seed,
                 community_view_above=max_nodes if community_view_above is None else community_view_above)
    data = json.dumps(data, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # a name holding "</script>" cannot end the data block
    style = (_ASSETS / "explorer.css").read_text(encoding="utf-8")
    script = (_ASSETS / "explorer.js").read_text(encoding="utf-8")
    if not re.fullmatch(r"[A-Za-z][\w-]*", element_id):
        raise ParameterError(f"element_id must be letters, digits, - or _; got {element_id!r}")
    return (f"<style>{style}</style><div id='{element_id}' class='ecograph-explorer'><div class='bar'>"
            "<select name='view' aria-label='view'><option value='communities'>communities</option>"
            "<option value='top'>most central parties</option></select>"
            "<input name='search' placeholder='Search a name or id' size='24'>"
            "<button name='go'>Find</button>"
            "<select name='kind'><option value=''>every kind</option></select>"
            "<select name='region'><option value=''>every region</option></select>"
            "<select name='community'><option value=''>every community</option></select>"
            "<button name='reset'>Reset</button></div><div class='status'></div>"
            "<svg role='img' aria-label='network explorer'></svg><div class='card'></div>"
            "<div class='legend'></div></div>"
            f"<script type='application/json' id='{element_id}-data'>{data}</script>"
            f"<script>{script}\necographExplorer('{element_id}');</script>")


class Explorer:
    """The explorer for a notebook: Jupyter shows it inline (its ``_repr_html_``).

    Parameters
    ----------
    G, communities, pagerank, betweenness
        As for :func:`explorer_html`.
    **options : int
        ``max_nodes``, ``max_communities``, ``max_members``, ``community_view_above``,
        ``seed``: as for :func:`explorer_html`.

    Examples
    --------
    >>> from ecograph import load_bundle, view
    >>> from ecograph.analysis import centrality, communities as cm
    >>> G = view(load_bundle("fixtures/tiny"), "bipartite")
    >>> shown = Explorer(G, cm.detect_communities(G), centrality.pagerank(G))
    >>> "ecographExplorer('explorer-" in shown._repr_html_()
    True
    """

    def __init__(self, G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame,
                 betweenness: pd.DataFrame | None = None, **options: int) -> None:
        self.html = explorer_html(G, communities, pagerank, betweenness, **options,
                                  element_id=f"explorer-{uuid.uuid4().hex[:12]}")

    def _repr_html_(self) -> str:
        return self.html
