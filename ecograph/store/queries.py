"""Cypher queries: the library in ``queries/`` and ad-hoc text; read, lint, guard and run.

Each ``.cypher`` file starts with ``//`` header lines: the purpose, then
``params:`` (each with its kind and an example: ``limit (int, e.g. 10)``;
``optional`` after the example: sent as null when not given),
``returns:`` and, for a query that reads analysis results stored by
``ecograph load --write-back``, ``needs: write-back (community, pagerank)``.

Before anything is sent to a store, :func:`prepare` checks a query: its
parameters (exactly the ``$names`` it uses, converted to the kind its header
declares), its dialect (:func:`~ecograph.store.dialect.lint_findings`: constructs the embedded
FalkorDB engine rejects or answers wrongly, each rule checked against the
engine by the tests) and, for ad-hoc text, that it does not write
(:func:`~ecograph.store.dialect.writes`). Words inside strings and comments never count.

>>> names = [q.stem for q in library()]
>>> "top_brokers" in names and len(names) >= 15
True
>>> check_query("top_brokers", {"limit": "ten"})
Traceback (most recent call last):
...
ecograph.errors.ParameterError: top_brokers: parameter limit must be a whole number (int, e.g. 10); got 'ten'
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ParameterError
from .base import GraphStore
from .dialect import code_of, lint_findings, writes

__all__ = ["QUERIES", "KINDS", "Query", "library", "read_query", "open_query", "parameters",
           "parse_params", "prepare", "check_query", "missing_properties", "run_query"]

#: The query library shipped with ecograph.
QUERIES = Path(__file__).resolve().parents[2] / "queries"

#: Parameter kinds a header (``limit (int, e.g. 10)``) or ``--param NAME:KIND=VALUE`` may name.
KINDS = ("str", "int", "float", "bool", "list")
_HEADER_KINDS = {"string": "str", "str": "str", "text": "str", "int": "int", "integer": "int",
                 "float": "float", "number": "float", "bool": "bool", "boolean": "bool",
                 "list": "list", "ISO string": "date", "date": "date"}


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A query's text with its header, and where it came from.

    Attributes
    ----------
    name : str
        What messages call it: the library name, the file's path, ``-e`` or ``stdin``.
    text : str
        The whole text, header comments included.
    meta : dict of str to str
        The header fields found: ``purpose``, ``params``, ``returns``, ``needs``.
    adhoc : bool
        Text that is not a library query (inline, stdin, or a file outside
        :data:`QUERIES`): read-only unless the caller allows writes.

    Examples
    --------
    >>> q = open_query(text="// Count partners.\\nMATCH (p:Partner) RETURN count(p) AS n")
    >>> q.name, q.adhoc, q.meta["purpose"]
    ('-e', True, 'Count partners.')
    >>> open_query("top_brokers").adhoc
    False
    """

    name: str
    text: str
    meta: dict = field(default_factory=dict)
    adhoc: bool = True


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


def _header(text: str) -> dict[str, str]:
    header = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("//"):
            break  # the header is the leading block of comment lines
        header.append(line.lstrip()[2:].strip())
    meta = {"purpose": header[0] if header else ""}
    for line in header[1:]:
        key, _, value = line.partition(":")
        if key.strip() in ("params", "returns", "needs"):
            meta[key.strip()] = value.strip()
    return meta


def read_query(path: str | Path) -> tuple[str, dict[str, str]]:
    """The query text and its header (``purpose``, ``params``, ``returns``, ``needs``).

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
    query = open_query(path)
    return query.text, query.meta


def open_query(query: str | Path | None = None, *, text: str | None = None,
               name: str = "-e") -> Query:
    """A library query by name, a query file by path, or ad-hoc ``text``.

    Parameters
    ----------
    query : str or pathlib.Path, optional
        A library query's bare name (``top_brokers``) or a file's path.
    text : str, optional
        Cypher given inline (``ecograph query -e``) or on stdin; used when
        ``query`` is not given.
    name : str, default "-e"
        What messages call inline ``text`` (``stdin`` for standard input).

    Returns
    -------
    Query

    Raises
    ------
    ParameterError
        When there is no such query or file, it is not UTF-8 text, it has
        nothing but comments, or neither (or both) of ``query`` and ``text`` is given.

    Examples
    --------
    >>> open_query("balance_at").meta["returns"]
    'party, sku, received, sent, balance'
    >>> open_query("no_such_query")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: no query file 'no_such_query' and no library query of that name \
