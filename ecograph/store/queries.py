"""The Cypher query library in ``queries/``: read, lint and run.

Each ``.cypher`` file starts with ``//`` header lines: the purpose, then
``params:`` (with examples) and ``returns:``. Queries stay in the subset
that FalkorDB and Neo4j 5 both accept; :func:`lint` rejects what does not.

>>> names = [q.stem for q in library()]
>>> "top_brokers" in names and len(names) >= 15
True
>>> lint("MATCH (n) WHERE EXISTS { (n)-->() } RETURN n")
['EXISTS { } subquery']
>>> check_query("top_brokers", {"limit": "ten"})
Traceback (most recent call last):
...
ecograph.errors.ParameterError: top_brokers: parameter limit must be a whole number (int, e.g. 10); got 'ten'
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..errors import ParameterError
from .base import GraphStore

__all__ = ["QUERIES", "library", "read_query", "lint", "check_query", "run_query"]

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
        The name of a library query (a bare name: no folder, no suffix, looked
        up in :data:`QUERIES`), or the path of a query file.

    Returns
    -------
    tuple of (str, dict of str to str)
        The whole text (header comments included) and the header fields found.

    Raises
    ------
    ParameterError
        When there is no such file or library query, or the file cannot be
        read as UTF-8 text (the message names it).

    Examples
    --------
    >>> text, meta = read_query("top_brokers")
    >>> meta["returns"]
    'partner, name, cosell_partners, regions_reached'
    """
    path = _locate(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"cannot read the query {path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ParameterError(f"cannot read the query {path}: {exc.strerror or exc}") from exc
    header = [line[2:].strip() for line in text.splitlines() if line.startswith("//")]
    meta = {"purpose": header[0] if header else ""}
    for line in header[1:]:
        key, _, value = line.partition(":")
        if key in ("params", "returns"):
            meta[key] = value.strip()
    return text, meta


def _locate(query: str | Path) -> Path:
    """The file of a library query's name, or of a query file's path."""
    name = str(query)
    path = Path(query)
    if "/" not in name and not path.suffix and (QUERIES / f"{name}.cypher").is_file():
        return QUERIES / f"{name}.cypher"
    if path.is_file():
        return path
    if path.exists():
        raise ParameterError(f"{name}: not a query file")
    raise ParameterError(f"no query file {name!r} and no library query of that name "
                         f"(the library: {', '.join(q.stem for q in library())})")


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


def check_query(query: str | Path, params: dict | None = None) -> tuple[str, dict[str, str]]:
    """Read a query and check it with its parameters, before any store is opened.

    The query must exist and read (:func:`read_query`), be portable
    (:func:`lint`), and ``params`` must give exactly the ``$parameters`` it
    uses, each of the kind its header declares (``int``: a whole number;
    ``string``: text; ``ISO string``: a ``YYYY-MM-DD`` date).

    Parameters
    ----------
    query : str or pathlib.Path
        A library query's name, or the path of a ``.cypher`` file.
    params : dict, optional
        The parameters by name.

    Returns
    -------
    tuple of (str, dict of str to str)
        As :func:`read_query`.

    Raises
    ------
    ParameterError
        When any of these does not hold; the message names the query and
        what is wrong.

    Examples
    --------
    >>> check_query("top_brokers", {"limit": 5})[1]["params"]
    'limit (int, e.g. 10)'
    >>> check_query("top_brokers", {"limt": 5})
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: top_brokers: missing parameter limit (params: limit (int, e.g. 10)); \
    unknown parameter limt
    """
    text, meta = read_query(query)
    problems = lint(text)
    if problems:
        raise ParameterError(f"{query}: not portable Cypher ({', '.join(problems)})")
    params = params or {}
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    used = set(re.findall(r"\$(\w+)", body))
    missing, unknown = sorted(used - set(params)), sorted(set(params) - used)
    if missing or unknown:
        said = ([f"missing parameter {', '.join(missing)} (params: {meta.get('params', '?')})"]
                if missing else []) + ([f"unknown parameter {', '.join(unknown)}"] if unknown else [])
        raise ParameterError(f"{query}: {'; '.join(said)}")
    for name, kind, example in re.findall(r"(\w+) \(([^,)]+)(?:, ([^)]*))?\)", meta.get("params", "")):
        if name in params and not _fits(params[name], kind):
            what = {"int": "a whole number", "ISO string": "a date (YYYY-MM-DD)"}.get(kind, "text")
            raise ParameterError(f"{query}: parameter {name} must be {what} ({kind}, {example}); "
                                 f"got {params[name]!r}")
    return text, meta


def _fits(value, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "ISO string":
        try:
            return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) \
                and dt.date.fromisoformat(value) is not None
        except ValueError:
            return False
    return isinstance(value, str) if kind == "string" else True


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
    ParameterError
        When the query or its parameters do not pass :func:`check_query`
        (nothing is sent to the store then).
    StoreError
        When the store rejects it.

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
    text, meta = check_query(query, params)
    rows = store.run(text, params or {})
    columns = [c.strip() for c in meta.get("returns", "").split(",") if c.strip()]
    frame = pd.DataFrame([{k: _plain(v) for k, v in r.items()} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[[c for c in columns if c in frame.columns] or list(frame.columns)]
    return _whole_numbers(frame)
