"""The report's network explorer in a real browser (headless Chromium): it loads without a JavaScript
error, finds a party by name and draws it with its neighbours, and a planted error is caught; a large
ecosystem opens on its communities, a click on one shows its members, and search still finds them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from ecograph import Ecosystem, load_bundle, view
from ecograph.analysis import centrality, communities
from ecograph.explorer import explorer_html
from ecograph.pipeline import analyze
from ecograph.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
if CHROMIUM is None and IN_CI:  # `make test` installs it (.ci/browser.sh): on CI these tests must run
    pytest.fail("CI=true and no Chromium: run .ci/browser.sh", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (`.ci/browser.sh` installs "
                                "Debian's chromium; `make test` runs it)")


def _browser(*args: str) -> str:
    # a fresh profile, and none of Chromium's background calls home (refused on a closed network)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                               "--no-first-run", "--disable-background-networking", "--disable-sync",
                               "--disable-component-update", f"--user-data-dir={profile}",
                               "--virtual-time-budget=5000", *args], capture_output=True, text=True,
                              timeout=120)
    return done.stdout


@pytest.fixture(scope="module")
def report(fixtures_dir, tmp_path_factory) -> tuple[Path, object]:
    eco = load_bundle(fixtures_dir / "manufacturing")
    result = analyze(eco)
    return write_report(eco, result, tmp_path_factory.mktemp("browser")), result


def _root(dom: str) -> dict[str, str]:
    tag = re.search(r'<div id="explorer"([^>]*)>', dom)
    assert tag, "no explorer in the page"
    return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', tag.group(1)))


def test_the_explorer_loads_without_errors_and_finds_a_party_by_name(report, tmp_path):
    path, result = report
    top = result.tables["pagerank"].iloc[0]
    dom = _browser("--dump-dom", f"{path.as_uri()}#search={top['name'].replace(' ', '%20')}")
    root = _root(dom)
    assert root.get("data-ready") == "1" and root.get("data-errors") == ""
    assert root.get("data-view") == "top"  # a small ecosystem opens on every party
    assert root.get("data-found") == top["id"]
    status = re.search(r'<div class="status">([^<]*)', dom).group(1)
    assert f"showing {top['name']} and its neighbours" in status
    shot = tmp_path / "explorer.png"
    _browser("--window-size=1100,1400", f"--screenshot={shot}", f"{path.as_uri()}#search={top['id']}")
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


def test_a_javascript_error_is_caught_by_the_test(report, tmp_path):
    path, _ = report
    broken = tmp_path / "broken.html"
    broken.write_text(path.read_text().replace("render();\nvar m=", "render();nosuchfunction();\nvar m=", 1))
    root = _root(_browser("--dump-dom", broken.as_uri()))
    assert "nosuchfunction" in root.get("data-errors", "") and root.get("data-ready") != "1"


def test_two_inline_explorers_on_one_page_each_draw(fixtures_dir, tmp_path):
    from ecograph.explorer import Explorer

    G = view(load_bundle(fixtures_dir / "tiny"), "bipartite")
    parts, ranks = communities.detect_communities(G), centrality.pagerank(G)
    page = tmp_path / "two.html"  # as a notebook shows them: two outputs in one document
    page.write_text("<!doctype html><html><body>" + Explorer(G, parts, ranks)._repr_html_()
                    + Explorer(G, parts, ranks)._repr_html_() + "</body></html>")
    dom = _browser("--dump-dom", page.as_uri())
    roots = re.findall(r'<div id="explorer-\w+" class="ecograph-explorer"([^>]*)>', dom)
    assert len(roots) == 2 and all('data-ready="1"' in r and 'data-errors=""' in r for r in roots)


MEMBERS = 30  # shown per community when drilled into: fewer than the large ones have


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A generated ecosystem of 3,300 parties, its explorer alone in a page (opening on communities
    above 150 parties), and the truths to check it against: communities and PageRank."""
    from ecograph.synth import generate_tables

    G = view(Ecosystem(generate_tables(partners=300, customers=3_000, seed=1)[0]), "bipartite")
    parts, ranks = communities.detect_communities(G), centrality.pagerank(G)
    page = tmp_path_factory.mktemp("large") / "explorer.html"
    page.write_text("<!doctype html><html><body style='margin:0'>" + explorer_html(
        G, parts, ranks, max_nodes=150, max_members=MEMBERS) + "</body></html>")
    sizes = parts["community"].value_counts()
    return page, parts, ranks, sizes[sizes > 1]


