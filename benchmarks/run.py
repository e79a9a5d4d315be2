"""Speed and memory of ecograph's analytics at 10k, 100k and 1M relationships.

For each measure it times ecograph's call, the raw igraph kernel it wraps,
and NetworkX on the same graph, and records peak memory of ecograph's call.
NetworkX is skipped where a short probe extrapolates past the limit (10
minutes by default), and the table says so. Writes benchmarks/RESULTS.md.

    python benchmarks/run.py                      # all sizes (about 15 minutes)
    python benchmarks/run.py --sizes 10k --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np

from ecograph import Ecosystem
from ecograph.analysis import brokerage as br
from ecograph.analysis import centrality as ce
from ecograph.analysis import communities as cm
from ecograph.analysis import structure as st
from ecograph.synth import generate_tables

HERE = Path(__file__).resolve().parent
# customers per size: the generator makes about 2.4 relationships per customer
SIZES = {"10k": (100, 4_100), "100k": (1_000, 41_000), "1m": (5_000, 412_000)}
PIVOTS = 256
TARGETS_1M = {"pagerank": 2.0, "leiden": 10.0, "betweenness (k=256)": 30.0}


@dataclass
class Row:
    size: str
    measure: str
    graph: str
    ecograph: float
    kernel: float | None
    networkx: float | None
    networkx_note: str
    peak_mb: float


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb(fn) -> float:
    """Peak resident memory added by ``fn``: reset the kernel's high-water mark
    (``/proc/self/clear_refs``), call, and compare the new mark with the start."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_mb("VmRSS")
    fn()
    return max(_status_mb("VmHWM") - before, 0.0)


def measures(G: nx.Graph, C: nx.Graph, g: ig.Graph, cg: ig.Graph, size: str):
    """(name, graph, ecograph call, raw kernel, NetworkX call, NetworkX probe scale)."""
    n = g.vcount()
    pivots = np.random.default_rng(0).choice(n, size=min(PIVOTS, n), replace=False).tolist()
    out = [
        ("degree", "bipartite", lambda: ce.degree(G, weight="weight"),
         lambda: g.strength(weights="weight"), lambda: dict(G.degree(weight="weight")), None),
        ("pagerank", "bipartite", lambda: ce.pagerank(G), lambda: g.pagerank(weights="weight"),
         lambda: nx.pagerank(G), None),
        ("betweenness (k=256)", "bipartite", lambda: ce.betweenness(G, k=PIVOTS),
         lambda: g.betweenness(sources=pivots),
         # probe with 8 pivots, scale by 32
         lambda: nx.betweenness_centrality(G, k=min(8, n), seed=0), PIVOTS / 8),
        ("leiden", "bipartite", lambda: cm.detect_communities(G),
         lambda: g.community_leiden(objective_function="modularity", weights="weight",
                                    n_iterations=-1),
         lambda: nx.community.louvain_communities(G, weight="weight", seed=0), None),
        ("k-core", "bipartite", lambda: st.k_core(G), lambda: g.coreness(),
         lambda: nx.core_number(G), None),
        ("components", "bipartite", lambda: st.components(G), lambda: g.connected_components(),
         lambda: list(nx.connected_components(G)), None),
        ("articulation points", "bipartite", lambda: st.articulation_points(G),
         lambda: g.biconnected_components(return_articulation_points=True),
         lambda: list(nx.articulation_points(G)), None),
        ("bridges", "bipartite", lambda: st.bridges(G), lambda: g.bridges(),
         lambda: list(nx.bridges(G)), None),
        ("clustering", "bipartite", lambda: st.clustering(G),
         lambda: g.transitivity_local_undirected(mode="zero"), lambda: nx.clustering(G), None),
        ("brokerage", "co-sell", lambda: br.brokerage(C), None,
         lambda: (nx.constraint(C), nx.effective_size(C)), None),
        ("leiden", "co-sell", lambda: cm.detect_communities(C),
         lambda: cg.community_leiden(objective_function="modularity", weights="weight",
                                     n_iterations=-1),
         lambda: nx.community.louvain_communities(C, weight="weight", seed=0), None),
    ]
    if size == "10k":  # exact all-pairs measures are O(n·m): only the small size
        out += [
            ("closeness", "bipartite", lambda: ce.closeness(G), lambda: g.closeness(),
             lambda: nx.closeness_centrality(G), None),
            ("betweenness (exact)", "bipartite", lambda: ce.betweenness(G),
             lambda: g.betweenness(), lambda: nx.betweenness_centrality(G, k=8, seed=0), n / 8),
            ("two-step reach", "bipartite", lambda: ce.two_step_reach(G),
             lambda: g.neighborhood_size(order=2),
             lambda: [len(nx.single_source_shortest_path_length(G, v, cutoff=2)) for v in G],
             None),
        ]
    return out


class _TimeUp(Exception):
    pass


