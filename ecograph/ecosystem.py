"""The Ecosystem: a validated bundle's tables, and what is derived from them once.

An :class:`Ecosystem` holds the typed tables of a bundle that passed every
validation rule. It knows nothing of graphs: the views
(:func:`ecograph.graphs.view`), the analyses and the stores all read it from
above. Things derived from its tables (its views, its supply network) are
cached outside it by :func:`derived`; an ecosystem is never changed after it
is made, so they never go stale.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
>>> len(eco.partners) >= 60, eco.company["name"].iloc[0]
(True, 'Nimbus Cloud')
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .dates import DATE_DTYPE
from .errors import BundleError, ParameterError
from .files import replacing
from .frames import positions
from .ingest import number_text
from .schema import LIST_SEPARATOR, PARTY_TABLES, TABLES
from .validate import ValidationResult, validate_bundle, validate_tables

__all__ = ["Ecosystem", "load_bundle", "load_tables", "derived", "to_flat", "KINDS"]

#: The kind of party each party table holds.
KINDS = {"company": "company", "partners": "partner", "customers": "customer",
         "suppliers": "supplier"}
T = TypeVar("T")
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def load_bundle(path: str | os.PathLike) -> Ecosystem:
    """Validate the bundle folder at ``path`` and return it as an :class:`Ecosystem`.

    Either every table loads and passes every rule, or nothing is loaded.

    Parameters
    ----------
    path : str or os.PathLike
        A bundle folder (see ``docs/data-model.md``).

    Returns
    -------
    Ecosystem

    Raises
    ------
    BundleError
        Carrying every finding (``err.errors`` is a DataFrame).
    BundleNotFoundError
        When ``path`` is not a folder.

    Examples
    --------
    >>> load_bundle("fixtures/tiny")
    <Ecosystem fixtures/tiny: 3 partners, 3 customers, 4 relationships, 7 movements>
    """
    return _checked(validate_bundle(path))


def load_tables(tables: Mapping[str, pd.DataFrame], *, source: str = "<tables>") -> Ecosystem:
    """Validate tables given as DataFrames and return them as an :class:`Ecosystem`.

    The same rules as :func:`load_bundle` (see
    :func:`~ecograph.validate.validate_tables`).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Bundle tables by name, text or typed.
    source : str, default "<tables>"
        Where they came from (``repr`` and error messages say it).

    Returns
    -------
    Ecosystem

    Raises
    ------
    BundleError
        Carrying every finding.

    Examples
    --------
    >>> eco = load_bundle("fixtures/tiny")
    >>> load_tables(eco.tables) == eco
    True
    """
    return _checked(validate_tables(tables, source=source))


def _checked(result: ValidationResult) -> Ecosystem:
    if not result.ok:
        raise BundleError(result.path, result.findings)
    return Ecosystem(result.tables, source=result.path, warnings=result.warnings)


class Ecosystem:
    """Validated ecosystem tables.

    Tables are attributes (``eco.partners``, ``eco.movements``...) and
    ``eco.tables`` (read-only); list cells (``regions``, ``capabilities``) are
    lists of text (``eco.partners["regions"].map(lambda r: "APAC" in r)``; one
    row per item: ``.explode("regions")``), dates are calendar days
    (``datetime64[s]``: 0001-01-01 … 9999-12-31), whole numbers are exact
    ``Int64``. Absent optional tables are empty frames with the documented
    columns. Make one with :func:`load_bundle` or :func:`load_tables`; the
    constructor trusts its tables.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Typed, validated tables.
    source : str, optional
        Where they came from.
    warnings : pandas.DataFrame, optional
        The validation warnings.

    Examples
    --------
    >>> eco = load_bundle("fixtures/tiny")
    >>> eco.partners["id"].tolist(), eco.reference_date.date()
    (['P1', 'P2', 'P3'], datetime.date(2025, 3, 1))
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame], *, source: str | None = None,
                 warnings: pd.DataFrame | None = None) -> None:
        self.tables = MappingProxyType({name: tables[name] if name in tables else _empty(name)
                                        for name in TABLES})
        self.source = source
        self.warnings = warnings

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
            f.insert(1, "kind", KINDS[table])
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
    def reference_date(self) -> pd.Timestamp:
        """"Now" for this bundle: the last day any record is dated (deals registered
        or closed, relationships started, movements, audits, partners joined).
        ``as_of=eco.reference_date`` sees everything (:mod:`ecograph.dates`)."""
        dates = [self.deals["registered"], self.deals["closed"], self.relationships["start"],
                 self.movements["date"], self.audits["date"], self.partners["joined"]]
        known = [s.max() for s in dates if s.notna().any()]
        return (max(known) if known else pd.Timestamp("2000-01-01")).as_unit("s")  # a day

    def names(self, ids: pd.Series | pd.Index | list) -> pd.Series:
        """The name of each party in ``ids`` (missing where an id names no party).

        Parameters
        ----------
        ids : array-like of str
            Party ids.

        Returns
        -------
        pandas.Series
            Names, in the order of ``ids``, on a fresh range index.

        Examples
        --------
        >>> load_bundle("fixtures/tiny").names(["P1", "nobody"]).tolist()
        ['Apex Systems', nan]
        """
        return self._lookup("name", ids)

    def kinds(self, ids: pd.Series | pd.Index | list) -> pd.Series:
        """The kind of each party in ``ids`` (``partner``, ``customer``, ``supplier``,
        ``company``; missing where an id names no party).

        Parameters
        ----------
        ids : array-like of str
            Party ids.

        Returns
        -------
        pandas.Series
            Kinds, in the order of ``ids``, on a fresh range index.

        Examples
        --------
        >>> load_bundle("fixtures/tiny").kinds(["P1", "C1"]).tolist()
        ['partner', 'customer']
        """
        return self._lookup("kind", ids)

    def labels(self, ids: pd.Series | pd.Index | list) -> pd.DataFrame:
        """The ``name`` and ``kind`` of each party in ``ids``, found with one lookup.

        Parameters
        ----------
        ids : array-like of str
            Party ids.

        Returns
        -------
        pandas.DataFrame
            ``name, kind`` in the order of ``ids`` (missing where an id names no party).

        Examples
        --------
        >>> load_bundle("fixtures/tiny").labels(["C1", "S1"]).values.tolist()
        [['Harbor Bank', 'customer'], ['Helix Hardware', 'supplier']]
        """
        where = self._positions(ids)
        return pd.DataFrame({c: self._take(c, where) for c in ("name", "kind")})

    def subset(self, *, region: str | None = None, segment: str | None = None,
               partners: Iterable[str] | None = None) -> Ecosystem:
        """The part of the ecosystem in one region, one customer segment or among some partners,
        as a new, validated Ecosystem that every analysis accepts.

        Each argument narrows its own kind of party: ``region`` keeps the
        partners serving it and the customers in it; ``segment`` keeps the
        customers of that segment; ``partners`` keeps only those partners. The
        company and every supplier stay (they feed the supply chain). Kept
        too: relationships, deals and audits whose parties are all kept (a
        deal's ``cosell_partner`` outside is cleared). Movements with a party
        inside stay: units from a party outside enter as a ``supply``, units to
        one outside leave as a ``dispose``, so every kept party's balance is
        what it is in the whole ecosystem. The result is validated like a
        bundle (:func:`load_tables`).

        Parameters
        ----------
        region : str, optional
            A region (as in ``partners.regions`` and ``customers.region``).
        segment : str, optional
            A customer segment.
        partners : iterable of str, optional
            Partner ids.

        Returns
        -------
        Ecosystem
            Its ``source`` says how it was cut, e.g. ``fixtures/tiny[region=EMEA]``.

        Raises
        ------
        ParameterError
            A region, segment or partner id the ecosystem does not have.

        Examples
        --------
        >>> eco = load_bundle("fixtures/it_ecosystem")
        >>> apac = eco.subset(region="APAC")
        >>> set(apac.customers["region"]), apac.source
        ({'APAC'}, 'fixtures/it_ecosystem[region=APAC]')
        """
        return load_tables(_subset_tables(self, region=region, segment=segment, partners=partners),
                           source=f"{self.source or '<tables>'}[" + ", ".join(
                               f"{k}={v if isinstance(v, str) else ','.join(v)}" for k, v in
                               (("region", region), ("segment", segment),
                                ("partners", None if partners is None else list(partners)))
                               if v is not None) + "]")

    def _lookup(self, column: str, ids) -> pd.Series:
        return self._take(column, self._positions(ids))

    def _positions(self, ids) -> np.ndarray:
        """Row of each id in the party frame (-1 where an id names no party)."""
        return positions(ids, self.parties["id"])

    def _take(self, column: str, where: np.ndarray) -> pd.Series:
        """Rows ``where`` of a party column (missing at -1), taken in Arrow: no Python
        object per value."""
        source = self.parties[column]
        taken = pa.array(source, from_pandas=True).take(pa.array(where, mask=where < 0))
        return pd.Series(pd.array(taken, dtype=source.dtype))

    def to_bundle(self, path: str | os.PathLike, *, format: str = "csv",
                  protect: Iterable[str | os.PathLike | None] = ()) -> Path:
        """Write the tables as a bundle folder, replacing it as a whole, and return it.

        The folder is written as a transaction (:func:`ecograph.files.replacing`):
        a fault at any point leaves the previous folder as it was. It may not be,
        be inside, or hold the bundle the ecosystem was loaded from.

        Parameters
        ----------
        path : str or os.PathLike
            The folder (created if needed). An existing one is replaced only
            when ecograph wrote everything in it.
        format : {"csv", "parquet"}, default "csv"
            The file format.
        protect : iterable of str or os.PathLike, default ()
            Other inputs the folder must stay apart from.

        Returns
        -------
        pathlib.Path
            The folder.

        Examples
        --------
        >>> import tempfile
        >>> eco = load_bundle("fixtures/tiny")
        >>> load_bundle(eco.to_bundle(tempfile.mkdtemp(), format="parquet")) == eco
        True
        """
        if format not in ("csv", "parquet"):
            raise ParameterError(f"format must be 'csv' or 'parquet'; got {format!r}")
        source = [self.source] if self.source and Path(self.source).exists() else []
        with replacing(path, protect=[*protect, *source]) as out:
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
        return Path(path)


