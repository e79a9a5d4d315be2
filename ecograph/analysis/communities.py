"""Communities: groups of parties more tied to each other than to the rest.

Detection runs in igraph (Leiden by default, Louvain, label propagation) on the
undirected view of the graph, with edge weights when present. A fixed ``seed``
gives the same partition every run. Community ids are *stable*: without a
previous partition they are numbered by size (0 = largest, ties by smallest
member id); with ``previous=`` each new community takes the id of the previous
community it overlaps most (an optimal one-to-one matching), so "community 3"
keeps meaning the same partners across runs and snapshots.

>>> import networkx as nx
>>> G = nx.barbell_graph(5, 0)
>>> parts = detect_communities(G, seed=1)
>>> parts.groupby("community").size().tolist()
[5, 5]
>>> round(parts.attrs["modularity"], 3)
0.452
"""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..errors import ParameterError
from ..graphs import node_values
from ._common import check_choice, edge_array, edge_weights, node_attributes, node_frame, node_ids, twin

__all__ = ["detect_communities", "modularity", "match_communities", "community_profile",
           "METHODS"]

METHODS = ("leiden", "louvain", "label_propagation")


def _undirected(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, list[float] | None]:
    g = twin(G)
    w = edge_weights(g, weight)
    if not g.is_directed() and not g.has_multiple():
        return g, w
    u = g.copy()
    u.es["_w"] = g.es[w] if w is not None else [1.0] * u.ecount()
    u.to_undirected(mode="collapse", combine_edges={"_w": "sum"})
    return u, "_w" if u.ecount() else None


def detect_communities(G: nx.Graph, *, method: str = "leiden", weight: str | None = "weight",
                       resolution: float = 1.0, seed: int = 0,
                       previous: pd.DataFrame | pd.Series | dict | None = None) -> pd.DataFrame:
    """Partition the nodes of ``G`` into communities.

    Returns ``id, community`` plus node attributes, sorted by community (then
    graph order);
    ``frame.attrs`` holds ``modularity``, ``method`` and ``seed``. ``previous``
    (a frame with ``id, community``, a Series or a dict) makes ids stable
    against an earlier partition (see :func:`match_communities`).

    >>> import networkx as nx
    >>> G = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    >>> detect_communities(G, method="louvain")["community"].tolist()
    [0, 0, 0, 0, 1, 1, 1]
    """
    check_choice("method", method, METHODS)
    g, w = _undirected(G, weight)
    if g.vcount() == 0:
        membership = np.array([], dtype=np.int64)
    else:
        membership = np.asarray(_run(g, w, method, resolution, seed), dtype=np.int64)
    labels = _canonical(membership, node_ids(G))
    frame = node_frame(G, {"community": labels}, sort_by="community", ascending=True)
    if previous is not None:
        frame["community"] = match_communities(frame, previous)
        frame = frame.sort_values("community", kind="stable", ignore_index=True)
    frame.attrs.update(method=method, seed=seed, resolution=resolution,
                       modularity=_modularity(G, labels, weight, resolution))
    return frame


def _run(g: ig.Graph, w, method: str, resolution: float, seed: int) -> list[int]:
    previous_rng = random.getstate()
    ig.set_random_number_generator(random.Random(seed))  # igraph draws from this
    try:
        if method == "leiden":
            part = g.community_leiden(objective_function="modularity", weights=w,
                                      resolution=resolution, n_iterations=-1)
        elif method == "louvain":
            part = g.community_multilevel(weights=w, resolution=resolution)
        else:
            part = g.community_label_propagation(weights=w)
    finally:
        ig.set_random_number_generator(random)
        random.setstate(previous_rng)
    return part.membership


def _canonical(membership: np.ndarray, ids: pd.Series) -> np.ndarray:
    """Renumber communities 0..k-1 by size (largest first), ties by smallest member id."""
    if len(membership) == 0:
        return membership
    rank = np.empty(len(ids), dtype=np.int64)
    rank[ids.astype(str).argsort(kind="stable").to_numpy()] = np.arange(len(ids))
    k = int(membership.max()) + 1
    size = np.bincount(membership, minlength=k)
    first = np.full(k, len(ids), dtype=np.int64)
    np.minimum.at(first, membership, rank)
    order = np.lexsort((first, -size))  # the last key sorts first
    relabel = np.empty(k, dtype=np.int64)
    relabel[order] = np.arange(k)
    return relabel[membership]


def _as_series(partition) -> pd.Series:
    if isinstance(partition, pd.DataFrame):
        return partition.set_index("id")["community"]
    if isinstance(partition, dict):
        return pd.Series(partition)
    return partition


