"""The report's network explorer in a real browser (headless Chromium): it loads without a JavaScript
error, finds a party by name and draws it with its neighbours, and a planted error is caught."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ecograph import load_bundle
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
    assert root.get("data-found") == top["id"]
    status = re.search(r'<div class="status">([^<]*)', dom).group(1)
    assert f"showing {top['name']} and its neighbours" in status
    shot = tmp_path / "explorer.png"
    _browser("--window-size=1100,1400", f"--screenshot={shot}", f"{path.as_uri()}#search={top['id']}")
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


def test_a_javascript_error_is_caught_by_the_test(report, tmp_path):
    path, _ = report
    broken = tmp_path / "broken.html"
    broken.write_text(path.read_text().replace("redraw();\nvar m=", "redraw();nosuchfunction();\nvar m=", 1))
    root = _root(_browser("--dump-dom", broken.as_uri()))
    assert "nosuchfunction" in root.get("data-errors", "") and root.get("data-ready") != "1"


def test_two_inline_explorers_on_one_page_each_draw(fixtures_dir, tmp_path):
    from ecograph import view
    from ecograph.analysis import centrality, communities
    from ecograph.explorer import Explorer

    G = view(load_bundle(fixtures_dir / "tiny"), "bipartite")
    parts, ranks = communities.detect_communities(G), centrality.pagerank(G)
    page = tmp_path / "two.html"  # as a notebook shows them: two outputs in one document
    page.write_text("<!doctype html><html><body>" + Explorer(G, parts, ranks)._repr_html_()
                    + Explorer(G, parts, ranks)._repr_html_() + "</body></html>")
    dom = _browser("--dump-dom", page.as_uri())
    roots = re.findall(r'<div id="explorer-\w+" class="ecograph-explorer"([^>]*)>', dom)
    assert len(roots) == 2 and all('data-ready="1"' in r and 'data-errors=""' in r for r in roots)
