"""Cell rules: turn the text cells of one table into typed columns.

Each parser is vectorised over a column and reports every bad cell with its
row; a bad cell becomes missing so later rules can still run on the rest.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Findings
from ..ingest import ROW, TEXT
from ..schema import ENUMS, LIST_SEPARATOR, Column, Table

__all__ = ["parse_table"]

_INT = r"^[+-]?\d+$"
_FLOAT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_EXACT_FLOAT = 2.0**53  # beyond this a float no longer counts single units


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
        dates, booleans, tuples for list cells).

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
    for col in table.columns:
        if col.name in raw:
            cells = raw[col.name].astype(TEXT)
        else:
            if col.required:
                findings.add(file, 1, col.name, "missing_column", "",
                             f"required column {col.name} is missing from {table.name}")
            cells = pd.Series("", index=raw.index, dtype=TEXT)
        out[col.name] = _parse(cells, col, out[ROW], file, findings, present=col.name in raw)
    return out.reset_index(drop=True)


def _parse(cells: pd.Series, col: Column, rows: pd.Series, file: str, findings: Findings,
           *, present: bool) -> pd.Series:
    empty = cells == ""
    if col.required and present:
        rule, what = ("empty_id", "an id") if col.kind == "id" else ("required", "a value")
        _report(findings, file, rows[empty], col.name, rule, cells[empty], f"needs {what}")
    if col.kind == "id" or col.ref:
        padded = ~empty & (cells != cells.str.strip())
        _report(findings, file, rows[padded], col.name, "whitespace", cells[padded],
                "ids and references must not start or end with spaces")
        cells = cells.where(~padded, cells.str.strip())  # reported once, not again as dangling
    if col.many:
        return cells.map(_split)
    parser = _PARSERS[col.kind]
    return parser(cells, empty, col, rows, file, findings)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip())


def _text(cells, empty, col, rows, file, findings) -> pd.Series:
    return cells.where(~empty, None)


def _enum(cells, empty, col, rows, file, findings) -> pd.Series:
    allowed = ENUMS[col.enum]
    bad = ~empty & ~cells.isin(allowed)
    _report(findings, file, rows[bad], col.name, "enum", cells[bad],
            f"not an allowed {col.enum}; allowed: {', '.join(allowed)}")
    return cells.where(~empty & ~bad, None)


def _number(cells, empty, col, rows, file, findings, *, pattern: str, what: str) -> pd.Series:
    shaped = cells.str.match(pattern).astype(bool)
    bad = ~empty & ~shaped
    _report(findings, file, rows[bad], col.name, "type", cells[bad],
            f"not {what} (write digits only, no thousands separators, no NaN)")
    values = pd.to_numeric(cells.where(shaped & ~empty), errors="coerce").astype("float64")
    limit = 2.0**63 if col.kind == "int" else _EXACT_FLOAT
    big = values.abs() >= limit
    _report(findings, file, rows[big], col.name, "out_of_range", cells[big],
            f"magnitude {'beyond 64 bits' if col.kind == 'int' else 'too large to count exactly'}")
    values = values.where(~big)
    if col.min_value is not None:
        low = values < col.min_value
        _report(findings, file, rows[low], col.name, "below_minimum", cells[low],
                f"must be at least {col.min_value:g}")
        values = values.where(~low)
    return values


def _int(cells, empty, col, rows, file, findings) -> pd.Series:
    values = _number(cells, empty, col, rows, file, findings, pattern=_INT, what="a whole number")
    return values.astype("Int64")


def _float(cells, empty, col, rows, file, findings) -> pd.Series:
    return _number(cells, empty, col, rows, file, findings, pattern=_FLOAT, what="a number")


def _date(cells, empty, col, rows, file, findings) -> pd.Series:
    shaped = cells.str.match(_DATE).astype(bool)
    bad_shape = ~empty & ~shaped
    _report(findings, file, rows[bad_shape], col.name, "date_format", cells[bad_shape],
            "dates must be ISO-8601 YYYY-MM-DD (03/04/2025 could be March or April)")
    values = pd.to_datetime(cells.where(shaped), format="%Y-%m-%d", errors="coerce")
    invalid = shaped & values.isna()
    _report(findings, file, rows[invalid], col.name, "invalid_date", cells[invalid],
            "no such calendar date")
    return values.astype("datetime64[ns]")


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
