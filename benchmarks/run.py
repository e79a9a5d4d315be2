"""Speed and memory of ecograph's analytics at 10k, 100k and 1M relationships.

For each measure it times ecograph's call, the raw igraph kernel it wraps,
and NetworkX on the same graph, and records peak memory of ecograph's call.
NetworkX is skipped where a short probe extrapolates past the limit (10
minutes by default), and the table says so. Then co-selling at scale, supply
risk and the ledger at 1M, the embedded-store load, and the whole pipeline
(generate → validate → analyze → report) per size against the same graph
work in plain NetworkX (``networkx_pipeline.py``), report.html at 1M: its size and the
time headless Chromium takes to open it (``report_open.py``), and, when a Neo4j is up
(``make neo4j-up`` or ``NEO4J_URI``), the Neo4j load and ``analyze`` on both engines at 1M
(``neo4j_pushdown.py``). Writes benchmarks/RESULTS.md.

    python benchmarks/run.py                      # everything (about an hour)
    python benchmarks/run.py --sizes 10k --repeat 3 --no-cosell
    python benchmarks/run.py --sizes '' --no-cosell --no-risk --no-store --pipeline 10k --append
    python benchmarks/run.py --report-only        # report.html at 1M alone, appended to RESULTS.md
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import signal
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
from measure import status_mb
from networkx_pipeline import STAGES as NX_STAGES
from networkx_pipeline import stages as networkx_stages
from report_open import section as report_section

from ecograph import Ecosystem, load_bundle, twin, view
from ecograph.analysis import brokerage as br
from ecograph.analysis import centrality as ce
from ecograph.analysis import communities as cm
from ecograph.analysis import coselling as cs
from ecograph.analysis import structure as st
from ecograph.analysis.cosell_ranker import evaluate_pairings
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


def measure(fn, *args):
    """``(result, seconds, peak MB)`` of ``fn(*args)``: the peak is the resident memory it adds,
    read from the kernel's high-water mark after resetting it (``/proc/self/clear_refs``)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_mb("VmRSS")
    t = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - t
    return result, seconds, max(status_mb("VmHWM") - before, 0.0)


def peak_mb(fn) -> float:
    """Peak resident memory added by ``fn``."""
    return measure(fn)[2]


def _generated(size: str) -> dict:
    """The synthetic tables of one benchmark size (seed 1)."""
    partners, customers = SIZES[size]
    return generate_tables(partners=partners, customers=customers, seed=1)[0]


def _time_calls(label: str, calls: dict, repeat: int, *, once: tuple[str, ...] = ()) -> list:
    """``(name, median seconds, peak MB)`` per call; calls in ``once`` run one time."""
    rows = []
    for name, fn in calls.items():
        t = _timed(fn, 1 if name in once else repeat)
        peak = peak_mb(fn)
        print(f"{label} {name:55s} {t:8.3f}s {peak:8.0f} MB", flush=True)
        rows.append((name, t, peak))
    return rows


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
    tables, generated, _ = measure(_generated, size)
    eco = Ecosystem(tables)
    t = time.perf_counter()
    G, C = view(eco, "bipartite"), view(eco, "cosell")
    built = time.perf_counter() - t
    G.adj, C.adj  # noqa: B018 -- fill the NetworkX storage now, not inside NetworkX's first timing
    filled = time.perf_counter() - t - built
    g, cg = twin(G), twin(C)
    facts = {"relationships": len(tables["relationships"]), "deals": len(tables["deals"]),
             "bipartite_nodes": G.number_of_nodes(), "bipartite_edges": G.number_of_edges(),
             "cosell_edges": C.number_of_edges(), "generate_s": generated, "views_s": built,
             "filled_s": filled}
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


def write(rows: list[Row], facts: dict[str, dict], out: Path, extra: list[str]) -> None:
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
                     f"Generated in {f['generate_s']:.1f} s; views (twins and node tables) built in "
                     f"{f['views_s']:.1f} s, their NetworkX storage filled in {f['filled_s']:.1f} s.")
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
        lines += _notes(big)
    out.write_text("\n".join(lines + extra) + "\n")


