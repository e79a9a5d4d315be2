"""The report reads as a person needs it: names beside ids, a header and contents, figures that say
how to read them and are sorted by what they draw, natural plurals, and no conclusion from too little data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ecograph.analysis.assessment import recommend_tiers
from ecograph.pipeline import analyze
from ecograph.plots import plot_broker_scores, plot_brokers, plot_coverage_heatmap, plot_partner_health
from ecograph.report import MIN_PARTNERS, SECTIONS, findings, summary_lines, write_report

matplotlib.use("Agg")
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def reports(fixtures_dir, tmp_path_factory):
    from ecograph import load_bundle

    out = {}
    for name in ("tiny", "it_ecosystem"):
        eco = load_bundle(fixtures_dir / name)
        result = analyze(eco)
        path = write_report(eco, result, tmp_path_factory.mktemp(name),
                            generated=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
        out[name] = (eco, result, path.read_text())
    return out


def _section(page: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S).group(1)


def test_the_header_dates_the_data_and_the_run_and_names_bundle_and_version(reports):
    import importlib.metadata

    _, _, page = reports["it_ecosystem"]
    header = page.split("<header>")[1].split("</header>")[0]
    assert "Data as of 2025-12-31" in header  # the bundle's latest record
    assert "generated 2026-01-02 03:04 UTC" in header
    assert "<code>it_ecosystem</code>" in header
    assert f"ecograph {importlib.metadata.version('ecograph')}" in header


def test_contents_link_every_section_and_each_section_has_a_method_note_naming_a_real_doc(reports):
    _, _, page = reports["it_ecosystem"]
    nav = page.split("<nav>")[1].split("</nav>")[0]
    for anchor, title in SECTIONS:
        assert f'<a href="#{anchor}">{title}</a>' in nav
        section = _section(page, anchor)
        note = re.search(r"<b>Method:</b>.*?See <code>(docs/[\w.-]+\.md) § ([^<]+)</code>", section)
        assert note, f"{anchor} has no method note"
        doc = (DOCS.parent / note.group(1)).read_text()
        for heading in note.group(2).split(" and § "):
            assert re.search(rf"^#+ {re.escape(heading.strip())}", doc, flags=re.M), (anchor, heading)
        if "<img" in section:
            assert "<b>How to read:</b>" in section, anchor


def test_parties_are_named_with_their_ids_wherever_a_person_reads(reports, truths):
    eco, result, page = reports["it_ecosystem"]
    truth = truths["it_ecosystem"]
    said = findings(eco, result)
    names = eco.parties.set_index("id")["name"]
    mis = truth["mis_tiered_partner"]["id"]
    assert f"{names[mis]} ({mis})" in said["partners"]
    pair = result.tables["cosell_suggestions"].iloc[0]
    assert f"{names[pair['a']]} ({pair['a']}) + {names[pair['b']]} ({pair['b']})" in said["cosell"]
    audit = truth["audit_discrepancy"]
    assert f"at {names[audit['party']]} ({audit['party']})" in said["ledger"]
    for sentence in said.values():  # no bare id: every P/S/C id in a sentence is in brackets
        for party in re.findall(r"\b[PSC]\d{4,}\b", sentence):
            assert f"({party})" in sentence and f"{names[party]} ({party})" in sentence, sentence
    lines = "\n".join(summary_lines(eco, result))
    assert f"{names[mis]} ({mis})" in lines and "None" not in lines
    assert all(text in page for text in said.values() if "&" not in text and "'" not in text)


def test_counts_read_naturally_and_never_say_none(reports):
    for eco, result, _ in reports.values():
        text = " ".join(findings(eco, result).values())
        assert not re.search(r"\b1 (gaps|errors|partners|communities|fragile cells|audit discrepancies)\b",
                             text)
        assert not re.search(r"\b(0|[2-9]|\d\d+) (gap|discrepancy|audit discrepancy|partner)\b[^s(]", text)
        assert "None" not in text and "discrepancys" not in text


def test_community_count_leaves_out_parties_alone_and_reports_them_apart(reports):
    eco, result, _ = reports["it_ecosystem"]
    sizes = result.tables["community_profile"]["size"]
    said = findings(eco, result)["map"]
    assert f"form {int((sizes > 1).sum())} communities of two or more parties" in said
    assert f"{int((sizes == 1).sum())} parties with no tie to any group" in said
    assert result.headline["communities"] == len(sizes) > int((sizes > 1).sum())  # the JSON keeps every one


def test_sections_with_too_little_data_say_so_instead_of_concluding(reports):
    eco, result, page = reports["tiny"]
    assert len(eco.partners) < MIN_PARTNERS and result.headline["mis_tiered"]  # percentiles of 3 flag some
    said = findings(eco, result)
    assert "too few to rank tiers" in said["partners"] and "mis-tiered:" not in said["partners"]
    assert said["brokers"].startswith("Too little co-selling to name a broker")
    assert said["cosell"].startswith("No new pairing to suggest")
    assert "for reference" in _section(page, "partners")


def test_tier_table_shows_only_what_its_title_says(reports):
    _, result, page = reports["it_ecosystem"]
    section = _section(page, "partners")
    flagged = result.tables["tier_recommendations"].query("mis_tiered")
    assert f"Mis-tiered partners ({len(flagged)} of {result.headline['partners']})" in section
    assert section.count("<tr") == len(flagged) + 1  # header and the flagged rows only


def test_a_win_rate_on_a_handful_of_deals_is_shown_as_counts():
    kpis = pd.DataFrame({"id": [f"P{i}" for i in range(10)], "tier": ["platinum"] + ["registered"] * 9,
                         "won_amount": [0.0] + [100.0 * i for i in range(1, 10)],
                         "deals": [1] + [8] * 9, "won_deals": [1] + [3] * 9,
                         "win_rate": [2 / 3] + [0.4] * 9})
    evidence = recommend_tiers(kpis).set_index("id")["evidence"]
    assert evidence["P0"].endswith("1 won of 1 deal registered") and "%" not in evidence["P0"].split(";")[-1]
    assert evidence["P9"].endswith("3 won of 8 deals registered (smoothed win rate 40%)")


def test_brokers_chart_is_sorted_by_the_effective_size_it_draws():
    frame = pd.DataFrame({"id": list("abcd"), "name": list("ABCD"), "constraint": [0.1, 0.2, 0.3, 0.4],
                          "effective_size": [2.0, 9.0, 5.0, np.nan], "contacts": [3, 10, 6, 1]})
    _, ax = plot_brokers(frame)
    widths = [p.get_width() for p in ax.patches][::-1]  # top bar first
    assert widths == [9.0, 5.0, 2.0]
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == ["B (b)", "C (c)", "A (a)"]


def test_broker_score_chart_is_sorted_by_the_score_it_draws_and_leaves_out_zeros():
    frame = pd.DataFrame({"id": list("abcd"), "name": list("ABCD"), "score": [1.5, 4.0, 0.0, 2.5],
                          "communities_reached": [2.0, 5.0, 0.0, 3.0], "contacts": [3, 9, 0, 4],
                          "strong_contacts": [1, 6, 0, 4]})
    _, ax = plot_broker_scores(frame)
    assert [p.get_width() for p in ax.patches][::-1] == [4.0, 2.5, 1.5]  # top bar first
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == ["B (b)", "D (d)", "A (a)"]
    assert ax.get_xlabel().startswith("broker score") and "5.0 communities" in ax.texts[-1].get_text()


def test_health_chart_draws_zero_revenue_at_zero_with_a_legend_per_segment():
    health = pd.DataFrame({"id": ["a", "b", "c"], "health": [10.0, 50.0, 90.0]})
    segs = pd.DataFrame({"id": ["a", "b", "c"], "won_amount": [0.0, 500.0, 90_000.0], "segment": [1, 0, 0]})
    _, ax = plot_partner_health(health, segs, labels={0: "sellers", 1: "quiet"})
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert 0.0 in xs and ax.get_xscale() == "symlog" and ax.get_xlim()[0] == 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["segment 0: sellers (2)",
                                                                    "segment 1: quiet (1)"]


def test_coverage_heatmap_explains_its_score_and_leaves_cells_without_demand_blank():
    cells = pd.DataFrame({"region": ["N", "N", "S"], "segment": ["x", "x", "y"],
                          "gap_score": [0.5, 2.4, 1.2]})
    fig, ax = plot_coverage_heatmap(cells)
    assert sorted(t.get_text() for t in ax.texts) == ["1.2", "2.4", "–", "–"]  # worst of N × x; no demand
    colorbar = fig.axes[-1].get_ylabel()
    assert "no able partner" in colorbar and "covered" in colorbar
