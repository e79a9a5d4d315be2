"""Cell rules: turn the text cells of one table into typed columns.

Each parser is vectorised over a column and reports every bad cell with its
row; a bad cell becomes missing so later rules can still run on the rest.

The value model (``docs/data-model.md``, "Types"): only the ASCII digits 0-9
make numbers; whole numbers (``int``) are exact 64-bit integers; other numbers
are float64 and a cell a float64 cannot write back as the same number is a
finding, never rounded; dates are calendar days 0001-01-01 … 9999-12-31 held
as ``datetime64[s]``, never nanosecond timestamps.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dates import DATE_DTYPE
from ..errors import Findings
from ..ingest import ROW, TEXT
from ..schema import ENUMS, LIST_SEPARATOR, Column, Table
from .rules import check_characters

__all__ = ["parse_table"]

# Whole-cell patterns (fullmatch): ASCII digits only, ``\d`` would take any script's.
_INT = r"[+-]?[0-9]+"
_FLOAT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_EXACT_FLOAT = 2.0**53  # beyond this a float no longer counts single units
_INT64_MAX = {False: str(2**63 - 1), True: str(2**63)}  # digits of the largest magnitude, by sign
_SAFE_DIGITS = 15  # a decimal of at most 15 significant digits survives a float64 and back
_TINY = 2.2250738585072014e-308  # below this a float64 loses digits (subnormal)


def parse_table(table: Table, raw: pd.DataFrame, file: str, findings: Findings) -> pd.DataFrame:
    """Check the columns of ``raw`` against ``table`` and return typed columns plus ``_row``.

    An unknown column is a warning and dropped; a missing required column is
    an error; a missing optional column comes back empty. Every bad cell is
    reported with its row and becomes missing.

    Parameters
    ----------
    table : Table
        The table's spec (:data:`ecograph.schema.TABLES`).
    raw : pandas.DataFrame
        Text cells (``""`` for empty ones) plus ``_row``, the row number in the file.
    file : str
        What findings call the table in their ``file`` column.
    findings : Findings
        Where problems are recorded.

    Returns
    -------
    pandas.DataFrame
        ``_row`` then every column of ``table``, in its order, typed (numbers,
        dates, booleans, lists for list cells).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> from ecograph.schema import TABLES
    >>> raw = pd.DataFrame({"id": ["security", "ai"], "name": ["Security", ""],
    ...                     "colour": ["red", "blue"], "_row": [2, 3]})
    >>> findings = Findings()
    >>> out = parse_table(TABLES["capabilities"], raw, "capabilities.csv", findings)
    >>> out.columns.tolist(), out["name"].isna().tolist()
    (['_row', 'id', 'name', 'category'], [False, True])
    >>> findings.frame()[["severity", "row", "column", "rule"]].values.tolist()
    [['error', 3, 'name', 'required'], ['warning', 1, 'colour', 'unknown_column']]
    """
    for extra in [c for c in raw.columns if c != ROW and c not in table.by_name]:
        findings.warn(file, 1, extra, "unknown_column", extra,
                      f"not a column of {table.name}; ignored")
    out = pd.DataFrame({ROW: raw[ROW].to_numpy()}, index=raw.index)
    reported = _reported(findings, file)
    for col in table.columns:
        if col.name in raw:
            cells = raw[col.name].astype(TEXT)
        else:
            if col.required:
                findings.add(file, 1, col.name, "missing_column", "",
                             f"required column {col.name} is missing from {table.name}")
            cells = pd.Series("", index=raw.index, dtype=TEXT)
        out[col.name] = _parse(cells, col, out[ROW], file, findings, present=col.name in raw,
                               reported=reported.get(col.name, set()))
    return out.reset_index(drop=True)


def _reported(findings: Findings, file: str) -> dict[str, set[int]]:
    """Rows of each column that reading the file already reported (a Parquet column
    of the wrong type is reported on row 1, the header): their empty cells are
    not reported again as missing."""
    out: dict[str, set[int]] = {}
    for severity, name, row, column, *_ in findings.rows:
        if severity == "error" and name == file and column:
            out.setdefault(column, set()).add(row)
    return out


def _parse(cells: pd.Series, col: Column, rows: pd.Series, file: str, findings: Findings,
           *, present: bool, reported: set[int] = frozenset()) -> pd.Series:
    empty = cells == ""
    if col.required and present and 1 not in reported:
        rule, what = ("empty_id", "an id") if col.kind == "id" else ("required", "a value")
        missing = empty & ~rows.isin(reported) if reported else empty
        _report(findings, file, rows[missing], col.name, rule, cells[missing], f"needs {what}")
    if col.kind in ("id", "str") or col.many:  # no NUL, escape... (docs/data-model.md)
        check_characters(cells, rows, col.name, file, findings, strict=col.kind == "id" or bool(col.ref))
    if col.kind == "id" or col.ref:
        padded = ~empty & (cells != cells.str.strip())
        _report(findings, file, rows[padded], col.name, "whitespace", cells[padded],
                "ids and references must not start or end with spaces")
        cells = cells.where(~padded, cells.str.strip())  # reported once, not again as dangling
    if col.many:
        return cells.map(_split)
    parser = _PARSERS[col.kind]
    return parser(cells, empty, col, rows, file, findings)


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def _text(cells, empty, col, rows, file, findings) -> pd.Series:
    return cells.where(~empty, None)


def _enum(cells, empty, col, rows, file, findings) -> pd.Series:
    allowed = ENUMS[col.enum]
    bad = ~empty & ~cells.isin(allowed)
    _report(findings, file, rows[bad], col.name, "enum", cells[bad],
            f"not an allowed {col.enum}; allowed: {', '.join(allowed)}")
    return cells.where(~empty & ~bad, None)


def _shaped(cells, empty, col, rows, file, findings, *, pattern: str, what: str) -> pd.Series:
    """Which cells are numbers in form (ASCII digits only); the others are ``type`` findings."""
    shaped = ~empty & cells.str.fullmatch(pattern).fillna(False).astype(bool)
    bad = ~empty & ~shaped
    _report(findings, file, rows[bad], col.name, "type", cells[bad],
            f"not {what} (write the ASCII digits 0-9 only, no thousands separators, no NaN)")
    return shaped


def _at_least(values: pd.Series, cells, col, rows, file, findings) -> pd.Series:
    if col.min_value is None:
        return values
    low = (values <= col.min_value if col.min_exclusive else values < col.min_value)
    low = low.fillna(False).astype(bool)
    _report(findings, file, rows[low], col.name, "below_minimum", cells[low],
            f"must be {'greater than' if col.min_exclusive else 'at least'} {col.min_value:g}")
    return values.where(~low)


def _int(cells, empty, col, rows, file, findings) -> pd.Series:
    """Whole numbers, exact to 64 bits: parsed from their digits, never through a float."""
    shaped = _shaped(cells, empty, col, rows, file, findings, pattern=_INT, what="a whole number")
    negative = cells.str.startswith("-").fillna(False).astype(bool)
    digits = cells.str.lstrip("+-").str.lstrip("0")
    limit = pd.Series(np.where(negative, _INT64_MAX[True], _INT64_MAX[False]), index=cells.index,
                      dtype=TEXT)
    length = digits.str.len()
    big = shaped & ((length > 19) | ((length == 19) & (digits > limit))).fillna(False).astype(bool)
    _report(findings, file, rows[big], col.name, "out_of_range", cells[big],
            "beyond 64 bits: a whole number lies between -9223372036854775808 and "
            "9223372036854775807")
    exact = pa.array(cells.where(shaped & ~big).str.lstrip("+"), type=pa.large_string())
    values = pd.Series(exact.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get),
                       index=cells.index)
    return _at_least(values, cells, col, rows, file, findings)


def _float(cells, empty, col, rows, file, findings) -> pd.Series:
    """float64 numbers: a cell is kept only when the float writes back as the same number."""
    shaped = _shaped(cells, empty, col, rows, file, findings, pattern=_FLOAT, what="a number")
    text = pa.array(cells.where(shaped), type=pa.large_string())
    values = pd.Series(text.cast(pa.float64()).to_numpy(zero_copy_only=False), index=cells.index)
    big = values.abs() >= _EXACT_FLOAT
    _report(findings, file, rows[big], col.name, "out_of_range", cells[big],
            "magnitude too large to count exactly (it must be below 2**53 = 9007199254740992)")
    inexact = _inexact(cells, values, shaped & ~big)
    _report(findings, file, rows[inexact], col.name, "precision", cells[inexact],
            "more significant digits than a float64 keeps (it would be written back as "
            "a different number); round it to 15 significant digits")
    values = values.where(~big & ~inexact)
    return _at_least(values, cells, col, rows, file, findings)


def _inexact(cells: pd.Series, values: pd.Series, candidates: pd.Series) -> pd.Series:
    """Which number cells a float64 does not write back as the same number.

    A cell of at most 15 characters has at most 15 significant digits, which a
    float64 always gives back (outside the subnormal range), and a cell that is
    its float's shortest text already is that text; only the rest is checked
    exactly, one by one.
    """
    tiny = candidates & (values != 0) & (values.abs() < _TINY)
    zero = candidates & (values == 0)
    zero[zero] = ~cells[zero].str.fullmatch(r"[+-]?[0.]*(?:[eE].*)?").astype(bool)  # 1e-400
    long = candidates & (cells.str.len() > _SAFE_DIGITS).astype(bool)
    if long.any():
        shortest = pa.array(values[long].to_numpy()).cast(pa.large_string()).to_pandas()
        long[long] = cells[long].to_numpy(dtype=object) != shortest.to_numpy(dtype=object)
    check = tiny | zero | long
    bad = pd.Series(False, index=cells.index)
    for idx in check.index[check.to_numpy(dtype=bool)]:
        bad[idx] = Decimal(cells[idx]) != Decimal(repr(float(values[idx])))
    return bad


def _date(cells, empty, col, rows, file, findings) -> pd.Series:
    """Calendar days ``YYYY-MM-DD`` from 0001-01-01 to 9999-12-31, as ``datetime64[s]``."""
    shaped = ~empty & cells.str.fullmatch(_DATE).fillna(False).astype(bool)
    bad_shape = ~empty & ~shaped
    _report(findings, file, rows[bad_shape], col.name, "date_format", cells[bad_shape],
            "dates must be ISO-8601 YYYY-MM-DD (03/04/2025 could be March or April)")
    # Year, month and day from their fixed places, then the day numpy counts from them:
    # a real day stays in its month (2023-02-29 would roll over to March).
    text = pa.array(cells.where(shaped, "0000-00-00"), type=pa.large_string())
    year, month, day = (pc.utf8_slice_codeunits(text, a, b).cast(pa.int64()).to_numpy()
                        for a, b in ((0, 4), (5, 7), (8, 10)))
    real = (shaped.to_numpy(dtype=bool) & (year >= 1) & (month >= 1) & (month <= 12)
            & (day >= 1) & (day <= 31))
    first = np.datetime64("1970-01", "M") + np.where(real, (year - 1970) * 12 + month - 1, 0)
    days = first.astype("datetime64[D]") + np.where(real, day - 1, 0)
    real &= days.astype("datetime64[M]") == first
    invalid = shaped & ~real
    _report(findings, file, rows[invalid], col.name, "invalid_date", cells[invalid],
            "no such calendar date (days run from 0001-01-01 to 9999-12-31)")
    return pd.Series(np.where(real, days, np.datetime64("NaT")).astype(DATE_DTYPE),
                     index=cells.index)


def _bool(cells, empty, col, rows, file, findings) -> pd.Series:
    lowered = cells.str.lower()
    bad = ~empty & ~lowered.isin(ENUMS["bool"])
    _report(findings, file, rows[bad], col.name, "type", cells[bad], "must be true or false")
    return lowered.map({"true": True, "false": False}).astype("boolean")


_PARSERS = {
    "id": _text,
    "str": _text,
    "enum": _enum,
    "int": _int,
    "float": _float,
    "units": _float,
    "date": _date,
    "bool": _bool,
}


def _report(findings: Findings, file: str, rows: pd.Series, column: str, rule: str,
            values: pd.Series, message: str) -> None:
    if len(rows):
        findings.add_many(file, rows, column, rule, values, message)