def _notes(big: list[Row]) -> list[str]:
    """What misses its target at 1M, and why (written with the numbers)."""
    lines = ["", "### What is off, and why", ""]
    for r in big:
        if r.kernel and r.ecograph > 1.5 * r.kernel:
            lines.append(f"- **{r.measure}**: {r.ecograph / r.kernel:.2f}× its kernel, which "
                         f"takes only {r.kernel:.2f} s; turning its scores into the "
                         "417,000-row result frame (ids, kind, type, region, sorted best "
                         f"first) costs {r.ecograph - r.kernel:.2f} s, more than the kernel. "
                         "Every analysis that does real work is within 1.5×.")
    for r in big:
        if r.kernel and r.ecograph < r.kernel:
            lines.append(f"- **{r.measure}** runs faster than the bare igraph call "
                         f"({r.ecograph:.2f} s vs {r.kernel:.2f} s): ecograph reorders vertices "
                         "for cache locality (reverse Cuthill–McKee) before path kernels, or "
                         "skips igraph's Python-side result wrapping.")
    lines += ["- Peak memory is what a call adds above what the warm process already holds "
              "(the kernel's high-water mark is reset before each call), so a first call in a "
              "fresh process can need more; 0 means it fit in memory already resident.",
              "- Runs share the two cores with whatever else runs: another job on the second "
              "core (a test run, an editor) slows memory-bound kernels by 10–30%."]
    return lines


