"""The first load of a large ecosystem into Neo4j, offline: ``neo4j-admin database import full``.

A transactional load (:func:`~ecograph.store.load.load`) is bound by the server's commit
(about 16,000 relationships/s at 1M relationships on two cores, benchmarks/RESULTS.md). The
offline importer writes the store files directly instead. It replaces the whole database
and needs it stopped, and Neo4j Community cannot stop one database while its server runs,
so the *admin command* given here must stop the server, run ``neo4j-admin`` with the
arguments it is handed, and start the server again: ``.ci/neo4j/neo4j.sh admin`` for the
local Neo4j of ``make neo4j-up``, a three-line script around ``docker compose`` in
production (docs/stores.md).

:func:`bulk_load` writes the same graph as :func:`~ecograph.store.load.load` (labels,
types, properties, the ``_h`` hashes, the ``External`` node and the ``(:EcographGraph)``
meta node): the bundle is checked first (a relationship reaching no party fails before
any file is written or the server touched), :func:`write_import` writes one CSV file per
node label and per relationship type and endpoint labels, with typed headers, the admin
command imports them, and once the server answers again the uniqueness constraints, the
manifests and the ``complete`` mark are written over Bolt. A later ``ecograph load`` of the
same bundle writes nothing; one of a changed bundle syncs the difference as usual. Until
the mark is written the graph reads ``syncing``, and a plain ``ecograph load`` converges.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..ecosystem import Ecosystem
from ..errors import ParameterError, StoreError
from ..ledger import OUTSIDE
from .load import LoadReport, _labelled, _mark, _parts, _party_codes, _refuse, company_of, schema
from .sync import META, MODEL, packable, read_meta, write_manifest

__all__ = ["bulk_load", "write_import", "ImportFiles"]

#: Between list items: the importer's default, which validation keeps out of every item
#: (as in a bundle's CSV cells).
_ARRAY_DELIMITER = ";"


@dataclass
class ImportFiles:
    """The CSV files of one import and the ``neo4j-admin database import full`` options
    that read them (paths relative to ``folder``).

    Attributes
    ----------
    folder : pathlib.Path
        Where the files are.
    options : list of str
        ``--nodes=Label=file.csv``, ``--relationships=TYPE=file.csv`` and, when a text
        holds a line break, ``--multiline-fields`` naming the files where one does.
    rows : dict of str to int
        Rows per node label or relationship type (the bundle's; the ``External`` node is
        not counted).

    Examples
    --------
    >>> files = ImportFiles(Path("import"), ["--nodes=Partner=nodes_Partner.csv"], {"Partner": 3})
    >>> files.command("partners")[:4]
    ['database', 'import', 'full', 'partners']
    """

    folder: Path
    options: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def command(self, database: str = "neo4j") -> list[str]:
        """The ``neo4j-admin`` arguments that import these files into ``database``,
        replacing what it holds.

        Examples
        --------
        >>> ImportFiles(Path("."), ["--nodes=Partner=nodes_Partner.csv"]).command()
        ['database', 'import', 'full', 'neo4j', '--overwrite-destination=true', \
'--report-file=import.report', '--nodes=Partner=nodes_Partner.csv']
        """
        return ["database", "import", "full", database, "--overwrite-destination=true",
                "--report-file=import.report", *self.options]


def _neo4j_type(col: pd.Series) -> str:
    """The import header type of a store-ready column (see ``load._properties``)."""
    if col.dtype == object:
        if len(col) and isinstance(col.iat[0], list):  # a list column: lists in every row
            return "string[]"
        kind = pd.api.types.infer_dtype(col, skipna=True)
        return {"integer": "long", "boolean": "boolean", "floating": "double",
                "mixed-integer-float": "double"}.get(kind, "string")
    if pd.api.types.is_bool_dtype(col.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(col.dtype):
        return "long"
    if pd.api.types.is_float_dtype(col.dtype):
        return "double"
    return "string"


def _arrow(col: pd.Series, kind: str) -> pa.Array:
    """``col`` as the Arrow array the CSV writer renders for ``kind`` (null: no property)."""
    if kind == "string[]":
        lists = pa.array([v if isinstance(v, list) and v else None for v in col], pa.list_(pa.string()))
        return pc.binary_join(lists, _ARRAY_DELIMITER)
    if kind == "long":
        return pa.array(col.astype("Int64"), pa.int64(), from_pandas=True)
    if kind == "boolean":
        return pa.array(col.astype("boolean"), pa.bool_(), from_pandas=True)
    if kind == "double":
        values = col.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(values).any():  # Java reads Infinity, not Arrow's inf
            return pa.array([None if np.isnan(v) else "Infinity" if v == np.inf else "-Infinity"
                             if v == -np.inf else repr(float(v)) for v in values], pa.string())
        return pa.array(values, pa.float64(), from_pandas=True)
    try:
        values = pa.array(col, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed values: each as its text
        values = pa.array([None if pd.isna(v) else str(v) for v in col], pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def _write(folder: Path, name: str, header: list[str], columns: list[pa.Array]) -> bool:
    """One CSV file: ``header``, then the rows; whether a text holds a line break."""
    table = pa.table(columns, names=[f"c{k}" for k in range(len(columns))])
    with open(folder / name, "wb") as f:
        f.write((",".join(header) + "\n").encode())
        if len(table):
            pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, batch_size=65_536))
    return any(pa.types.is_string(c.type) and c.null_count < len(c)
               and pc.any(pc.match_substring_regex(c, "[\r\n]")).as_py() for c in columns)


def _properties(props: pd.DataFrame, skip: set[str]) -> tuple[list[str], list[pa.Array]]:
    header, columns = [], []
    for name in props.columns:
        if name in skip:
            continue
        kind = _neo4j_type(props[name])
        header.append(f"{name}:{kind}")
        columns.append(_arrow(props[name], kind))
    return header, columns


def write_import(eco: Ecosystem, folder: str | Path, *, graph: str, bundle: str = "") -> ImportFiles:
    """Write ``eco`` as ``neo4j-admin database import full`` CSV files into ``folder``.

    The graph is the one :func:`~ecograph.store.load.load` writes, row for row: nodes per
    label (their key as the import id, in an id space per label), relationships per type
    and endpoint labels, every property with a typed header (``long``, ``double``,
    ``boolean``, ``string``, ``string[]``), each row's ``_h``, the ``External`` node and the
    ``(:EcographGraph)`` meta node marked ``syncing`` (:func:`bulk_load` marks it
    ``complete`` once constraints and manifests are written).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem to write.
    folder : str or pathlib.Path
        An existing folder; files of an earlier import there are overwritten.
    graph : str
        The graph name the meta node records.
    bundle : str, default ""
        Where the bundle came from (recorded in the meta node).

    Returns
    -------
    ImportFiles
        The files' folder, the importer's options, and the rows per label and type.

    Raises
    ------
    StoreError
        When a relationship reaches no party of the bundle (no file is written).

    Examples
    --------
    >>> import tempfile, ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> files = write_import(eco, tempfile.mkdtemp(), graph="tiny")
    >>> files.rows["Partner"] == len(eco.partners)
    True
    >>> (files.folder / "nodes_Partner.csv").read_text().splitlines()[0].split(",")[:3]
    ['id:ID(Partner)', 'name:string', 'partner_type:string']
    """
    return _import_files(eco, _parts(eco), Path(folder), graph, bundle)


def _import_files(eco: Ecosystem, parts: list, folder: Path, graph: str, bundle: str) -> ImportFiles:
    table = _party_codes(eco)
    labelled = {p.what: _labelled(eco, p, np.ones(len(p.head), dtype=bool), table)
                for p in parts if not p.node}  # raises before any file is written
    props = {p.what: p.props(np.ones(len(p.head), dtype=bool)) for p in parts}
    files = ImportFiles(folder)
    multiline = []  # the files where a text holds a line break (slower to parse: only those)
    for p in parts:
        files.rows[p.what] = len(p.head)
        frame = props[p.what]
        if p.node:
            name = f"nodes_{p.what}.csv"
            header, columns = _properties(frame, {p.key})
            if _write(folder, name, [f"{p.key}:ID({p.what})", *header],
                      [_arrow(frame[p.key], "string"), *columns]):
                multiline.append(name)
            files.options.append(f"--nodes={p.what}={name}")
            continue
        head = labelled[p.what]
        for (a, b), group in head.groupby(["source_label", "target_label"], sort=True, observed=True):
            rows = frame.loc[group.index]
            header, columns = _properties(rows, {"id"})
            name = f"relationships_{p.what}_{a}_{b}.csv"
            if _write(folder, name, [f":START_ID({a})", f":END_ID({b})", "id:string", *header],
                      [_arrow(group[c], "string") for c in ("source", "target", "id")] + columns):
                multiline.append(name)
            files.options.append(f"--relationships={p.what}={name}")
    _write(folder, "nodes_External.csv", ["id:ID(External)"], [pa.array([OUTSIDE])])
    files.options.append("--nodes=External=nodes_External.csv")
    meta = {"graph": graph, "company": company_of(eco), "bundle": bundle, "schema": MODEL,
            "state": "syncing", "loaded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if _write(folder, f"nodes_{META}.csv", [f"{k}:string" for k in meta],
              [pa.array([v]) for v in meta.values()]):
        multiline.append(f"nodes_{META}.csv")
    files.options.append(f"--nodes={META}=nodes_{META}.csv")
    if multiline:
        files.options += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"]
    return files


def _admin_error(result: subprocess.CompletedProcess, admin: Sequence[str]) -> StoreError:
    """One line from a failed admin command: its most telling line of output."""
    lines = [line.strip() for line in (result.stdout + "\n" + result.stderr).splitlines() if line.strip()]
    telling = [line for line in lines if any(w in line.lower() for w in ("error", "exception", "fail"))]
    said = (telling or lines or ["no output"])[-1]
    if len(said) > 240:
        said = said[:237] + "..."
    return StoreError(f"the offline import failed ({' '.join(admin)} exited {result.returncode}): {said}")


def _wait(store, seconds: float) -> None:
    """Until ``store`` answers again on a new connection (the server restarts after the
    import on a new database: the old connection's bookmarks mean nothing to it). The
    driver's warnings while the server is away are expected, and not shown."""
    import logging

    driver_log = logging.getLogger("neo4j")
    level = driver_log.level
    driver_log.setLevel(logging.CRITICAL)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                store.reopen()
                store.run("RETURN 1 AS one")
                return
            except StoreError:
                if time.monotonic() > deadline:
                    raise StoreError(f"Neo4j at {store.uri} did not answer within {seconds:.0f} s of "
                                     "the offline import; once it runs, `ecograph load` finishes the "
                                     "graph (it is marked syncing)") from None
                time.sleep(1)
    finally:
        driver_log.setLevel(level)


def bulk_load(eco: Ecosystem, store, *, admin: Sequence[str], folder: str | Path | None = None,
              replace: bool = False, progress: bool = False, wait: float = 300.0) -> LoadReport:
    """Replace ``store``'s Neo4j database by ``eco`` with the offline importer.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem to write.
    store : Neo4jStore
        The database to replace (``store.database``), connected.
    admin : sequence of str
        The command that runs ``neo4j-admin`` with the server stopped and starts it again
        afterwards (it gets ``database import full …`` appended and runs in ``folder``):
        ``[".ci/neo4j/neo4j.sh", "admin"]`` for the local Neo4j of ``make neo4j-up``.
    folder : str or pathlib.Path, optional
        Where to write the CSV files (kept); default a temporary folder, removed after.
        The admin command must be able to read it.
    replace : bool, default False
        Replace a database that holds another company's graph.
    progress : bool, default False
        Show what is under way.
    wait : float, default 300
        Seconds to wait for the server to answer after the import.

    Returns
    -------
    LoadReport
        Every row created; ``state`` is ``imported``; ``deleted`` is empty (the database's
        earlier contents are replaced, not counted).

    Raises
    ------
    ParameterError
        When ``store`` is not a Neo4j store, or the database holds another company and
        ``replace`` is false.
    StoreError
        When a relationship reaches no party (before anything is written), the admin
        command fails (its telling line of output, one line), or the server does not
        answer afterwards.

    Examples
    --------
    >>> import ecograph
    >>> from ecograph.store import EmbeddedStore
    >>> bulk_load(ecograph.load_bundle("fixtures/tiny"), EmbeddedStore.__new__(EmbeddedStore),
    ...           admin=["neo4j-admin"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: the offline import (--bulk) is for Neo4j; the embedded store ...
    """
    import tempfile
    from contextlib import nullcontext

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if getattr(store, "engine", "") != "neo4j":
        raise ParameterError("the offline import (--bulk) is for Neo4j; the embedded store loads "
                             "with `ecograph load`")
    started = time.perf_counter()
    admin = list(admin)
    if "/" in admin[0] and not Path(admin[0]).is_absolute():  # it runs in the files' folder
        admin[0] = str(Path(admin[0]).resolve())
    meta = read_meta(store)
    if not replace:
        _refuse(store, store.graph, meta, company_of(eco), eco)
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
    with (tempfile.TemporaryDirectory(prefix="ecograph-import-") if folder is None
          else nullcontext(str(Path(folder).resolve()))) as where, \
            Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                     disable=not progress, transient=True) as bar:
        task = bar.add_task("Writing the import files")
        parts = _parts(eco)
        files = _import_files(eco, parts, Path(where), store.graph, str(eco.source or ""))
        phases = {"files": time.perf_counter() - started}
        bar.update(task, description=f"Importing offline ({' '.join(admin)})")
        store.close()  # the server stops: no connection left behind
        try:
            result = subprocess.run([*admin, *files.command(store.database)], cwd=where,
                                    capture_output=True, text=True, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise StoreError(f"cannot run the admin command {' '.join(admin)!r}: {exc.strerror}") from None
        if result.returncode != 0:
            raise _admin_error(result, admin)
        bar.update(task, description="Waiting for Neo4j")
        _wait(store, wait)
        phases["import"] = time.perf_counter() - started - phases["files"]
        bar.update(task, description="Constraints and manifests")
        held = read_meta(store)
        if not held or held.get("schema") != MODEL or held.get("company") != company_of(eco):
            raise StoreError(f"after the import {store.database} does not hold the imported graph: "
                             "does the admin command import into the database this store reads?")
        schema(store)
        store.run("CALL db.awaitIndexes(600)")
        packed = [packable(p.keys) for p in parts]
        for p, ok in zip(parts, packed, strict=True):
            if ok:  # a key holding the separator: no manifest, every sync reads the rows
                write_manifest(store, p.what, p.keys, p.hashes)
        if all(packed):
            _mark(store, store.graph, company_of(eco), eco, "complete")
    seconds = time.perf_counter() - started
    phases["finish"] = seconds - phases["files"] - phases["import"]
    return LoadReport(dict(files.rows), dict(files.rows), {k: 0 for k in files.rows},
                      {k: 0 for k in files.rows}, seconds, store.graph, company_of(eco), "imported",
                      phases=phases)

