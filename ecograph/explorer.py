"""The interactive network explorer embedded in ``report.html``: offline, its JavaScript inline.

Pan (drag) and zoom (wheel), a hover card with the party's scores, search by
name or id, filters by kind, region and community, a legend, and a click that
keeps only a party and its neighbours. It opens on a view a person can read:
the most central parties by PageRank (all of them in a small ecosystem),
placed by a seeded force-directed layout computed here. No network access,
no CDN: the page works from a file on a laptop in a plane.

A page can open it on a search with ``report.html#search=Cedar``. The
explorer marks its root ``data-ready="1"`` once drawn and records any
JavaScript error in ``data-errors`` (the browser test reads both).

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

from .errors import ParameterError
from .graphs import induced_subgraph

__all__ = ["explorer_html", "Explorer", "MAX_EXPLORER_NODES"]

#: The explorer opens on at most this many parties (the most central by PageRank).
MAX_EXPLORER_NODES = 600


def _data(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame,
          betweenness: pd.DataFrame | None, max_nodes: int, seed: int) -> dict:
    keep = pagerank["id"].head(max_nodes).tolist()
    H = induced_subgraph(G, keep)
    nodes = list(H)
    pos = nx.spring_layout(H, seed=seed, k=1.5 / max(np.sqrt(len(nodes)), 1), iterations=60)
    comm = communities.set_index("id")["community"].reindex(nodes)
    pr = pagerank.set_index("id")["pagerank"].reindex(nodes)
    bt = (betweenness.set_index("id")["betweenness"].reindex(nodes) if betweenness is not None
          and "betweenness" in betweenness.columns else pd.Series(np.nan, index=nodes))
    sizes = communities["community"].value_counts()
    where = {n: i for i, n in enumerate(nodes)}

    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    return {
        "total": G.number_of_nodes(),
        "nodes": [{"id": str(n), "name": text(H.nodes[n].get("name")), "kind": text(H.nodes[n].get("kind")),
                   "type": text(H.nodes[n].get("type")), "region": text(H.nodes[n].get("region")),
                   "community": None if pd.isna(comm[n]) else int(comm[n]),
                   "pagerank": round(float(pr[n]), 6) if pd.notna(pr[n]) else 0.0,
                   "betweenness": None if pd.isna(bt[n]) else round(float(bt[n]), 6),
                   "degree": int(G.degree(n)),
                   "x": round(float(pos[n][0]), 4), "y": round(float(pos[n][1]), 4)}
                  for n in nodes],
        "edges": [[where[u], where[v]] for u, v in H.edges()],
        "communities": {str(c): int(s) for c, s in sizes[sizes > 1].head(10).items()},
    }


_ASSETS = resources.files("ecograph") / "assets"


def explorer_html(G: nx.Graph, communities: pd.DataFrame, pagerank: pd.DataFrame,
                  betweenness: pd.DataFrame | None = None, *, max_nodes: int = MAX_EXPLORER_NODES,
                  seed: int = 0, element_id: str = "explorer") -> str:
    """The explorer as an HTML fragment (a ``div``, its style and its script, all inline).

    Parameters
    ----------
    G : networkx.Graph
        The graph to explore (the report uses the ``bipartite`` view).
    communities : pandas.DataFrame
        ``id, community``.
    pagerank : pandas.DataFrame
        ``id, pagerank``, highest first: the explorer opens on its first ``max_nodes`` rows.
    betweenness : pandas.DataFrame, optional
        ``id, betweenness``, shown in the hover card.
    max_nodes : int, default :data:`MAX_EXPLORER_NODES`
        How many parties to draw.
    seed : int, default 0
        Seed of the layout.
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
    data = json.dumps(_data(G, communities, pagerank, betweenness, max_nodes, seed), separators=(",", ":"))
    data = data.replace("</", "<\\/")  # a name holding "</script>" cannot end the data block
    style = (_ASSETS / "explorer.css").read_text(encoding="utf-8")
    script = (_ASSETS / "explorer.js").read_text(encoding="utf-8")
    if not re.fullmatch(r"[A-Za-z][\w-]*", element_id):
        raise ParameterError(f"element_id must be letters, digits, - or _; got {element_id!r}")
    return (f"<style>{style}</style><div id='{element_id}' class='ecograph-explorer'><div class='bar'>"
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
    G, communities, pagerank, betweenness, max_nodes, seed
        As for :func:`explorer_html`.

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
                 betweenness: pd.DataFrame | None = None, *, max_nodes: int = MAX_EXPLORER_NODES,
                 seed: int = 0) -> None:
        self.html = explorer_html(G, communities, pagerank, betweenness, max_nodes=max_nodes, seed=seed,
                                  element_id=f"explorer-{uuid.uuid4().hex[:12]}")

    def _repr_html_(self) -> str:
        return self.html