def cosell_section(repeat: int) -> list[str]:
    """All-pairs co-selling at 5,000 partners × 200,000 customers, and the ranker's
    temporal evaluation on the fixtures and generated bundles."""
    tables, _ = generate_tables(partners=5_000, customers=200_000, seed=1)
    eco = Ecosystem(tables)
    calls = {"account_mapping": lambda: cs.account_mapping(eco),
             "pair_features (all pairs, all evidence)": lambda: cs.pair_features(eco),
             "suggest_pairings (top 50, with why)": lambda: cs.suggest_pairings(eco, top=50)}
    pairs = len(cs.pair_features(eco))
    ties = int(cs._accounts(eco).any.nnz)
    lines = ["", "## Co-selling at scale", "",
             f"5,000 partners × 200,000 customers: {len(tables['relationships']):,} "
             f"relationships and {len(tables['deals']):,} deals, {ties:,} partner–account ties, "
             f"{pairs:,} overlapping partner pairs scored. Target: under 30 s and 4 GiB.", "",
             "| call | time (s) | peak (MB) | target met |", "|---|---|---|---|"]
    for name, t, peak in _time_calls("cosell", calls, repeat):
        ok = "yes" if t < 30 and peak < 4096 else "**no**"
        lines.append(f"| {name} | {t:.2f} | {peak:,.0f} | {ok} |")
    G = view(eco, "bipartite")
    found = cs.pair_features(eco).sample(20_000, random_state=0)
    ids = eco.partners["id"].to_numpy()
    rng = np.random.default_rng(0)
    anyp = rng.choice(len(ids), size=(20_000, 2))
    anyp = anyp[anyp[:, 0] != anyp[:, 1]]
    every = len(ids) * (len(ids) - 1) // 2
    t_found = _within(lambda: list(nx.adamic_adar_index(G, zip(found["a"], found["b"],
                                                               strict=True))), 600)
    t_any = _within(lambda: list(nx.adamic_adar_index(G, zip(ids[anyp[:, 0]], ids[anyp[:, 1]],
                                                             strict=True))), 600)
    ours = _timed(lambda: cs.link_scores(G), 1)
    if t_found is not None and t_any is not None:
        all_pairs = t_any / len(anyp) * every
        lines += ["", f"`link_scores` (all four scores for every overlapping pair, found by "
                  f"`B·Bᵀ`) takes {ours:.1f} s. NetworkX's `adamic_adar_index` must be told "
                  f"which pairs to score: over all {every:,} partner pairs it would take "
                  f"~{all_pairs:,.0f} s (extrapolated from 20,000 random pairs; "
                  f"~{all_pairs / ours:,.0f}× slower); given only the {pairs:,} overlapping "
                  f"pairs ecograph found, ~{t_found / 20_000 * pairs:.1f} s for that one score."]
    lines += ["", "## Co-selling ranker: temporal evaluation", "",
              "ROC-AUC on the test period of `temporal_split` (features as of the cut-off, "
              "labels = pairs winning a co-sold deal after it). *Best baseline* is the best "
              "topological score (common neighbours, Jaccard, Adamic–Adar, resource allocation "
              "and their community-aware variants).", "",
              "| bundle | test winners / pairs | ranker | ranker without pair history | "
              "heuristic | best baseline | ranker beats it | ranker P@10 | baseline P@10 |",
              "|---|---|---|---|---|---|---|---|---|"]
    bundles = {name: load_bundle(HERE.parent / "fixtures" / name)
               for name in ("it_ecosystem", "manufacturing")}
    for seed in (1, 2, 3):
        bundles[f"generated 120×1,500 seed {seed}"] = Ecosystem(
            generate_tables(partners=120, customers=1_500, seed=seed)[0])
    for name, bundle in bundles.items():
        evaluation = evaluate_pairings(bundle)
        r = evaluation.scores.set_index("method")
        base = r.loc[list(cs.SCORES)].sort_values("roc_auc", ascending=False)
        best = base.index[0]
        a = {**evaluation.split, "beats_best_baseline": evaluation.beats_best_baseline}
        lines.append(f"| {name} | {a['test_winners']} / {a['test_pairs']:,} | "
                     f"{r.at['ranker', 'roc_auc']:.3f} | "
                     f"{r.at['ranker_structure_only', 'roc_auc']:.3f} | "
                     f"{r.at['heuristic', 'roc_auc']:.3f} | {base.iat[0, 0]:.3f} ({best}) | "
                     f"{'yes' if a['beats_best_baseline'] else '**no**'} | "
                     f"{r.at['ranker', 'precision_at_10']:.2f} | "
                     f"{base.at[best, 'precision_at_10']:.2f} |")
        print(f"ranker {name}: {r.at['ranker', 'roc_auc']:.3f} vs {base.iat[0, 0]:.3f}", flush=True)
    return lines


def risk_section(repeat: int) -> list[str]:
    """Supply-chain risk and the physical-account ledger at 1M relationships."""
    from ecograph import ledger
    from ecograph.analysis import bottlenecks as bn
    from ecograph.analysis import risk_exposure as rx

    tables = _generated("1m")
    eco = Ecosystem(tables)
    flows = bn.supply_flows(eco)
    def fresh():  # the same tables, nothing built from them yet
        return Ecosystem(tables)

    calls = {
        "bottlenecks (every shipping party, 256 simulated exactly)":
            lambda: bn.bottlenecks(fresh()),
        "simulate (remove the chokepoint)": lambda: bn.simulate(fresh(), remove=["S0001"]),
        "simulate again (a what-if on the same ecosystem)":
            lambda: bn.simulate(eco, remove=["S0002"]),
        "dominators": lambda: bn.dominators(fresh()),
        "risk exposure (every shipping party, 32 LPs exact; benchmarks/risk_exposure.py)":
            lambda: rx.risk_exposure(fresh(), exact=32),
        "cascade (threshold 0.5)": lambda: bn.cascade(fresh(), ["S0002"]),
        "ledger balances (replay every movement)": lambda: ledger.balances(eco.movements),
        "ledger reconcile (every audit)": lambda: ledger.reconcile(eco.movements, eco.audits),
    }
    lines = ["", "## Supply-chain risk and ledger at 1M relationships", "",
             f"{len(tables['relationships']):,} relationships ({len(flows):,} unit flows), "
             f"{len(tables['movements']):,} movements, {len(tables['audits']):,} audits. "
             "Times include building the supply network from the tables, except for a "
             "what-if on an ecosystem that has built it already.", "",
             "| call | time (s) | peak (MB) |", "|---|---|---|"]
    slow = tuple(name for name in calls if name.startswith(("bottlenecks", "risk exposure")))
    lines += [f"| {name} | {t:.2f} | {peak:,.0f} |"
              for name, t, peak in _time_calls("risk", calls, repeat, once=slow)]
    return lines