(the library: audit_discrepancies, ...)
    """
    if (query is None) == (text is None):
        raise ParameterError("give one query: a library name, a file, -e 'CYPHER' or - (stdin)")
    if text is not None:
        if not code_of(text).strip():
            raise ParameterError(f"{name}: the query is empty")
        return Query(name, text, _header(text), adhoc=True)
    path = _locate(query)
    try:
        body = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"cannot read the query {path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ParameterError(f"cannot read the query {path}: {exc.strerror or exc}") from exc
    if not code_of(body).strip():
        raise ParameterError(f"{query}: the query is empty")
    in_library = path.resolve().parent == QUERIES
    return Query(path.stem if in_library else str(query), body, _header(body), adhoc=not in_library)


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
    names = [q.stem for q in library()]
    raise ParameterError(f"no query file {name!r} and no library query of that name "
                         f"(the library: {names[0]}, ...)" if names else f"no query file {name!r}")


# --- parameters ---------------------------------------------------------------------------------


def parameters(text: str) -> list[str]:
    """The ``$parameters`` ``text`` uses (not inside strings or comments), sorted.

    Parameters
    ----------
    text : str
        Cypher.

    Returns
    -------
    list of str

    Examples
    --------
    >>> parameters("MATCH (p {id: $party}) // $ignored\\nRETURN '$no' AS x, $party AS y, $n")
    ['n', 'party']
    """
    return sorted(set(re.findall(r"\$([A-Za-z_]\w*)", code_of(text))))


def _convert(name: str, kind: str, raw: str, where: str = "") -> object:
    """``raw`` text as a value of ``kind`` (one of :data:`KINDS`)."""
    def bad(what: str) -> ParameterError:
        return ParameterError(f"{where}parameter {name} must be {what}; got {raw!r}")

    if kind == "str":
        return raw
    if kind == "int":
        if not re.fullmatch(r"\s*[+-]?\d+\s*", raw):
            raise bad("a whole number (int)")
        return int(raw)
    if kind == "float":
        try:
            value = float(raw)
        except ValueError:
            raise bad("a number (float)") from None
        if not math.isfinite(value):
            raise bad("a finite number (float)")
        return value
    if kind == "bool":
        flag = raw.strip().lower()
        if flag not in ("true", "false", "1", "0", "yes", "no"):
            raise bad("true or false (bool)")
        return flag in ("true", "1", "yes")
    if kind == "list":
        try:
            value = json.loads(raw, parse_constant=_no_constant)
        except ValueError:
            raise bad('a JSON list (list, e.g. ["a", "b"])') from None
        if not isinstance(value, list):
            raise bad('a JSON list (list, e.g. ["a", "b"])')
        return value
    raise ParameterError(f"{where}parameter {name}: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")


def _no_constant(name: str):
    raise ValueError(name)


def parse_params(items: Iterable[str]) -> dict:
    """``NAME=VALUE`` and ``NAME:KIND=VALUE`` strings (``ecograph query --param``) as a dict.

    A plain value is text (``party=NaN`` is the text ``NaN``); a library
    query's header may declare a kind, and :func:`prepare` converts text to
    it. ``KIND`` is one of :data:`KINDS`: ``int``, ``float`` (finite),
    ``bool`` (``true``/``false``), ``list`` (JSON) or ``str``.

    Parameters
    ----------
    items : iterable of str
        One parameter each.

    Returns
    -------
    dict
        Values by name.

    Raises
    ------
    ParameterError
        For an item without ``=``, a bad name, an unknown kind, a value that
        is not of its kind, or a name given twice.

    Examples
    --------
    >>> parse_params(["n:int=5", "party=NaN", "ids:list=[\\"a\\", \\"b\\"]", "x:float=2.5", "on:bool=true"])
    {'n': 5, 'party': 'NaN', 'ids': ['a', 'b'], 'x': 2.5, 'on': True}
    >>> parse_params(["x:float=NaN"])
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: parameter x must be a finite number (float); got 'NaN'
    """
    params: dict = {}
    for item in items:
        key, sep, raw = item.partition("=")
        name, _, kind = key.partition(":")
        name, kind = name.strip(), kind.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ParameterError(f"--param {item!r}: use NAME=VALUE or NAME:KIND=VALUE "
                                 f"(kinds: {', '.join(KINDS)}), e.g. region=EMEA-North or limit:int=5")
        if name in params:
            raise ParameterError(f"parameter {name} is given twice")
        params[name] = _convert(name, kind, raw) if kind else raw
    return params


def _declared(meta: dict) -> dict[str, tuple[str, str]]:
    """The header's parameters: name → (kind, example)."""
    return {name: (kind, example) for name, kind, example
            in re.findall(r"(\w+) \(([^,)]+)(?:, ([^)]*))?\)", meta.get("params", ""))}


