"""What a sync needs to know about a graph: its name, what it holds, and each row's content hash.

Every node and relationship :func:`~ecograph.store.load.load` writes carries
``_h``, a 64-bit hash of its properties (a relationship's include its
endpoints' keys), computed in one vectorised pass
(:func:`row_hashes`). A sync compares the bundle's hashes with the store's
per key and writes only what differs.

Two bookkeeping node labels live beside the ecosystem in each graph:

- one ``(:EcographGraph {graph, company, bundle, loaded_at, schema, state})``
  naming what the graph holds; ``state`` is ``syncing`` from a sync's first
  write until its last, ``complete`` after;
- one ``(:EcographManifest {what, ids, hashes, n, schema})`` per node label and
  relationship type: every key and hash of that label or type as two packed
  strings, written at the end of a sync. Reading these 17 is how a sync
  learns the store's state in a second instead of scanning millions of rows;
  they are trusted only when the graph's ``state`` is ``complete`` (a sync that
  was stopped part-way leaves ``syncing``, and the next sync reads every row's
  ``_h`` instead).

>>> graph_name("NIMBUS")
'nimbus'
>>> int(row_hashes(pd.DataFrame({"id": ["P1"], "tier": ["gold"]}), "Partner")[0]) != 0
True
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ParameterError, StoreError

__all__ = ["MODEL", "META", "MANIFEST", "graph_name", "check_graph_name", "row_hashes", "read_meta",
           "read_manifests", "write_manifest", "read_rows", "packable", "diff", "graph_info"]

#: Version of the graph model the hashes describe; a store written under another one is
#: re-read row by row and every row rewritten (all hashes differ).
MODEL = "ecograph-graph/2"
#: The label of the node naming what a graph holds.
META = "EcographGraph"
#: The label of the per-label / per-type manifests of keys and hashes.
MANIFEST = "EcographManifest"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SEP = "\x1f"  # between packed keys (the unit separator: never in an id of a valid bundle)


def graph_name(company: str | None) -> str:
    """The default graph name of a bundle: its company id lower-cased, with every run
    of characters other than ``a-z``, ``0-9``, ``_`` and ``-`` made one ``_`` and at
    most 64 characters; ``ecograph`` when nothing is left.

    Parameters
    ----------
    company : str or None
        The bundle's company id (``company.csv``).

    Returns
    -------
    str
        A name :func:`check_graph_name` accepts.

    Examples
    --------
    >>> graph_name("AQUILA"), graph_name("Acme Corp."), graph_name(None)
    ('aquila', 'acme_corp', 'ecograph')
    """
    text = re.sub(r"[^a-z0-9_-]+", "_", str(company or "").lower()).strip("_-")[:64]
    return text if text and _NAME.fullmatch(text) else "ecograph"


def check_graph_name(name: str) -> str:
    """``name`` if it is a safe graph name: a letter or digit, then up to 63 letters,
    digits, ``_`` or ``-``.

    Parameters
    ----------
    name : str
        The name asked for (``--graph``).

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    ParameterError
        When it is not a safe name.

    Examples
    --------
    >>> check_graph_name("it_ecosystem")
    'it_ecosystem'
    >>> check_graph_name("../x")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: graph name '../x' is not allowed: use a letter or digit, then ...
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ParameterError(f"graph name {name!r} is not allowed: use a letter or digit, then "
                             "up to 63 letters, digits, _ or -")
    return name


_PRIME = np.uint64(0x100000001B3)


