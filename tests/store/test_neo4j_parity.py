"""Neo4j gives the same results as the bundle, the embedded store and the Python analyses.

On the real local Neo4j (``needs_neo4j``; see tests/store/conftest.py), for both fixture
bundles:

- load, sync and read-back round trips give back exactly the bundle (``to_ecosystem``);
- ``write_analyses`` stores the values the Python analyses compute;
- every library query returns the same rows as on the embedded store (session fixture
  ``loaded``), and the library tests of tests/store/test_queries.py, which hold each query to
  the Python analysis it mirrors, pass against Neo4j too (the same assertions, not a copy);
- store errors (a wrong password, a Cypher syntax error) are one line and exit 3 in the CLI.

A Neo4j Community database holds one graph, so each bundle is loaded in turn into the test
database (cleared only once its database id proves it is the test server's).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ecograph import Ecosystem, view
from ecograph.analysis import assessment, bottlenecks, centrality, communities
from ecograph.schema import TABLES
from ecograph.store import load, to_ecosystem, write_analyses, write_back
from ecograph.store.queries import library, read_query, run_query
from tests.conftest import BUNDLES
from tests.store import test_queries as library_tests
from tests.store.conftest import needs_neo4j, neo4j_store

pytestmark = needs_neo4j


def sorted_tables(eco: Ecosystem) -> Ecosystem:
    """``eco`` as a store reads it back: every table sorted by its key."""
    return Ecosystem({t: eco.tables[t].sort_values(TABLES[t].key, ignore_index=True) for t in TABLES})


_ANALYSES: dict[int, tuple[pd.DataFrame, ...]] = {}


def python_analyses(eco: Ecosystem) -> tuple[pd.DataFrame, ...]:
    """What ``write_analyses`` stores, computed in Python (once per ecosystem): pagerank +
    community (bipartite view), risk_score (bottlenecks) and health (partners)."""
    if id(eco) in _ANALYSES:
        return _ANALYSES[id(eco)]
    G = view(eco, "bipartite")
    scores = centrality.pagerank(G)[["id", "pagerank"]].merge(
        communities.detect_communities(G, seed=0)[["id", "community"]], on="id")
    risk = bottlenecks.bottlenecks(eco)[["id", "risk_score"]]
    health = assessment.partner_health(assessment.partner_kpis(eco))[["id", "health"]]
    _ANALYSES[id(eco)] = scores, risk, health
    return _ANALYSES[id(eco)]


@pytest.fixture(scope="module", params=BUNDLES)
def on_neo4j(request, neo4j_server, ecosystems):
    """``(bundle name, store)``: the test Neo4j, cleared, holding one bundle with the analyses
    written back (each bundle in turn: pytest groups the tests by bundle)."""
    name = request.param
    store = neo4j_store(neo4j_server)
    load(ecosystems[name], store)
    write_analyses(store, ecosystems[name])
    yield name, store
    store.close()


def test_load_and_read_back_give_the_bundle(on_neo4j, ecosystems):
    name, store = on_neo4j
    eco = ecosystems[name]
    back = to_ecosystem(store)
    assert back == sorted_tables(eco)
    assert back.reference_date == eco.reference_date
    assert load(eco, store).written == 0  # nothing changed, nothing sent


def changed(name: str, eco: Ecosystem) -> Ecosystem:
    """``eco`` with rows deleted, retargeted and rewritten: it_ecosystem's planted sync changes
    (tests/store/test_sync.py), else its last partner removed and a deal's amount changed."""
    from ecograph import load_tables

    from .test_sync import changed_it, without_partner

    if name == "it_ecosystem":
        return changed_it(eco)[0]
    t = without_partner(eco.tables, eco.partners["id"].iat[-1])
    t["deals"].loc[t["deals"].index[0], "amount"] = 123_456.0
    return load_tables(t, source=f"{name} (changed)")


def test_a_sync_and_its_undo_read_back_as_each_bundle(on_neo4j, ecosystems):
    name, store = on_neo4j
    eco = ecosystems[name]
    changed_eco = changed(name, eco)
    try:
        report = load(changed_eco, store, batch_size=97)
        assert report.written > 0 and sum(report.deleted.values()) > 0
        assert to_ecosystem(store) == sorted_tables(changed_eco)
    finally:
        load(eco, store)
        write_analyses(store, eco)  # the sync rewrote changed nodes without their scores
    assert to_ecosystem(store) == sorted_tables(eco)


def test_written_back_analyses_are_the_python_results(on_neo4j, ecosystems):
    name, store = on_neo4j
    eco = ecosystems[name]
    rows = store.run("MATCH (n) WHERE n.pagerank IS NOT NULL OR n.risk_score IS NOT NULL "
                     "OR n.health IS NOT NULL RETURN n.id AS id, n.pagerank AS pagerank, "
                     "n.community AS community, n.risk_score AS risk_score, n.health AS health")
    got = pd.DataFrame(rows).set_index("id")
    for frame in python_analyses(eco):
        want = frame.set_index("id")
        for column in want.columns:
            stored = got.loc[want.index, column]
            assert stored.notna().all(), (name, column)
            if column == "community":
                assert stored.astype(int).tolist() == want[column].tolist(), name
            else:
                assert stored.astype(float).to_numpy() == pytest.approx(
                    want[column].to_numpy(float), rel=1e-12, abs=1e-12), (name, column)
        assert got[want.columns].notna().all(axis=1).sum() >= len(want)


