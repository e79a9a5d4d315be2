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
>>> round(modularity(G, parts), 3)
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
from ..frames import positions
from ..twins import edge_array, edge_weights, node_table, node_values, twin
from ._common import check_choice, node_frame, node_ids

__all__ = ["detect_communities", "membership", "modularity", "match_communities",
           "community_profile", "community_ties", "profile_table", "METHODS"]

METHODS = ("leiden", "louvain", "label_propagation")


def _undirected(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, str | None]:
    g = twin(G)
    w = edge_weights(G, weight)
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

    Detection runs on the undirected view of ``G`` (directed or parallel edges
    merged, their weights summed). Without ``previous``, community ids are
    numbered by size (0 = largest, ties by smallest member id);
    :func:`modularity` scores the partition.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    method : {"leiden", "louvain", "label_propagation"}, default "leiden"
        The algorithm (Leiden and Louvain optimise modularity).
    weight : str or None, default "weight"
        Edge attribute of weights; ``None``: unweighted.
    resolution : float, default 1.0
        Modularity resolution (Leiden, Louvain).
    seed : int, default 0
        Seeds igraph's random number generator: a fixed seed gives the same
        partition every run.
    previous : pandas.DataFrame, pandas.Series, dict or None, default None
        An earlier partition (a frame with ``id, community``, a Series or a
        dict) against which ids are made stable (see :func:`match_communities`).

    Returns
    -------
    pandas.DataFrame
        ``id, community`` plus node attributes (``name``, ``kind``, ``type``,
        ``region`` when present), sorted by community (then graph order).

    References
    ----------
    .. [1] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 5233, 2019.
    .. [2] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast
       unfolding of communities in large networks", J. Stat. Mech. P10008, 2008.
    .. [3] U. N. Raghavan, R. Albert and S. Kumara, "Near linear time algorithm to
       detect community structures in large-scale networks", Phys. Rev. E 76, 036106, 2007.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    >>> detect_communities(G, method="louvain")["community"].tolist()
    [0, 0, 0, 0, 1, 1, 1]
    >>> old = {n: 5 if n < 4 else 9 for n in G}
    >>> detect_communities(G, previous=old)["community"].tolist()
    [5, 5, 5, 5, 9, 9, 9]
    """
    g, w = _undirected(G, weight)
    raw = membership(g, weight=w, method=method, resolution=resolution, seed=seed)
    labels = _canonical(raw, node_ids(G))
    frame = node_frame(G, {"community": labels}, sort_by="community", ascending=True)
    if previous is not None:
        frame["community"] = match_communities(frame, previous)
        frame = frame.sort_values("community", kind="stable", ignore_index=True)
    return frame


def membership(g: ig.Graph, *, weight: str | None = None, method: str = "leiden",
               resolution: float = 1.0, seed: int = 0) -> np.ndarray:
    """Raw community labels of the vertices of an undirected igraph graph.

    The kernel behind :func:`detect_communities`, for callers that build an
    igraph graph from arrays themselves (labels are igraph's, not stable ids).

    Parameters
    ----------
    g : igraph.Graph
        Undirected.
    weight : str, optional
        Edge attribute of weights.
    method : {"leiden", "louvain", "label_propagation"}, default "leiden"
        The algorithm (Leiden optimises modularity).
    resolution : float, default 1.0
        Modularity resolution (Leiden, Louvain).
    seed : int, default 0
        Seeds igraph's random number generator for this call only.

    Returns
    -------
    numpy.ndarray
        One integer label per vertex.

    References
    ----------
    .. [1] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 2019.
    .. [2] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast
       unfolding of communities in large networks", J. Stat. Mech. P10008, 2008.
    .. [3] U. N. Raghavan, R. Albert and S. Kumara, "Near linear time algorithm to
       detect community structures in large-scale networks", Phys. Rev. E 76, 036106, 2007.

    Examples
    --------
    >>> import igraph as ig
    >>> len(set(membership(ig.Graph.Famous("Zachary"), seed=1))) >= 3
    True
    """
    check_choice("method", method, METHODS)
    if g.vcount() == 0:
        return np.array([], dtype=np.int64)
    return np.asarray(_run(g, weight, method, resolution, seed), dtype=np.int64)



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

    Parameters
    ----------
    current : pandas.DataFrame, pandas.Series or dict
        The new partition: a frame with ``id, community``, or a Series or dict
        mapping node to community.
    previous : pandas.DataFrame, pandas.Series or dict
        The earlier partition, in the same forms.

    Returns
    -------
    numpy.ndarray
        The new id of each row of ``current``, in its order.

    References
    ----------
    .. [1] H. W. Kuhn, "The Hungarian method for the assignment problem",
       Naval Research Logistics Quarterly 2(1--2):83--97, 1955.

    Examples
    --------
    >>> match_communities({"a": 0, "b": 0, "c": 1}, {"a": 7, "b": 7, "c": 2}).tolist()
    [7, 7, 2]
    >>> match_communities({"a": 0, "b": 0, "c": 1, "d": 2}, {"a": 7, "b": 7, "c": 2}).tolist()
    [7, 7, 2, 8]
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

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph (directed or parallel edges are merged, their weights summed).
    partition : pandas.DataFrame, pandas.Series or dict
        Every node's community: a frame with ``id, community`` (as from
        :func:`detect_communities`), or a Series or dict mapping node to community.
    weight : str or None, default "weight"
        Edge attribute of weights; ``None``: unweighted.
    resolution : float, default 1.0
        The resolution ``γ`` weighting the null-model term.

    Returns
    -------
    float
        The modularity; 0.0 on a graph without edges.

    Raises
    ------
    ParameterError
        When ``partition`` lacks nodes of ``G``.

    References
    ----------
    .. [1] M. E. J. Newman, "Modularity and community structure in networks",
       PNAS 103(23):8577--8582, 2006.
    .. [2] J. Reichardt and S. Bornholdt, "Statistical mechanics of community
       detection", Phys. Rev. E 74, 016110, 2006.

    Examples
    --------
    >>> import networkx as nx
    >>> round(modularity(nx.barbell_graph(3, 0), {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}), 4)
    0.3571
    """
    labels = _as_series(partition)
    nodes = node_ids(G)
    where = positions(nodes, labels.index)
    if (where < 0).any():
        missing = nodes[where < 0]
        raise ParameterError(f"partition lacks {len(missing)} nodes, e.g. {list(missing[:3])}")
    codes = pd.factorize(labels.to_numpy()[where])[0]
    return _modularity(G, codes, weight, resolution)


def _modularity(G: nx.Graph, codes: np.ndarray, weight: str | None, resolution: float) -> float:
    g, w = _undirected(G, weight)
    if g.ecount() == 0:
        return 0.0
    return float(g.modularity(codes.tolist(), weights=w, resolution=resolution, directed=False))


def community_profile(G: nx.Graph, partition: pd.DataFrame, *,
                      weight: str | None = None) -> pd.DataFrame:
    """One row per community: who is in it and how inward-looking it is.

    Parameters
    ----------
    G : networkx.Graph
        The graph the partition is of; node attributes ``kind``, ``type``,
        ``region`` and ``segment`` are profiled when present.
    partition : pandas.DataFrame
        ``id, community``, as from :func:`detect_communities` (a Series or dict
        mapping node to community also works).
    weight : str or None, default None
        Edge attribute summed for the edge columns; ``None``: edges are counted.

    Returns
    -------
    pandas.DataFrame
        Columns: ``community, size``, counts per ``kind`` (``n_<kind>``), the
        ``dominant_type``, ``dominant_region`` and ``dominant_segment`` with their
        shares (``share_type``, ``share_region``, ``share_segment``: of members
        with a known value; ties go to the first value in sort order),
        ``internal_edges``, ``external_edges`` and ``internal_share`` (internal
        edge weight over all edge weight touching the community). Attribute
        columns appear only when the graph has the attribute. Largest first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> profile = community_profile(G, detect_communities(G))
    >>> profile[["community", "size", "internal_share"]].to_dict("records")[0]
    {'community': 0, 'size': 4, 'internal_share': 0.8571428571428571}
    >>> H = nx.barbell_graph(4, 0)
    >>> nx.set_node_attributes(H, {n: "partner" if n % 2 else "customer" for n in H}, "kind")
    >>> community_profile(H, detect_communities(H)).columns.tolist()[:4]
    ['community', 'size', 'n_customer', 'n_partner']
    """
    labels = _as_series(partition).reindex(node_ids(G)).to_numpy()
    table = node_table(G)
    nodes = pd.DataFrame({"community": labels}).join(table[[c for c in ("kind", "type", "region")
                                                             if c in table]])
    segments = node_values(G, "segment")
    if pd.notna(segments).any():
        nodes["segment"] = segments
    g = twin(G)
    edges = edge_array(G)
    name = edge_weights(G, weight)
    w = np.asarray(g.es[name], dtype=float) if name else np.ones(len(edges))
    a, b = labels[edges[:, 0]], labels[edges[:, 1]]
    inside = a == b
    internal = pd.Series(w[inside]).groupby(a[inside]).sum()
    touching = pd.concat([pd.Series(w[~inside]).groupby(a[~inside]).sum(),
                          pd.Series(w[~inside]).groupby(b[~inside]).sum()]).groupby(level=0).sum()
    return profile_table(nodes, internal, touching)


def community_ties(G: nx.Graph, partition: pd.DataFrame) -> pd.DataFrame:
    """The edges between communities: one row per pair of communities that share at least one.

    The quotient graph of a partition, drawn when an ecosystem is too large to
    draw party by party (:func:`~ecograph.plots.plot_community_map`, the
    report's explorer).

    Parameters
    ----------
    G : networkx.Graph
        The graph the partition is of (read as undirected; parallel edges count apart).
    partition : pandas.DataFrame
        ``id, community``, as from :func:`detect_communities` (a Series or dict
        mapping node to community also works); nodes without one are left out.

    Returns
    -------
    pandas.DataFrame
        ``a, b, ties``: two community ids (``a < b``) and how many edges join
        their members, most ties first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> community_ties(G, detect_communities(G)).to_dict("records")
    [{'a': 0, 'b': 1, 'ties': 1}]
    """
    part = _as_series(partition)
    at = positions(node_ids(G), part.index)  # each node's row of the partition, -1 if none
    labels = np.where(at >= 0, part.to_numpy(dtype=float)[at], np.nan)
    edges = edge_array(G)
    a, b = labels[edges[:, 0]], labels[edges[:, 1]]
    between = ~np.isnan(a) & ~np.isnan(b) & (a != b)
    lo, hi = np.minimum(a[between], b[between]), np.maximum(a[between], b[between])
    ties = pd.DataFrame({"a": lo.astype(np.int64), "b": hi.astype(np.int64)}).value_counts().rename("ties")
    return (ties.reset_index().astype({"ties": np.int64})
            .sort_values(["ties", "a", "b"], ascending=[False, True, True], ignore_index=True))


def profile_table(nodes: pd.DataFrame, internal: pd.Series, external: pd.Series) -> pd.DataFrame:
    """The table of :func:`community_profile` from its parts: the members and the edge weight
    inside and leaving each community (for partitions computed elsewhere, e.g. in Neo4j GDS).

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per node: ``community`` and any of ``kind``, ``type``, ``region``, ``segment``.
    internal, external : pandas.Series
        Edge weight inside and leaving each community, indexed by community (missing: 0).

    Returns
    -------
    pandas.DataFrame
        As :func:`community_profile`.

    Examples
    --------
    >>> members = pd.DataFrame({"community": [0, 0, 1], "kind": ["partner", "customer", "customer"]})
    >>> profile_table(members, pd.Series({0: 1.0}), pd.Series({0: 1.0, 1: 1.0}))[
    ...     ["size", "n_partner", "internal_share"]].to_dict("list")
    {'size': [2, 1], 'n_partner': [1, 0], 'internal_share': [0.5, 0.0]}
    """
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
    out["internal_edges"] = internal.reindex(out.index, fill_value=0.0).astype(float)
    out["external_edges"] = external.reindex(out.index, fill_value=0.0).astype(float)
    total = out["internal_edges"] + out["external_edges"]
    out["internal_share"] = np.where(total > 0, out["internal_edges"] / total.where(total > 0, 1), 0)
    return out.rename_axis("community").reset_index().sort_values(
        ["size", "community"], ascending=[False, True], ignore_index=True)
