"""The Cypher dialect checks (ecograph.store.dialect), each rule run on the embedded engine: a rule
rejects only what really fails or answers wrongly there, and its rewrite runs."""

from __future__ import annotations

import re

import pytest

from ecograph.errors import StoreError
from ecograph.store import EmbeddedStore
from ecograph.store.dialect import EXAMPLE_GRAPH, RULES, lint, lint_findings, writes

# --- the lint, checked against the engine ------------------------------------------------------


@pytest.fixture(scope="module")
def examples(store_dir):
    """The rule examples' graph in its own graph of the session's server."""
    store = EmbeddedStore(store_dir, graph="lint_examples")
    store.clear()
    store.run(EXAMPLE_GRAPH)
    return store


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_lint_rule_matches_what_the_engine_does(examples, rule):
    assert rule.name in lint(rule.example)
    assert lint(rule.fixed) == [], "the suggested rewrite must pass the lint"
    right = examples.run(rule.fixed)  # the rewrite runs on the engine
    assert right
    if rule.embedded == "error" and not rule.wrong:
        with pytest.raises(StoreError):  # the engine really rejects the construct
            examples.run(rule.example)
    else:
        got = examples.run(rule.example)  # it runs ...
        if rule.wrong:
            assert got != right  # ... but answers wrongly
    severity = {f.rule.name: f.severity for f in lint_findings(rule.example)}[rule.name]
    assert severity == rule.embedded
    neo = {f.rule.name: f.severity for f in lint_findings(rule.example, "neo4j")}[rule.name]
    assert neo == rule.neo4j


def test_the_count_collapse_example_counts_wrong_and_its_rewrite_right(examples):
    rule = next(r for r in RULES if r.name == "count(*) row collapse")
    wrong = {(r["a"], r["b"]): r["shared"] for r in examples.run(rule.example)}
    right = {(r["a"], r["b"]): r["shared"] for r in examples.run(rule.fixed)}
    assert right == {("A", "B"): 2}  # C1 and C2, as EXAMPLE_GRAPH plants them
    assert wrong == {("A", "B"): 1}


_PAIR = "WHERE a.id < b.id RETURN a.id AS a, b.id AS b, "


@pytest.mark.parametrize("text,truth", [
    # EXAMPLE_GRAPH: A sells to C1, C2, C3; B to C1, C2. Two paths A -> C <- B.
    ("MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(a) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR
     + "size(collect(b.id)) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(x) MATCH (x)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(x), (x)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO*2]-(b:Partner) " + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(c) AS n", 2),
    ("MATCH (a:Partner)-[r:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(r) AS n", 2),
    ("MATCH p = (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "count(p) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) WHERE c.id IS NOT NULL AND "
     "a.id < b.id RETURN a.id AS a, b.id AS b, count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) WITH a, b, c "
     + _PAIR + "count(*) AS n", 2),
    ("MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR
     + "count(DISTINCT b) AS n", 1),
    ("MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) " + _PAIR + "max(b.id) AS n", "B"),
])
def test_the_row_collapse_rule_flags_exactly_the_queries_the_engine_miscounts(examples, text, truth):
    rows = examples.run(text)
    engine_right = [(r["a"], r["b"], r["n"]) for r in rows] == [("A", "B", truth)]
    assert ("count(*) row collapse" in lint(text)) == (not engine_right), rows


@pytest.mark.parametrize("text", [
    "RETURN date('2025-12-31') - duration('P365D') AS year_ago",
    "RETURN date() - duration('P365D') > date('2000-01-01') AS ok",
    "RETURN localdatetime() IS NOT NULL AS ok",
    "MATCH (n:Partner) CALL { WITH n MATCH (n)-[:SELLS_TO]->(c) RETURN count(c) AS k } RETURN n.id, k",
    "MATCH (n:Partner) RETURN n.id AS id, size([(n)-[:SELLS_TO]->(c) | c]) AS k",
    "MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner) RETURN a.id, b.id, count(c) AS n",
    "MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) RETURN DISTINCT a.id, b.id",
    "MATCH (a:Partner)-[r:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) RETURN a.id, count(r) AS n",
    "MATCH (a:Partner)-[:SELLS_TO]->(:Customer) RETURN a.id, count(*) AS n",
    "MATCH (n:Partner) WHERE n.note = 'x =~ y' RETURN n.id // EXISTS { } in a comment",
])
def test_the_lint_lets_through_what_the_engine_runs_right(examples, text):
    assert lint(text) == []
    examples.run(text)


def test_the_issue_s_count_collapse_on_the_fixture(loaded, ecosystems):
    store, _ = loaded["it_ecosystem"]
    sells = ecosystems["it_ecosystem"].relationships.query("type == 'sells_to'")
    truth = len(set(sells.loc[sells["source"] == "P00006", "target"])
                & set(sells.loc[sells["source"] == "P00040", "target"]))
    assert truth == 31
    where = " WHERE a.id = 'P00006' AND b.id = 'P00040' "
    star = "MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner)" + where + \
        "RETURN a.id, b.id, count(*) AS n"
    named = "MATCH (a:Partner)-[:SELLS_TO]->(c:Customer)<-[:SELLS_TO]-(b:Partner)" + where + \
        "RETURN a.id, b.id, count(c) AS n"
    assert store.run(star)[0]["n"] == 1  # the engine's collapse
    assert store.run(named)[0]["n"] == truth
    assert lint(star) == ["count(*) row collapse"] and lint(named) == []


# --- writes: found by clause, never inside strings or comments --------------------------------


@pytest.mark.parametrize("text,clauses", [
    ("MERGE (n:Partner {id: 'X'})", ["MERGE"]),
    ("MATCH (n) DETACH DELETE n", ["DETACH", "DELETE"]),
    ("MATCH (n:Partner) SET n.tier = 'gold'", ["SET"]),
    ("MATCH (n:Partner) REMOVE n.tier", ["REMOVE"]),
    ("create (n:Partner {id: 'X'})", ["CREATE"]),
    ("MATCH (n) FOREACH (x IN [1] | SET n.k = x)", ["FOREACH", "SET"]),
    ("CALL db.idx.fulltext.createNodeIndex('Partner', 'name')", ["CALL db.idx.fulltext.createNodeIndex"]),
    ("MATCH (n) WHERE n.note = 'CREATE; DELETE' RETURN n.set, {merge: 1} AS m // SET", []),
    ("MATCH (n:`DELETE`) /* MERGE */ RETURN n.id", []),
    ("CALL db.labels()", []),
])
def test_writes_are_found_by_clause_not_by_word(text, clauses):
    assert writes(text) == clauses


def test_the_docs_list_every_dialect_trap_the_lint_knows():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "stores.md").read_text()
    traps = doc.split("## Dialect traps", 1)[1].split("\n## ", 1)[0]
    rows = {cells[0]: cells for cells in (
        [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        for line in traps.splitlines() if line.startswith("| "))}
    for rule in RULES:
        assert rule.name in rows, rule.name
        assert rows[rule.name][-2].startswith(rule.embedded) and rows[rule.name][-1] == rule.neo4j
