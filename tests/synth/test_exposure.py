"""The supply-risk truth of ``ecograph generate`` is in the data, and the risk-exposure analysis and
the flags classify each planted case right (and are fooled by none of the decoys)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecograph import flags, ledger, load_bundle
from ecograph.analysis.risk_exposure import disruption_impact, risk_exposure
from ecograph.ecosystem import Ecosystem
from ecograph.synth import generate_bundle
from ecograph.synth.exposure import BUFFER_DAYS
from ecograph.validate import validate_bundle


@pytest.fixture(scope="module")
def deep_chain(tmp_path_factory):
    """A generated bundle with two more chokepoints chained above the raw-material supplier and
    redundant distributor twins."""
    out = tmp_path_factory.mktemp("gen") / "b"
    truth = generate_bundle(out, partners=60, customers=400, seed=4, domain="manufacturing",
                            chokepoints=2, decoys=2)
    return load_bundle(out), truth, out


@pytest.fixture(params=["it_ecosystem", "manufacturing", "deep_chain"])
def case(request, ecosystems, truths, deep_chain):
    if request.param == "deep_chain":
        return deep_chain[0], deep_chain[1]
    return ecosystems[request.param], truths[request.param]


def _supplies(eco: Ecosystem) -> pd.DataFrame:
    rel = eco.relationships
    return rel[rel["type"] == "supplies"]


def test_generated_bundles_with_every_new_column_validate(deep_chain, fixtures_dir):
    for folder in (deep_chain[2], fixtures_dir / "manufacturing", fixtures_dir / "it_ecosystem"):
        result = validate_bundle(folder)
        assert result.ok, result.errors[:3]
    eco = deep_chain[0]
    assert {"capacity", "ttr_days"} <= set(eco.suppliers.columns)
    assert "capacity" in eco.relationships.columns and "unit_value" in eco.asset_classes.columns
    assert eco.asset_classes["unit_value"].notna().all() and len(eco.bom)


def test_bom_lines_are_the_catalogue_inputs_with_their_quantities(case):
    eco, _ = case
    inputs = {(a.sku, i) for a in eco.asset_classes.itertuples() for i in a.inputs}
    lines = set(zip(eco.bom["sku"], eco.bom["input"], strict=True))
    assert lines == inputs  # every input has its line, and no line is a stranger
    unit = eco.asset_classes.set_index("sku")["unit"]
    for r in eco.bom.itertuples():
        assert r.quantity == (12.0 if unit[r.input] == "kg" else 1.0)


def test_assembly_is_produce_lots_that_consume_their_bill_of_materials(mfg_eco):
    m = mfg_eco.movements
    assert not (m["note"] == "consumed in assembly").loc[m["kind"] == "dispose"].any()  # no vanishing
    made = m[m["kind"] == "produce"].set_index("lot")
    assert len(made) == 2 and made.index.is_unique
    used = m[m["kind"] == "consume"]
    qty = mfg_eco.bom.set_index(["sku", "input"])["quantity"]
    for lot, r in made.iterrows():
        mine = used[used["lot"] == lot]
        assert set(mine["date"]) == {r["date"]} and set(mine["from_party"]) == {r["to_party"]}
        for c in mine.itertuples():
            assert c.units == pytest.approx(r["units"] * qty[(r["sku"], c.sku)], rel=1e-12)
    assert ledger.overdrafts(m).empty


def test_the_deep_single_source_is_cheap_sole_and_slow(case):
    eco, truth = case
    t = truth["risk_exposure"]["deep_single_source"]
    sup, value = _supplies(eco), eco.asset_classes.set_index("sku")["unit_value"]
    mine = sup[sup["source"] == t["id"]]
    buyers = set(mine["target"])
    assert len(buyers) == 1  # one buyer, and nobody else sells it that SKU
    assert set(sup.loc[sup["target"].isin(buyers) & (sup["sku"] == t["sku"]), "source"]) == {t["id"]}
    assert eco.suppliers.set_index("id").at[t["id"], "supply_tier"] == 2
    spend = (sup["volume"] * sup["sku"].map(value)).groupby(sup["source"]).sum()
    tier1 = eco.suppliers.loc[eco.suppliers["supply_tier"] == 1, "id"]
    assert spend[t["id"]] == pytest.approx(t["annual_spend"])
    assert spend[t["id"]] < spend[tier1].min()  # paid less than any tier-1 supplier
    assert value[t["sku"]] == value.min()  # the cheapest SKU of the catalogue
    ttr = eco.suppliers.set_index("id")["ttr_days"]
    assert ttr[t["id"]] == t["ttr_days"] == ttr.max()


def test_the_redundant_supplier_alternative_can_carry_all_the_company_needs(case):
    eco, truth = case
    t = truth["risk_exposure"]["spare_capacity"]
    company = eco.company["id"].iat[0]
    sup = _supplies(eco)
    into = sup[(sup["target"] == company) & (sup["sku"] == t["sku"])].set_index("source")
    assert set(into.index) == {t["id"], t["alternative"]}
    # what the company needs, from the data: customer demand x bill of materials (or the SKU itself)
    sold = eco.relationships.query("type == 'sells_to'").groupby("sku")["volume"].sum()
    users = eco.bom[eco.bom["input"] == t["sku"]].set_index("sku")["quantity"]
    need = float((sold.reindex(users.index, fill_value=0) * users).sum()) if len(users) else sold[t["sku"]]
    assert need == t["company_need"]
    for a, b in [(t["id"], t["alternative"]), (t["alternative"], t["id"])]:
        assert into.at[a, "volume"] / into["volume"].sum() >= 0.25  # a large share each...
        assert into.at[b, "capacity"] >= need > into.at[b, "volume"]  # ...and the other has room for all
    for r in eco.bom[eco.bom["sku"] == t["sku"]].itertuples():  # and so has the alternative's own input
        feed = sup[(sup["target"] == t["alternative"]) & (sup["sku"] == r.input)]
        assert feed["capacity"].fillna(feed["volume"]).sum() >= need * r.quantity


def test_the_buffer_outlasts_its_suppliers_short_recovery(case):
    eco, truth = case
    t = truth["risk_exposure"]["buffer"]
    held = ledger.balances(eco.movements, as_of=truth["risk_exposure"]["as_of"])
    held = held.set_index(["party", "sku"])["units"]
    sup = _supplies(eco)
    for r in sup[sup["source"] == t["id"]].itertuples():
        days = held.get((r.target, r.sku), 0.0) * 365 / r.volume
        assert days >= t["days_of_cover"] - 1e-9 and t["days_of_cover"] >= 4 * t["ttr_days"]
    assert eco.suppliers.set_index("id").at[t["id"], "ttr_days"] == t["ttr_days"]


# --- the analysis and the flags classify each planted case ------------------------------------------


def _risk(eco: Ecosystem) -> pd.DataFrame:
    return risk_exposure(eco, exact=None).set_index("id")


def test_risk_exposure_ranks_the_deep_cheap_source_first_and_absorbs_the_rest(case):
    eco, truth = case
    t = truth["risk_exposure"]
    risk = _risk(eco)
    for party in t["tts_lt_ttr"]:  # customers go short before it recovers
        assert risk.at[party, "tts_lt_ttr"] and risk.at[party, "tts_days"] < risk.at[party, "ttr_days"]
        assert risk.at[party, "lost_units"] > 0 and risk.at[party, "value_at_risk"] > 0
    for party in t["survives"]:  # spare capacity or the buffer carry its buyers until it is back
        assert not risk.at[party, "tts_lt_ttr"] and risk.at[party, "lost_units"] == pytest.approx(0, abs=1e-6)
        assert risk.at[party, "rei"] == pytest.approx(0, abs=1e-6)
    # the lesson of the model: the cheapest, deepest single source is the riskiest node
    deep = t["deep_single_source"]["id"]
    assert risk.at[deep, "rei"] == 100.0 == risk["rei"].max()
    # a whole year down, and still nothing lost: only the alternative's spare capacity can do that
    spare = t["spare_capacity"]
    year = disruption_impact(eco, spare["id"], days=365)
    assert year.lost_units == pytest.approx(0, abs=1e-6) and year.tts_days == np.inf
    assert spare["alternative"] in set(year.absorbed["alternative"])


def _edited(eco: Ecosystem, **tables: pd.DataFrame) -> Ecosystem:
    return Ecosystem({**eco.tables, **tables})


def test_the_buffer_is_what_outlasts_the_short_recovery(mfg_eco, truths):
    t = truths["manufacturing"]["risk_exposure"]["buffer"]
    hit = disruption_impact(mfg_eco, t["id"])
    assert hit.lost_units == 0 and hit.tts_days >= t["ttr_days"]
    # decoy: the same ledger without the safety-stock lot survives for weeks less
    m = mfg_eco.movements
    bare = disruption_impact(_edited(mfg_eco, movements=m[m["note"] != "safety stock"]), t["id"])
    assert hit.tts_days - bare.tts_days >= BUFFER_DAYS
    # and a recovery longer than any stock lasts is a loss, buffer or not
    slow = disruption_impact(mfg_eco, t["id"], days=2 * hit.tts_days)
    assert slow.lost_units > 0 and slow.tts_days < 2 * hit.tts_days


def test_a_twin_without_spare_capacity_is_a_risk_and_is_flagged(mfg_eco, truths):
    t = truths["manufacturing"]["risk_exposure"]["spare_capacity"]
    slow = mfg_eco.suppliers.copy()
    slow.loc[slow["id"] == t["id"], "ttr_days"] = 365.0  # a year to recover
    planted = _edited(mfg_eco, suppliers=slow)
    rel = mfg_eco.relationships.copy()
    alt = (rel["source"] == t["alternative"]) & (rel["sku"] == t["sku"])
    rel.loc[alt, "capacity"] = rel.loc[alt, "volume"]  # decoy: the alternative has no room to spare
    decoy = _edited(planted, relationships=rel, suppliers=slow.assign(
        capacity=slow["capacity"].where(slow["id"] != t["alternative"])))
    assert not _risk(planted).at[t["id"], "tts_lt_ttr"]
    assert not flags.explain(planted, t["id"])["flagged"]
    risk = _risk(decoy)
    assert risk.at[t["id"], "tts_lt_ttr"] and risk.at[t["id"], "lost_units"] > 0
    why = flags.explain(decoy, t["id"])
    assert why["flagged"] and why["metrics"]["share_unmet"] == 0  # the headroom rule alone misses it
    assert [r["rule"] for r in why["rules"] if r["fired"]] == ["min_rei"]


@pytest.mark.parametrize("name", ["it_ecosystem", "manufacturing"])
def test_flags_fire_on_every_party_short_before_recovery_and_on_no_absorbed_one(ecosystems, truths, name):
    t = truths[name]["risk_exposure"]
    report = flags.flag_bottlenecks(ecosystems[name])
    flagged = {f["key"] for f in report["findings"] if f["kind"] == "bottleneck"}
    assert set(t["tts_lt_ttr"]) <= flagged
    assert not flagged & set(t["survives"])  # a large share, a single source: absorbed all the same
    for f in report["findings"]:
        if f["kind"] == "bottleneck":
            assert not f["metrics"]["absorbed"] and f["metrics"]["tts_days"] < f["metrics"]["ttr_days"]


def test_the_manufacturing_truth_shows_each_suppliers_measured_ttr_tts_index_and_value(mfg_eco, fixtures_dir):
    text = (fixtures_dir / "manufacturing" / "TRUTH.md").read_text(encoding="utf-8")
    measured = text.split("## Measured: risk exposure of every supplier")[1]
    rows = {cells[0]: cells for cells in ([c.strip() for c in line.strip("|").split("|")]
                                          for line in measured.splitlines() if line.startswith("| S"))}
    risk = risk_exposure(mfg_eco)
    suppliers = risk[risk["kind"] == "supplier"]
    assert set(rows) == set(suppliers["id"])  # current: `make fixtures` writes it from the analysis
    for r in suppliers.itertuples():
        tts = "never" if r.tts_days == np.inf else f"{r.tts_days:.1f}"
        assert rows[r.id][2:] == [f"{r.ttr_days:g}", tts, f"{r.rei:.1f}", f"{r.lost_units:,.1f}",
                                  f"{r.value_at_risk:,.0f}", "yes" if r.tts_lt_ttr else "no"]