def _coerce(query: Query, name: str, value, kind: str, example: str) -> object:
    """``value`` as the header's ``kind`` (text is converted; anything else must fit)."""
    canon = _HEADER_KINDS.get(kind)
    what = {"int": "a whole number", "float": "a number", "bool": "true or false", "list": "a list",
            "date": "a date (YYYY-MM-DD)", "str": "text"}.get(canon or "", "")
    said = f"{kind}, {example}" if example else kind
    problem = ParameterError(f"{query.name}: parameter {name} must be {what} ({said}); got {value!r}")
    if canon is None:
        return value
    if isinstance(value, str) and canon in ("int", "float", "bool", "list"):
        try:
            return _convert(name, canon, value)
        except ParameterError:
            raise problem from None
    if canon == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        raise problem
    if canon == "float" and (isinstance(value, bool) or not isinstance(value, int | float)
                             or not math.isfinite(value)):
        raise problem
    if canon == "bool" and not isinstance(value, bool):
        raise problem
    if canon == "list" and not isinstance(value, list):
        raise problem
    if canon == "str" and not isinstance(value, str):
        raise problem
    if canon == "date":
        try:
            ok = isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) \
                and dt.date.fromisoformat(value) is not None
        except ValueError:
            ok = False
        if not ok:
            raise problem
    return value


def prepare(query: Query, params: dict | None = None, *, engine: str = "falkordb", lint: bool = True,
            write: bool = False) -> tuple[dict, list[str]]:
    """Check a query before any store is opened; its parameters converted, and its warnings.

    In order: the parameters must be exactly the ``$names`` the query uses
    (a missing one is named; one its header marks ``optional`` is sent as
    null); each is converted to the kind its header declares (``--param
    limit=5`` becomes the int 5 for ``limit (int, …)``);
    the dialect must pass :func:`lint_findings` for ``engine`` (errors
    refuse, warnings are returned); and ad-hoc text must not write
    (:func:`~ecograph.store.dialect.writes`) unless ``write``.

    Parameters
    ----------
    query : Query
        From :func:`open_query`.
    params : dict, optional
        Values by name (from :func:`parse_params` or Python).
    engine : {"falkordb", "neo4j"}, default "falkordb"
        The store's ``engine``.
    lint : bool, default True
        ``False`` skips the dialect check (``--no-lint``).
    write : bool, default False
        Let ad-hoc text write (``--write``); library queries never need it.

    Returns
    -------
    tuple of (dict, list of str)
        The parameters to send, and one-line warnings.

    Raises
    ------
    ParameterError
        With one line naming the query and the problem.

    Examples
    --------
    >>> prepare(open_query("top_brokers"), {"limit": "5"})
    ({'limit': 5}, [])
    >>> prepare(open_query("single_sourced_inputs"))
    ({'as_of': None}, [])
    >>> prepare(open_query(text="MATCH (n:Partner {id: $id}) RETURN n.name AS name"), {})
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: -e: missing parameter id (give it with --param id=VALUE)
    >>> prepare(open_query(text="MERGE (n:Partner {id: 'X'})"))
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: -e: ad-hoc queries are read-only and this one writes (MERGE); \
add --write to run it
    """
    params = dict(params or {})
    used = parameters(query.text)
    declared = _declared(query.meta)
    for name, (_, example) in declared.items():
        if name in used and name not in params and re.search(r"\boptional\b", example):
            params[name] = None  # the query decides what a missing optional parameter means
    missing, unknown = [p for p in used if p not in params], sorted(set(params) - set(used))
    if missing or unknown:
        said = []
        if missing:
            how = (f"params: {query.meta['params']}" if query.meta.get("params")
                   else f"give it with --param {missing[0]}=VALUE")
            said.append(f"missing parameter {', '.join(missing)} ({how})")
        if unknown:
            said.append(f"unknown parameter {', '.join(unknown)}")
        raise ParameterError(f"{query.name}: {'; '.join(said)}")
    for name, (kind, example) in declared.items():
        if name in params and params[name] is not None:
            params[name] = _coerce(query, name, params[name], kind, example)
    warnings = []
    if lint:
        findings = lint_findings(query.text, engine)
        errors = [f.message for f in findings if f.severity == "error"]
        if errors:
            target = "Neo4j" if engine == "neo4j" else "the embedded engine"
            raise ParameterError(f"{query.name}: not portable Cypher, fails or answers wrongly on {target} "
                                 f"({'; '.join(errors)}); --no-lint runs it anyway")
        warnings = [f"{query.name}: {f.message}" for f in findings]
    if query.adhoc and not write:
        clauses = writes(query.text)
        if clauses:
            raise ParameterError(f"{query.name}: ad-hoc queries are read-only and this one writes "
                                 f"({', '.join(clauses)}); add --write to run it")
    return params, warnings