def store_section(repeat: int) -> list[str]:
    """Loading 1M relationships into the embedded FalkorDB store (target ≥ 40k/s)."""
    import tempfile

    from ecograph.store import EmbeddedServer, EmbeddedStore, load

    eco = Ecosystem(_generated("1m"))
    directory = tempfile.mkdtemp(prefix="ecograph-bench-store-")
    try:
        store = EmbeddedStore(directory, graph="bench")
        report = load(eco, store, batch_size=10_000)
        again = load(eco, store, batch_size=10_000)
        rss = status_mb("VmRSS", store.server.pid)
    finally:
        EmbeddedServer(directory).stop()
    edges = report.relationships
    rate = edges / report.seconds
    print(f"store load {edges:,} relationships in {report.seconds:.1f} s ({rate:,.0f}/s)",
          flush=True)
    return ["", "## Embedded store load at 1M relationships", "",
            f"`ecograph.store.load` of the 1M bundle into the embedded FalkorDB server "
            f"(batches of 10,000 rows): {sum(report.rows.values()):,} nodes and "
            f"relationships, of which {edges:,} relationships (relationships, deals, "
            f"movements, audit counts).", "",
            "| run | time (s) | relationships/s | target ≥ 40,000/s |", "|---|---|---|---|",
            f"| first load | {report.seconds:.1f} | {rate:,.0f} | "
            f"{'yes' if rate >= 40_000 else '**no**'} |",
            f"| second load (nothing changed: writes nothing) | {again.seconds:.1f} | "
            f"{edges / again.seconds:,.0f} | — |", "",
            f"Server resident memory after loading: {rss:,.0f} MB."]


def _pipeline_once(size: str) -> tuple[dict[str, float], object, object]:
    """One run of the whole pipeline: seconds and peak MB per step (and per
    ``analyze`` stage), the loaded ecosystem and the analysis."""
    import tempfile

    from ecograph.pipeline import analyze
    from ecograph.report import write_report

    folder = Path(tempfile.mkdtemp(prefix=f"ecograph-bench-{size}-"))
    tables, t_gen, _ = measure(_generated, size)
    _, t_write, _ = measure(Ecosystem(tables).to_bundle, folder / "bundle")
    del tables
    eco, t_load, load_peak = measure(load_bundle, folder / "bundle")
    result, t_an, peak = measure(analyze, eco)
    _, t_rep, _ = measure(write_report, eco, result, folder / "out")
    facts = {"generate": t_gen, "write": t_write, "load": t_load, "load_peak": load_peak,
             "analyze": t_an, "peak": peak,
             "report": t_rep, **{f"stage {k}": v for k, v in result.seconds.items()}}
    return facts, eco, result


