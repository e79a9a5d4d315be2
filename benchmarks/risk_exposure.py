"""The risk-exposure index for every shipping party at 1M relationships: time and peak memory.

Builds the 1M-relationship ecosystem of ``benchmarks/run.py`` (``ecograph.synth``, seed 1: 5,000
partners, 412,000 customers), then times :func:`ecograph.analysis.risk_exposure.risk_exposure`
from the tables (building the supply network, the LP data and the ledger balances included) for
a few ``exact`` settings: that many parties, the most dependent value first, are solved by the
linear programs; every other party gets the first-order bound (``exact`` False), an upper bound
of its loss. It also records how far the bound sits above the exact loss on the exactly solved
parties (the bound's slack), so the reader knows what a bound row means. Targets: ≤ 60 s and
≤ 4 GiB (issue #19).

    python benchmarks/risk_exposure.py                 # prints the section
    python benchmarks/risk_exposure.py --append        # and adds it to RESULTS.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from measure import publish
from run import SIZES, machine, measure

from ecograph.analysis import bottlenecks as bn
from ecograph.analysis import risk_exposure as rx
from ecograph.ecosystem import Ecosystem
from ecograph.synth import generate_tables

HERE = Path(__file__).resolve().parent
TARGET_S, TARGET_MB = 60.0, 4096.0


def _bound_slack(eco: Ecosystem, table) -> str:
    """Median and largest ratio of the first-order bound to the exact loss, over the exact rows
    that lose anything."""
    m = rx._model(eco, rx.DEFAULT_TTR, None)
    exact = table[table["exact"] & (table["lost_units"] > 0)]
    if exact.empty:
        return "no exact row loses anything"
    codes = m.net.parties.get_indexer(exact["id"])
    bound = bn._throughput(m.net, m.demand * m.weight)[codes] * exact["window_days"].to_numpy() / 365.0
    ratio = bound / (exact["lost_units"].to_numpy() * m.mean_weight)
    return f"bound / exact loss: median {np.median(ratio):.2f}, largest {ratio.max():.2f}"


def section(exacts: list[int]) -> list[str]:
    partners, customers = SIZES["1m"]
    tables = generate_tables(partners=partners, customers=customers, seed=1)[0]
    rows, notes = [], []
    for exact in exacts:
        eco = Ecosystem(tables)  # nothing built yet: the time includes the network and the ledger
        table, seconds, peak = measure(lambda e=eco, k=exact: rx.risk_exposure(e, exact=k))
        short = int(table["tts_lt_ttr"].sum())
        ok = "yes" if seconds <= TARGET_S and peak <= TARGET_MB else "**no**"
        rows.append(f"| {exact} | {len(table):,} | {int(table['exact'].sum()):,} | {short:,} | "
                    f"{seconds:.1f} | {peak:,.0f} | {ok} |")
        notes.append(f"exact={exact}: {_bound_slack(eco, table)}; top: "
                     f"{table['name'].iat[0]} (index {table['rei'].iat[0]:.0f}, "
                     f"{'exact' if table['exact'].iat[0] else 'bound'})")
        print(rows[-1], flush=True)
    rel = tables["relationships"]
    return ["", "## Risk exposure (TTR, TTS, index) at 1M relationships", "",
            f"{len(rel):,} relationships, {machine()}. `risk_exposure(eco, exact=k)`: every shipping "
            "party's row; the k with the most dependent value (first-order throughput × window) are "
            "solved by the LPs (loss rate, the undisrupted baseline when needed, the TTR window with "
            "inventory, TTS), the rest carry the first-order bound (an upper bound of the loss when "
            "the normal flows balance; `tts_days` NaN, `exact` False). Time from the tables, "
            "building the network, LP data and ledger balances included; peak = resident memory "
            f"added. Targets: ≤ {TARGET_S:.0f} s and ≤ {TARGET_MB / 1024:.0f} GiB.", "",
            "| exact | parties | solved exactly | TTS < TTR | time (s) | peak (MB) | within target |",
            "|---|---|---|---|---|---|---|", *rows, "", *[f"- {n}" for n in notes]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exact", default="8,16,32", help="comma-separated exact settings")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--append", action="store_true", help="add the section to --out")
    args = parser.parse_args()
    publish(section([int(k) for k in args.exact.split(",")]), args.out, append=args.append)


if __name__ == "__main__":
    main()
