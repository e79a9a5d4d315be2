"""Exploring: a subset is a valid ecosystem every analysis accepts, similar partners and two partners
side by side, graph files that NetworkX reads back, and clear errors for wrong arguments."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import ecograph
from ecograph.analysis import coselling
from ecograph.analysis.physical_accounts import holdings
from ecograph.cli import main
from ecograph.errors import ParameterError
from ecograph.explore import compare_partners, similar_partners
from ecograph.export import export
from ecograph.pipeline import analyze


@pytest.fixture(scope="module")
def it(fixtures_dir):
    return ecograph.load_bundle(fixtures_dir / "it_ecosystem")


@pytest.mark.parametrize("region", ["APAC", "NA-West", "EMEA-North"])
def test_a_region_subset_keeps_its_parties_and_every_balance_and_runs_every_analysis(it, region):
    sub = it.subset(region=region)
    assert set(sub.customers["region"]) == {region}
    assert all(region in r for r in sub.partners["regions"])
    assert len(sub.suppliers) == len(it.suppliers) and len(sub.company) == 1
    kept = set(sub.parties["id"])
    assert set(sub.relationships["source"]) | set(sub.relationships["target"]) <= kept
    assert set(sub.deals["partner"]) | set(sub.deals["customer"]) <= kept
    # units crossing the border enter as supply or leave as dispose: every kept balance is unchanged
    whole = holdings(it).set_index(["id", "sku"])["units"]
    part = holdings(sub).set_index(["id", "sku"])["units"]
    assert (whole.reindex(part.index) == part).all()
    result = analyze(sub)
    assert (result.headline["partners"], result.headline["customers"]) == (len(sub.partners),
                                                                          len(sub.customers))
    assert ecograph.load_tables(sub.tables) == sub  # valid as a bundle


def test_segment_and_partner_subsets_and_a_tiny_one_all_analyse(it, fixtures_dir):
    seg = it.subset(segment="enterprise")
    assert set(seg.customers["segment"]) == {"enterprise"} and len(seg.partners) == len(it.partners)
    few = it.subset(partners=["P00023", "P00051"])
    assert sorted(few.partners["id"]) == ["P00023", "P00051"]
    assert few.source.endswith("[partners=P00023,P00051]")
    tiny = ecograph.load_bundle(fixtures_dir / "tiny")
    for sub in (few, tiny.subset(partners=["P1"]), tiny.subset(region="APAC")):
        assert analyze(sub).headline["segments"] >= 1  # under 3 partners: one segment, not an error


def test_a_subset_names_what_it_does_not_know(it):
    with pytest.raises(ParameterError, match="region must be one of .*got 'Mars'"):
        it.subset(region="Mars")
    with pytest.raises(ParameterError, match="unknown partner ids \\['P99999'\\]"):
        it.subset(partners=["P00023", "P99999"])
    with pytest.raises(ParameterError, match="list of partner ids"):
        it.subset(partners="P00023")


def test_similar_partners_ranks_the_planted_twin_first(fixtures_dir):
    tiny = ecograph.load_tables({**ecograph.load_bundle(fixtures_dir / "tiny").tables})
    partners = tiny.partners.copy()
    twin = partners.iloc[[0]].assign(id="P9", name="Apex Twin")  # same type, regions, capabilities
    eco = ecograph.load_tables({**tiny.tables, "partners": pd.concat([partners, twin], ignore_index=True)})
    table = similar_partners(eco, "P1")
    assert table["id"].iat[0] == "P9" and table["name"].iat[0] == "Apex Twin"
    assert table["capability_overlap"].iat[0] == 1.0 and table["region_overlap"].iat[0] == 1.0
    assert "P1" not in set(table["id"]) and table["similarity"].is_monotonic_decreasing


def test_compare_partners_puts_two_partners_side_by_side(it):
    table = compare_partners(it, "P00023", "P00051").set_index("measure")  # customers in common:
    # the same count the co-selling suggestions give as evidence
    names = it.parties.set_index("id")["name"]
    assert list(table.columns) == [f"{names['P00023']} (P00023)", f"{names['P00051']} (P00051)"]
    pair = coselling.suggest_pairings(it, top=None, include_existing=True)
    row = pair[(pair["a"] == "P00023") & (pair["b"] == "P00051")].iloc[0]
    assert table.loc["customers in common"].tolist() == [row["shared_customers"]] * 2
    tiers = it.partners.set_index("id").loc[["P00023", "P00051"], "tier"]
    assert table.loc["tier"].tolist() == tiers.tolist()
    assert not any(isinstance(v, float) and len(repr(v)) > 12 for v in table.to_numpy().ravel())  # rounded
    with pytest.raises(ParameterError, match="two different partners"):
        compare_partners(it, "P00023", "P00023")
    with pytest.raises(TypeError, match="partner id \\(str\\)"):
        compare_partners(it, "P00023", 51)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("view", ["full", "bipartite", "supply"])
def test_export_writes_files_networkx_reads_back_whole(it, tmp_path, fmt, view):
    path = export(it, tmp_path / f"g.{fmt}", view=view)
    if fmt == "graphml":
        G = nx.read_graphml(path)
    elif fmt == "gexf":
        G = nx.read_gexf(path)
    else:
        G = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    original = ecograph.view(it, view)
    assert (G.number_of_nodes(), G.number_of_edges()) == (original.number_of_nodes(),
                                                          original.number_of_edges())
    assert G.is_directed() == original.is_directed()
    p = it.partners.iloc[0]
    assert G.nodes[p["id"]]["name"] == p["name"]
    if view != "supply":
        assert G.nodes[p["id"]]["regions"] == ";".join(p["regions"])  # lists joined, one documented form


def test_export_command_writes_the_file_and_refuses_bad_places(fixtures_dir, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["export", str(fixtures_dir / "tiny"), "--view", "cosell", "--out",
                              str(tmp_path / "c.gexf")])
    assert ok.exit_code == 0, ok.output
    assert sorted(nx.read_gexf(tmp_path / "c.gexf")) == ["P1", "P2", "P3"]
    inside = runner.invoke(main, ["export", str(fixtures_dir / "tiny"), "--out",
                                  str(fixtures_dir / "tiny" / "g.graphml")])
    assert inside.exit_code == 2 and "inside the input bundle" in inside.output
    assert not (fixtures_dir / "tiny" / "g.graphml").exists()
    unknown = runner.invoke(main, ["export", str(fixtures_dir / "tiny"), "--out", str(tmp_path / "g.txt")])
    assert unknown.exit_code == 2 and "format must be one of" in unknown.output


def test_wrong_argument_types_get_a_message_that_says_what_was_wanted(it):
    with pytest.raises(ParameterError, match="expected a NetworkX graph; got Ecosystem .*ecograph.view"):
        coselling.link_scores(it)
    with pytest.raises(ParameterError, match="pass eco.movements"):
        ecograph.ledger.balances(it)
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):  # dates checked as in bundle files
        ecograph.ledger.balances(it.movements, as_of="01/02/2025")
    with pytest.raises(TypeError, match="eco must be an Ecosystem"):
        similar_partners(ecograph.view(it, "bipartite"), "P00023")


def test_list_cells_are_joined_with_the_bundle_separator_in_csv(it, tmp_path):
    from ecograph.outputs import write_tables

    write_tables(tmp_path, {"partners": it.partners}, formats=("csv", "parquet"))
    csv = pd.read_csv(tmp_path / "partners.csv")
    first = it.partners.iloc[0]
    assert csv.loc[0, "regions"] == ";".join(first["regions"]) and "(" not in csv.loc[0, "regions"]
    assert list(pd.read_parquet(tmp_path / "partners.parquet").loc[0, "regions"]) == list(first["regions"])
