"""One loader for both graph stores: the ecosystem as labelled nodes and typed relationships.

The graph model (every label and type comes from this allow-list, never from
the data; every value is a query parameter):

- parties: ``(:Company)``, ``(:Partner)``, ``(:Customer)``, ``(:Supplier)``
  keyed by ``id``, with their table columns as properties (lists stay lists,
  dates are ISO strings); ``(:Product)``, ``(:Capability)``, ``(:AssetClass)``
  (key ``sku``), ``(:BomLine {id, sku, input, quantity})`` (the ``bom`` table);
- relationships between parties: ``SELLS_TO``, ``CO_SELLS_WITH``, ``SUPPLIES``,
  ``DISTRIBUTES_FOR``, ``INTEGRATES_WITH``, ``REFERS`` keyed by ``id``;
- deals: ``(:Partner)-[:REGISTERED {id, …}]->(:Customer)`` carrying the deal's
  columns (``product``, ``status``, ``amount``, dates, ``cosell_partner``);
- physical accounts: ``-[:MOVED {id, date, sku, kind, units}]->`` for every
  movement, supplies from and disposals to the outside world joining the one
  ``(:External {id: "(outside)"})`` node (``ledger.OUTSIDE``), and ``(:Audit {id, date, sku, counted})
  -[:COUNTS]->(:Party)``.

A load is a sync (:func:`load`): afterwards the store's graph holds exactly
the bundle. Every row carries ``_h``, a content hash of its properties (and a
relationship's endpoints); the bundle's hashes are compared with the store's
(:mod:`ecograph.store.sync`) and only the difference is written, in batches of
``UNWIND $rows …``: ``DETACH DELETE`` the nodes that are gone, ``SET n +=
row.props`` the changed ones (a property that became empty is removed),
``CREATE`` the new ones; a changed relationship is deleted and created again
(its endpoints may have moved). Each batch returns how many rows it matched, and
a relationship whose endpoint is missing is an error, not a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..ecosystem import Ecosystem
from ..errors import ParameterError, StoreError
from ..frames import positions, records_of
from ..ledger import OUTSIDE
from ..schema import TABLES
from .base import GraphStore
from .sync import (
    META,
    MODEL,
    diff,
    packable,
    read_manifests,
    read_meta,
    read_rows,
    row_hashes,
    write_manifest,
)

__all__ = ["load", "write_back", "records", "company_of", "LABELS", "REL_TYPES", "WRITABLE",
           "LoadReport"]

#: Node label per party kind and per catalogue table.
LABELS = {"company": "Company", "partners": "Partner", "customers": "Customer",
          "suppliers": "Supplier", "products": "Product", "capabilities": "Capability",
          "asset_classes": "AssetClass", "bom": "BomLine"}
#: Relationship type per ``relationships.type``.
REL_TYPES = {t: t.upper() for t in ("sells_to", "co_sells_with", "supplies", "distributes_for",
                                    "integrates_with", "refers")}
#: Analysis results that may be written back onto party nodes.
WRITABLE = ("pagerank", "community", "betweenness", "constraint", "risk_score", "health")
_KIND_LABEL = {"company": "Company", "partner": "Partner", "customer": "Customer",
               "supplier": "Supplier"}


@dataclass
class LoadReport:
    """What a load (a sync) did per node label and relationship type.

    Attributes
    ----------
    rows : dict of str to int
        Rows of the bundle per node label (``Partner``) or relationship type (``SELLS_TO``).
    created, updated, deleted : dict of str to int
        Rows the sync created, rewrote (their properties or endpoints changed) and
        deleted (gone from the bundle), per label or type.
    seconds : float
        How long the sync took (compacting not included).
    graph : str
        The graph written.
    company : str
        The bundle's company id.
    state : str
        Where the store's state was read from: ``manifest`` (the packed keys and
        hashes of the last complete sync), ``rows`` (every stored row's ``_h``) or
        ``empty`` (a fresh graph); ``imported`` after an offline import
        (:func:`~ecograph.store.bulk.bulk_load`), which replaced the whole database.
    compact_seconds : float
        How long compacting the store took after writing (0 when nothing was written).
    phases : dict of str to float
        Seconds per phase of an offline import (``files``, ``import``, ``finish``); empty
        for a sync.

    Examples
    --------
    >>> report = LoadReport({"Partner": 3, "SELLS_TO": 2}, {"Partner": 1, "SELLS_TO": 0},
    ...                     {"Partner": 1, "SELLS_TO": 0}, {"Partner": 2, "SELLS_TO": 0}, 0.01)
    >>> report.relationships, report.written
    (2, 4)
    >>> report.to_frame()
           what  rows  created  updated  deleted  unchanged
    0   Partner     3        1        1        2          1
    1  SELLS_TO     2        0        0        0          2
    """

    rows: dict[str, int]
    created: dict[str, int]
    updated: dict[str, int]
    deleted: dict[str, int]
    seconds: float
    graph: str = ""
    company: str = ""
    state: str = "empty"
    compact_seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def unchanged(self) -> dict[str, int]:
        """Rows of the bundle the store already held as they are, per label or type."""
        return {k: n - self.created.get(k, 0) - self.updated.get(k, 0) for k, n in self.rows.items()}

    @property
    def relationships(self) -> int:
        """Relationships of the bundle (every relationship type's rows)."""
        return sum(n for k, n in self.rows.items() if k.isupper())

    @property
    def written(self) -> int:
        """Rows created, updated or deleted in all."""
        return sum(sum(d.values()) for d in (self.created, self.updated, self.deleted))

    def to_frame(self) -> pd.DataFrame:
        """One row per label or type: ``what, rows, created, updated, deleted, unchanged``."""
        what = list(self.rows)
        return pd.DataFrame({"what": what, "rows": [self.rows[k] for k in what],
                             **{name: [getattr(self, name).get(k, 0) for k in what]
                                for name in ("created", "updated", "deleted", "unchanged")}})


def _properties(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Store-ready columns: ISO date strings, lists, booleans; missing stays missing
    (rendered as null)."""
    out = pd.DataFrame(index=frame.index)
    columns = TABLES[table].by_name
    for name in frame.columns:
        col = frame[name]
        spec = columns.get(name)
        if spec is not None and spec.kind == "date":
            values = pd.to_datetime(col).dt.strftime("%Y-%m-%d")
        elif spec is not None and spec.many:
            values = col.map(lambda t: list(t) if isinstance(t, tuple | list) else [])
        elif spec is not None and spec.kind == "bool":
            values = col.astype("boolean")
        else:
            values = col
        out[name] = values
    return out


def _batches(frame: pd.DataFrame, size: int):
    for start in range(0, len(frame), size):
        yield frame.iloc[start:start + size]


def _plain(frame: pd.DataFrame) -> list[dict]:
    return records_of(frame.astype(object).where(frame.notna(), None))


def records(head: pd.DataFrame, props: pd.DataFrame) -> list[dict]:
    """``[{**head_row, "props": {...}}]``: the rows as plain parameters (None for missing).

    Parameters
    ----------
    head : pandas.DataFrame
        The columns each row carries at the top level (a key, endpoints).
    props : pandas.DataFrame
        The properties, gathered into one ``props`` map per row; same length as ``head``.

    Returns
    -------
    list of dict
        One dict per row, plain Python values, ``None`` for missing ones.

    Examples
    --------
    >>> import pandas as pd
    >>> records(pd.DataFrame({"key": ["P1", "P2"]}), pd.DataFrame({"tier": ["gold", None]}))
    [{'key': 'P1', 'props': {'tier': 'gold'}}, {'key': 'P2', 'props': {'tier': None}}]
    """
    return [dict(h, props=p) for h, p in zip(_plain(head), _plain(props), strict=True)]


def _pipelined(store, jobs):
    """Run ``(query, head, props)`` batches, preparing the next batch while the
    store works on the current one (the store answers on another core).
    Yields ``(rows matched, rows sent)`` per batch, in order."""
    from concurrent.futures import ThreadPoolExecutor

    def send(prepared):
        return int(store.run(*prepared)[0]["n"])

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for query, head, props in jobs:
            prepared = store.prepare(query, head, props)
            if pending is not None:
                yield pending[0].result(), pending[1]
            pending = (pool.submit(send, prepared), len(head))
        if pending is not None:
            yield pending[0].result(), pending[1]


@dataclass
class _Part:
    """One node label or relationship type of the bundle, ready to diff and write."""

    what: str
    key: str  # the key property (``id``, ``sku``)
    head: pd.DataFrame  # nodes: ``key``; relationships: source, target, id, source_label, target_label
    raw: pd.DataFrame  # the properties as the Ecosystem holds them (rendered only for rows written)
    table: str | None  # the schema table of ``raw``'s columns
    hashes: np.ndarray  # ``_h`` per row
    node: bool

    @property
    def keys(self) -> pd.Series:
        return self.head["key" if self.node else "id"]

    def props(self, mask: np.ndarray) -> pd.DataFrame:
        """The store-ready properties of the rows in ``mask``, ``_h`` last."""
        raw = self.raw if mask.all() else self.raw[mask]  # a first load: no copy
        props = _properties(raw, self.table) if self.table else pd.DataFrame(index=raw.index)
        return props.assign(_h=self.hashes if mask.all() else self.hashes[mask])

    @property
    def match(self) -> str:
        return f"(x:{self.what})" if self.node else f"()-[x:{self.what}]->()"


def _send(store, query: str, head: pd.DataFrame, props: pd.DataFrame, size: int, progress,
          check=None) -> int:
    """Send ``head``/``props`` in batches of ``size`` through ``query`` (which returns ``n``);
    ``check(got, sent)`` may raise on a batch that matched the wrong number of rows."""
    jobs = ((query, head.iloc[i:i + size], props.iloc[i:i + size]) for i in range(0, len(head), size))
    total = 0
    for got, sent in _pipelined(store, jobs):
        if check is not None:
            check(got, sent)
        total += got
        progress(sent)
    return total


def _write_nodes(store, part: _Part, create, update, delete: pd.Series, size: int, progress) -> None:
    label, key = part.what, part.key
    if len(delete):
        _send(store, f"UNWIND $rows AS row MATCH (n:{label} {{{key}: row.key}}) DETACH DELETE n "
                     "RETURN count(n) AS n",
              pd.DataFrame({"key": delete}), pd.DataFrame(index=delete.index), size, progress)
    for mask, verb in ((update, "MATCH"), (create, "CREATE")):
        if mask.any():
            def exact(got, sent, verb=verb):
                if got != sent:
                    raise StoreError(f"{label}: {sent - got} of {sent} rows were not "
                                     f"{'found' if verb == 'MATCH' else 'created'}; rerun the load: "
                                     "it converges")
            _send(store, f"UNWIND $rows AS row {verb} (n:{label} {{{key}: row.key}}) "
                         "SET n += row.props RETURN count(n) AS n",
                  part.head if mask.all() else part.head[mask], part.props(mask), size, progress, exact)


def _write_edges(store, part: _Part, create, update, delete: pd.Series, size: int, progress,
                 stored: int, labelled: pd.DataFrame) -> None:
    rel_type = part.what
    gone = pd.concat([delete, part.keys[update]], ignore_index=True)
    if len(gone):
        if stored:
            store.relationship_index(rel_type, "id")
        _send(store, f"UNWIND $rows AS row MATCH ()-[r:{rel_type} {{id: row.key}}]->() DELETE r "
                     "RETURN count(r) AS n",
              pd.DataFrame({"key": gone}), pd.DataFrame(index=gone.index), size, progress)
    new = create | update
    if not new.any():
        return
    head, props = labelled, part.props(new)
    for (a, b), group in head.groupby(["source_label", "target_label"], sort=True):
        group = _by_target(group)
        def exact(got, sent, a=a, b=b):
            if got != sent:
                raise StoreError(f"{rel_type}: {sent - got} of {sent} rows found no endpoint "
                                 f"({a} → {b}); rerun the load: it converges")
        _send(store, f"UNWIND $rows AS row MATCH (a:{a} {{id: row.source}}) "
                     f"MATCH (b:{b} {{id: row.target}}) CREATE (a)-[r:{rel_type} {{id: row.id}}]->(b) "
                     "SET r += row.props RETURN count(r) AS n",
              group[["source", "target", "id"]], props.loc[group.index], size, progress, exact)


def _by_target(head: pd.DataFrame) -> pd.DataFrame:
    """``head`` sorted by ``target`` (stable): each batch then creates a target node's
    relationships together, and the store links them into its chain in one go (on Neo4j 5:
    10–25% less server time per relationship than in bundle order).

    Examples
    --------
    >>> import pandas as pd
    >>> _by_target(pd.DataFrame({"target": ["C2", "C1", "C2"], "id": ["R1", "R2", "R3"]}))
      target  id
    1     C1  R2
    0     C2  R1
    2     C2  R3
    """
    return head.take(pc.sort_indices(pa.array(head["target"], from_pandas=True)).to_numpy())


def _label_of(eco: Ecosystem, ids: pd.Series) -> np.ndarray:
    """The node label of each party id (``External`` for the outside world, None when unknown),
    looked up with Arrow's hash join."""
    parties = eco.parties
    pos = positions(ids, parties["id"])
    kinds = parties["kind"].map(_KIND_LABEL).to_numpy(dtype=object)
    labels = np.where(pos >= 0, kinds[np.maximum(pos, 0)] if len(kinds) else None, None)
    outside = (pos < 0) & (pd.Series(ids).to_numpy(dtype=object, na_value=None) == OUTSIDE)
    return np.where(outside, "External", labels).astype(object)


def _edge_part(rel_type: str, frame: pd.DataFrame, table: str | None, source: str, target: str,
               drop: tuple[str, ...] = ()) -> _Part:
    head = pd.DataFrame({"source": frame[source].reset_index(drop=True),
                         "target": frame[target].reset_index(drop=True),
                         "id": frame["id"].reset_index(drop=True)})
    raw = frame.drop(columns=list(drop)).reset_index(drop=True) if table else pd.DataFrame(index=head.index)
    # the key is the row's identity, not its content; the endpoints are hashed once (a party
    # that changes kind is found by the node diff, and its relationships rewritten)
    ends = [] if {source, target} <= set(raw.columns) else ["source", "target"]
    hashed = pd.concat([head[ends], raw.drop(columns=["id"], errors="ignore")], axis=1)
    return _Part(rel_type, "id", head, raw, table, row_hashes(hashed, rel_type), node=False)


def _node_part(label: str, key: str, frame: pd.DataFrame, table: str) -> _Part:
    raw = frame.reset_index(drop=True)
    head = pd.DataFrame({"key": raw[key]})
    hashed = raw.drop(columns=[key])  # the key is the row's identity, not its content
    return _Part(label, key, head, raw, table, row_hashes(hashed, label), node=True)


def _parts(eco: Ecosystem) -> list[_Part]:
    """Every node label and relationship type of the graph model, empty ones too (so a
    sync deletes what a bundle no longer has), hashed; relationships reaching no party fail
    here, before anything is written."""
    parts = [_node_part(label, TABLES[table].key, getattr(eco, table), table)
             for table, label in LABELS.items()]
    audits = eco.audits
    parts.append(_node_part("Audit", "id", audits.drop(columns="party"), "audits"))
    rel = eco.relationships
    moves = eco.movements.assign(  # units from or to outside the books: the External node
        from_party=eco.movements["from_party"].fillna(OUTSIDE),
        to_party=eco.movements["to_party"].fillna(OUTSIDE))
    specs = [(rel_type, rel[rel["type"] == kind], "relationships", "source", "target", ("type",))
             for kind, rel_type in REL_TYPES.items()]
    specs += [("REGISTERED", eco.deals, "deals", "partner", "customer", ()),
              ("MOVED", moves, "movements", "from_party", "to_party", ()),
              ("COUNTS", audits, None, "id", "party", ())]
    parts += [_edge_part(rel_type, frame, table, source, target, drop)
              for rel_type, frame, table, source, target, drop in specs]
    return parts


def _labelled(eco: Ecosystem, part: _Part, rows: np.ndarray, table) -> pd.DataFrame:
    """``part.head`` of ``rows`` with each endpoint's node label (as categories); a row whose
    endpoint is no party of the bundle is an error, raised before anything is written."""
    head = part.head if rows.all() else part.head[rows]
    source = (np.full(len(head), _NODE_LABELS.index("Audit")) if part.what == "COUNTS"
              else _label_codes(eco, head["source"], table))
    target = _label_codes(eco, head["target"], table)
    unknown = (source < 0) | (target < 0)
    if unknown.any():
        missing = sorted({*head["source"].to_numpy(dtype=object)[source < 0],
                          *head["target"].to_numpy(dtype=object)[target < 0]})
        raise StoreError(f"{part.what}: {int(unknown.sum())} rows found no endpoint "
                         f"(no party {', '.join(map(str, missing[:5]))}); nothing was written")
    return head.assign(source_label=pd.Categorical.from_codes(source, categories=_NODE_LABELS),
                       target_label=pd.Categorical.from_codes(target, categories=_NODE_LABELS))


def _endpoints(eco: Ecosystem, parts: list[_Part], plans: dict) -> dict[str, pd.DataFrame]:
    """The relationships to write, labelled, per type; ``plans``' update masks grow by the
    relationships of a party that changed kind (deleted under one label, created under
    another). Raises when a relationship reaches no party of the bundle."""
    party = {"Company", "Partner", "Customer", "Supplier"}
    gone = pd.concat([plans[p.what][2] for p in parts if p.what in party], ignore_index=True)
    born = pd.concat([p.keys[plans[p.what][0]] for p in parts if p.what in party], ignore_index=True)
    moved = gone[gone.isin(born)]
    vanished = gone[~gone.isin(born)]
    table = _party_codes(eco)
    out = {}
    for p in parts:
        if p.node:
            continue
        create, update, _ = plans[p.what]
        for ids, check in ((moved, False), (vanished, True)):
            if not len(ids):
                continue
            touch = (p.head["source"].isin(ids) | p.head["target"].isin(ids)).to_numpy()
            if check and touch.any():  # the bundle still names a party it no longer has
                _labelled(eco, p, touch, table)
            update |= touch & ~create
        out[p.what] = _labelled(eco, p, create | update, table)
    return out


#: Node labels an endpoint can have (relationship endpoints' labels are held as categories).
_NODE_LABELS = ["Company", "Partner", "Customer", "Supplier", "External", "Audit"]


def _party_codes(eco: Ecosystem) -> tuple[pd.Series, np.ndarray]:
    """Every party id and the position of its label in :data:`_NODE_LABELS`."""
    parties = eco.parties
    codes = {label: k for k, label in enumerate(_NODE_LABELS)}
    return parties["id"], parties["kind"].map(_KIND_LABEL).map(codes).to_numpy(dtype=np.int64)


def _label_codes(eco: Ecosystem, ids: pd.Series, table: tuple | None = None) -> np.ndarray:
    """Position in :data:`_NODE_LABELS` of each party id's label (-1 when unknown), with one
    Arrow hash join and no Python string per row; ``table``: :func:`_party_codes`."""
    known, kinds = table or _party_codes(eco)
    pos = positions(ids, known) if len(ids) else np.zeros(0, dtype=np.int64)
    codes = np.where(pos >= 0, kinds[np.maximum(pos, 0)] if len(kinds) else -1, -1)
    outside = pc.fill_null(pc.equal(pa.array(ids, from_pandas=True), OUTSIDE), False)
    return np.where(outside.to_numpy(zero_copy_only=False), _NODE_LABELS.index("External"), codes)


def schema(store) -> None:
    """Uniqueness on every node key (engine-specific statements live in the store)."""
    for table, label in LABELS.items():
        store.unique_constraint(label, TABLES[table].key)
    store.unique_constraint("Audit", "id")


def company_of(eco: Ecosystem) -> str:
    """The bundle's company id (``company.csv``), or ``""`` when it has none.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    str

    Examples
    --------
    >>> import ecograph
    >>> company_of(ecograph.load_bundle("fixtures/it_ecosystem"))
    'NIMBUS'
    """
    ids = eco.company["id"] if "id" in eco.company else pd.Series(dtype=object)
    return str(ids.iat[0]) if len(ids) else ""


def _held(store, meta: dict | None) -> list[str]:
    """The companies the graph holds: its meta node's, else its Company nodes' (a graph
    loaded by an older ecograph)."""
    if meta and meta.get("company"):
        return [str(meta["company"])]
    return sorted(str(r["id"]) for r in store.run("MATCH (c:Company) RETURN c.id AS id"))


def _refuse(store, graph: str, meta: dict | None, company: str, eco: Ecosystem) -> None:
    held = _held(store, meta)
    if held and held != [company]:
        was = f" (from {meta['bundle']})" if meta and meta.get("bundle") else ""
        elsewhere = ("use another NEO4J_DATABASE (a Neo4j database holds one graph)"
                     if getattr(store, "engine", "") == "neo4j" else "load it into another --graph")
        raise ParameterError(f"graph {graph!r} holds company {', '.join(held)}{was}, not {company} "
                             f"({eco.source or 'these tables'}): {elsewhere}, or give --replace to "
                             "clear this one first")


def _current(store, parts: list[_Part], meta: dict | None, verify: bool) -> tuple[dict, str]:
    """The store's ``key, h`` per label or type, and where they came from."""
    trusted = (not verify and meta is not None and meta.get("state") == "complete"
               and meta.get("schema") == MODEL)
    manifests = read_manifests(store) if trusted else {}
    current = {p.what: manifests[p.what] for p in parts if p.what in manifests}
    missing = [p for p in parts if p.what not in current]
    for p in missing:
        current[p.what] = read_rows(store, p.match, p.key)
    if not missing:
        return current, "manifest"
    held = sum(len(c) for c in current.values())
    return current, "rows" if held else "empty"


def load(eco: Ecosystem, store: GraphStore, *, batch_size: int = 5_000, progress: bool = False,
         replace: bool = False, verify: bool = False) -> LoadReport:
    """Sync ``store``'s graph to ``eco``: afterwards it holds exactly the bundle.

    Rows (nodes and relationships) the graph has and the bundle has not are
    deleted, changed ones rewritten, new ones created, the rest left alone: each
    row carries a content hash (``_h``), the graph keeps a manifest of its keys
    and hashes, and only the difference is sent, in ``UNWIND`` batches. A resync
    with nothing changed writes nothing. A graph holds one company: loading
    another company's bundle into it is refused unless ``replace``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem to write.
    store : EmbeddedStore or Neo4jStore
        Where to write it (on its graph).
    batch_size : int, default 5000
        Rows per ``UNWIND`` batch.
    progress : bool, default False
        Show a progress bar.
    replace : bool, default False
        Clear the graph first (whatever it holds).
    verify : bool, default False
        Read every stored row's hash instead of trusting the manifest (after the
        graph was edited by hand).

    Returns
    -------
    LoadReport
        Rows created, updated, deleted and unchanged per label and relationship type.

    Raises
    ------
    ParameterError
        When the graph holds another company and ``replace`` is false (on Neo4j the
        database is the graph: the company it holds decides).
    StoreError
        When a relationship's endpoint is missing from the bundle (before anything is
        written), when ``batch_size`` is below 1, or when the store rejects a query.
        A sync stopped part-way (an error, a kill) leaves the graph marked
        ``syncing``; rerunning it converges on the bundle.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> report = load(eco, store)
    >>> report.created["Partner"] == len(eco.partners), report.state
    (True, 'empty')
    >>> again = load(eco, store)
    >>> again.written, again.state
    (0, 'manifest')
    >>> store.server.stop().running
    False
    """
    import time

    from rich.progress import Progress

    if batch_size < 1:
        raise StoreError(f"batch_size must be at least 1; got {batch_size}")
    started = time.perf_counter()
    graph, company = store.graph, company_of(eco)
    parts = _parts(eco)
    meta = read_meta(store)
    if replace:
        store.clear()
        meta = None
    else:
        _refuse(store, graph, meta, company, eco)
    current, state = _current(store, parts, meta, verify)
    plans = {p.what: diff(p.keys, p.hashes, current[p.what], unique=state == "manifest") for p in parts}
    labelled = _endpoints(eco, parts, plans)  # may rewrite more; raises before any write
    rows = {p.what: len(p.head) for p in parts}
    created = {w: int(c.sum()) for w, (c, _, _) in plans.items()}
    updated = {w: int(u.sum()) for w, (_, u, _) in plans.items()}
    deleted = {w: len(d) for w, (_, _, d) in plans.items()}
    report = LoadReport(rows, created, updated, deleted, 0.0, graph, company, state)
    if report.written == 0 and state == "manifest":
        report.seconds = time.perf_counter() - started
        return report  # nothing to write: no statement sent
    _mark(store, graph, company, eco, "syncing")
    schema(store)
    store.run("MERGE (x:External {id: $id}) RETURN count(x) AS n", {"id": OUTSIDE})
    total = sum(int(c.sum() + 2 * u.sum()) + len(d) for c, u, d in plans.values())
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Syncing", total=total)
        for p in parts:
            create, update, delete = plans[p.what]
            bar.update(task, description=f"Syncing {p.what}")
            advance = lambda k: bar.advance(task, k)  # noqa: E731
            if p.node:
                _write_nodes(store, p, create, update, delete, batch_size, advance)
            else:
                _write_edges(store, p, create, update, delete, batch_size, advance,
                             stored=len(current[p.what]), labelled=labelled[p.what])
    packed = True
    for p in parts:  # the manifests that changed, then the mark that makes them trusted
        if state != "manifest" or created[p.what] or updated[p.what] or deleted[p.what]:
            if packable(p.keys):
                write_manifest(store, p.what, p.keys, p.hashes)
            else:  # a key holds the separator: no manifest, every sync reads the rows
                packed = False
    if packed:
        _mark(store, graph, company, eco, "complete")
    report.seconds = time.perf_counter() - started
    done = time.perf_counter()
    store.compact()
    report.compact_seconds = time.perf_counter() - done
    return report


def _mark(store, graph: str, company: str, eco: Ecosystem, state: str) -> None:
    """Write the graph's meta node: what it holds, and whether a sync is under way."""
    from datetime import UTC, datetime

    store.run(f"MERGE (m:{META}) SET m += $meta RETURN count(m) AS n",
              {"meta": {"graph": graph, "company": company, "bundle": str(eco.source or ""),
                        "schema": MODEL, "state": state,
                        "loaded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}})


def write_back(store: GraphStore, eco: Ecosystem, results: pd.DataFrame, *, key: str = "id",
               batch_size: int = 5_000) -> dict[str, int]:
    """Write analysis columns of ``results`` as node properties, so Cypher can query them.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        A store ``eco`` was loaded into.
    eco : Ecosystem
        The ecosystem, to find each party's node label.
    results : pandas.DataFrame
        One row per party: the ``key`` column plus any of :data:`WRITABLE`
        (other columns are ignored).
    key : str, default "id"
        The column of ``results`` holding party ids.
    batch_size : int, default 5000
        Rows per ``UNWIND`` batch.

    Returns
    -------
    dict of str to int
        How many nodes took each property.

    Raises
    ------
    StoreError
        When ``results`` has no :data:`WRITABLE` column, when a row names no
        party of ``eco``, or when a party is missing from the store (load the
        bundle first).

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore
    >>> from ecograph.analysis import centrality
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = load(eco, store)
    >>> G = ecograph.view(eco, "bipartite")
    >>> write_back(store, eco, centrality.pagerank(G)) == {"pagerank": G.number_of_nodes()}
    True
    >>> store.server.stop().running
    False
    """
    columns = [c for c in results.columns if c in WRITABLE]
    if not columns:
        raise StoreError(f"nothing to write back: expected a column among {WRITABLE}")
    labels = _label_of(eco, results[key])
    if pd.isna(labels).any():
        raise StoreError(f"{int(pd.isna(labels).sum())} rows name no party of this ecosystem")
    written = {}
    for column in columns:
        values = results[column]
        total = 0
        for label in np.unique(labels):
            mask = labels == label
            rows = pd.DataFrame({"id": results.loc[mask, key].to_numpy(),
                                 "value": values[mask].to_numpy()}).reset_index(drop=True)
            query = (f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) "
                     f"SET n.{column} = row.value RETURN count(n) AS n")
            for batch in _batches(rows, batch_size):
                got = int(store.run_rows(query, batch, batch.iloc[:, :0])[0]["n"])
                if got != len(batch):
                    raise StoreError(f"write-back of {column}: {len(batch) - got} {label} nodes "
                                     "are not in the store; load the bundle first")
                total += got
        written[column] = total
    return written