def query_params(eco: Ecosystem, truth: dict) -> dict:
    """One value for every parameter the library declares, valid in ``eco``."""
    gap, audit = truth["coverage_gap"], truth["audit_discrepancy"]
    sells = eco.relationships[eco.relationships["type"] == "sells_to"].dropna(subset=["sku"])
    return {"limit": 10, "min_shared": 5, "region": gap["region"], "capability": gap["capability"],
            "supplier": truth["chokepoint_supplier"]["id"], "party": audit["party"],
            "sku": audit["sku"], "date": audit["date"], "partner": truth["broker_partner"]["id"],
            "from": "2025-01-01", "to": "2026-01-01", "community": 0,
            "customer": sells["target"].iat[0], "as_of": str(eco.reference_date.date())}


def canonical(frame: pd.DataFrame) -> list[tuple]:
    """The rows as sorted tuples: floats rounded to 9 digits, lists and dates as text."""
    def cell(v):
        if isinstance(v, float) and not math.isnan(v):
            return round(v, 9) + 0.0
        if isinstance(v, float):
            return "NaN"
        if isinstance(v, (list, tuple)):
            return repr(sorted(map(str, v)))
        return v if isinstance(v, (int, str, bool)) or v is None else str(v)

    return sorted((tuple(cell(v) for v in row) for row in frame.itertuples(index=False)), key=repr)


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_every_library_query_returns_the_embedded_stores_rows(on_neo4j, loaded, ecosystems, truths,
                                                               path):
    name, store = on_neo4j
    eco = ecosystems[name]
    embedded = loaded[name][0]
    text, meta = read_query(path)
    if meta.get("needs"):  # the same write-back on the embedded store (other tests overwrite it)
        for frame in python_analyses(eco):
            write_back(embedded, eco, frame)
    params = {k: v for k, v in query_params(eco, truths[name]).items() if f"${k}" in text}
    got, want = run_query(store, path, params), run_query(embedded, path, params)
    assert list(got.columns) == list(want.columns)
    assert len(want) > 0 or path.stem in {"balance_at"}, f"{path.stem} returns no rows on {name}"
    assert canonical(got) == canonical(want)


# The library tests of test_queries.py hold each query to its Python twin (or to the
# planted truth); the same assertions, run against Neo4j.
MIRRORED = [library_tests.test_single_sourced_inputs_is_the_bottleneck_analysis,
            library_tests.test_shared_customers_and_candidates,
            library_tests.test_top_brokers_are_the_co_sell_degree,
            library_tests.test_partner_scorecard_is_the_partner_kpis,
            library_tests.test_uncovered_customers_are_the_planted_gap,
            library_tests.test_supply_paths_agree_with_the_risk_analysis,
            library_tests.test_ledger_queries_are_the_ledger,
            library_tests.test_deal_and_customer_queries]


@pytest.mark.parametrize("check", MIRRORED, ids=lambda f: f.__name__.removeprefix("test_"))
def test_library_queries_on_neo4j_equal_the_python_analyses(on_neo4j, ecosystems, truths, check):
    name, store = on_neo4j
    arguments = {"loaded": {name: (store, None)}, "ecosystems": ecosystems, "truths": truths,
                 "bundle_name": name}
    check(**{k: arguments[k] for k in check.__code__.co_varnames[:check.__code__.co_argcount]})


def test_community_members_on_neo4j_are_the_written_back_communities(on_neo4j, ecosystems):
    name, store = on_neo4j
    scores = python_analyses(ecosystems[name])[0]
    for community in (0, 1):
        got = run_query(store, "community_members", {"community": community})
        members = scores[scores["community"] == community]
        assert set(got["party"]) == set(members["id"])
        assert got["pagerank"].tolist() == pytest.approx(
            members.sort_values(["pagerank", "id"], ascending=[False, True])["pagerank"].tolist())


# --- store errors in the CLI, on the real server --------------------------------------------


def test_a_wrong_password_is_one_line_exit_3(neo4j_env, run, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "not-" + neo4j_env["password"])
    for args in (["store", "list", "--store", "neo4j"],
                 ["query", "-e", "RETURN 1 AS one", "--store", "neo4j"]):
        result = run(*args)
        assert result.exit_code == 3, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "authentication failed" in lines[0], lines
        assert neo4j_env["password"] not in result.output and neo4j_env["uri"] in lines[0]


def test_a_cypher_syntax_error_is_one_line_exit_3(neo4j_env, run):
    result = run("query", "-e", "MATCH (n)\nRETURN n.id +\nLIMIT 1", "--store", "neo4j")
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Cypher syntax error" in lines[0], lines
    assert neo4j_env["password"] not in result.output
    ok = run("query", "-e", "RETURN 1 AS one", "--store", "neo4j", "--format", "json")
    assert ok.exit_code == 0 and ok.stdout.strip().replace(" ", "").replace("\n", "") == '[{"one":1}]'
