"""Writing results: one CSV (and optionally JSON or Parquet) file per table, and JSON documents.

CSV text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading ``'`` so a spreadsheet shows them instead of running
them as formulas (numbers are left alone). JSON and Parquet keep values as
they are. A folder of tables is written as a whole (:func:`ecograph.files.replacing`:
a fault leaves the previous folder or the new one, never a mix) and a JSON
document atomically (:func:`ecograph.files.atomic_write`).

>>> import tempfile, pandas as pd
>>> folder = write_tables(tempfile.mkdtemp(), {"pairs": pd.DataFrame({"a": ["P1"], "n": [3]})},
...                       formats=("csv", "json"))
>>> sorted(p.name for p in folder.iterdir())
['.ecograph-output', 'pairs.csv', 'pairs.json']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import ParameterError
from .files import check_separate, make_folder, replacing, write_text

__all__ = ["write_tables", "write_json", "escape_formulas", "FORMATS"]

FORMATS = ("csv", "json", "parquet")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that a spreadsheet would run made inert.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame.

    Returns
    -------
    pandas.DataFrame
        A copy, risky text cells prefixed with ``'``.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-1, 2]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            text = values.astype("string")
            risky = text.str.startswith(_FORMULA).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = values.astype(object).where(~risky, "'" + text.astype(object))
    return out


def _joined(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (tuples) joined with ``;``, the bundle's list separator: ``APAC;NA-West`` in a CSV,
    never ``('APAC', 'NA-West')``. A column's first value tells whether it holds lists."""
    out = frame
    for col in frame.columns:
        if frame[col].dtype == object:
            first = frame[col].dropna().head(1)
            if len(first) and isinstance(first.iat[0], tuple | list):
                out = out.copy() if out is frame else out
                out[col] = frame[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple | list)
                                          else v)
    return out


def write_tables(out: str | os.PathLike, tables: dict[str, pd.DataFrame], *,
                 formats: tuple[str, ...] = ("csv",), protect: Iterable[str | os.PathLike | None] = ()
                 ) -> Path:
    """Write each frame as ``<name>.<format>`` into folder ``out``, replacing the folder as a whole.

    The folder is written as a transaction (:func:`ecograph.files.replacing`):
    a fault at any point leaves the previous folder as it was. Called inside
    another writer's transaction (on its staging folder), the files are added
    to that folder.
    In CSV, list cells (tuples such as ``regions``) are joined with ``;``, the
    bundle's list separator; Parquet and JSON keep them as lists.

    Parameters
    ----------
    out : str or os.PathLike
        The folder (created if needed). An existing one is replaced only when
        ecograph wrote everything in it.
    tables : dict of str to pandas.DataFrame
        Frames by name.
    formats : tuple of {"csv", "json", "parquet"}, default ("csv",)
        One file per format and table (JSON: a list of records).
    protect : iterable of str or os.PathLike, default ()
        The command's inputs: ``out`` may not be, be inside, or hold one
        (:func:`ecograph.files.check_separate`).

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = write_tables(tempfile.mkdtemp(), {"t": pd.DataFrame({"a": ["=x"]})})
    >>> (folder / "t.csv").read_text().splitlines()
    ['a', "'=x"]
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ParameterError(f"formats must be among {FORMATS}; got {sorted(unknown)}")
    writers = {
        "csv": lambda f, p: escape_formulas(_joined(f)).to_csv(p, index=False),
        "parquet": lambda f, p: _plain_for_parquet(f).to_parquet(p, index=False),
        "json": lambda f, p: f.to_json(p, orient="records", indent=2, date_format="iso"),
    }
    with replacing(out, protect=protect) as folder:
        for name, frame in tables.items():
            for fmt in formats:
                writers[fmt](frame, folder / f"{name}.{fmt}")
    return Path(out)


def write_json(path: str | os.PathLike, document: object, *,
               protect: Iterable[str | os.PathLike | None] = ()) -> Path:
    """Write ``document`` as indented JSON (dates and other values as text), atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file; its folder is created if needed (a file in the way is a
        :class:`NotADirectoryError` naming it).
    document : object
        JSON-ready values (others are written with ``str``).
    protect : iterable of str or os.PathLike, default ()
        Inputs the file may not be or lie inside (a bundle folder), checked
        before anything is written (:func:`ecograph.files.check_separate`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_json(pathlib.Path(tempfile.mkdtemp()) / "s.json", {"n": 1}).read_text().split()
    ['{', '"n":', '1', '}']
    """
    path = Path(path)
    check_separate(path, protect)
    make_folder(path.parent)
    return write_text(path, json.dumps(document, indent=2, default=str) + "\n")


def _plain_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples (list cells) as lists, so Arrow can store them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: list(v) if isinstance(v, tuple) else v)
    return out
