"""The planted truth is really in the data: checked from the tables, not from the generator."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecograph import ledger, load_bundle, view
from ecograph.synth import generate_bundle


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "b"
    truth = generate_bundle(out, partners=150, customers=2000, seed=3, domain="manufacturing")
    return load_bundle(out), truth


@pytest.fixture(params=["it_ecosystem", "manufacturing", "generated"])
def case(request, ecosystems, truths, generated):
    if request.param == "generated":
        return generated
    return ecosystems[request.param], truths[request.param]


def test_chokepoint_is_the_only_supplier_of_its_sku_and_alone_upstream(case):
    eco, truth = case
    t = truth["chokepoint_supplier"]
    rel = eco.relationships
    # into the ecosystem, the SKU comes from one supplier (partners pass it on downstream)
    supplies = rel[(rel["type"] == "supplies") & rel["source"].isin(eco.suppliers["id"])]
    assert set(supplies.loc[supplies["sku"] == t["sku"], "source"]) == {t["id"]}
    for up in t["exclusive_upstream"]:
        assert set(rel.loc[rel["source"] == up, "target"]) == {t["id"]}
    sourced = eco.movements.query("kind == 'supply' and sku == @t['sku']")["from_party"]
    assert set(sourced) == {t["id"]}


def test_coverage_gap_has_demand_and_no_capable_partner(case):
    eco, truth = case
    g = truth["coverage_gap"]
    serving = eco.partners[eco.partners["regions"].map(lambda r: g["region"] in r)]
    assert len(serving) > 0
    held = serving["capabilities"].map(lambda c: g["capability"] in c) | \
        serving["certifications"].map(lambda c: g["capability"] in c)
    assert not held.any()
    cell = eco.customers.query("region == @g['region'] and segment == @g['segment']")
    asking = cell["needs"].map(lambda n: g["capability"] in n).sum()
    assert asking == g["customers_in_need"] >= 8
    # elsewhere the capability is on offer
    assert eco.partners["capabilities"].map(lambda c: g["capability"] in c).any()


def test_planted_pairs_share_many_customers_complement_and_never_cosold(case):
    eco, truth = case
    rel, deals = eco.relationships, eco.deals
    sold = rel[rel["type"] == "sells_to"].groupby("source")["target"].agg(set)
    co = rel[rel["type"] == "co_sells_with"]
    for pair in truth["complementary_pairs"]:
        a, b = pair["a"], pair["b"]
        shared = sold[a] & sold[b]
        assert len(shared) >= pair["shared_customers"] == 15
        caps_a = set(eco.partners.set_index("id").at[a, "capabilities"])
        caps_b = set(eco.partners.set_index("id").at[b, "capabilities"])
        assert caps_a and caps_b and not caps_a & caps_b
        needs = eco.customers.set_index("id").loc[sorted(shared), "needs"]
        both = [bool(set(n) & caps_a) and bool(set(n) & caps_b) for n in needs]
        assert sum(both) > len(both) / 2
        assert not (((co["source"] == a) & (co["target"] == b))
                    | ((co["source"] == b) & (co["target"] == a))).any()
        assert not (((deals["partner"] == a) & (deals["cosell_partner"] == b))
                    | ((deals["partner"] == b) & (deals["cosell_partner"] == a))).any()


def test_planted_pairs_overlap_more_than_a_typical_pair(case):
    eco, truth = case
    sold = eco.relationships.query("type == 'sells_to'").groupby("source")["target"].agg(set)
    rng = np.random.default_rng(0)
    ids = sold.index.to_numpy()
    typical = np.median([len(sold[a] & sold[b]) for a, b in rng.choice(ids, (200, 2))])
    assert typical < 5 <= 15


def test_mis_tiered_partner_is_platinum_with_the_least_revenue(case):
    eco, truth = case
    m = truth["mis_tiered_partner"]
    assert eco.partners.set_index("id").at[m["id"], "tier"] == "platinum"
    won = eco.deals.query("status == 'won'").groupby("partner")["amount"].sum()
    won = won.reindex(eco.partners["id"], fill_value=0.0)
    platinum = eco.partners.loc[eco.partners["tier"] == "platinum", "id"]
    assert won[m["id"]] == won[platinum].min()
    assert won[m["id"]] < won[platinum].median() / 5


def test_audit_discrepancy_differs_from_the_ledger_by_the_planted_amount(case):
    eco, truth = case
    d = truth["audit_discrepancy"]
    audit = eco.audits.set_index("id").loc[d["audit"]]
    held = ledger.balances(eco.movements, as_of=audit["date"]).set_index(["party", "sku"])["units"]
    assert held[(d["party"], d["sku"])] - audit["counted"] == -d["discrepancy"] == 2
    others = eco.audits[eco.audits["id"] != d["audit"]]
    joined = others.join(held, on=["party", "sku"])
    assert (joined["units"] == joined["counted"]).all()  # the only discrepancy is the planted one


def test_broker_serves_and_cosells_across_every_region(case):
    eco, truth = case
    b = truth["broker_partner"]["id"]
    regions = set(eco.customers["region"])
    assert set(eco.partners.set_index("id").at[b, "regions"]) == regions
    co = view(eco, "cosell")
    home = eco.parties.set_index("id")["region"]
    assert {home[n] for n in co.neighbors(b)} == regions


def test_partner_reach_is_heavy_tailed(generated):
    eco, _ = generated
    degree = eco.relationships.query("type == 'sells_to'").groupby("source").size()
    degree = degree.sort_values(ascending=False)
    top_fifth = degree.iloc[: len(degree) // 5].sum() / degree.sum()
    assert top_fifth > 0.5  # a fifth of the partners reach most customers
    assert degree.max() > 10 * degree.median()


def test_same_seed_gives_the_same_bundle_and_truth(tmp_path):
    a = generate_bundle(tmp_path / "a", partners=30, customers=150, seed=5)
    b = generate_bundle(tmp_path / "b", partners=30, customers=150, seed=5)
    assert a == b
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    assert json.loads((tmp_path / "a" / "truth.json").read_text())["seed"] == 5


def test_generator_refuses_sizes_too_small_to_plant_truth(tmp_path):
    with pytest.raises(ValueError, match="at least"):
        generate_bundle(tmp_path, partners=5, customers=10)


@pytest.mark.slow
def test_a_generated_bundle_and_its_truth_are_written_all_or_nothing(tmp_path, monkeypatch):
    from ..faults import every_step_is_all_or_nothing

    out = tmp_path / "b"
    generate_bundle(out, partners=20, customers=100, seed=1)  # an earlier bundle
    steps = every_step_is_all_or_nothing(
        monkeypatch, tmp_path, lambda: generate_bundle(out, partners=20, customers=100, seed=2))
    assert steps == len(list(out.glob("*.csv"))) + 3  # tables, truth.json, TRUTH.md, manifest
    assert json.loads((out / "truth.json").read_text())["seed"] == 2
