"""Writing result tables: one CSV (and optionally JSON) per table in a folder.

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

__all__ = ["write_tables", "FORMATS"]

FORMATS = ("csv", "json")


def write_tables(out: str | os.PathLike, tables: dict[str, pd.DataFrame], *,
                 formats: tuple[str, ...] = ("csv",)) -> Path:
    """Write each frame as ``<name>.csv`` and/or ``<name>.json`` (records) into
    folder ``out`` (created if needed); return the folder."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ParameterError(f"formats must be among {FORMATS}; got {sorted(unknown)}")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if "csv" in formats:
            frame.to_csv(folder / f"{name}.csv", index=False)
        if "json" in formats:
            frame.to_json(folder / f"{name}.json", orient="records", indent=2, date_format="iso")
    return folder