def _within(fn, limit: float) -> float | None:
    """Seconds ``fn`` took, or None if it was still running after ``limit`` seconds
    (NetworkX is pure Python, so the alarm interrupts it)."""
    def stop(*_):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, limit)
    t = time.perf_counter()
    try:
        fn()
        return time.perf_counter() - t
    except _TimeUp:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_size(size: str, repeat: int, nx_limit: float) -> tuple[list[Row], dict]:
    partners, customers = SIZES[size]
    t = time.perf_counter()
    tables, _ = generate_tables(partners=partners, customers=customers, seed=1)
    generated = time.perf_counter() - t
    eco = Ecosystem(tables)
    t = time.perf_counter()
    G, C = eco.view("bipartite"), eco.view("cosell")
    built = time.perf_counter() - t
    g, cg = eco.twin("bipartite"), eco.twin("cosell")
    facts = {"relationships": len(tables["relationships"]), "deals": len(tables["deals"]),
             "bipartite_nodes": G.number_of_nodes(), "bipartite_edges": G.number_of_edges(),
             "cosell_edges": C.number_of_edges(), "generate_s": generated, "views_s": built}
    rows = []
    heavy = size == "1m"
    for name, graph, ours, kernel, reference, probe in measures(G, C, g, cg, size):
        reps = 1 if heavy and "betweenness" in name else repeat
        ours(), kernel and kernel()  # warm caches (node attributes, weight checks)
        t_ours = _timed(ours, reps)
        t_kernel = _timed(kernel, reps) if kernel else None
        t_nx, note = None, ""
        elapsed = _within(reference, nx_limit)
        if elapsed is None:
            note = f"skipped: stopped after {nx_limit:,.0f} s"
        elif probe:
            estimate = elapsed * probe
            if estimate > nx_limit:
                note = f"skipped: ~{estimate:,.0f} s extrapolated from 8 pivots"
            else:
                t_nx, note = estimate, "extrapolated from 8 pivots"
        else:
            t_nx = elapsed
        rows.append(Row(size, name, graph, t_ours, t_kernel, t_nx, note, peak_mb(ours)))
        print(f"{size:5s} {name:22s} {graph:9s} ecograph {t_ours:8.3f}s  kernel "
              f"{t_kernel if t_kernel is not None else float('nan'):8.3f}s  networkx "
              f"{t_nx if t_nx is not None else float('nan'):9.3f}s {note}", flush=True)
    return rows, facts


def machine() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f
                    if line.startswith("model name")), platform.processor())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, "
            f"igraph {ig.__version__}, NetworkX {nx.__version__}, NumPy {np.__version__}")


def write(rows: list[Row], facts: dict[str, dict], out: Path) -> None:
    lines = ["# Benchmark results", "",
             f"Run by `make bench` (`benchmarks/run.py`) on {time.strftime('%Y-%m-%d')}: {machine()}.",
             "Times are medians of repeated runs (one run for betweenness at 1M); *kernel* is "
             "the raw igraph call the ecograph function wraps, on the same cached igraph twin; "
             "peak is the resident memory the ecograph call adds above what was resident "
             "before it (kernel high-water mark, reset before each call).", ""]
    for size, f in facts.items():
        lines.append(f"- **{size}**: {f['relationships']:,} relationships and {f['deals']:,} deals; "
                     f"partner–customer graph {f['bipartite_nodes']:,} nodes, "
                     f"{f['bipartite_edges']:,} edges; co-sell graph {f['cosell_edges']:,} edges. "
                     f"Generated in {f['generate_s']:.1f} s, views built in {f['views_s']:.1f} s.")
    lines += ["", "| size | measure | graph | ecograph (s) | kernel (s) | ecograph ÷ kernel | "
              "NetworkX (s) | NetworkX ÷ ecograph | peak (MB) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r.ecograph / r.kernel:.2f}" if r.kernel else "—"
        nxs = f"{r.networkx:,.3f}" if r.networkx is not None else "—"
        speed = f"{r.networkx / r.ecograph:,.0f}×" if r.networkx is not None else "—"
        note = f" ({r.networkx_note})" if r.networkx_note else ""
        lines.append(f"| {r.size} | {r.measure} | {r.graph} | {r.ecograph:.3f} | "
                     f"{r.kernel:.3f} | {ratio} | {nxs}{note} | {speed} | {r.peak_mb:,.0f} |"
                     if r.kernel else
                     f"| {r.size} | {r.measure} | {r.graph} | {r.ecograph:.3f} | — | — | "
                     f"{nxs}{note} | {speed} | {r.peak_mb:,.0f} |")
    big = [r for r in rows if r.size == "1m"]
    if big:
        lines += ["", "## Targets at 1M relationships", "",
                  "| measure | target | ecograph | met | within 1.5× of kernel |", "|---|---|---|---|---|"]
        for r in big:
            if r.graph != "bipartite":
                continue
            target = TARGETS_1M.get(r.measure)
            met = "—" if target is None else ("yes" if r.ecograph < target else "**no**")
            within = "—" if not r.kernel else ("yes" if r.ecograph <= 1.5 * r.kernel
                                                else f"**no** ({r.ecograph / r.kernel:.2f}×)")
            lines.append(f"| {r.measure} | {f'< {target:g} s' if target else '—'} | "
                         f"{r.ecograph:.2f} s | {met} | {within} |")
    out.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--networkx-limit", type=float, default=600.0,
                        help="skip NetworkX where it would take longer (seconds)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    rows, facts = [], {}
    for size in args.sizes.split(","):
        r, f = run_size(size, args.repeat, args.networkx_limit)
        rows += r
        facts[size] = f
    write(rows, facts, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
