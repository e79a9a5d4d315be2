"""Neo4j at 1M relationships: the load rate, and `analyze` on both engines side by side.

The 1M bundle is the one benchmarks/run.py uses (``generate_tables(partners=5_000,
customers=412_000, seed=1)``), written once as Parquet. Measured in one run:

1. the first load of the bundle (target ≥ 40,000 relationships/s, beside the embedded
   store's figure in RESULTS.md) both ways: the offline import ``ecograph load --bulk``
   (``bulk_load``: files, server stop, ``neo4j-admin database import full``, server start,
   constraints and manifests; the admin command is ``$ECOGRAPH_NEO4J_ADMIN``, else
   ``.ci/neo4j/neo4j.sh admin`` for the local server) with a resync that reads every stored
   row's hash back (``verify=True``), then ``ecograph.store.load`` into the emptied database
   (transactional ``UNWIND`` batches) with a resync;
2. ``pipeline.analyze`` with ``engine="python"`` and with ``engine="neo4j"`` (network and
   community stages as GDS procedures), each in a fresh Python process that loads the
   bundle first: wall time per stage, and the Python process's memory — its resident size
   before ``analyze`` and the peak ``analyze`` adds (kernel high-water mark, reset first) —
   and the Neo4j server's resident memory.

Neo4j: ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE`` when set, else the
local test server of ``make neo4j-up`` (``$ECOGRAPH_NEO4J_CACHE/connection.json``, default
.cache/neo4j). The database is CLEARED. Start it with a heap of 4 GiB or more and a page
cache that holds the store (``ECOGRAPH_NEO4J_HEAP=6g ECOGRAPH_NEO4J_PAGECACHE=2g make neo4j-up``).

    python benchmarks/neo4j_pushdown.py              # prints the section
    python benchmarks/neo4j_pushdown.py --append     # and appends it to RESULTS.md
    python benchmarks/neo4j_pushdown.py --load-only  # the load rates only (no `analyze`)
    python benchmarks/neo4j_pushdown.py --bulk-only  # the offline import only
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import publish, status_mb

HERE = Path(__file__).resolve().parent
TARGET_RATE = 40_000
SIZE = {"partners": 5_000, "customers": 412_000, "seed": 1}
CACHE = Path(os.environ.get("ECOGRAPH_NEO4J_CACHE") or HERE.parent / ".cache" / "neo4j")


def connection() -> dict | None:
    """``NEO4J_*`` from the environment, else the local test server's connection file, else None."""
    if os.environ.get("NEO4J_URI"):
        return {"uri": os.environ["NEO4J_URI"], "user": os.environ.get("NEO4J_USER", "neo4j"),
                "password": os.environ.get("NEO4J_PASSWORD", ""),
                "database": os.environ.get("NEO4J_DATABASE", "neo4j"), "pid": None}
    path = CACHE / "connection.json"
    return json.loads(path.read_text()) if path.exists() else None


def section(batch_size: int = 10_000) -> list[str]:
    """The RESULTS.md section, or a line saying why it was skipped (for benchmarks/run.py)."""
    if connection() is None:
        print("neo4j: skipped (no NEO4J_URI and no `make neo4j-up` server)", flush=True)
        return []
    return run(batch_size)


def admin_command() -> list[str] | None:
    """What runs neo4j-admin offline: ``$ECOGRAPH_NEO4J_ADMIN``, else the local server's
    ``neo4j.sh admin`` (when the connection is the local server's), else None."""
    if os.environ.get("ECOGRAPH_NEO4J_ADMIN"):
        return shlex.split(os.environ["ECOGRAPH_NEO4J_ADMIN"])
    if os.environ.get("NEO4J_URI"):
        return None
    return ["env", f"ECOGRAPH_NEO4J_CACHE={CACHE}", str(HERE.parent / ".ci" / "neo4j" / "neo4j.sh"), "admin"]


