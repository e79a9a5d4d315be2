"""The Ecosystem: a validated bundle's frames plus its graph views.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
>>> len(eco.partners) >= 60, eco.company["name"].iloc[0]
(True, 'Nimbus Cloud')
>>> G = eco.view("bipartite")
>>> eco.twin("bipartite").vcount() == G.number_of_nodes()
True
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import BundleError, ParameterError
from .graphs import VIEWS, igraph_twin, records_of
from .ingest import number_text
from .schema import LIST_SEPARATOR, PARTY_TABLES, TABLES
from .validate import validate_bundle

__all__ = ["Ecosystem", "load_bundle"]

_KIND = {"company": "company", "partners": "partner", "customers": "customer",
         "suppliers": "supplier"}


def load_bundle(path: str | os.PathLike) -> Ecosystem:
    """Validate the bundle at ``path`` and return it as an :class:`Ecosystem`.

    Either every table loads and passes every rule, or :class:`BundleError`
    is raised carrying all findings (``err.errors`` is a DataFrame); nothing
    is ever half-loaded.
    """
    result = validate_bundle(path)
    if not result.ok:
        raise BundleError(str(path), result.findings)
    return Ecosystem(result.tables, source=str(path), warnings=result.warnings)


class Ecosystem:
    """Validated ecosystem tables, with graph views built on demand and cached.

    Tables are attributes (``eco.partners``, ``eco.movements``...); list cells
    (``regions``, ``capabilities``) are tuples, dates are timestamps. Absent
    optional tables are empty frames with the documented columns.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], *, source: str | None = None,
                 warnings: pd.DataFrame | None = None) -> None:
        self.tables = {name: tables[name] if name in tables else _empty(name) for name in TABLES}
        self.source = source
        self.warnings = warnings
        self._views: dict[str, nx.Graph] = {}

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self.tables[t])} {t}" for t in ("partners", "customers",
                                                                   "relationships", "movements"))
        return f"<Ecosystem {self.source or ''}: {counts}>"

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ecosystem):
            return NotImplemented
        return all(self.tables[t].equals(other.tables[t]) for t in TABLES)

    __hash__ = object.__hash__

    @cached_property
    def parties(self) -> pd.DataFrame:
        """All parties in one frame: ``id, kind, name, type, tier, region`` and the
        kind-specific columns. ``region`` of a partner is its home (first) region."""
        frames = []
        for table in PARTY_TABLES:
            f = self.tables[table].copy()
            f.insert(1, "kind", _KIND[table])
            if table == "partners":
                f = f.rename(columns={"partner_type": "type"})
                f["region"] = f["regions"].map(lambda r: r[0] if r else None)
            elif table == "suppliers":
                f = f.rename(columns={"supplier_type": "type"})
            elif table == "customers":
                f["type"] = f["status"]
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def index(self) -> pd.Index:
        """The integer index of parties: position ``i`` is party ``index[i]``."""
        return pd.Index(self.parties["id"])

    def node_attributes(self, ids: pd.Index) -> list[dict]:
        """Attribute dicts for the parties ``ids``: ``kind`` and the columns of that
        kind of party, missing values left out."""
        rows = self.parties.set_index("id").loc[ids].reset_index(drop=True)
        out: list[dict] = [{}] * len(rows)
        for _, group in rows.groupby("kind", sort=False):
            present = group.notna() | group.map(lambda v: isinstance(v, tuple))
            cols = [c for c in group.columns if present[c].any()]
            records = records_of(group[cols])
            for c in (c for c in cols if not present[c].all()):  # drop the few gaps
                for j in np.flatnonzero(~present[c].to_numpy()):
                    del records[j][c]
            for pos, rec in zip(group.index, records, strict=True):
                out[pos] = rec
        return out

    def view(self, name: str = "full") -> nx.Graph:
        """The NetworkX view ``name``: one of ``full``, ``bipartite``, ``cosell``,
        ``supply``, ``asset_flow`` (see :mod:`ecograph.graphs`). Built once, cached;
        its igraph twin exists at once, its NetworkX storage is filled on first read."""
        if name not in VIEWS:
            raise ParameterError(f"view must be one of {', '.join(VIEWS)}; got {name!r}")
        if name not in self._views:
            self._views[name] = VIEWS[name](self)
        return self._views[name]

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The full typed MultiDiGraph (same as ``view("full")``)."""
        return self.view("full")

    def twin(self, name: str = "full") -> ig.Graph:
        """The igraph twin of view ``name``: vertex ``i`` is node ``list(view)[i]``."""
        return igraph_twin(self.view(name))

    @classmethod
    def from_store(cls, store) -> Ecosystem:
        """The ecosystem a graph store holds (see :func:`ecograph.store.project.to_ecosystem`);
        rows come back sorted by key."""
        from .store.project import to_ecosystem

        return to_ecosystem(store)

    def to_bundle(self, path: str | os.PathLike, *, format: str = "csv") -> Path:
        """Write the tables as a bundle folder (``csv`` or ``parquet``) and return it."""
        if format not in ("csv", "parquet"):
            raise ParameterError(f"format must be 'csv' or 'parquet'; got {format!r}")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            if frame.empty and not TABLES[name].required:
                continue
            flat = to_flat(name, frame, text=format == "csv")
            table = pa.Table.from_pandas(flat, preserve_index=False)
            if format == "csv":
                pacsv.write_csv(table, out / f"{name}.csv",
                                pacsv.WriteOptions(quoting_style="needed"))
            else:
                pq.write_table(table, out / f"{name}.parquet")
        return out


def to_flat(name: str, frame: pd.DataFrame, *, text: bool) -> pd.DataFrame:
    """A table as it is stored in files: lists joined with ``;``, dates as
    ``YYYY-MM-DD`` text (CSV) or dates (Parquet)."""
    flat = frame.reindex(columns=[c.name for c in TABLES[name].columns])
    for col in TABLES[name].columns:
        s = flat[col.name]
        if col.kind == "units" and text:
            flat[col.name] = s.map(number_text)
        elif col.many:
            flat[col.name] = s.map(LIST_SEPARATOR.join)
        elif col.kind == "date":
            flat[col.name] = s.dt.strftime("%Y-%m-%d") if text else s.dt.date
        elif col.kind == "bool":
            flat[col.name] = s.map({True: "true", False: "false"})
    return flat


def _empty(name: str) -> pd.DataFrame:
    dtypes = {"int": "Int64", "float": "float64", "units": "float64",
              "date": "datetime64[ns]", "bool": "boolean"}
    return pd.DataFrame({c.name: pd.Series(dtype=object if c.many else dtypes.get(c.kind, object))
                         for c in TABLES[name].columns})
