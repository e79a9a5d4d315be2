"""Writing result tables: one CSV (and optionally JSON or Parquet) per table in a folder.

CSV text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading ``'`` so a spreadsheet shows them instead of running
them as formulas (numbers are left alone). JSON and Parquet keep values as
they are.

>>> import tempfile, pandas as pd
>>> folder = write_tables(tempfile.mkdtemp(), {"pairs": pd.DataFrame({"a": ["P1"], "n": [3]})},
...                       formats=("csv", "json"))
>>> sorted(p.name for p in folder.iterdir())
['pairs.csv', 'pairs.json']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .errors import ParameterError

__all__ = ["write_tables", "escape_formulas", "FORMATS"]

FORMATS = ("csv", "json", "parquet")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that a spreadsheet would run made inert.

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


def write_tables(out: str | os.PathLike, tables: dict[str, pd.DataFrame], *,
                 formats: tuple[str, ...] = ("csv",)) -> Path:
    """Write each frame as ``<name>.csv`` and/or ``<name>.json`` (records) into
    folder ``out`` (created if needed); return the folder."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ParameterError(f"formats must be among {FORMATS}; got {sorted(unknown)}")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    writers = {
        "csv": lambda f, p: escape_formulas(f).to_csv(p, index=False),
        "parquet": lambda f, p: _plain_for_parquet(f).to_parquet(p, index=False),
        "json": lambda f, p: f.to_json(p, orient="records", indent=2, date_format="iso"),
    }
    for name, frame in tables.items():
        for fmt in formats:
            _atomic(folder / f"{name}.{fmt}", lambda p, w=writers[fmt], f=frame: w(f, p))
    return folder


def _atomic(path: Path, write) -> None:
    """Write to a temporary name beside ``path``, then move it into place: a
    failure (a full disk) leaves the previous file or none, never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _plain_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples (list cells) as lists, so Arrow can store them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: list(v) if isinstance(v, tuple) else v)
    return out
