"""report.html at 1M relationships: its size, and the time headless Chromium takes to open it.

The 1M tables of benchmarks/run.py (``generate_tables(partners=5_000, customers=412_000,
seed=1)``) are analysed (``pipeline.analyze``) and written (``report.write_report``). Then:

1. the size of report.html (target < 20 MB), and what it is made of: the explorer's
   embedded data, the figures (PNG, base64), the rest;
2. the wall time of ``chromium --headless --dump-dom file://…/report.html`` with a fresh
   profile, median of ``--repeat`` runs (target < 5 s): the browser starts, reads and
   parses the page, runs its scripts (the explorer draws its opening view), fires the load
   event and prints the DOM. It includes Chromium's start-up, measured apart on an empty
   page, so the page's own cost is the difference;
3. when the explorer marked itself ready (``data-ready-ms``: milliseconds from the start of
   navigation to the end of its script, its opening view built in the page, read in the
   dumped DOM), which view it opened on, and that it recorded no JavaScript error.

    python benchmarks/report_open.py              # prints the section
    python benchmarks/report_open.py --append     # and appends it to RESULTS.md
    python benchmarks/run.py --report-only        # the same, as `make bench` runs it (appends)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from measure import publish

HERE = Path(__file__).resolve().parent
SIZE = {"partners": 5_000, "customers": 412_000, "seed": 1}
TARGET_MB, TARGET_S = 20.0, 5.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def open_in_chromium(page: Path) -> tuple[float, str]:
    """Seconds from launching headless Chromium on ``page`` to its DOM printed after the
    load event, and that DOM."""
    with tempfile.TemporaryDirectory() as profile:
        started = time.perf_counter()
        done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               "--disable-background-networking", "--disable-sync",
                               "--disable-component-update", f"--user-data-dir={profile}", "--dump-dom",
                               page.as_uri()], capture_output=True, text=True, timeout=300, check=True)
        return time.perf_counter() - started, done.stdout


def explorer_state(dom: str) -> dict[str, str]:
    """The ``data-*`` attributes of the explorer's root in a dumped DOM."""
    tag = re.search(r'<div id="explorer"([^>]*)>', dom)
    return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', tag.group(1))) if tag else {}


def parts_mb(page: str) -> dict[str, float]:
    """Megabytes of the page that are the explorer's data, the figures, and the rest."""
    data = sum(len(m) for m in re.findall(r"id='explorer-data'>(.*?)</script>", page, flags=re.S))
    figures = sum(len(m) for m in re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]*", page))
    whole = len(page.encode("utf-8"))
    return {"explorer data": data / 1e6, "figures": figures / 1e6, "rest": (whole - data - figures) / 1e6}


def section(repeat: int = 3) -> list[str]:
    """The RESULTS.md section (for benchmarks/run.py)."""
    from ecograph import Ecosystem, view
    from ecograph.pipeline import analyze
    from ecograph.report import write_report
    from ecograph.synth import generate_tables

    load = os.getloadavg()[0]  # other jobs on the machine slow every figure below
    eco = Ecosystem(generate_tables(**SIZE)[0])
    result = analyze(eco)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        path = write_report(eco, result, out)
        t_write = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        parts = parts_mb(path.read_text(encoding="utf-8"))
        print(f"report: {size_mb:.1f} MB written in {t_write:.1f} s", flush=True)
        G = view(eco, "bipartite")
        lines = ["", "## report.html at 1M relationships", "",
                 f"Run on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, load average {load:.1f} "
                 f"when it started{' (other jobs shared the machine)' if load > 1 else ''}. "
                 f"`write_report` of `analyze` on the 1M tables of this benchmark "
                 f"({result.headline['relationships']:,} relationships; partner–customer graph "
                 f"{G.number_of_nodes():,} parties): written in {t_write:.1f} s. Measured by "
                 "`benchmarks/report_open.py` (run by `make bench`): its size, and the wall time of "
                 "`chromium --headless --dump-dom` on it with a fresh profile — the browser starts, "
                 "parses the page, runs its scripts (the explorer draws its opening view), fires the "
                 "load event and prints the DOM — beside the same command on an empty page (the "
                 "browser's start-up alone). *Explorer ready* is the explorer's own mark "
                 "(`data-ready-ms`: from the start of navigation to the end of its script, its opening "
                 "view built in the page).", "",
                 "| measure | value | target | met |", "|---|---|---|---|",
                 f"| report.html size | {size_mb:.1f} MB (explorer data {parts['explorer data']:.1f} MB, "
                 f"figures {parts['figures']:.1f} MB, the rest {parts['rest']:.1f} MB) | "
                 f"< {TARGET_MB:.0f} MB | {'yes' if size_mb < TARGET_MB else '**no**'} |"]
        if CHROMIUM is None:
            print("report: Chromium not installed (.ci/browser.sh); its opening time is not measured")
            return lines + ["", "Chromium was not installed, so the opening time was not measured "
                            "(`.ci/browser.sh` installs it)."]
        empty = Path(out) / "empty.html"
        empty.write_text("<!doctype html><title>empty</title>")
        blank = statistics.median(open_in_chromium(empty)[0] for _ in range(repeat))
        runs = [open_in_chromium(path) for _ in range(repeat)]
    seconds = [s for s, _ in runs]
    states = [explorer_state(dom) for _, dom in runs]
    ready = statistics.median(float(s.get("data-ready-ms", "nan")) for s in states) / 1000
    errors = {s.get("data-errors", "no explorer") for s in states} - {""}
    t_open = statistics.median(seconds)
    print(f"report: Chromium opens it in {t_open:.2f} s (empty page {blank:.2f} s), explorer ready at "
          f"{ready:.2f} s, view {states[0].get('data-view')}", flush=True)
    return lines + [
        f"| Chromium opens it (median of {repeat}; slowest {max(seconds):.2f} s) | {t_open:.2f} s | "
        f"< {TARGET_S:.0f} s | {'yes' if t_open < TARGET_S else '**no**'} |",
        f"| the same on an empty page (start-up alone) | {blank:.2f} s | — | — |",
        f"| explorer ready, from the start of navigation | {ready:.2f} s | — | — |",
        "", f"The explorer opened on its `{states[0].get('data-view')}` view"
        + (f"; JavaScript errors: {'; '.join(sorted(errors))}." if errors else ", with no JavaScript error.")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="Chromium runs (median)")
    parser.add_argument("--append", action="store_true", help="append the section to RESULTS.md")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    publish(section(args.repeat), args.out, append=args.append)


if __name__ == "__main__":
    main()
