"""The Cypher dialect checks: what the embedded FalkorDB engine rejects or answers
wrongly (:func:`lint_findings`), and whether a query writes (:func:`writes`).

Each rule of :data:`RULES` carries an example and its portable rewrite; the
tests run both on the engine, so a rule rejects only what really fails there.
Words inside strings and comments never count (:func:`code_of`).

>>> lint("MATCH (n) WHERE EXISTS { (n)-->() } RETURN n")
['EXISTS { } subquery']
>>> writes("MATCH (n) SET n.seen = true // no DELETE here")
['SET']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RULES", "EXAMPLE_GRAPH", "Rule", "Finding", "code_of", "lint", "lint_findings", "writes"]


# --- tokens: strings and comments never count ---------------------------------------------------

_SKIP = re.compile(r"""//[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`]*`""", re.S)


def code_of(text: str) -> str:
    """``text`` with comments and the insides of strings blanked and backquoted names
    replaced by ``_``, keeping every position: what the checks read.

    Parameters
    ----------
    text : str
        Cypher.

    Returns
    -------
    str
        The same length as ``text``.

    Examples
    --------
    >>> code_of("RETURN 'SET' AS `DELETE` // MERGE")
    "RETURN '   ' AS ________         "
    """
    def blank(m: re.Match) -> str:
        s = m.group()
        if s[0] in "'\"":
            return s[0] + " " * (len(s) - 2) + s[-1]
        if s[0] == "`":
            return "_" * len(s)
        return re.sub(r"[^\n]", " ", s)

    return _SKIP.sub(blank, text)


def _string_argument(text: str, code: str, start: int) -> str:
    """The raw text of the string literal right at ``start`` (after spaces), or ``""``."""
    m = re.compile(r"\s*(['\"])").match(code, start)
    if not m:
        return ""
    end = code.find(m.group(1), m.end())
    return text[m.end():end] if end > 0 else ""


# --- the dialect rules --------------------------------------------------------------------------

#: The small graph every rule's example runs on (the tests create it in an embedded store):
#: partners A and B, both selling to C1 and C2, A also to C3.
EXAMPLE_GRAPH = ("CREATE (a:Partner {id: 'A'}), (b:Partner {id: 'B'}), (c1:Customer {id: 'C1'}), "
                 "(c2:Customer {id: 'C2'}), (c3:Customer {id: 'C3'}), (a)-[:SELLS_TO]->(c1), "
                 "(a)-[:SELLS_TO]->(c2), (a)-[:SELLS_TO]->(c3), (b)-[:SELLS_TO]->(c1), "
                 "(b)-[:SELLS_TO]->(c2)")


@dataclass(frozen=True)
class Rule:
    """One dialect trap: how to find it, what to write instead, and its proof on the engine.

    Attributes
    ----------
    name : str
        What messages call the construct.
    find : callable
        ``find(text, code) -> bool``: whether the query (raw text and
        :func:`code_of` it) has the construct.
    hint : str
        What to write instead.
    example : str
        A query with the construct, run on :data:`EXAMPLE_GRAPH` by the tests.
    fixed : str
        The portable rewrite of ``example``.
    embedded : {"error", "warning"}
        On the embedded engine: ``error`` when ``example`` fails there or
        answers wrongly (``wrong`` says which), ``warning`` when it runs
        but means something else elsewhere.
    neo4j : {"error", "warning"}
        The same for Neo4j 5 targets (constructs Neo4j runs are warnings there).
    wrong : bool
        The example runs on the embedded engine but answers differently from
        ``fixed`` (a silently wrong result, not an error).

    Examples
    --------
    >>> rule = next(r for r in RULES if r.name == "count(*) row collapse")
    >>> rule.embedded, rule.wrong, rule.find(rule.fixed, code_of(rule.fixed))
    ('error', True, False)
    """

    name: str
    find: Callable[[str, str], bool]
    hint: str
    example: str
    fixed: str
    embedded: str = "error"
    neo4j: str = "warning"
    wrong: bool = False


def _pattern(regex: str) -> Callable[[str, str], bool]:
    compiled = re.compile(regex, re.IGNORECASE)
    return lambda text, code: bool(compiled.search(code))