def bulk_rows(eco, store, held: int) -> tuple[list[str], int]:
    """The offline import's rows of the load table, and the relationships imported
    (``held``: the relationships the database held before, which it replaces)."""
    from ecograph.store import load
    from ecograph.store.bulk import bulk_load

    admin = admin_command()
    if admin is None:
        return ["| offline import (`ecograph load --bulk`) | skipped: set ECOGRAPH_NEO4J_ADMIN | — | — |"], 0
    report = bulk_load(eco, store, admin=admin, replace=True)
    rate = report.relationships / report.seconds
    p = report.phases
    print(f"neo4j bulk {report.seconds:.1f} s ({rate:,.0f} relationships/s) {p}", flush=True)
    verified = load(eco, store, verify=True)
    after = store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return [f"| first load, offline import `ecograph load --bulk` (replacing a database of {held:,} "
            f"relationships; CSV files {p['files']:.1f} s, then server stop + `neo4j-admin database "
            f"import full` + server start {p['import']:.1f} s, then constraints and manifests "
            f"{p['finish']:.1f} s) | {report.seconds:.1f} | {rate:,.0f} | "
            f"{'yes' if rate >= TARGET_RATE else '**no**'} |",
            f"| resync after it, reading every stored row's hash back (`verify=True`; the database "
            f"holds {after:,} relationships) | {verified.seconds:.1f} | — (writes {verified.written}) | — |"
            ], report.relationships


def _env(conn: dict) -> dict:
    return {**os.environ, "NEO4J_URI": conn["uri"], "NEO4J_USER": conn["user"],
            "NEO4J_PASSWORD": conn["password"], "NEO4J_DATABASE": conn["database"]}


def child(engine: str, bundle: Path) -> None:
    """In a fresh process: load the bundle, then analyze it on ``engine``; print JSON."""
    from ecograph import load_bundle
    from ecograph.pipeline import analyze

    started = time.perf_counter()
    eco = load_bundle(bundle)
    loaded = time.perf_counter() - started
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_mb("VmRSS")
    started = time.perf_counter()
    result = analyze(eco, engine=engine)
    seconds = time.perf_counter() - started
    print(json.dumps({"engine": engine, "load_bundle": loaded, "analyze": seconds,
                      "rss_before": before, "peak_added": max(status_mb("VmHWM") - before, 0.0),
                      "peak_total": status_mb("VmHWM"), "stages": result.seconds,
                      "communities": result.headline["communities"],
                      "modularity": result.headline["modularity"],
                      "top_pagerank": result.tables["pagerank"]["id"].head(5).tolist(),
                      "top_betweenness": result.tables["betweenness"]["id"].head(5).tolist()}))


def _analyze(engine: str, bundle: Path, conn: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", engine, str(bundle)], env=_env(conn),
                         capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"analyze --engine {engine} failed:\n{out.stderr[-3000:]}")
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    facts["server_rss"] = status_mb("VmRSS", conn["pid"]) if conn.get("pid") else float("nan")
    print(f"{engine}: analyze {facts['analyze']:.1f} s, +{facts['peak_added']:,.0f} MB", flush=True)
    return facts