def _column_hash(col: pd.Series) -> np.ndarray:
    """A uint64 hash per value of one column that depends only on the value: numbers as
    float64 (so 5 and 5.0 agree), dates as seconds, text and lists through Arrow's dictionary
    encoding (each distinct value hashed once), missing values alike."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pandas.util import hash_array

    if isinstance(col.dtype, pd.CategoricalDtype):  # each category hashed once
        words = np.asarray(col.cat.categories.astype(str), dtype=object)
        table = np.append(hash_array(words, categorize=False), np.uint64(0x9E3779B97F4A7C15))
        return table[col.cat.codes.to_numpy()]  # code -1 (missing): the last
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return hash_array(col.to_numpy(dtype="datetime64[s]").view(np.int64), categorize=False)
    if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        values = col.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        return hash_array(values, categorize=False)
    if col.dtype == object and len(col) and any(isinstance(v, list | tuple) for v in col.head(50)):
        values = pc.binary_join(pa.array([v if isinstance(v, list | tuple) else () for v in col],
                                         type=pa.list_(pa.string())), _SEP)
    else:
        values = pa.array(col, from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.large_string())
    encoded = pc.dictionary_encode(values)
    words = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    table = np.append(hash_array(words, categorize=False), np.uint64(0x9E3779B97F4A7C15))  # last: null
    index = encoded.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)
    return table[index]


def row_hashes(frame: pd.DataFrame, salt: str) -> np.ndarray:
    """A 64-bit content hash per row of ``frame`` (every column, in order), vectorised.

    Each column is hashed on its own (numbers as float64, text through Arrow's
    dictionary encoding so each distinct value is hashed once, with pandas' SipHash)
    and the columns are combined in order; equal rows hash equal in any process and
    on any day. The hash also depends on ``salt`` (the label or type), the column
    names and :data:`MODEL`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows, as in the Ecosystem's tables (dates, numbers, text, tuples).
    salt : str
        What the rows are (``Partner``, ``SELLS_TO``).

    Returns
    -------
    numpy.ndarray of int64
        One hash per row (stored as ``_h``).

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["P1", "P2"], "regions": [["EU", "NA"], []], "n": [1.0, None]})
    >>> h = row_hashes(a, "Partner")
    >>> bool(h[0] != h[1])
    True
    >>> b = a.assign(regions=[["EU", "NA"], ["NA"]])
    >>> (row_hashes(b, "Partner") == h).tolist()
    [True, False]
    >>> bool(row_hashes(a.assign(n=[1, None]), "Partner")[0] == h[0])  # 1 and 1.0 alike
    True
    """
    from pandas.util import hash_array

    signature = "|".join([MODEL, salt, *map(str, frame.columns)])
    h = np.full(len(frame), hash_array(np.array([signature], dtype=object))[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(frame.shape[1]):  # by position: names may repeat
            h = (h * _PRIME) ^ _column_hash(frame.iloc[:, i])
    return h.view(np.int64)


def read_meta(store) -> dict | None:
    """The graph's ``EcographGraph`` properties, or ``None`` when it has none.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store, on its graph.

    Returns
    -------
    dict or None
        ``graph``, ``company``, ``bundle``, ``loaded_at``, ``schema``, ``state``.

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> read_meta(store) is None
    True
    >>> store.server.stop().running
    False
    """
    rows = store.run(f"MATCH (m:{META}) RETURN properties(m) AS p")
    return dict(rows[0]["p"]) if rows else None


def read_manifests(store) -> dict[str, pd.DataFrame]:
    """Each stored manifest as a ``key, h`` frame, by label or type (only those whose
    schema is :data:`MODEL`).

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store, on its graph.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``key`` (text) and ``h`` (int64) per label or type.

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> write_manifest(store, "Partner", pd.Series(["P1", "P2"]), np.array([7, -9]))
    >>> read_manifests(store)["Partner"]["h"].tolist()
    [7, -9]
    >>> store.server.stop().running
    False
    """
    rows = store.run(f"MATCH (m:{MANIFEST}) WHERE m.schema = $schema "
                     "RETURN m.what AS what, m.ids AS ids, m.hashes AS hashes, m.n AS n",
                     {"schema": MODEL})
    out = {}
    for r in rows:
        n = int(r["n"])
        keys = _unpack(r["ids"]) if n else pa.array([], pa.large_string())
        hashes = np.frombuffer(base64.b64decode(r["hashes"]), dtype="<i8")
        if len(keys) == n == len(hashes):  # else damaged: read the rows instead
            out[r["what"]] = pd.DataFrame({"key": pd.Series(pd.arrays.ArrowExtensionArray(keys)),
                                           "h": hashes.astype(np.int64)})
    return out


def _unpack(text: str):
    """The keys packed by :func:`write_manifest`, as an Arrow array (split in Arrow)."""
    return pc.split_pattern(pa.array([text], pa.large_string()), _SEP).flatten()


def _pack(keys: pd.Series) -> str:
    """``keys`` joined by the separator, in Arrow."""
    values = pa.array(keys, from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = pc.cast(values, pa.large_string())
    lists = pa.LargeListArray.from_arrays(pa.array([0, len(values)], pa.int64()), values)
    return pc.binary_join(lists, pa.scalar(_SEP, pa.large_string()))[0].as_py()


def packable(keys: pd.Series) -> bool:
    """Whether ``keys`` can be packed into a manifest (no key holds the separator).

    Parameters
    ----------
    keys : pandas.Series
        Keys of one label or type.

    Returns
    -------
    bool

    Examples
    --------
    >>> packable(pd.Series(["P1", "P2"])), packable(pd.Series(["P\\x1f1"]))
    (True, False)
    """
    return not keys.astype(str).str.contains(_SEP, regex=False).any()


def write_manifest(store, what: str, keys: pd.Series, hashes: np.ndarray) -> None:
    """Store the keys and hashes of one label or type as its manifest (one statement).

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store, on its graph.
    what : str
        The label or relationship type.
    keys : pandas.Series
        Its keys, as text.
    hashes : numpy.ndarray
        Their ``_h``, in the same order.

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> write_manifest(store, "Partner", pd.Series(["P1"]), np.array([1]))
    >>> store.run("MATCH (m:EcographManifest) RETURN m.what AS what, m.n AS n")
    [{'what': 'Partner', 'n': 1}]
    >>> store.server.stop().running
    False
    """
    packed = base64.b64encode(np.ascontiguousarray(hashes, dtype="<i8").tobytes()).decode("ascii")
    store.run(f"MERGE (m:{MANIFEST} {{what: $what}}) "
              "SET m.ids = $ids, m.hashes = $hashes, m.n = $n, m.schema = $schema",
              {"what": what, "ids": _pack(keys), "hashes": packed,
               "n": len(keys), "schema": MODEL})


def read_rows(store, match: str, key: str) -> pd.DataFrame:
    """Every key and ``_h`` of one label or type, read from the rows themselves (a row
    without ``_h``, written by an older ecograph, reads as 0: it differs).

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store, on its graph.
    match : str
        The pattern binding ``x`` (``(x:Partner)`` or ``()-[x:SELLS_TO]->()``).
    key : str
        The key property.

    Returns
    -------
    pandas.DataFrame
        ``key`` and ``h``, one row per stored node or relationship (a key stored twice
        appears twice).

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = store.run("CREATE (:Partner {id: 'P1', _h: 5}), (:Partner {id: 'P2'})")
    >>> read_rows(store, "(x:Partner)", "id").sort_values("key")["h"].tolist()
    [5, 0]
    >>> store.server.stop().running
    False
    """
    rows = store.run(f"MATCH {match} RETURN collect(x.{key}) AS k, collect(coalesce(x._h, 0)) AS h")
    keys, hashes = (rows[0]["k"], rows[0]["h"]) if rows else ([], [])
    if len(keys) != len(hashes):
        raise StoreError(f"{match}: {len(hashes) - len(keys)} stored rows have no {key}; "
                         "clear the graph with --replace")
    return pd.DataFrame({"key": pd.Series(keys, dtype=object),
                         "h": np.asarray(hashes, dtype=np.int64)})


def _arrow_text(values) -> pa.Array:
    out = pa.array(values, from_pandas=True)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return pc.cast(out, pa.large_string())


def diff(keys: pd.Series, hashes: np.ndarray, current: pd.DataFrame, *,
         unique: bool = False) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """What to create, update and delete to turn ``current`` into ``keys`` / ``hashes``.

    Keys are matched by position first (a bundle usually keeps its order from one day to
    the next, new rows at the end: one element-wise comparison in Arrow), the rest
    by Arrow's hash join.

    Parameters
    ----------
    keys : pandas.Series
        The bundle's keys (unique).
    hashes : numpy.ndarray
        Their hashes.
    current : pandas.DataFrame
        The store's ``key`` and ``h`` (a key stored twice is rewritten: deleted and
        created once).
    unique : bool, default False
        ``current`` is known to hold each key once (a manifest): skip that check.

    Returns
    -------
    create : numpy.ndarray of bool
        Per bundle row: not in the store.
    update : numpy.ndarray of bool
        Per bundle row: in the store with another hash (or stored twice).
    delete : pandas.Series
        Stored keys the bundle no longer has.

    Examples
    --------
    >>> current = pd.DataFrame({"key": ["a", "b", "c", "c", "x"], "h": [1, 2, 3, 3, 5]})
    >>> create, update, delete = diff(pd.Series(["a", "b", "c", "d"]), np.array([1, 9, 3, 4]),
    ...                               current)
    >>> create.tolist(), update.tolist(), delete.tolist()
    ([False, False, False, True], [False, True, True, False], ['x'])
    """
    from ..frames import positions

    stored_keys = current["key"]
    twice = np.zeros(len(stored_keys), dtype=bool)
    if not unique and len(stored_keys) and \
            pc.count_distinct(_arrow_text(stored_keys)).as_py() < len(stored_keys):
        twice = stored_keys.duplicated(keep=False).to_numpy()
    once = current[~twice]
    want, have = _arrow_text(keys), _arrow_text(once["key"])
    pos = np.full(len(want), -1, dtype=np.int64)
    n = min(len(want), len(have))
    if n:  # same key at the same position
        equal = pc.fill_null(pc.equal(want.slice(0, n), have.slice(0, n)), False)
        at = np.flatnonzero(equal.to_numpy(zero_copy_only=False))
        pos[at] = at
    taken = np.zeros(len(have), dtype=bool)
    taken[pos[pos >= 0]] = True
    rest, free = np.flatnonzero(pos < 0), np.flatnonzero(~taken)
    if len(rest) and len(free):  # the others by hash join
        found = positions(want.take(pa.array(rest)), have.take(pa.array(free)))
        pos[rest[found >= 0]] = free[found[found >= 0]]
        taken[free[found[found >= 0]]] = True
    present = pos >= 0
    stored = np.asarray(once["h"], dtype=np.int64)
    same = np.zeros(len(want), dtype=bool)
    same[present] = stored[pos[present]] == np.asarray(hashes, dtype=np.int64)[present]
    doubled = np.zeros(len(want), dtype=bool)
    gone = list(np.asarray(have.filter(pa.array(~taken)).to_pylist(), dtype=object))
    if twice.any():
        dup = current.loc[twice, "key"].drop_duplicates()
        hit = positions(dup, keys)
        doubled[hit[hit >= 0]] = True
        gone += [k for k, h in zip(dup.tolist(), hit.tolist(), strict=True) if h < 0]
    create = ~present & ~doubled
    update = (present & ~same) | doubled
    return create, update, pd.Series(gone, dtype=object)


def graph_info(store, name: str | None = None) -> dict:
    """What one graph holds, for ``ecograph store list``.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store, on the graph.
    name : str, optional
        The graph's name (default: the one its meta node records).

    Returns
    -------
    dict
        ``graph``, ``company``, ``nodes`` and ``relationships`` (the ecosystem's,
        bookkeeping not counted), ``loaded_at``, ``state`` and ``bundle``; the
        meta node's fields are empty for a graph loaded by an older ecograph.

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp(), graph="g")
    >>> _ = store.run("CREATE (:Company {id: 'ACME'})-[:SELLS_TO]->(:Customer {id: 'C1'})")
    >>> info = graph_info(store, "g")
    >>> info["company"], info["nodes"], info["relationships"], info["state"]
    ('ACME', 2, 1, '')
    >>> store.server.stop().running
    False
    """
    meta = read_meta(store) or {}
    nodes = store.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
    kept = store.run(f"MATCH (m:{META}) RETURN count(m) AS n")[0]["n"] + \
        store.run(f"MATCH (m:{MANIFEST}) RETURN count(m) AS n")[0]["n"]
    company = meta.get("company") or ", ".join(
        sorted(str(r["id"]) for r in store.run("MATCH (c:Company) RETURN c.id AS id")))
    return {"graph": name or meta.get("graph", ""), "company": company, "nodes": int(nodes - kept),
            "relationships": int(store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]),
            "loaded_at": meta.get("loaded_at", ""), "state": meta.get("state", ""),
            "bundle": meta.get("bundle", "")}