def _month_arithmetic(text: str, code: str) -> bool:
    for m in re.finditer(r"(?<![.\w])duration\s*\(", code, re.IGNORECASE):
        arg = _string_argument(text, code, m.end())
        inside = code[m.end():m.end() + 200]
        if re.match(r"P[^T]*[YM]", arg, re.IGNORECASE) or re.match(r"\s*\{[^}]*\b(years|months|quarters)\b",
                                                                  inside, re.IGNORECASE):
            return True
    return False


def _undirected_shortest(text: str, code: str) -> bool:
    for m in re.finditer(r"\b(?:all)?shortestPath\s*\(", code, re.IGNORECASE):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
        inside = code[m.end():i]
        if "->" not in inside and "<-" not in inside:
            return True
    return False


_CLAUSE = re.compile(r"(?<![.\w$:])(OPTIONAL\s+MATCH|MATCH|WHERE|WITH|RETURN|UNWIND|CALL|ORDER\s+BY|"
                     r"SKIP|LIMIT|UNION|CREATE|MERGE|SET|DELETE|DETACH|REMOVE|FOREACH)\b", re.IGNORECASE)
_NODE = re.compile(r"\(\s*(?P<var>[A-Za-z_]\w*)?\s*(?P<labels>(?::\s*[\w|&!]+\s*)*)(?P<props>\{[^}]*\})?"
                   r"\s*\)")
_REL = re.compile(r"\s*(?:<?-\s*\[\s*(?P<var>[A-Za-z_]\w*)?(?P<body>[^\]]*)\]\s*->?|<?-->?)\s*")


def _chains(segment: str) -> list[tuple[str | None, list, list]]:
    """The path patterns of a MATCH clause: (path variable, nodes, relationships); each node
    ``(var, has_props)``, each relationship ``(var, variable_length)``."""
    chains, pos = [], 0
    while pos < len(segment):
        m = re.compile(r"\s*(?:(?P<path>[A-Za-z_]\w*)\s*=\s*)?").match(segment, pos)
        pos = m.end()
        path = m.group("path")
        node = _NODE.match(segment, pos)
        if not node:
            nxt = segment.find(",", pos)
            if nxt < 0:
                break
            pos = nxt + 1
            continue
        nodes = [(node.group("var"), bool(node.group("props")))]
        rels = []
        pos = node.end()
        while True:
            rel = _REL.match(segment, pos)
            nxt = rel and _NODE.match(segment, rel.end())
            if not nxt:
                break
            star = re.search(r"\*\s*(\d*)\s*(\.\.\s*(\d*))?", (rel.group("body") or "").split("{")[0])
            most = (star.group(3) if star.group(2) else star.group(1)) if star else "1"
            rels.append((rel.group("var"), most == "" or int(most) > 1))
            nodes.append((nxt.group("var"), bool(nxt.group("props"))))
            pos = nxt.end()
        chains.append((path, nodes, rels))
        comma = re.compile(r"\s*,").match(segment, pos)
        if not comma:
            break
        pos = comma.end()
    return chains


def _row_collapse(text: str, code: str) -> bool:
    """A multi-hop MATCH whose middle node is never used again, followed by an aggregate
    that counts rows (count, sum, avg, collect without DISTINCT): FalkorDB then returns one
    row per pair of end nodes, not one per path (measured on 4.16.3)."""
    clauses = list(_CLAUSE.finditer(code))
    bounds = [m.start() for m in clauses] + [len(code)]
    patterns, parts, current = [], [], []
    for m, end in zip(clauses, bounds[1:], strict=True):
        word = m.group(1).upper().split()[-1]
        if word == "MATCH":
            current.append((m.end(), end))
            patterns.append((m.end(), end))
        elif word in ("WITH", "RETURN", "UNION") and current:
            parts.append((current, m.start()))
            current = []
    if current:
        parts.append((current, len(code)))
    outside = list(code)
    for start, end in patterns:
        outside[start:end] = " " * (end - start)
    outside = "".join(outside)
    counting = re.compile(r"\b(count|sum|avg|collect|stDev|stDevP|percentileCont|percentileDisc)\s*\("
                          r"(?!\s*DISTINCT\b)", re.IGNORECASE)

    def used(var: str | None) -> bool:
        return bool(var) and bool(re.search(rf"(?<![.\w$]){re.escape(var)}\b", outside))

    for segments, after in parts:
        if not counting.search(code, after):
            continue
        degree: dict[str, int] = {}
        free_interior = False
        for start, end in segments:
            for path, nodes, rels in _chains(code[start:end]):
                if used(path) or any(used(r) for r, _ in rels):
                    continue  # the engine walks every path when one of them is used
                if any(long for r, long in rels):
                    free_interior = True
                for i, (var, props) in enumerate(nodes):
                    ends = (i > 0) + (i < len(nodes) - 1)
                    if var:
                        degree[var] = degree.get(var, 0) + ends
                    elif ends == 2 and not props:
                        free_interior = True
                    if var and props:
                        degree[var] = -99  # a filtered node is materialised
        if free_interior or any(d >= 2 and not used(v) for v, d in degree.items()):
            return True
    return False