def match_communities(current: pd.DataFrame | pd.Series | dict,
                      previous: pd.DataFrame | pd.Series | dict) -> np.ndarray:
    """Ids for ``current``'s communities that keep ``previous``'s meaning.

    Builds the overlap table (members in common) between current and previous
    communities and solves the assignment that maximises total overlap; a
    current community with no partner gets a new id above every previous one.
    Returns the new id of each row of ``current``, in its order.

    >>> match_communities({"a": 0, "b": 0, "c": 1}, {"a": 7, "b": 7, "c": 2}).tolist()
    [7, 7, 2]
    """
    cur, prev = _as_series(current), _as_series(previous)
    overlap = pd.crosstab(cur, prev.reindex(cur.index)).reindex(
        index=sorted(cur.unique()), fill_value=0)
    mapping: dict = {}
    if overlap.size:
        rows, cols = linear_sum_assignment(-overlap.to_numpy())
        for r, c in zip(rows, cols, strict=True):
            if overlap.iat[r, c] > 0:
                mapping[overlap.index[r]] = overlap.columns[c]
    fresh = int(max(prev.max(), -1)) + 1 if len(prev) else 0
    for label in overlap.index:  # unmatched communities: new ids, largest first
        if label not in mapping:
            mapping[label] = fresh
            fresh += 1
    return cur.map(mapping).to_numpy(dtype=np.int64)


def modularity(G: nx.Graph, partition: pd.DataFrame | pd.Series | dict, *,
               weight: str | None = "weight", resolution: float = 1.0) -> float:
    """Newman modularity of ``partition`` on the undirected view of ``G``.

    >>> import networkx as nx
    >>> round(modularity(nx.barbell_graph(3, 0), {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}), 4)
    0.3571
    """
    labels = _as_series(partition)
    nodes = pd.Index(node_ids(G))
    missing = nodes[~nodes.isin(labels.index)]
    if len(missing):
        raise ParameterError(f"partition lacks {len(missing)} nodes, e.g. {list(missing[:3])}")
    codes = pd.factorize(labels.reindex(nodes).to_numpy())[0]
    return _modularity(G, codes, weight, resolution)


def _modularity(G: nx.Graph, codes: np.ndarray, weight: str | None, resolution: float) -> float:
    g, w = _undirected(G, weight)
    if g.ecount() == 0:
        return 0.0
    return float(g.modularity(codes.tolist(), weights=w, resolution=resolution, directed=False))


def community_profile(G: nx.Graph, partition: pd.DataFrame, *,
                      weight: str | None = None) -> pd.DataFrame:
    """One row per community: who is in it and how inward-looking it is.

    Columns: ``community, size``, counts per ``kind``, the ``dominant_type``,
    ``dominant_region`` and ``dominant_segment`` with their shares,
    ``internal_edges``, ``external_edges`` and ``internal_share`` (internal
    edge weight over all edge weight touching the community). Largest first.

    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> profile = community_profile(G, detect_communities(G))
    >>> profile[["community", "size", "internal_share"]].to_dict("records")[0]
    {'community': 0, 'size': 4, 'internal_share': 0.8571428571428571}
    """
    labels = _as_series(partition).reindex(node_ids(G)).to_numpy()
    attrs = node_attributes(G)
    nodes = pd.DataFrame({"community": labels}).join(attrs)
    segments = node_values(G, "segment")
    if pd.notna(segments).any():
        nodes["segment"] = segments
    out = nodes.groupby("community").size().rename("size").to_frame()
    if "kind" in nodes:
        out = out.join(pd.crosstab(nodes["community"], nodes["kind"]).add_prefix("n_"))
    for col, name in (("type", "dominant_type"), ("region", "dominant_region"),
                      ("segment", "dominant_segment")):
        if col in nodes and nodes[col].notna().any():
            known = nodes.dropna(subset=[col])
            counts = known.groupby(["community", col], sort=True).size().rename("n")
            counts = counts.reset_index().sort_values(["community", "n"], ascending=[True, False],
                                                      kind="stable")
            first = counts.drop_duplicates("community").set_index("community")
            top = first[col]
            share = first["n"] / known.groupby("community").size()
            out[name] = top
            out[name.replace("dominant", "share")] = share
    g = twin(G)
    edges = edge_array(g)
    name = edge_weights(g, weight)
    w = np.asarray(g.es[name], dtype=float) if name else np.ones(len(edges))
    a, b = labels[edges[:, 0]], labels[edges[:, 1]]
    inside = a == b
    internal = pd.Series(w[inside]).groupby(a[inside]).sum()
    touching = pd.concat([pd.Series(w[~inside]).groupby(a[~inside]).sum(),
                          pd.Series(w[~inside]).groupby(b[~inside]).sum()]).groupby(level=0).sum()
    out["internal_edges"] = internal.reindex(out.index, fill_value=0.0)
    out["external_edges"] = touching.reindex(out.index, fill_value=0.0)
    total = out["internal_edges"] + out["external_edges"]
    out["internal_share"] = np.where(total > 0, out["internal_edges"] / total.where(total > 0, 1), 0)
    return out.rename_axis("community").reset_index().sort_values(
        ["size", "community"], ascending=[False, True], ignore_index=True)
