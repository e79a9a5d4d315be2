"""Precision and recall of `ecograph flag-bottlenecks`' default party flags against planted truth.

The truth is the generator's ``supply_truth``: every supplier labelled, by construction, a
chokepoint (its loss cannot be absorbed: the sole source of an input, or the only supplier of
one) or redundant (a decoy that carries a large share of an input its twin also ships, or a
supplier of raw material no product needs), and the distributors planted as twinned decoys
(``ecograph generate --chokepoints N --decoys M`` plants more of both). The fixtures were
generated with the seeds and sizes in their truth.json, so their labels are the generator's too.

Scored over the labelled suppliers: a flagged chokepoint is a true positive, a flagged
redundant supplier a false positive, an unflagged chokepoint a false negative. Flagged
downstream parties (distributors, partners: sole paths to their customers, which the generator
does not label) are counted beside, not scored. Both the defaults and the former defaults
(``min_risk = 50`` or ``min_share = 0.25``, before rerouting) are measured.

    python benchmarks/flag_precision.py            # prints the section
    python benchmarks/flag_precision.py --append   # and appends it to RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from ecograph import flags, load_bundle
from ecograph.synth import generate_bundle, generate_tables

ROOT = Path(__file__).resolve().parents[1]
#: The former defaults: a risk score of 50, or a quarter of demand at risk before rerouting.
FORMER = {"min_unmet": 2.0, "min_risk": 50.0, "min_share": 0.25}
#: Generated ecosystems: (domain, partners, customers, seed, planted chokepoints, planted decoys).
GENERATED = [("it", 60, 400, 1, 0, 0), ("it", 200, 2000, 2, 2, 3), ("manufacturing", 60, 400, 3, 1, 2),
             ("manufacturing", 200, 2000, 4, 3, 4), ("manufacturing", 500, 5000, 5, 2, 6),
             ("it", 500, 5000, 6, 3, 6)]


def score(bundle: Path, truth: dict, thresholds: dict) -> dict:
    """Precision, recall and counts of the party flags of ``bundle`` under ``thresholds``."""
    report = flags.flag_bottlenecks(load_bundle(bundle), thresholds=thresholds)
    flagged = {f["key"] for f in report["findings"] if f["kind"] == "bottleneck"}
    choke, redundant = set(truth["chokepoints"]), set(truth["redundant"])
    tp, fp, fn = len(flagged & choke), len(flagged & redundant), len(choke - flagged)
    return {"tp": tp, "fp": fp, "fn": fn, "downstream": len(flagged - choke - redundant),
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "false": sorted(flagged & redundant), "missed": sorted(choke - flagged)}


def cases(work: Path):
    """(name, bundle, supply truth) of the fixtures and the generated ecosystems."""
    for name in ("it_ecosystem", "manufacturing"):
        planted = json.loads((ROOT / "fixtures" / name / "truth.json").read_text())
        _, truth = generate_tables(partners=planted["partners"], customers=planted["customers"],
                                   seed=planted["seed"], domain=planted["domain"])
        yield f"fixtures/{name}", ROOT / "fixtures" / name, truth["supply_truth"]
    for domain, partners, customers, seed, chokepoints, decoys in GENERATED:
        out = work / f"{domain}-{partners}-{seed}"
        truth = generate_bundle(out, partners=partners, customers=customers, seed=seed, domain=domain,
                                chokepoints=chokepoints, decoys=decoys)
        yield (f"generated {domain}, {partners} partners, seed {seed}, +{chokepoints} chokepoints, "
               f"{decoys} decoys", out, truth["supply_truth"])


def section() -> str:
    rows, totals = [], {"default": [0, 0, 0], "former": [0, 0, 0]}
    with tempfile.TemporaryDirectory() as work:
        for name, bundle, truth in cases(Path(work)):
            now, before = score(bundle, truth, {}), score(bundle, truth, FORMER)
            for key, s in (("default", now), ("former", before)):
                totals[key] = [a + b for a, b in zip(totals[key], (s["tp"], s["fp"], s["fn"]), strict=True)]
            rows.append(f"| {name} | {len(truth['chokepoints'])} / {len(truth['redundant'])} | "
                        f"{now['precision']:.2f} | {now['recall']:.2f} | {now['downstream']} | "
                        f"{before['precision']:.2f} | {before['recall']:.2f} | "
                        f"{', '.join(before['false']) or '—'} |")
    total = {k: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
             for k, (tp, fp, fn) in totals.items()}
    d = flags.DEFAULTS
    return "\n".join([
        "## Precision of the default bottleneck flags",
        "",
        f"`python benchmarks/flag_precision.py`. Defaults: a party is flagged when its loss leaves "
        f"{d['min_unmet']:.0%} or more of all demand unmet after its buyers reroute to their other sources "
        f"(each able to ship {d['headroom']:.0%} more). Former defaults: risk score ≥ 50 or share of "
        "demand at risk (before rerouting) ≥ 0.25. Scored over the suppliers the generator labels "
        "and the distributors it twins (chokepoints / redundant decoys; `ecograph generate "
        "--chokepoints N --decoys M` plants more); flagged downstream parties it does not label (sole "
        "paths to their customers) are counted, not scored.",
        "",
        "| ecosystem | chokepoints / redundant | precision | recall | downstream flags | former precision "
        "| former recall | former false alarms |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        f"| **all** | | **{total['default'][0]:.2f}** | **{total['default'][1]:.2f}** | | "
        f"{total['former'][0]:.2f} | {total['former'][1]:.2f} | |",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--append", action="store_true", help="Append the section to RESULTS.md.")
    text = section()
    print(text)
    if parser.parse_args().append:
        with open(ROOT / "benchmarks" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