def run(batch_size: int, load_only: bool = False, bulk_only: bool = False) -> list[str]:
    from ecograph import Ecosystem
    from ecograph.store import Neo4jStore, load
    from ecograph.synth import generate_tables

    conn = connection()
    if conn is None:
        sys.exit(f"no Neo4j: set NEO4J_URI or run `make neo4j-up` (no {CACHE / 'connection.json'})")
    folder = Path(tempfile.mkdtemp(prefix="ecograph-bench-neo4j-"))
    eco = Ecosystem(generate_tables(**SIZE)[0])
    bundle = eco.to_bundle(folder / "bundle", format="parquet")
    store = Neo4jStore(conn["uri"], conn["user"], conn["password"], database=conn["database"])
    held = store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    bulk, imported = bulk_rows(eco, store, held)
    rows, loaded = list(bulk), 0
    if not bulk_only:
        started = time.perf_counter()
        store.clear()
        cleared = time.perf_counter() - started
        first = load(eco, store, batch_size=batch_size)
        rate = first.relationships / first.seconds
        print(f"neo4j load {first.seconds:.1f} s ({rate:,.0f} relationships/s)", flush=True)
        again = load(eco, store, batch_size=batch_size)
        loaded = first.relationships
        rows += [f"| first load, transactional (emptied database; clearing took {cleared:.1f} s, not "
                 f"counted; batches of {batch_size:,} rows) | {first.seconds:.1f} | {rate:,.0f} | "
                 f"{'yes' if rate >= TARGET_RATE else '**no**'} |",
                 f"| resync, nothing changed | {again.seconds:.1f} | — (writes {again.written}) | — |"]
    store.close()
    conn = connection() or conn  # the offline import restarted the server (a new pid)
    server_loaded = status_mb("VmRSS", conn["pid"]) if conn.get("pid") else float("nan")
    nodes = sum(len(t) for name, t in eco.tables.items()
                if name not in ("relationships", "deals", "movements")) + 1  # + the External node
    del eco
    runs = {} if load_only or bulk_only else {engine: _analyze(engine, bundle, conn)
                                              for engine in ("python", "neo4j")}
    lines = ["", "## Neo4j at 1M relationships: load rate, and `analyze` on both engines", "",
             "`python benchmarks/neo4j_pushdown.py` (one command; Neo4j 5.26 Community + GDS 2.13 of "
             "`make neo4j-up`, in-process launcher, "
             f"heap {os.environ.get('ECOGRAPH_NEO4J_HEAP', 'as started')}): the 1M bundle of "
             f"benchmarks/run.py ({imported or loaded:,} relationships, {nodes:,} "
             f"nodes), measured {time.strftime('%Y-%m-%d')} on the 2-core machine (load average "
             f"{os.getloadavg()[0]:.1f} at the end).", "",
             "| load into Neo4j | time (s) | relationships/s | target ≥ 40,000/s |", "|---|---|---|---|",
             *rows, "",
             "The embedded store's first load of the same bundle is in "
             "\"Store sync at 1M relationships\" above. Neo4j server resident memory after loading: "
             f"{server_loaded:,.0f} MB."]
    if load_only or bulk_only:
        return lines
    py, nj = runs["python"], runs["neo4j"]
    same = lambda key: "same" if py[key] == nj[key] else "differ"  # noqa: E731
    stage_names = list(py["stages"])
    lines += ["", "`pipeline.analyze` of the same bundle on each engine, each in a fresh Python process that "
              "first loads the bundle (`load_bundle`, not counted). *peak added* is the resident memory "
              "`analyze` adds to the Python process above what it held after loading the bundle.", "",
              "| engine | analyze (s) | " + " | ".join(stage_names) + " | Python RSS before (MB) | "
              "peak added (MB) | Python peak (MB) | Neo4j server RSS after (MB) |",
              "|---|---|" + "---|" * len(stage_names) + "---|---|---|---|"]
    for engine, f in runs.items():
        extra = f" (projection {f['stages']['projection']:.1f} of it)" if "projection" in f["stages"] else ""
        lines.append(f"| {engine} | {f['analyze']:.1f}{extra} | "
                     + " | ".join(f"{f['stages'].get(s, float('nan')):.1f}" for s in stage_names)
                     + f" | {f['rss_before']:,.0f} | {f['peak_added']:,.0f} | {f['peak_total']:,.0f} | "
                     f"{f['server_rss']:,.0f} |")
    lines += ["", f"Communities: {py['communities']} (python) and {nj['communities']} (neo4j), modularity "
              f"{py['modularity']} and {nj['modularity']}; top 5 by PageRank {same('top_pagerank')}, "
              f"top 5 by betweenness {same('top_betweenness')} (sampled on both engines, "
              "different pivots)."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--append", action="store_true", help="append the section to RESULTS.md")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--load-only", action="store_true",
                        help="measure the loads and resyncs only, not `analyze` on both engines")
    parser.add_argument("--bulk-only", action="store_true",
                        help="measure the offline import (and its verified resync) only")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "BUNDLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    started = time.perf_counter()
    lines = run(args.batch_size, load_only=args.load_only, bulk_only=args.bulk_only)
    publish(lines, args.out, append=args.append)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
