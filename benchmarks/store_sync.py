"""Sync into the embedded store at 1M relationships: first load, resync, incremental change.

The 1M bundle is the one benchmarks/run.py uses (``generate_tables(partners=5_000,
customers=412_000, seed=1)``). Measured, in one fresh store:

1. the first load into an empty graph (target ≥ 40,000 relationships/s);
2. a resync of the same bundle, nothing changed (target ≤ 10 s; it must write nothing);
3. a sync after appending 1,000 movements and 1,000 deals and changing 100 partners
   (target ≤ 5 s);
4. the same change read from every row's hash instead of the manifest (``verify=True``),
   for comparison.

Compacting the store after a sync that wrote (``store.compact()``) is timed separately.

    python benchmarks/store_sync.py                 # prints the section
    python benchmarks/store_sync.py --append        # and appends it to RESULTS.md
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from measure import publish

from ecograph import Ecosystem
from ecograph.synth import generate_tables

HERE = Path(__file__).resolve().parent
TARGETS = {"first": 40_000, "resync": 10.0, "incremental": 5.0}


def changed(tables: dict[str, pd.DataFrame], *, moves: int = 1_000, deals: int = 1_000,
            partners: int = 100, seed: int = 7) -> dict[str, pd.DataFrame]:
    """``tables`` with ``moves`` movements and ``deals`` deals appended (copies of random rows
    under new ids) and ``partners`` partners renamed."""
    rng = np.random.default_rng(seed)
    out = dict(tables)
    for name, n, prefix in (("movements", moves, "MX"), ("deals", deals, "DX")):
        frame = tables[name]
        extra = frame.iloc[rng.choice(len(frame), n, replace=False)].copy()
        extra["id"] = [f"{prefix}{i:07d}" for i in range(n)]
        out[name] = pd.concat([frame, extra], ignore_index=True)
    p = tables["partners"].copy()
    pick = rng.choice(len(p), partners, replace=False)
    p.iloc[pick, p.columns.get_loc("name")] = p["name"].iloc[pick] + " (renamed)"
    out["partners"] = p
    return out


def run() -> list[str]:
    from ecograph.store import EmbeddedServer, EmbeddedStore, load

    tables = generate_tables(partners=5_000, customers=412_000, seed=1)[0]
    eco, eco2 = Ecosystem(tables), Ecosystem(changed(tables))
    directory = tempfile.mkdtemp(prefix="ecograph-bench-sync-")
    try:
        store = EmbeddedStore(directory, graph="bench")
        first = load(eco, store, batch_size=10_000)
        print(f"first load {first.seconds:.1f} s (+{first.compact_seconds:.1f} s compact)", flush=True)
        resync = load(eco, store, batch_size=10_000)
        print(f"resync {resync.seconds:.1f} s, {resync.written} writes", flush=True)
        inc = load(eco2, store, batch_size=10_000)
        print(f"incremental {inc.seconds:.1f} s, {inc.written} writes", flush=True)
        back = load(eco, store, batch_size=10_000, verify=True)
        print(f"back, reading every row {back.seconds:.1f} s, {back.written} writes", flush=True)
    finally:
        EmbeddedServer(directory).stop()
    rels = first.relationships
    rate = rels / first.seconds

    def ok(good: bool) -> str:
        return "yes" if good else "**no**"

    return ["", "## Store sync at 1M relationships", "",
            "`ecograph.store.load` (a sync: only the difference is written) of the 1M bundle "
            f"({rels:,} relationships, {sum(first.rows.values()) - rels:,} nodes) into the embedded "
            "store, batches of 10,000 rows (`python benchmarks/store_sync.py`). *state* says where "
            "the store's keys and hashes were read from: the manifest of the last complete sync, or "
            "every row's `_h`.", "",
            "| run | state | writes | time (s) | target | met |", "|---|---|---|---|---|---|",
            f"| first load (empty graph) | {first.state} | {first.written:,} | {first.seconds:.1f} "
            f"({rate:,.0f} relationships/s) | ≥ 40,000/s | {ok(rate >= TARGETS['first'])} |",
            f"| resync, nothing changed | {resync.state} | {resync.written:,} | {resync.seconds:.1f} "
            f"| ≤ 10 s | {ok(resync.seconds <= TARGETS['resync'])} |",
            f"| +1,000 movements, +1,000 deals, 100 partners changed | {inc.state} | {inc.written:,} | "
            f"{inc.seconds:.1f} | ≤ 5 s | {ok(inc.seconds <= TARGETS['incremental'])} |",
            f"| that change undone, reading every row (`verify=True`) | {back.state} | "
            f"{back.written:,} | {back.seconds:.1f} | — | — |", "",
            f"Compacting after the first load took {first.compact_seconds:.1f} s, after the "
            f"incremental sync {inc.compact_seconds:.1f} s (not included above)."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--append", action="store_true", help="append the section to RESULTS.md")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    lines = run()
    publish(lines, args.out, append=args.append)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
