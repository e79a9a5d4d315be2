"""Partner statements: each partner sees its own accounts, deals, suggestions and scorecard, and no
other partner's ids, names or customers (planted: a partner whose every neighbour is someone else's)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import ecograph
from ecograph.cli import main
from ecograph.errors import ParameterError
from ecograph.statements import MIN_TIER_PEERS, partner_statement, write_statements


@pytest.fixture(scope="module")
def written(fixtures_dir, tmp_path_factory):
    eco = ecograph.load_bundle(fixtures_dir / "it_ecosystem")
    return eco, write_statements(eco, tmp_path_factory.mktemp("statements"))


def _text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file())


def _allowed(eco, partner: str, folder: Path) -> tuple[set[str], set[str]]:
    """The partners and customers this partner may see: itself, the partners of its suggestions
    and of its own co-sold deals; the customers it sells to, registered deals at or moved units with."""
    cosell = pd.read_csv(folder / "cosell.csv")
    deals = eco.deals[eco.deals["partner"] == partner]
    partners = {partner, *cosell["partner"], *deals["cosell_partner"].dropna()}
    rel = eco.relationships
    moves = eco.movements
    customers = ({*rel.loc[(rel["source"] == partner) & (rel["type"] == "sells_to"), "target"],
                  *deals["customer"]}
                 | ({*moves.loc[moves["from_party"] == partner, "to_party"],
                     *moves.loc[moves["to_party"] == partner, "from_party"]} & set(eco.customers["id"])))
    return partners, customers


def test_no_statement_shows_another_partners_ids_names_or_customers(written):
    eco, out = written
    names = eco.parties.set_index("id")["name"]
    checked = 0
    for partner in eco.partners["id"]:
        folder = out / partner
        text = _text(folder)
        partners, customers = _allowed(eco, partner, folder)
        shown_names = " ".join(names[p] for p in partners | customers)
        for other in set(eco.partners["id"]) - partners:
            assert not re.search(rf"\b{other}\b", text), (partner, other)
            if names[other] not in shown_names:  # a name inside an allowed one is not a leak
                assert names[other] not in text, (partner, names[other])
        for customer in set(eco.customers["id"]) - customers:
            assert not re.search(rf"\b{customer}\b", text), (partner, customer)
            if names[customer] not in shown_names:
                assert names[customer] not in text, (partner, names[customer])
        assert len(set(eco.partners["id"]) - partners) > len(eco.partners) // 2  # the check bites
        for supplier in eco.suppliers["id"]:
            assert not re.search(rf"\b{supplier}\b", text), (partner, supplier)  # described, not named
        checked += 1
    assert checked == len(eco.partners) == len(pd.read_csv(out / "index.csv"))


def test_shared_accounts_are_counts_only(written):
    eco, out = written
    pairs = ecograph.analysis.coselling.suggest_pairings(eco, top=None)  # with account examples
    for row in pairs.head(10).itertuples():
        for side, other in ((row.a, row.b), (row.b, row.a)):
            cosell = pd.read_csv(out / side / "cosell.csv").set_index("partner")
            assert cosell.at[other, "shared_customers"] == row.shared_customers
            assert "example_accounts" not in cosell.columns


def test_a_statement_holds_the_partners_own_accounts_deals_and_scorecard(written, truths):
    eco, out = written
    audit = truths["it_ecosystem"]["audit_discrepancy"]
    s = partner_statement(eco, audit["party"])
    assert audit["audit"] in set(s.audits["audit"])
    assert (s.deals["id"].tolist() == eco.deals.loc[eco.deals["partner"] == audit["party"], "id"].tolist())
    held = ecograph.analysis.physical_accounts.holdings(eco)
    mine = held[held["id"] == audit["party"]].set_index("sku")["units"]
    assert s.balances.set_index("sku")["units"].to_dict() == mine.to_dict()
    moved = eco.movements[(eco.movements["from_party"] == audit["party"])
                          | (eco.movements["to_party"] == audit["party"])]
    assert sorted(s.movements["id"]) == sorted(moved["id"])
    from_partners = moved[moved["to_party"] == audit["party"]]["from_party"]
    others = set(from_partners) & set(eco.partners["id"])
    assert others and not any(p in " ".join(s.movements["counterparty"]) for p in others)
    assert "a distributor" in set(s.movements["counterparty"])  # described, not named
    page = (out / audit["party"] / "statement.html").read_text()
    assert page.startswith("<!doctype html>") and "http" not in page and "<script" not in page
    assert s.label in page and "Your scorecard against your tier" in page


def test_a_tier_median_is_withheld_when_it_would_reveal_a_partner(fixtures_dir):
    tiny = ecograph.load_bundle(fixtures_dir / "tiny")  # three partners, one per tier
    card = partner_statement(tiny, "P1").scorecard
    assert card["tier_median"].isna().all() and card["note"].str.contains(str(MIN_TIER_PEERS)).any()
    assert "too few for a rate" in card.set_index("measure").at["win_rate", "note"]


def test_statements_command_writes_the_partners_asked_for(fixtures_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["statements", str(fixtures_dir / "tiny"), "--out", str(tmp_path / "s"),
                                  "--partner", "P1", "--partner", "P2"])
    assert result.exit_code == 0, result.output
    assert "2 partner statements" in result.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if p.is_dir()) == ["P1", "P2"]
    bad = runner.invoke(main, ["statements", str(fixtures_dir / "tiny"), "--out", str(tmp_path / "t"),
                               "--partner", "P9"])
    assert bad.exit_code == 2 and "partner id" in bad.output
    with pytest.raises(ParameterError):
        partner_statement(ecograph.load_bundle(fixtures_dir / "tiny"), "C1")
