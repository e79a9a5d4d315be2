"""The Cypher query library in ``queries/``: read, lint and run.

Each ``.cypher`` file starts with ``//`` header lines: the purpose, then
``params:`` (with examples) and ``returns:``. Queries stay in the subset
that FalkorDB and Neo4j 5 both accept; :func:`lint` rejects what does not.

>>> names = [q.stem for q in library()]
>>> "top_brokers" in names and len(names) >= 15
True
>>> lint("MATCH (n) WHERE EXISTS { (n)-->() } RETURN n")
['EXISTS { } subquery']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .embedded import StoreError

__all__ = ["QUERIES", "library", "read_query", "lint", "run_query"]

#: The query library shipped with ecograph.
QUERIES = Path(__file__).resolve().parents[2] / "queries"

#: Constructs one engine lacks or treats differently (see the portability notes).
NON_PORTABLE = {
    r"\bCOUNT\s*\{": "COUNT { } subquery",
    r"\bEXISTS\s*\{": "EXISTS { } subquery",
    r"=~": "regular expression",
    r"\bdatetime\s*\(": "datetime()",
    r"\bduration\s*\(": "duration()",
    r"\belementId\s*\(": "elementId()",
    r"\bshortestPath\s*\(": "shortestPath()",
    r"\bCALL\s*\(": "CALL (x) { } scope clause",
    r"\bid\s*\(": "internal id()",
}


def library() -> list[Path]:
    """Every query file, sorted by name."""
    return sorted(QUERIES.glob("*.cypher"))


def read_query(path: str | Path) -> tuple[str, dict[str, str]]:
    """The query text and its header (``purpose``, ``params``, ``returns``)."""
    path = Path(path)
    if not path.suffix:
        path = QUERIES / f"{path}.cypher"
    text = path.read_text()
    header = [line[2:].strip() for line in text.splitlines() if line.startswith("//")]
    meta = {"purpose": header[0] if header else ""}
    for line in header[1:]:
        key, _, value = line.partition(":")
        if key in ("params", "returns"):
            meta[key] = value.strip()
    return text, meta


def lint(text: str) -> list[str]:
    """The non-portable constructs in ``text`` (comments ignored)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [name for pattern, name in NON_PORTABLE.items()
            if re.search(pattern, body, flags=re.IGNORECASE)]


def _plain(value):
    if isinstance(value, dict):  # map projections come back as (ordered) dicts
        return {k: _plain(v) for k, v in value.items()}
    return value


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """FalkorDB sums integers to floats; give whole-number columns back their ints."""
    for col in frame.columns:
        values = frame[col]
        if values.dtype.kind == "f" and values.notna().all() and (values % 1 == 0).all():
            frame[col] = values.astype("int64")
    return frame


def run_query(store, query: str | Path, params: dict | None = None) -> pd.DataFrame:
    """Run a library query (by name or path) and return its rows as a DataFrame,
    columns in the order the query returns them."""
    text, meta = read_query(query)
    problems = lint(text)
    if problems:
        raise StoreError(f"{query}: not portable Cypher ({', '.join(problems)})")
    rows = store.run(text, params or {})
    columns = [c.strip() for c in meta.get("returns", "").split(",") if c.strip()]
    frame = pd.DataFrame([{k: _plain(v) for k, v in r.items()} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[[c for c in columns if c in frame.columns] or list(frame.columns)]
    return _whole_numbers(frame)