def _subset_tables(eco: Ecosystem, *, region: str | None, segment: str | None,
                   partners: Iterable[str] | None) -> dict[str, pd.DataFrame]:
    """The tables of :meth:`Ecosystem.subset`: each party table narrowed, then every row
    that references a party left out dropped."""
    t = dict(eco.tables)
    p, c = t["partners"], t["customers"]
    served = p["regions"].explode()
    for value, known, what in ((region, set(served.dropna()) | set(c["region"]), "region"),
                               (segment, set(c["segment"]), "segment")):
        if value is not None and (not isinstance(value, str) or value not in known):
            raise ParameterError(f"{what} must be one of {sorted(known)}; got {value!r}")
    if region is not None:
        p = p[p.index.isin(served.index[served == region])]
        c = c[c["region"] == region]
    if segment is not None:
        c = c[c["segment"] == segment]
    if partners is not None:
        if isinstance(partners, str):
            raise ParameterError(f"partners must be a list of partner ids; got the string {partners!r}")
        wanted = list(partners)
        unknown = sorted(set(wanted) - set(t["partners"]["id"]))
        if unknown:
            raise ParameterError(f"partners: unknown partner ids {unknown}")
        p = p[p["id"].isin(wanted)]
    t["partners"], t["customers"] = p.reset_index(drop=True), c.reset_index(drop=True)
    kept = pd.concat([t[name]["id"] for name in PARTY_TABLES], ignore_index=True)

    def inside(frame: pd.DataFrame, *columns: str) -> pd.Series:
        ok = pd.Series(True, index=frame.index)
        for col in columns:
            ok &= frame[col].isna() | frame[col].isin(kept)
        return ok

    rel, deals = t["relationships"], t["deals"].copy()
    t["relationships"] = rel[inside(rel, "source", "target")].reset_index(drop=True)
    deals = deals[deals["partner"].isin(kept) & deals["customer"].isin(kept)]
    deals.loc[~inside(deals, "cosell_partner"), "cosell_partner"] = pd.NA
    t["deals"] = deals.reset_index(drop=True)
    t["movements"] = _movements_within(t["movements"], kept)
    t["audits"] = t["audits"][t["audits"]["party"].isin(kept)].reset_index(drop=True)
    return t