def pipeline_section(sizes: list[str], nx_limit: float, repeat: int) -> list[str]:
    """The whole pipeline per size, ``repeat`` times: generate → write CSV →
    validate and load → analyze → write the report, with the median time and
    the largest peak memory per step; then the same graph work in NetworkX."""

    speed = ["", "### Against the same analyses in NetworkX", "",
             "The graph work of each stage done the plain NetworkX way "
             "(`benchmarks/networkx_pipeline.py`: NetworkX graphs, `pagerank`, sampled "
             "`betweenness_centrality`, `constraint`/`effective_size`, `louvain_communities`, "
             "link-prediction scores, `immediate_dominators`, `maximum_flow`, reachability "
             "after each simulated removal, two-step reach), on the same ecosystem after "
             "`analyze`. Stages without graph work (coverage, physical accounts) are pandas in "
             "both and not repeated, so the NetworkX total leaves them out while ecograph's "
             "counts every stage. Each cell is NetworkX's time and how many times ecograph's "
             "time for the stage it is; a NetworkX stage stops at the time limit, and the total "
             "and ratio are then lower bounds. Target: ≥ 20× overall.", "",
             "| size | " + " | ".join(f"{s} (s)" for s in NX_STAGES) + " | NetworkX total (s) | "
             "ecograph `analyze` (s) | NetworkX ÷ ecograph | target met |",
             "|---|" + "---|" * (len(NX_STAGES) + 4)]
    lines = ["", "## Whole pipeline", "",
             "`generate` → `to_bundle` (CSV) → `load_bundle` (validate every row and rule) → "
             "`analyze` (every stage) → `write_report`, each size in a fresh process, run "
             f"{repeat} times: median times, and the largest peak (the resident memory a step "
             "adds). Target at 1M relationships: `analyze` ≤ 60 s and ≤ 4 GiB. How `analyze` "
             "was profiled and what changed: `docs/scaling.md`.", "",
             "| size | generate (s) | write CSV (s) | validate + load (s) | load peak (MB) | "
             "analyze (s) | analyze peak (MB) | report (s) | slowest analyze stages |",
             "|---|---|---|---|---|---|---|---|---|"]
    parts = []
    for size in sizes:  # each size in a fresh process, so its peaks start from nothing
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            parts.append(pool.submit(_pipeline_size, size, nx_limit, repeat).result())
    lines += [p["row"] for p in parts]
    lines += [line for p in parts for line in ["", p["verdict"]] if p["verdict"]]
    low = [p["low"] for p in parts if p["low"]]
    return lines + speed + [p["speed"] for p in parts] + ([""] + low if low else [])


def _pipeline_size(size: str, nx_limit: float, repeat: int) -> dict[str, str | None]:
    """The pipeline rows of one size: its ``row``, the NetworkX comparison
    (``speed``), and the notes on the targets (``verdict``, ``low``)."""
    runs = []
    for _ in range(repeat):
        facts, eco, result = _pipeline_once(size)
        runs.append(facts)
        print(f"pipeline {size}: load {facts['load']:.1f}s analyze {facts['analyze']:.1f}s "
              f"peak {facts['peak']:.0f} MB", flush=True)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    t_an, peak = med["analyze"], max(r["peak"] for r in runs)
    stages = {k[len("stage "):]: v for k, v in med.items() if k.startswith("stage ")}
    speed, ratio, graph_only = _against_networkx(size, eco, result.tables["bottlenecks"], stages,
                                                 t_an, nx_limit)
    low = verdict = None
    if ratio < 20:
        low = (f"- **{size}**: {ratio:,.0f}× against all of `analyze` ({t_an:.1f} s), "
               f"{graph_only:,.0f}× against its stages with graph work alone. At this "
               "size ecograph's time is mostly fixed pandas work that the NetworkX side "
               "leaves out (coverage, physical accounts, KPI tables, segments, the "
               "evidence behind each pairing), so the ratio measures that overhead more "
               "than the algorithms.")
    if size == "1m":
        verdict = (f"**At 1M relationships:** `analyze` took {t_an:.1f} s "
                   f"(target ≤ 60 s: {'met' if t_an <= 60 else '**not met**'}) with a peak of "
                   f"{peak:,.0f} MB (target ≤ 4 GiB: {'met' if peak <= 4096 else '**not met**'}).")
    slow = sorted(stages.items(), key=lambda kv: -kv[1])[:3]
    row = (f"| {size} | {med['generate']:.1f} | {med['write']:.1f} | {med['load']:.1f} | "
           f"{max(r['load_peak'] for r in runs):,.0f} | {t_an:.1f} | {peak:,.0f} | "
           f"{med['report']:.1f} | " + ", ".join(f"{k} {v:.1f} s" for k, v in slow) + " |")
    return {"row": row, "speed": speed, "low": low, "verdict": verdict}