def check_query(query: str | Path | Query, params: dict | None = None) -> tuple[str, dict[str, str]]:
    """Read a query and check it with its parameters, before any store is opened.

    :func:`open_query` then :func:`prepare` for the embedded engine (lint
    on, writes refused for ad-hoc files).

    Parameters
    ----------
    query : str, pathlib.Path or Query
        A library query's name, the path of a ``.cypher`` file, or a :class:`Query`.
    params : dict, optional
        The parameters by name.

    Returns
    -------
    tuple of (str, dict of str to str)
        The text and header, as :func:`read_query`.

    Raises
    ------
    ParameterError
        When any check fails; the message names the query and what is wrong.

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
    query = query if isinstance(query, Query) else open_query(query)
    prepare(query, params)
    return query.text, query.meta


def missing_properties(store: GraphStore, query: Query) -> list[str]:
    """The write-back properties a query's header ``needs:`` that no node in the store has.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store about to be queried.
    query : Query
        Its header may say ``needs: write-back (community, pagerank)``.

    Returns
    -------
    list of str
        Property names, in the header's order; empty when nothing is needed or all are there.

    Examples
    --------
    >>> import tempfile
    >>> from ecograph.store import EmbeddedStore
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> missing_properties(store, open_query("community_members"))
    ['community', 'pagerank']
    >>> store.server.stop().running
    False
    """
    needs = re.search(r"\(([^)]*)\)", query.meta.get("needs", ""))
    names = [n.strip() for n in needs.group(1).split(",")] if needs else []
    return [name for name in names if re.fullmatch(r"[A-Za-z_]\w*", name)
            and not store.run(f"MATCH (n) WHERE n.{name} IS NOT NULL RETURN 1 AS found LIMIT 1")]


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


def run_query(store: GraphStore, query: str | Path | Query, params: dict | None = None, *,
              lint: bool = True, write: bool = False) -> pd.DataFrame:
    """Run a query (library name, path or :class:`Query`) and return its rows as a DataFrame.

    Parameters
    ----------
    store : EmbeddedStore or Neo4jStore
        The store to query.
    query : str, pathlib.Path or Query
        A library query's name, the path of a ``.cypher`` file, or a :class:`Query`.
    params : dict, optional
        Query parameters (the header's ``params:`` line names them); text is
        converted to the kind the header declares.
    lint : bool, default True
        Check the dialect for ``store.engine`` first (:func:`prepare`).
    write : bool, default False
        Let ad-hoc text write.

    Returns
    -------
    pandas.DataFrame
        Columns in the order the query returns them (its ``returns:`` line,
        or the engine's order); whole-number float columns come back as integers.

    Raises
    ------
    ParameterError
        When the query or its parameters do not pass :func:`prepare`
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
    query = query if isinstance(query, Query) else open_query(query)
    params, _ = prepare(query, params, engine=getattr(store, "engine", "falkordb"), lint=lint, write=write)
    rows = store.run(query.text, params)
    columns = [c.strip() for c in query.meta.get("returns", "").split(",") if c.strip()]
    frame = pd.DataFrame([{k: _plain(v) for k, v in r.items()} for r in rows])
    if frame.empty:
        return pd.DataFrame(columns=columns or (list(rows[0]) if rows else []))
    frame = frame[[c for c in columns if c in frame.columns] or list(frame.columns)]
    return _whole_numbers(frame)