def _movements_within(moves: pd.DataFrame, kept: pd.Series) -> pd.DataFrame:
    """Movements seen from inside a subset: units from a party outside enter as a ``supply``,
    units to a party outside leave as a ``dispose``, so every kept party's balance is unchanged."""
    src_in = moves["from_party"].isna() | moves["from_party"].isin(kept)
    dst_in = moves["to_party"].isna() | moves["to_party"].isin(kept)
    moves = moves[moves["from_party"].isin(kept) | moves["to_party"].isin(kept)].copy()
    enters, leaves = ~src_in[moves.index], ~dst_in[moves.index]
    moves.loc[enters, "kind"], moves.loc[enters, "from_party"] = "supply", pd.NA
    moves.loc[leaves, "kind"], moves.loc[leaves, "to_party"] = "dispose", pd.NA
    return moves.reset_index(drop=True)


def derived(eco: Ecosystem, key: object, build: Callable[[], T]) -> T:
    """What ``build()`` makes from ``eco``, made once and kept while ``eco`` lives.

    The one cache of things derived from an ecosystem (its graph views, its
    supply network); it is kept outside the ecosystem, and an ecosystem's
    tables are read-only, so an entry never goes stale.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    key : hashable
        What is derived (``("view", "supply")``).
    build : callable
        Makes it from ``eco`` (called once per ``eco`` and ``key``).

    Returns
    -------
    object
        What ``build`` returned.

    Examples
    --------
    >>> eco = load_bundle("fixtures/tiny")
    >>> derived(eco, "partners", lambda: len(eco.partners))
    3
    >>> derived(eco, "partners", lambda: 0)   # made once
    3
    """
    cache = _DERIVED.setdefault(eco, {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def to_flat(name: str, frame: pd.DataFrame, *, text: bool) -> pd.DataFrame:
    """A table as files store it: lists joined with ``;``, dates as ``YYYY-MM-DD``
    text (``text=True``, CSV) or dates (Parquet).

    Parameters
    ----------
    name : str
        The table's name.
    frame : pandas.DataFrame
        The typed table.
    text : bool
        Render units, dates and booleans as text.

    Returns
    -------
    pandas.DataFrame
        The table's columns in schema order.

    Examples
    --------
    >>> eco = load_bundle("fixtures/tiny")
    >>> to_flat("partners", eco.partners, text=True)["regions"].iloc[0]
    'EMEA'
    """
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
              "date": DATE_DTYPE, "bool": "boolean"}
    return pd.DataFrame({c.name: pd.Series(dtype=object if c.many else dtypes.get(c.kind, "str"))
                         for c in TABLES[name].columns})
