"""The query library and ad-hoc Cypher: portable, checked against the engine itself, guarded,
and equal to the Python analyses they mirror on both fixtures.

Library queries with a Python twin, each tested against that function on the fixtures loaded
into the embedded store:

- ``single_sourced_inputs`` — ``analysis.bottlenecks.single_sourced``
- ``audit_discrepancies`` — ``ledger.reconcile``
- ``balance_at`` — ``ledger.balances``
- ``deployed_by_partner`` — ``analysis.physical_accounts.deployed``
- ``partner_scorecard`` — ``analysis.assessment.partner_kpis``
- ``top_brokers`` — ``analysis.centrality.degree`` on the co-sell view
- ``community_members`` — ``analysis.communities.detect_communities`` (after write-back)

The others (``shared_customers``, ``cosell_candidates``, ``uncovered_customers``,
``downstream_of_supplier``, ``suppliers_of_customer``, ``deals_by_status``,
``customers_by_region_segment``, ``partners_in_region``) have no Python function that answers
the same question; they are checked against the tables and the planted truths.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from ecograph import ledger, view
from ecograph.analysis import assessment, centrality, physical_accounts
from ecograph.analysis import bottlenecks as bn
from ecograph.errors import ParameterError
from ecograph.store import EmbeddedServer, EmbeddedStore
from ecograph.store.dialect import lint, lint_findings, writes
from ecograph.store.queries import (
    library,
    open_query,
    parameters,
    parse_params,
    prepare,
    read_query,
    run_query,
)


def test_the_library_is_documented_and_portable():
    queries = library()
    assert len(queries) >= 15
    for path in queries:
        text, meta = read_query(path)
        assert meta["purpose"] and "returns" in meta and "params" in meta, path.name
        assert lint(text) == [], path.name
        assert lint_findings(text, "neo4j") == [], path.name
        assert writes(text) == [], path.name
        declared = {w.strip(" ,()").split(" ")[0] for w in meta["params"].split("),")
                    if w.strip() and meta["params"] != "none"}
        assert declared == set(parameters(text)), f"{path.name}: header and $parameters differ"


def test_queries_that_need_write_back_say_so():
    for path in library():
        text, meta = read_query(path)
        reads = {p for p in ("community", "pagerank", "risk_score", "health", "betweenness")
                 if f".{p}" in text}
        if reads:
            assert meta.get("needs", "").startswith("write-back"), path.name
            assert reads <= {p.strip() for p in meta["needs"].split("(")[1].rstrip(")").split(",")}


def test_ad_hoc_text_is_read_only_unless_write_is_given():
    merge = open_query(text="MERGE (n:Partner {id: $id})")
    with pytest.raises(ParameterError, match=r"^-e: ad-hoc queries are read-only .*\(MERGE\); add --write"):
        prepare(merge, {"id": "X"})
    assert prepare(merge, {"id": "X"}, write=True) == ({"id": "X"}, [])


def test_typed_parameters():
    assert parse_params(["n:int=5", "x:float=2", "b:bool=false", "l:list=[1, \"a\"]", "s:str=5",
                         "party=NaN", "plain=5"]) == {
        "n": 5, "x": 2.0, "b": False, "l": [1, "a"], "s": "5", "party": "NaN", "plain": "5"}
    for bad, says in (["n:int=5.5", "whole number"], ["x:float=NaN", "finite"],
                      ["x:float=inf", "finite"], ["l:list={}", "JSON list"], ["l:list=[NaN]", "JSON list"],
                      ["b:bool=maybe", "true or false"], ["n:date=1", "unknown kind"],
                      ["n", "NAME=VALUE"], ["1x=2", "NAME=VALUE"]):
        with pytest.raises(ParameterError, match=says):
            parse_params([bad])


def test_plain_values_take_the_kind_the_header_declares():
    top = open_query("top_brokers")
    assert prepare(top, {"limit": "5"})[0] == {"limit": 5}
    with pytest.raises(ParameterError, match="limit must be a whole number"):
        prepare(top, {"limit": "5.5"})
    card = open_query("partner_scorecard")
    assert prepare(card, {"partner": "15"})[0] == {"partner": "15"}  # text stays text
    with pytest.raises(ParameterError, match="partner must be text"):
        prepare(card, {"partner": 15})


def test_a_missing_parameter_is_named():
    q = open_query(text="MATCH (p:Partner {id: $party}) WHERE p.tier = $tier RETURN p.id // $not_this")
    with pytest.raises(ParameterError, match=r"^-e: missing parameter party, tier \(give it with --param"):
        prepare(q, {})


# --- the command ----------------------------------------------------------------------------------


def _cli(*args, stdin: str | None = None):
    from ecograph.cli import main

    return CliRunner().invoke(main, ["query", *map(str, args)], input=stdin, catch_exceptions=False)


def test_inline_stdin_file_and_library_queries(loaded, store_dir, tmp_path):
    common = ["--store-dir", store_dir, "--graph", "it_ecosystem", "--format", "json"]
    inline = _cli("-e", "MATCH (p:Partner {id: $id}) RETURN p.id AS id, p.tier AS tier",
                  "--param", "id=P00006", *common)
    assert inline.exit_code == 0, inline.output
    assert [r["id"] for r in json.loads(inline.stdout)] == ["P00006"]
    piped = _cli("-", *common, stdin="MATCH (c:Customer) RETURN count(c) AS n\n")
    assert piped.exit_code == 0, piped.output
    customers = loaded["it_ecosystem"][0].run("MATCH (c:Customer) RETURN count(c) AS n")[0]["n"]
    assert json.loads(piped.stdout) == [{"n": customers}]
    typed = _cli("-e", "MATCH (p:Partner) RETURN p.id AS id ORDER BY id LIMIT $n", "--param", "n:int=2",
                 *common)
    assert len(json.loads(typed.stdout)) == 2
    text = _cli("-e", "RETURN $party AS party", "--param", "party=NaN", *common)
    assert text.exit_code == 0 and json.loads(text.stdout) == [{"party": "NaN"}]  # text, not a float
    library_run = _cli("top_brokers", "--param", "limit=2", *common)  # plain text → int per header
    assert library_run.exit_code == 0 and len(json.loads(library_run.stdout)) == 2
    script = tmp_path / "tag.cypher"
    script.write_text("// Tag one partner.\nMATCH (p:Partner {id: 'P00006'}) SET p.tagged = true "
                      "RETURN p.id AS id\n")
    refused = _cli(script, *common)
    assert refused.exit_code == 2 and "read-only" in refused.stderr and "(SET)" in refused.stderr
    assert not loaded["it_ecosystem"][0].run("MATCH (p {id: 'P00006'}) WHERE p.tagged RETURN p.id")
    allowed = _cli(script, "--write", *common)
    assert allowed.exit_code == 0, allowed.output
    assert loaded["it_ecosystem"][0].run("MATCH (p {id: 'P00006'}) WHERE p.tagged RETURN p.id AS id") \
        == [{"id": "P00006"}]
    loaded["it_ecosystem"][0].run("MATCH (p {id: 'P00006'}) REMOVE p.tagged")


@pytest.mark.parametrize("args,says", [
    (["-e", "MATCH (p:Partner {id: $party}) RETURN p.id"], "missing parameter party"),
    (["-e", "RETURN $x AS x", "--param", "x:float=NaN"], "must be a finite number"),
    (["-e", "MERGE (n:Partner {id: 'X'})"], "ad-hoc queries are read-only and this one writes (MERGE)"),
    (["-e", "RETURN date.truncate('month', date('2025-12-31')) AS d"], "date.truncate()"),
    (["-e", "MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) "
            "RETURN a.id, b.id, count(*)"], "count(*) row collapse"),
    (["-e", "RETURN 1 AS x", "top_brokers"], "not both"),
    ([], "give a QUERY"),
    (["-e", "// only a comment"], "-e: the query is empty"),
])
def test_bad_input_is_one_line_exit_2_before_any_store_starts(tmp_path, args, says):
    d = tmp_path / "store"
    result = _cli(*args, "--store-dir", d)
    assert result.exit_code == 2 and says in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not d.exists()  # no server was started


def test_no_lint_sends_it_and_an_engine_error_is_one_line_exit_3(loaded, store_dir):
    common = ["--store-dir", store_dir, "--graph", "it_ecosystem"]
    truncate = _cli("-e", "RETURN date.truncate('month', date('2025-12-31')) AS d", "--no-lint", *common)
    assert truncate.exit_code == 3 and truncate.stderr.strip().splitlines() == [
        "error: -e: embedded store: Unknown function 'date.truncate'"]
    syntax = _cli("-e", "MATCH (n)\nRETURN n.id +\nLIMIT 1", *common)
    assert syntax.exit_code == 3 and len(syntax.stderr.strip().splitlines()) == 1, syntax.output
    collapse = _cli("-e", "MATCH (a:Partner)-[:SELLS_TO]->(:Customer)<-[:SELLS_TO]-(b:Partner) "
                          "WHERE a.id = 'P00006' AND b.id = 'P00040' RETURN count(*) AS n",
                    "--no-lint", "--format", "json", *common)
    assert collapse.exit_code == 0 and json.loads(collapse.stdout) == [{"n": 1}]


def test_neo4j_only_constructs_are_warnings_for_neo4j(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    result = _cli("-e", "RETURN date.truncate('month', date('2025-12-31')) AS d", "--store", "neo4j")
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("warning: -e: date.truncate(): ")
    assert result.exit_code == 3 and "NEO4J_URI" in lines[-1]  # then the store, not the lint, stops it


def test_a_query_needing_write_back_warns_when_the_store_lacks_it(tmp_path):
    d = tmp_path / "store"
    try:
        bare = _cli("community_members", "--param", "community=0", "--store-dir", d, "--format", "csv")
        assert bare.exit_code == 0 and bare.stdout.strip() == "party,kind,pagerank"
        assert bare.stderr.strip().splitlines() == [
            "warning: community_members needs properties that `ecograph load BUNDLE --write-back` "
            "stores and this store lacks (community, pagerank); expect no rows"]
    finally:
        EmbeddedServer(d).stop()


# --- the library against the Python analyses ------------------------------------------------------


def _rel(eco, kind):
    rel = eco.relationships
    return rel[rel["type"] == kind]


def test_single_sourced_inputs_is_the_bottleneck_analysis(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    got = run_query(store, "single_sourced_inputs")
    want = bn.single_sourced(eco)
    assert len(got) == len(want) == {"it_ecosystem": 97, "manufacturing": 70}[bundle_name]
    key = ["buyer", "sku", "supplier"]
    merged = got.merge(want, on=key, how="outer", indicator=True, suffixes=("", "_py"))
    assert (merged["_merge"] == "both").all()
    assert merged["units"].astype(float).tolist() == pytest.approx(merged["units_py"].tolist())
    company = set(eco.company["id"])  # the company → distributor flows the query used to miss
    assert company & set(got["supplier"]) and company & set(want["supplier"])
    as_of = run_query(store, "single_sourced_inputs", {"as_of": str(eco.reference_date.date())})
    assert as_of.equals(got)  # every fixture relationship is in force on the last day


def test_single_sourced_inputs_as_of_leaves_out_ended_relationships(store_dir, ecosystems):
    import ecograph
    from ecograph.store import load

    eco = ecosystems["manufacturing"]
    rel = eco.relationships.copy()
    sup = rel[(rel["type"] == "supplies") & rel["sku"].notna()]
    two = sup[sup.groupby(["target", "sku"])["source"].transform("nunique") == 2]
    rel.loc[two.index[0], "end"] = pd.Timestamp("2025-06-30")  # one of two suppliers ended
    ended = ecograph.load_tables({**eco.tables, "relationships": rel})
    store = EmbeddedStore(store_dir, graph="ended_supply")
    store.clear()
    load(ended, store)
    want = bn.single_sourced(ended)
    def rows(f):
        return set(zip(f["buyer"], f["sku"], f["supplier"], f["units"].astype(float), strict=True))

    day = str(ended.reference_date.date())
    assert rows(run_query(store, "single_sourced_inputs", {"as_of": day})) == rows(want)
    assert len(run_query(store, "single_sourced_inputs")) == len(want) - 1  # the ended one counts
    assert (two.iloc[0]["target"], two.iloc[0]["sku"]) in set(zip(want["buyer"], want["sku"], strict=True))
    store.clear()


def test_shared_customers_and_candidates(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    sells = _rel(eco, "sells_to")
    sells = sells[sells["target"].isin(eco.customers["id"])][["source", "target"]]
    pairs = sells.merge(sells, on="target")
    pairs = pairs[pairs["source_x"] < pairs["source_y"]].drop_duplicates()
    shared = pairs.groupby(["source_x", "source_y"]).size().sort_values(ascending=False)
    got = run_query(store, "shared_customers", {"limit": 5})
    assert got["shared"].tolist() == shared.head(5).tolist()
    cand = run_query(store, "cosell_candidates", {"min_shared": 10, "limit": 50})
    planted = {frozenset((p["a"], p["b"])) for p in truths[bundle_name]["complementary_pairs"]}
    found = {frozenset((a, b)) for a, b in zip(cand["a"], cand["b"], strict=True)}
    assert planted <= found
    co = _rel(eco, "co_sells_with")
    cosold = {frozenset(p) for p in zip(co["source"], co["target"], strict=True)}
    assert not found & cosold


def test_top_brokers_are_the_co_sell_degree(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    degree = centrality.degree(view(eco, "cosell")).set_index("id")["degree"]
    got = run_query(store, "top_brokers", {"limit": 3})
    assert got["cosell_partners"].tolist() == degree[got["partner"]].astype(int).tolist()
    assert truths[bundle_name]["broker_partner"]["id"] in set(got["partner"])


def test_partner_scorecard_is_the_partner_kpis(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    kpis = assessment.partner_kpis(eco).set_index("id")
    for pid in list(kpis.index[:8]) + list(kpis.index[-4:]):
        card = run_query(store, "partner_scorecard", {"partner": pid}).iloc[0]
        row = kpis.loc[pid]
        assert (card["deals"], card["won"], card["customers"], card["cosell_partners"]) == \
            (row["deals"], row["won_deals"], row["customers"], row["cosell_partners"]), pid
        assert card["won_amount"] == pytest.approx(row["won_amount"])


def test_uncovered_customers_are_the_planted_gap(loaded, truths, bundle_name):
    store, _ = loaded[bundle_name]
    gap = truths[bundle_name]["coverage_gap"]
    got = run_query(store, "uncovered_customers", {"region": gap["region"],
                                                   "capability": gap["capability"]})
    assert (got["segment"] == gap["segment"]).sum() == gap["customers_in_need"]
    assert (got["certified_partners"] == 0).all()


def test_supply_paths_agree_with_the_risk_analysis(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    choke = truths[bundle_name]["chokepoint_supplier"]["id"]
    down = set(run_query(store, "downstream_of_supplier", {"supplier": choke})["party"])
    d = bn.dominators(eco)
    assert set(d.loc[d["dominator"] == choke, "customer"]) <= down
    seller = _rel(eco, "sells_to").dropna(subset=["sku"])["target"].iat[0]
    paths = run_query(store, "suppliers_of_customer", {"customer": seller})
    sells = _rel(eco, "sells_to")
    assert set(paths["seller"]) == set(sells.loc[sells["target"] == seller, "source"])


def test_ledger_queries_are_the_ledger(loaded, ecosystems, truths, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    planted = truths[bundle_name]["audit_discrepancy"]
    got = run_query(store, "audit_discrepancies")
    recon = ledger.reconcile(eco.movements, eco.audits)
    off = recon[recon["status"] != "ok"]
    assert set(got["audit"]) == set(off["audit"]) and got.at[0, "audit"] == planted["audit"]
    assert got.at[0, "discrepancy"] == planted["discrepancy"]
    bal = run_query(store, "balance_at", {"party": planted["party"], "sku": planted["sku"],
                                          "date": planted["date"]})
    assert bal.at[0, "balance"] == planted["ledger_units"]
    held = ledger.balances(eco.movements, as_of="2025-06-30")
    for r in held.sample(10, random_state=1).itertuples():
        got = run_query(store, "balance_at", {"party": r.party, "sku": r.sku, "date": "2025-06-30"})
        assert got.at[0, "balance"] == pytest.approx(r.units), (r.party, r.sku)
    dep = run_query(store, "deployed_by_partner").set_index(["partner", "sku"])["net"]
    py = physical_accounts.deployed(eco).rename(columns={"id": "partner"})
    py = py[py["kind"] == "partner"].set_index(["partner", "sku"])["net"]
    assert dep.sort_index().to_dict() == pytest.approx(py[py.index.isin(dep.index)]
                                                       .sort_index().to_dict())
    assert set(dep.index) == set(py.index)


def test_deal_and_customer_queries(loaded, ecosystems, bundle_name):
    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    d = eco.deals
    status = run_query(store, "deals_by_status", {"from": "2025-01-01", "to": "2025-07-01"})
    window = d[(d["registered"] >= "2025-01-01") & (d["registered"] < "2025-07-01")]
    assert status.set_index("status")["deals"].to_dict() == window.groupby("status").size().to_dict()
    grid = run_query(store, "customers_by_region_segment")
    c = eco.customers
    assert grid["customers"].sum() == (c["status"] == "customer").sum()
    assert grid["prospects"].sum() == (c["status"] == "prospect").sum()
    region = eco.partners["regions"].iat[0][0]
    inreg = run_query(store, "partners_in_region", {"region": region, "capability": "x"})
    assert set(inreg["partner"]) == set(eco.partners.loc[
        eco.partners["regions"].map(lambda r: region in r), "id"])


def test_community_members_after_write_back(loaded, ecosystems, bundle_name):
    from ecograph.analysis import communities
    from ecograph.store import write_back
    from ecograph.store.queries import missing_properties

    store, _ = loaded[bundle_name]
    eco = ecosystems[bundle_name]
    parts = communities.detect_communities(view(eco, "bipartite"), seed=0)
    write_back(store, eco, parts[["id", "community"]].assign(pagerank=0.5))
    assert missing_properties(store, open_query("community_members")) == []
    got = run_query(store, "community_members", {"community": 0})
    assert set(got["party"]) == set(parts.loc[parts["community"] == 0, "id"])
    assert isinstance(got, pd.DataFrame)


def test_help_shows_every_input_form(run):
    text = run("query", "--help").stdout
    for form in ("ecograph query top_brokers", "ecograph query queries/", "ecograph query -e",
                 "ecograph query - ", ":int=", "--write", "--no-lint", "--graph"):
        assert form in text, form


def test_a_store_with_several_graphs_asks_which(loaded, store_dir):
    result = _cli("-e", "RETURN 1 AS one", "--store-dir", store_dir)
    assert result.exit_code == 2 and "choose one with --graph" in result.stderr, result.output
    result = _cli("-e", "RETURN 1 AS one", "--store-dir", store_dir, "--graph", "no_such_graph")
    assert result.exit_code == 2 and "no graph 'no_such_graph' in the store" in result.stderr