def _against_networkx(size: str, eco, bottlenecks, stages: dict[str, float], t_analyze: float,
                      limit: float) -> tuple[str, float, float]:
    """A table row of NetworkX seconds per stage (each stopped at ``limit``), the
    ratio of the NetworkX total to all of ``analyze`` (``t_analyze``), and to its
    graph stages alone (``stages``: ecograph's seconds per stage)."""
    cells, total, bound = [], 0.0, False
    for stage, call in networkx_stages(eco, bottlenecks).items():
        rest: list[float] = []  # the seconds the call extrapolated
        took = _within(lambda call=call, rest=rest: rest.append(call()), limit)
        if took is None:
            took, bound = limit, True
            cells.append(f"stopped at {limit:,.0f} s")
        else:
            took += rest[0]
            note = " (extrapolated)" if rest[0] else ""
            cells.append(f"{took:,.1f}{note}, {took / max(stages[stage], 1e-9):,.0f}×")
        total += took
        print(f"networkx {size} {stage:12s} {took:8.1f}s", flush=True)
    ratio = total / t_analyze
    graph_only = total / sum(stages[stage] for stage in NX_STAGES)
    at_least = "≥ " if bound else ""
    row = (f"| {size} | " + " | ".join(cells) + f" | {at_least}{total:,.1f} | "
           f"{t_analyze:.1f} | {at_least}{ratio:,.0f}× | {'yes' if ratio >= 20 else '**no**'} |")
    return row, ratio, graph_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--networkx-limit", type=float, default=600.0,
                        help="skip NetworkX where it would take longer (seconds)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-cosell", dest="cosell", action="store_false",
                        help="skip the co-selling scale run and ranker evaluation")
    parser.add_argument("--no-risk", dest="risk", action="store_false",
                        help="skip the supply-chain risk and ledger run at 1M")
    parser.add_argument("--no-store", dest="store", action="store_false",
                        help="skip loading 1M relationships into the embedded store")
    parser.add_argument("--no-neo4j", dest="neo4j", action="store_false",
                        help="skip the Neo4j load and `analyze --engine neo4j` at 1M "
                             "(benchmarks/neo4j_pushdown.py; skipped anyway without a Neo4j)")
    parser.add_argument("--pipeline", default="10k,100k,1m",
                        help="sizes for the whole-pipeline section ('' to skip)")
    parser.add_argument("--no-report", dest="report", action="store_false",
                        help="skip report.html's size and Chromium's time to open it at 1M "
                             "(benchmarks/report_open.py)")
    parser.add_argument("--report-only", action="store_true",
                        help="run only that section, appended to --out")
    parser.add_argument("--append", action="store_true",
                        help="append the extra sections to --out instead of rewriting it "
                             "(use with --sizes '' to run only them)")
    args = parser.parse_args()
    if args.report_only:
        args.sizes, args.pipeline, args.append, args.report = "", "", True, True
        args.cosell = args.risk = args.store = args.neo4j = False
    rows, facts = [], {}
    for size in filter(None, args.sizes.split(",")):
        r, f = run_size(size, args.repeat, args.networkx_limit)
        rows += r
        facts[size] = f
    extra = cosell_section(args.repeat) if args.cosell else []
    extra += risk_section(args.repeat) if args.risk else []
    extra += store_section(args.repeat) if args.store else []
    extra += (pipeline_section(args.pipeline.split(","), args.networkx_limit, args.repeat)
              if args.pipeline else [])
    extra += report_section(args.repeat) if args.report else []
    if args.neo4j:
        from neo4j_pushdown import section as neo4j_section

        extra += neo4j_section()
    if args.append:  # add sections to an existing results file
        with open(args.out, "a") as f:
            f.write("\n".join(extra) + "\n")
    else:
        write(rows, facts, args.out, extra)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
