"""Graph files that open in Gephi, Cytoscape and yEd: GraphML, GEXF and node-link JSON.

A view's attributes are made plain for these formats: list cells (``regions``,
``capabilities``) are joined with ``;`` (the bundle's list separator), dates
become ``YYYY-MM-DD``, numbers are floats (booleans stay booleans), and missing
values are left out, so each attribute has one type throughout the file.

>>> import tempfile, pathlib, networkx as nx, ecograph
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.graphml"
>>> G = nx.read_graphml(export(ecograph.load_bundle("fixtures/tiny"), path, view="bipartite"))
>>> G.nodes["P1"]["name"], G.nodes["P1"]["regions"]
('Apex Systems', 'EMEA')
"""

from __future__ import annotations

import json
import numbers
import os
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .ecosystem import Ecosystem
from .errors import ParameterError
from .files import atomic_write
from .graphs import VIEWS
from .graphs import view as make_view
from .schema import LIST_SEPARATOR

__all__ = ["export", "plain_graph", "FORMATS"]

#: The file formats :func:`export` writes, by name.
FORMATS = ("graphml", "gexf", "json")


def _plain(value):
    """A value GraphML and GEXF can hold, or ``None`` to leave the attribute out."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, tuple | list | set | frozenset | np.ndarray):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, numbers.Number):
        number = float(value)
        return None if np.isnan(number) else number
    return str(value)


def _attrs(data: dict) -> dict:
    return {k: v for k, v in ((str(k), _plain(v)) for k, v in data.items()) if v is not None}


def plain_graph(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` (same class: directed, multi) whose attributes every graph format can hold.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph, e.g. an ecograph view.

    Returns
    -------
    networkx.Graph
        Of the plain NetworkX class of ``G`` (``Graph``, ``DiGraph``,
        ``MultiGraph`` or ``MultiDiGraph``).

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> G = nx.Graph()
    >>> G.add_node("a", regions=("APAC", "EMEA"), joined=pd.Timestamp("2025-01-02"), tier=None, n=3)
    >>> dict(plain_graph(G).nodes["a"])
    {'regions': 'APAC;EMEA', 'joined': '2025-01-02', 'n': 3.0}
    """
    if not isinstance(G, nx.Graph):
        raise ParameterError(f"expected a NetworkX graph; got {type(G).__name__}")
    kind = (nx.MultiDiGraph if G.is_directed() else nx.MultiGraph) if G.is_multigraph() else \
        (nx.DiGraph if G.is_directed() else nx.Graph)
    H = kind()
    H.add_nodes_from((str(n), _attrs(d)) for n, d in G.nodes(data=True))
    if G.is_multigraph():
        H.add_edges_from((str(u), str(v), str(k), _attrs({a: b for a, b in d.items() if a != "key"}))
                         for u, v, k, d in G.edges(keys=True, data=True))
    else:
        H.add_edges_from((str(u), str(v), _attrs(d)) for u, v, d in G.edges(data=True))
    return H


def export(eco: Ecosystem, path: str | os.PathLike, *, format: str | None = None,
           view: str = "full") -> Path:
    """Write a view of ``eco`` as a graph file for Gephi, Cytoscape or yEd (atomically).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem (or a :meth:`~ecograph.Ecosystem.subset` of it).
    path : str or os.PathLike
        The file; its folder is created if needed. It may not lie inside the
        bundle ``eco`` was loaded from.
    format : {"graphml", "gexf", "json"}, optional
        Default: from the file's suffix. ``json`` is NetworkX node-link JSON
        (``nodes``, ``edges``), which Cytoscape and D3 read.
    view : {"full", "bipartite", "cosell", "supply", "asset_flow"}, default "full"
        Which graph (:func:`ecograph.view`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ParameterError
        An unknown format or view, or a path inside the bundle.

    Examples
    --------
    >>> import json, tempfile, pathlib, ecograph
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "cosell.json"
    >>> doc = json.loads(export(ecograph.load_bundle("fixtures/tiny"), out, view="cosell").read_text())
    >>> sorted(n["id"] for n in doc["nodes"]), doc["directed"]
    (['P1', 'P2', 'P3'], False)
    """
    path = Path(path)
    fmt = format or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {list(FORMATS)}; got {fmt!r} (from {path.name!r})"
                             if format is None else f"format must be one of {list(FORMATS)}; got {fmt!r}")
    if view not in VIEWS:
        raise ParameterError(f"view must be one of {list(VIEWS)}; got {view!r}")
    if eco.source and Path(eco.source).exists() and \
            path.resolve().is_relative_to(Path(eco.source).resolve()):
        raise ParameterError(f"{path} is inside the input bundle {eco.source}; write it elsewhere")
    H = plain_graph(make_view(eco, view))
    H.graph.update({"ecograph_view": view, "source": str(eco.source or "")})
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(p: Path) -> None:
        if fmt == "graphml":
            nx.write_graphml(H, p)
        elif fmt == "gexf":
            nx.write_gexf(H, p)
        else:
            p.write_text(json.dumps(nx.node_link_data(H, edges="edges"), indent=1), encoding="utf-8")

    return atomic_write(path, write)
