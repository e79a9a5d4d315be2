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

from ..errors import StoreError
from .base import GraphStore

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
    """Every query file, sorted by name.

    Returns
    -------
    list of pathlib.Path
        The ``.cypher`` files in :data:`QUERIES`.

    Examples
    --------
    >>> [q.name for q in library()][:2]
    ['audit_discrepancies.cypher', 'balance_at.cypher']
    """
    return sorted(QUERIES.glob("*.cypher"))


def read_query(path: str | Path) -> tuple[str, dict[str, str]]:
    """The query text and its header (``purpose``, ``params``, ``returns``).

    Parameters
    ----------
    path : str or pathlib.Path
        A query file, or the name of a library query (no suffix: looked up in
        :data:`QUERIES`).

    Returns
    -------
    tuple of (str, dict of str to str)
        The whole text (header comments included) and the header fields found.

    Examples
    --------
    >>> text, meta = read_query("top_brokers")
    >>> meta["returns"]
    'partner, name, cosell_partners, regions_reached'
    """
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
    """The non-portable constructs in ``text`` (comments ignored).

    Parameters
    ----------
    text : str
        Cypher.

    Returns
    -------
    list of str
        A name for each construct one engine lacks or treats differently;
        empty when the query is portable.

    Examples
    --------
    >>> lint("MATCH (n) RETURN n")
    []
    >>> lint("MATCH (n) WHERE n.name =~ 'A.*' RETURN id(n)")
    ['regular expression', 'internal id()']
    """
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


def run_query(store: GraphStore, query: str | Path, params: dict | None = None) -> pd.DataFrame:
    """Run a library query (by name or path) and return its rows as a DataFrame.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store to query.
    query : str or pathlib.Path
        A library query's name, or the path of a ``.cypher`` file.
    params : dict, optional
        Query parameters (the header's ``params:`` line names them).

    Returns
    -------
    pandas.DataFrame
        Columns in the order the query returns them (its ``returns:`` line);
        whole-number float columns come back as integers.

    Raises
    ------
    StoreError
        When the query is not portable Cypher (see :func:`lint`) or the
        store rejects it.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> from ecograph.store import EmbeddedStore, load
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> _ = load(ecograph.load_bundle("fixtures/tiny"), store)
    >>> run_query(store, "top_brokers", {"limit": 2})["partner"].tolist()
    ['P1', 'P2']
    >>> store.server.stop().running
    False
    """
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