#: Every dialect rule, checked against the embedded engine by tests/store/test_queries.py.
RULES: tuple[Rule, ...] = (
    Rule("count(*) row collapse", _row_collapse,
         "name the middle node and count it: (c:Customer) … count(c), or count(DISTINCT c) — "
         "FalkorDB returns one row per end pair when the middle node is not used again",
         "MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) WHERE a.id < b.id "
         "RETURN a.id AS a, b.id AS b, count(*) AS shared",
         "MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) WHERE a.id < b.id "
         "RETURN a.id AS a, b.id AS b, count(c) AS shared", wrong=True),
    Rule("EXISTS { } subquery", _pattern(r"\bEXISTS\s*\{"),
         "use a pattern predicate: WHERE (n)-[:SELLS_TO]->()",
         "MATCH (n:Partner) WHERE EXISTS { (n)-[:SELLS_TO]->() } RETURN count(n) AS n",
         "MATCH (n:Partner) WHERE (n)-[:SELLS_TO]->() RETURN count(n) AS n"),
    Rule("COUNT { } subquery", _pattern(r"\bCOUNT\s*\{"),
         "use size([(n)-[:SELLS_TO]->(c) | c])",
         "MATCH (n:Partner) RETURN n.id AS id, COUNT { (n)-[:SELLS_TO]->() } AS k ORDER BY id",
         "MATCH (n:Partner) RETURN n.id AS id, size([(n)-[:SELLS_TO]->(c) | c]) AS k ORDER BY id"),
    Rule("COLLECT { } subquery", _pattern(r"\bCOLLECT\s*\{"),
         "use a pattern comprehension: [(n)-[:SELLS_TO]->(c) | c.id]",
         "MATCH (n:Partner {id: 'A'}) RETURN COLLECT { MATCH (n)-[:SELLS_TO]->(c) RETURN c.id } AS ids",
         "MATCH (n:Partner {id: 'A'}) RETURN [(n)-[:SELLS_TO]->(c) | c.id] AS ids"),
    Rule("exists() on a pattern", _pattern(r"(?<![.\w])exists\s*\(\s*\("),
         "use the pattern itself as the predicate: WHERE (n)-[:SELLS_TO]->()",
         "MATCH (n:Partner) WHERE exists((n)-[:SELLS_TO]->()) RETURN count(n) AS n",
         "MATCH (n:Partner) WHERE (n)-[:SELLS_TO]->() RETURN count(n) AS n", neo4j="error"),
    Rule("regular expression", _pattern(r"=~"),
         "use STARTS WITH, ENDS WITH or CONTAINS, or filter in Python",
         "MATCH (n:Partner) WHERE n.id =~ 'A.*' RETURN n.id AS id",
         "MATCH (n:Partner) WHERE n.id STARTS WITH 'A' RETURN n.id AS id"),
    Rule("datetime()", _pattern(r"(?<![.\w])datetime\s*\("),
         "dates go in as ISO strings compared with date($d); localdatetime() for a timestamp",
         "RETURN datetime('2025-01-01T10:00:00') IS NOT NULL AS ok",
         "RETURN localdatetime('2025-01-01T10:00:00') IS NOT NULL AS ok"),
    Rule("date.truncate()", _pattern(r"(?<![.\w])(?:date|datetime|localdatetime|localtime|time)\s*\.\s*"
                                     r"truncate\s*\("),
         "build the date from its parts: date({year: d.year, month: d.month, day: 1})",
         "WITH date('2025-12-31') AS d RETURN date.truncate('month', d) AS first",
         "WITH date('2025-12-31') AS d RETURN date({year: d.year, month: d.month, day: 1}) AS first"),
    Rule("duration.between()", _pattern(r"(?<![.\w])duration\s*\.\s*(?:between|inMonths|inDays|inSeconds)"
                                        r"\s*\("),
         "compare dates (date(a) <= date(b)) in Cypher and do date differences in Python",
         "RETURN duration.between(date('2025-01-01'), date('2025-12-31')) IS NOT NULL AS ok",
         "RETURN date('2025-01-01') <= date('2025-12-31') AS ok"),
    Rule("other temporal functions", _pattern(r"(?<![.\w])(?:date|datetime|localdatetime|localtime|time|"
                                              r"duration)\s*\.\s*(?!truncate\b|between\b|inMonths\b|inDays\b|"
                                              r"inSeconds\b)[A-Za-z]\w*\s*\("),
         "only date(), localdatetime(), localtime() and duration() exist on the embedded engine",
         "RETURN date.statement() IS NOT NULL AS ok",
         "RETURN date() IS NOT NULL AS ok"),
    Rule("elementId()", _pattern(r"(?<![.\w])elementId\s*\("),
         "use business keys (n.id)",
         "MATCH (n:Partner {id: 'A'}) RETURN elementId(n) AS key",
         "MATCH (n:Partner {id: 'A'}) RETURN n.id AS key"),
    Rule("shortestPath() in MATCH", _pattern(r"\bMATCH\s+(?:[A-Za-z_]\w*\s*=\s*)?(?:all)?shortestPath\s*\("),
         "MATCH p = (a)-[:T*1..10]->(b) RETURN p ORDER BY length(p) LIMIT 1",
         "MATCH p = shortestPath((a:Partner {id: 'A'})-[:SELLS_TO*]->(c:Customer {id: 'C1'})) "
         "RETURN length(p) AS hops",
         "MATCH p = (a:Partner {id: 'A'})-[:SELLS_TO*1..10]->(c:Customer {id: 'C1'}) "
         "RETURN length(p) AS hops ORDER BY hops LIMIT 1"),
    Rule("undirected shortestPath()", _undirected_shortest,
         "give the path a direction, or MATCH p = (a)-[:T*1..10]-(b) ORDER BY length(p) LIMIT 1",
         "MATCH (a:Partner {id: 'A'}), (b:Partner {id: 'B'}) "
         "WITH shortestPath((a)-[:SELLS_TO*]-(b)) AS p RETURN length(p) AS hops",
         "MATCH p = (a:Partner {id: 'A'})-[:SELLS_TO*1..10]-(b:Partner {id: 'B'}) "
         "RETURN length(p) AS hops ORDER BY hops LIMIT 1"),
    Rule("CALL (x) { } scope clause", _pattern(r"\bCALL\s*\("),
         "use CALL { WITH x … }",
         "MATCH (n:Partner) CALL (n) { MATCH (n)-[:SELLS_TO]->(c) RETURN count(c) AS k } "
         "RETURN n.id AS id, k ORDER BY id",
         "MATCH (n:Partner) CALL { WITH n MATCH (n)-[:SELLS_TO]->(c) RETURN count(c) AS k } "
         "RETURN n.id AS id, k ORDER BY id"),
    Rule("APOC or GDS call", _pattern(r"(?<![.\w])(?:apoc|gds)\s*\."),
         "no plugins on the embedded engine: do it in Cypher or in Python",
         "RETURN apoc.text.join(['a', 'b'], ',') AS joined",
         "RETURN reduce(s = '', x IN ['a', 'b'] | s + CASE WHEN s = '' THEN '' ELSE ',' END + x) AS joined"),
    Rule("internal id()", _pattern(r"(?<![.\w])id\s*\("),
         "internal ids differ between engines and are reused after deletes: use n.id",
         "MATCH (n:Partner {id: 'A'}) RETURN id(n) >= 0 AS ok",
         "MATCH (n:Partner {id: 'A'}) RETURN n.id IS NOT NULL AS ok", embedded="warning"),
    Rule("month or year arithmetic", _month_arithmetic,
         "FalkorDB adds a month to Jan 31 as Mar 3 (Neo4j: Feb 28): do month arithmetic in Python",
         "RETURN date('2025-01-31') + duration('P1M') AS d",
         "RETURN date('2025-01-31') + duration('P28D') AS d", embedded="warning"),
)


