"""One loader for both graph stores: the ecosystem as labelled nodes and typed relationships.

The graph model (every label and type comes from this allow-list, never from
the data; every value is a query parameter):

- parties: ``(:Company)``, ``(:Partner)``, ``(:Customer)``, ``(:Supplier)``
  keyed by ``id``, with their table columns as properties (lists stay lists,
  dates are ISO strings); ``(:Product)``, ``(:Capability)``, ``(:AssetClass)``
  (key ``sku``);
- relationships between parties: ``SELLS_TO``, ``CO_SELLS_WITH``, ``SUPPLIES``,
  ``DISTRIBUTES_FOR``, ``INTEGRATES_WITH``, ``REFERS`` keyed by ``id``;
- deals: ``(:Partner)-[:REGISTERED {id, …}]->(:Customer)`` carrying the deal's
  columns (``product``, ``status``, ``amount``, dates, ``cosell_partner``);
- physical accounts: ``-[:MOVED {id, date, sku, kind, units}]->`` for every
  movement, supplies from and disposals to the outside world joining the one
  ``(:External {id: "(outside)"})`` node (``ledger.OUTSIDE``), and ``(:Audit {id, date, sku, counted})
  -[:COUNTS]->(:Party)``.

Rows go in batches of ``UNWIND $rows … MERGE`` on their key (``CREATE`` while a
label or type has nothing yet: the same result without the search), so
loading the same bundle twice creates nothing new; each batch returns how many rows it
matched, and a relationship whose endpoint is missing is an error, not a
silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..ecosystem import Ecosystem
from ..errors import StoreError
from ..frames import records_of
from ..ledger import OUTSIDE
from ..schema import TABLES
from .base import GraphStore

__all__ = ["load", "write_back", "records", "LABELS", "REL_TYPES", "WRITABLE", "LoadReport"]

#: Node label per party kind and per catalogue table.
LABELS = {"company": "Company", "partners": "Partner", "customers": "Customer",
          "suppliers": "Supplier", "products": "Product", "capabilities": "Capability",
          "asset_classes": "AssetClass"}
#: Relationship type per ``relationships.type``.
REL_TYPES = {t: t.upper() for t in ("sells_to", "co_sells_with", "supplies", "distributes_for",
                                    "integrates_with", "refers")}
#: Analysis results that may be written back onto party nodes.
WRITABLE = ("pagerank", "community", "betweenness", "constraint", "risk_score", "health")
_KIND_LABEL = {"company": "Company", "partner": "Partner", "customer": "Customer",
               "supplier": "Supplier"}


@dataclass
class LoadReport:
    """Rows sent and matched per node label / relationship type.

    Attributes
    ----------
    sent : dict of str to int
        Rows sent per node label (``Partner``) or relationship type (``SELLS_TO``).
    matched : dict of str to int
        Rows the store matched (created or merged) per label or type.
    seconds : float
        How long the load took.

    Examples
    --------
    >>> report = LoadReport({"Partner": 3, "SELLS_TO": 2}, {"Partner": 3, "SELLS_TO": 2}, 0.01)
    >>> report.relationships
    2
    >>> report.to_frame()
           what  sent  matched
    0   Partner     3        3
    1  SELLS_TO     2        2
    """

    sent: dict[str, int]
    matched: dict[str, int]
    seconds: float

    @property
    def relationships(self) -> int:
        return sum(n for k, n in self.matched.items() if k.isupper())

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"what": list(self.sent), "sent": list(self.sent.values()),
                             "matched": [self.matched.get(k, 0) for k in self.sent]})


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


def _nodes(store, label: str, key: str, frame: pd.DataFrame, table: str, size: int,
           progress) -> int:
    props = _properties(frame, table)
    rows = pd.concat([props[[key]].set_axis(["key"], axis=1), props], axis=1)
    fresh = store.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] == 0
    verb = "CREATE" if fresh else "MERGE"  # keys are unique in a valid bundle
    query = (f"UNWIND $rows AS row {verb} (n:{label} {{{key}: row.key}}) "
             "SET n += row.props RETURN count(n) AS n")
    jobs = ((query, batch[["key"]], batch.iloc[:, 1:]) for batch in _batches(rows, size))
    matched = 0
    for got, sent in _pipelined(store, jobs):
        matched += got
        progress(sent)
    return matched


def _edges(store, rel_type: str, rows: pd.DataFrame, size: int, progress) -> int:
    """``rows``: ``source, target, source_label, target_label, id`` then the properties."""
    unknown = rows["source_label"].isna() | rows["target_label"].isna()
    if unknown.any():
        bad = rows[unknown]
        missing = sorted({*bad.loc[bad["source_label"].isna(), "source"],
                          *bad.loc[bad["target_label"].isna(), "target"]})
        raise StoreError(f"{rel_type}: {int(unknown.sum())} rows found no endpoint "
                         f"(no party {', '.join(map(str, missing[:5]))}); nothing of them "
                         "was written")
    matched = 0
    head = ["source", "target", "id"]
    props = list(rows.columns[5:])
    # Into a store with none of this type yet, CREATE is MERGE without the search
    # (ids are unique in a valid bundle); otherwise MERGE, so reruns converge.
    fresh = store.run(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n")[0]["n"] == 0
    verb = "CREATE" if fresh else "MERGE"
    for (a, b), group in rows.groupby(["source_label", "target_label"], sort=True):
        query = (f"UNWIND $rows AS row MATCH (a:{a} {{id: row.source}}) "
                 f"MATCH (b:{b} {{id: row.target}}) {verb} (a)-[r:{rel_type} {{id: row.id}}]->(b) "
                 "SET r += row.props RETURN count(r) AS n")
        jobs = ((query, batch[head], batch[props].rename(columns=lambda c: c[2:]))  # no "p:"
                for batch in _batches(group, size))
        for got, sent in _pipelined(store, jobs):
            if got != sent:
                raise StoreError(f"{rel_type}: {sent - got} of {sent} rows found no "
                                 f"endpoint ({a} → {b}); the store has the rows before this "
                                 "batch, and a rerun after fixing the bundle converges")
            matched += got
            progress(sent)
    return matched


def _label_of(eco: Ecosystem, ids: pd.Series) -> np.ndarray:
    kinds = eco.parties.set_index("id")["kind"]
    labels = kinds.reindex(ids).map(_KIND_LABEL).to_numpy()
    return np.where(np.asarray(ids) == OUTSIDE, "External", labels)


def _typed(eco: Ecosystem, frame: pd.DataFrame, table: str, source: str, target: str,
           drop: tuple[str, ...] = ()) -> pd.DataFrame:
    props = _properties(frame.drop(columns=list(drop)), table).reset_index(drop=True)
    head = pd.DataFrame({"source": frame[source].to_numpy(), "target": frame[target].to_numpy(),
                         "source_label": _label_of(eco, frame[source]),
                         "target_label": _label_of(eco, frame[target]),
                         "id": frame["id"].to_numpy()})
    return pd.concat([head, props.add_prefix("p:")], axis=1)


def schema(store) -> None:
    """Uniqueness on every node key (engine-specific statements live in the store)."""
    for table, label in LABELS.items():
        store.unique_constraint(label, TABLES[table].key)
    store.unique_constraint("Audit", "id")


def load(eco: Ecosystem, store: GraphStore, *, batch_size: int = 5_000, progress: bool = False) -> LoadReport:
    """Load ``eco`` into ``store`` (embedded or Neo4j), idempotently.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem to write.
    store : EmbeddedStore or Neo4jStore
        Where to write it; loading the same ecosystem again creates nothing new.
    batch_size : int, default 5000
        Rows per ``UNWIND`` batch.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    LoadReport
        Rows sent and matched per label and relationship type.

    Raises
    ------
    StoreError
        When a batch of relationships matches fewer rows than it sent (an
        endpoint is missing), when ``batch_size`` is below 1, or when the
        store rejects a query.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> report = load(ecograph.load_bundle("fixtures/tiny"), store)
    >>> report.matched["Partner"] == len(ecograph.load_bundle("fixtures/tiny").partners)
    True
    >>> store.server.stop().running
    False
    """
    import time

    from rich.progress import Progress

    if batch_size < 1:
        raise StoreError(f"batch_size must be at least 1; got {batch_size}")
    started = time.perf_counter()
    rel = eco.relationships
    deals = eco.deals
    moves = eco.movements.assign(  # units from or to outside the books: the External node
        from_party=eco.movements["from_party"].fillna(OUTSIDE),
        to_party=eco.movements["to_party"].fillna(OUTSIDE))
    steps: list[tuple[str, object, int]] = []
    for table, label in LABELS.items():
        frame = getattr(eco, table)
        key = TABLES[table].key
        steps.append((label, lambda n, f=frame, lab=label, k=key, t=table:
                      _nodes(store, lab, k, f, t, batch_size, n), len(frame)))
    audits = eco.audits
    steps.append(("Audit", lambda n: _nodes(store, "Audit", "id", audits.drop(columns="party"),
                                            "audits", batch_size, n), len(audits)))
    for kind, rel_type in REL_TYPES.items():
        part = rel[rel["type"] == kind]
        if len(part):
            rows = _typed(eco, part, "relationships", "source", "target", drop=("type",))
            steps.append((rel_type, lambda n, r=rows, t=rel_type:
                          _edges(store, t, r, batch_size, n), len(part)))
    if len(deals):
        rows = _typed(eco, deals, "deals", "partner", "customer")
        steps.append(("REGISTERED", lambda n, r=rows: _edges(store, "REGISTERED", r, batch_size, n),
                      len(deals)))
    if len(moves):
        rows = _typed(eco, moves, "movements", "from_party", "to_party")
        steps.append(("MOVED", lambda n, r=rows: _edges(store, "MOVED", r, batch_size, n),
                      len(moves)))
    if len(audits):
        counts = pd.DataFrame({"source": audits["id"].to_numpy(),
                               "target": audits["party"].to_numpy(),
                               "source_label": "Audit",
                               "target_label": _label_of(eco, audits["party"]),
                               "id": audits["id"].to_numpy()})
        steps.append(("COUNTS", lambda n: _edges(store, "COUNTS", counts, batch_size, n),
                      len(audits)))
    schema(store)
    store.run("MERGE (x:External {id: $id}) RETURN count(x) AS n", {"id": OUTSIDE})
    sent = {name: total for name, _, total in steps}
    matched: dict[str, int] = {}
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Loading", total=sum(sent.values()))
        for name, step, _ in steps:
            bar.update(task, description=f"Loading {name}")
            matched[name] = step(lambda k: bar.advance(task, k))
    return LoadReport(sent, matched, time.perf_counter() - started)


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