def _circles(dom: str, attribute: str) -> list[tuple[str, str]]:
    """``(value of attribute, fill)`` of each circle drawn that has the attribute."""
    return [(re.search(rf'{attribute}="([^"]*)"', c).group(1), re.search(r'fill="([^"]*)"', c).group(1))
            for c in re.findall(r"<circle [^>]*>", dom) if f"{attribute}=" in c
            and 'style="display: none;"' not in c]


def _then(page: Path, out: Path, script: str) -> Path:
    """A copy of ``page`` that runs ``script`` once the explorer has drawn (a user's clicks)."""
    out.write_text(page.read_text().replace("</body>", f"<script>{script}</script></body>"))
    return out


def test_a_large_ecosystem_opens_on_one_circle_per_community_coloured_as_the_table(large, tmp_path):
    page, _, _, sizes = large
    dom = _browser("--dump-dom", page.as_uri())
    root = _root(dom)
    assert root.get("data-ready") == "1" and root.get("data-errors") == ""
    assert root.get("data-view") == "communities"
    drawn = _circles(dom, "data-community")
    assert sorted(int(c) for c, _ in drawn) == sorted(sizes.index)  # one circle per community of 2+
    tab10 = [to_hex(c) for c in plt.get_cmap("tab10").colors]  # the figure's colours, largest first
    assert dict(drawn) == {str(c): tab10[i] if i < 10 else "#bbbbbb" for i, c in enumerate(sizes.index)}
    status = re.search(r'<div class="status">([^<]*)', dom).group(1)
    assert f"all {len(sizes)} communities of two or more parties, of 3,300 parties" in status
    shot = tmp_path / "communities.png"  # a fixed window: the explorer is the page
    _browser("--window-size=1000,700", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 15_000  # drawn circles, not a blank page


def test_a_click_on_a_community_shows_its_most_central_partners_and_customers(large, tmp_path):
    page, parts, ranks, sizes = large
    big = sizes.index[0]
    clicked = _then(page, tmp_path / "clicked.html", f"""
        var root=document.getElementById('explorer');
        var circle=root.querySelector('circle[data-community="{big}"]');
        circle.dispatchEvent(new MouseEvent('click',{{bubbles:true}}));
        var first=root.querySelector('circle[data-id]');
        first.dispatchEvent(new MouseEvent('mousemove',{{bubbles:true,clientX:50,clientY:50}}));""")
    dom = _browser("--dump-dom", clicked.as_uri())
    root = _root(dom)
    assert root.get("data-errors") == "" and root.get("data-view") == "community"
    assert root.get("data-community") == str(big)
    members = ranks.merge(parts[["id", "community"]], on="id")
    members = members[members["community"] == big]
    drawn = {i for i, _ in _circles(dom, "data-id")}
    best = members.groupby("kind").head(MEMBERS // 2)  # the most central of each kind, in turn
    assert len(drawn) == MEMBERS and drawn == set(best["id"])
    status = re.search(r'<div class="status">([^<]*)', dom).group(1)
    assert f"community {big}: showing {MEMBERS} of {sizes[big]:,} members" in status
    card = re.search(r'<div class="card"[^>]*>(.*?)</div>', dom).group(1)
    first = members.set_index("id").loc[re.search(r'<circle [^>]*data-id="([^"]*)"', dom).group(1)]
    assert f"({first.name})" in card and first["name"] in card  # the hover card of the first member


def test_search_finds_a_member_drawn_only_inside_its_community(large, tmp_path):
    page, parts, ranks, sizes = large
    data = json.loads(re.search(r"id='explorer-data'>(.*?)</script>", page.read_text()).group(1))
    inside = [n for n in data["nodes"] if n["x"] is None and n["g"] is not None]  # not among the top 150
    assert inside, "every member embedded is also among the most central"
    target = inside[-1]
    assert target["id"] not in set(ranks["id"].head(150))
    dom = _browser("--dump-dom", f"{page.as_uri()}#search={target['name'].replace(' ', '%20')}")
    root = _root(dom)
    assert root.get("data-errors") == "" and root.get("data-found") == target["id"]
    community = parts.set_index("id").at[target["id"], "community"]
    assert root.get("data-view") == "community" and root.get("data-community") == str(community)
    assert f"showing {target['name']} and its neighbours" in dom