@dataclass(frozen=True)
class Finding:
    """One lint finding: the rule, how serious it is for the target engine, and the message.

    Attributes
    ----------
    rule : Rule
        The rule that matched.
    severity : {"error", "warning"}
        For the engine the query is checked for.
    message : str
        One line: the construct and what to write instead.

    Examples
    --------
    >>> [f.severity for f in lint_findings("RETURN date('2025-01-31') + duration('P1M') AS d")]
    ['warning']
    """

    rule: Rule
    severity: str
    message: str


def lint_findings(text: str, engine: str = "falkordb") -> list[Finding]:
    """The dialect traps in ``text`` for the ``engine`` it is about to run on.

    Parameters
    ----------
    text : str
        Cypher.
    engine : {"falkordb", "neo4j"}, default "falkordb"
        The target: ``falkordb`` (the embedded store) rejects what fails or
        answers wrongly there; on ``neo4j`` those constructs are warnings
        (they run there) unless Neo4j 5 rejects them too.

    Returns
    -------
    list of Finding
        In the order of :data:`RULES`.

    Examples
    --------
    >>> [(f.rule.name, f.severity) for f in lint_findings("RETURN date.truncate('month', date()) AS d")]
    [('date.truncate()', 'error')]
    >>> [f.severity for f in lint_findings("RETURN date.truncate('month', date()) AS d", "neo4j")]
    ['warning']
    >>> lint_findings("RETURN date() - duration('P365D') AS year_ago")
    []
    """
    code = code_of(text)
    found = []
    for rule in RULES:
        if rule.find(text, code):
            severity = rule.neo4j if engine == "neo4j" else rule.embedded
            found.append(Finding(rule, severity, f"{rule.name}: {rule.hint}"))
    return found


def lint(text: str) -> list[str]:
    """The names of the dialect traps in ``text`` (comments and strings ignored): a library
    query must have none, errors or warnings, on either engine.

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
    return [f.rule.name for f in lint_findings(text)]


# --- writes -------------------------------------------------------------------------------------

_WRITE_WORDS = re.compile(r"(?<![.\w$:])(CREATE|MERGE|SET|DELETE|REMOVE|DETACH|DROP|FOREACH)\b(?!\s*:)",
                          re.IGNORECASE)
_PROCEDURE = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
_WRITE_PROCEDURE = re.compile(r"^(create|drop|merge|delete|set|write|mutate|refactor|remove|add|clear|"
                              r"periodic|import|load)", re.IGNORECASE)


def writes(text: str) -> list[str]:
    """The clauses of ``text`` that would change the store (``CREATE``, ``MERGE``,
    ``SET``, ``DELETE``, ``REMOVE``, ``DETACH``, ``DROP``, ``FOREACH``, and
    ``CALL`` of a procedure that writes), in order of appearance, each once.

    Words inside strings, comments and backquoted names, property names
    (``n.set``) and map keys (``{create: 1}``) do not count.

    Parameters
    ----------
    text : str
        Cypher.

    Returns
    -------
    list of str
        Upper-case clause names (``CALL db.idx.fulltext.createNodeIndex`` for a procedure).

    Examples
    --------
    >>> writes("MATCH (n) WHERE n.note = 'DELETE me' RETURN n.set AS s, {merge: 1} AS m")
    []
    >>> writes("MATCH (n) DETACH DELETE n")
    ['DETACH', 'DELETE']
    >>> writes("CALL db.idx.fulltext.createNodeIndex('Partner', 'name')")
    ['CALL db.idx.fulltext.createNodeIndex']
    """
    code = code_of(text)
    found = [(m.start(), m.group(1).upper()) for m in _WRITE_WORDS.finditer(code)]
    for m in _PROCEDURE.finditer(code):
        if any(_WRITE_PROCEDURE.match(part) for part in m.group(1).split(".")[1:] or [m.group(1)]):
            found.append((m.start(), f"CALL {m.group(1)}"))
    seen: list[str] = []
    for _, name in sorted(found):
        if name not in seen:
            seen.append(name)
    return seen
