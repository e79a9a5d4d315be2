"""Weak signals among confounders: ecograph against naive baselines, per difficulty and seed.

Ecosystems come from :func:`ecograph.synth.weak.generate_weak_tables` (170 partners, 1,200
customers by default), where the truths of three families are planted weakly among decoys:

- **co-selling** — hit = planted complementary pairs (of 4) among the top 10 new suggestions;
  false = rival (competitor) decoy pairs there. ecograph: ``suggest_pairings`` (expected joint
  value); before: the former heuristic (Adamic–Adar × complementarity × regions); naive: the
  common-customer count.
- **tier fit** — hit = planted mis-tiered partners (one over, one under) in the top 3 of their
  direction; false = flagged partners that were not planted. ecograph: ``tier_fit``; before and
  naive: the revenue-rank rule (``recommend_tiers``), which the two shared.
- **brokers** — the planted broker's rank (1 = best). ecograph: ``broker_scores``; before:
  Burt's constraint on the co-sell graph; naive: co-sell degree.

    python benchmarks/weak_signals.py                 # prints the section
    python benchmarks/weak_signals.py --append        # and puts it in RESULTS.md (its own section)
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ecograph.analysis import assessment, brokerage, cosell_ranker, coselling
from ecograph.analysis.tier_fit import tier_fit
from ecograph.ecosystem import Ecosystem
from ecograph.graphs import view
from ecograph.synth.weak import DIFFICULTIES, generate_weak_tables

ROOT = Path(__file__).resolve().parents[1]
#: Held-out seeds: the analyses' constants were set looking at seeds 11-13 only.
SEEDS = (21, 22, 23, 24, 25)
TOP = 10


def _pairs(frame: pd.DataFrame) -> list[frozenset]:
    return [frozenset(p) for p in zip(frame["a"], frame["b"], strict=True)]


def cosell(eco: Ecosystem, weak: dict) -> dict:
    """Planted complements and rival decoys in the top 10 of each method."""
    planted = {frozenset((p["a"], p["b"])) for p in weak["complementary_pairs"]}
    rivals = {frozenset((p["a"], p["b"])) for p in weak["rival_pairs"]}
    f = coselling.pair_features(eco)
    f = f[~f["cosells"]]
    ranked = {
        "ecograph": coselling.suggest_pairings(eco, top=TOP, counts_only=True),
        "before": f.assign(s=coselling.heuristic_score(f)).sort_values("s", ascending=False).head(TOP),
        "naive": f.sort_values("shared_customers", ascending=False, kind="stable").head(TOP),
    }
    out = {}
    for name, top in ranked.items():
        keys = set(_pairs(top))
        out[name] = (len(keys & planted), len(keys & rivals))
    return out


def tiers(eco: Ecosystem, weak: dict) -> dict:
    """Planted mis-tiered partners in the top 3 of their direction, and unplanted flags."""
    planted = {m["id"]: m["direction"] for m in weak["mis_tiered"]}
    kpis = assessment.partner_kpis(eco)
    results = {"naive": assessment.recommend_tiers(kpis), "ecograph": tier_fit(eco, kpis=kpis)}
    out = {}
    for name, r in results.items():
        flagged = r[r["mis_tiered"]]
        hits = 0
        for pid, direction in planted.items():
            side = flagged[flagged["direction"] == direction]["id"].tolist()
            hits += pid in side[:3]
        out[name] = (hits, int((~flagged["id"].isin(list(planted))).sum()))
    return out


def brokers(eco: Ecosystem, weak: dict) -> dict:
    """The planted broker's rank by each method."""
    b = weak["broker"]
    G = view(eco, "cosell")
    partners = set(eco.partners["id"])
    constraint = brokerage.brokerage(G)
    constraint = constraint[constraint["id"].isin(partners)]
    degree = pd.Series(dict(G.degree())).reindex(list(partners)).fillna(0).sort_values(ascending=False)
    out = {"before": int(np.flatnonzero(constraint["id"].to_numpy() == b)[0]) + 1,
           "naive": int((degree > degree[b]).sum()) + 1}
    s = brokerage.broker_scores(eco)
    out["ecograph"] = int(np.flatnonzero(s["id"].to_numpy() == b)[0]) + 1
    return out


COMPETITION = ("competition", "same_type", "head_to_head", "capability_overlap")


def learned(eco: Ecosystem) -> dict:
    """The supervised ranker's standardised coefficient and importance rank of the competition features."""
    split = cosell_ranker.temporal_split(eco)
    ranker = cosell_ranker.CosellRanker().fit(split.train, split.train_labels, split.train_activity)
    imp = ranker.importances()
    imp["place"] = np.arange(1, len(imp) + 1)
    imp = imp.set_index("feature")
    return {f: (float(imp.at[f, "coefficient"]), int(imp.at[f, "place"]), len(imp)) for f in COMPETITION}


IMPORTANCES: list[dict] = []


def run(seeds=SEEDS, partners: int = 170, customers: int = 1200) -> pd.DataFrame:
    """One row per difficulty, seed and method with every family's numbers."""
    rows = []
    IMPORTANCES.clear()
    for difficulty in DIFFICULTIES:
        for seed in seeds:
            tables, truth = generate_weak_tables(partners=partners, customers=customers, seed=seed,
                                                 difficulty=difficulty)
            eco = Ecosystem(tables)
            weak = truth["weak"]
            c, t, b = cosell(eco, weak), tiers(eco, weak), brokers(eco, weak)
            if difficulty == "hard":
                IMPORTANCES.append(learned(eco))
            for method in ("ecograph", "before", "naive"):
                rows.append({"difficulty": difficulty, "seed": seed, "method": method,
                             "complements_top10": c.get(method, (np.nan,))[0],
                             "rivals_top10": c.get(method, (np.nan, np.nan))[1],
                             "mis_tiered_top3": t.get(method if method != "before" else "naive",
                                                      (np.nan,))[0],
                             "unplanted_tier_flags": t.get(method if method != "before" else "naive",
                                                           (np.nan, np.nan))[1],
                             "broker_rank": b.get(method, np.nan)})
    return pd.DataFrame(rows)


def section(frame: pd.DataFrame, seeds=SEEDS) -> str:
    """The RESULTS.md section: means over seeds, per difficulty and method, and every run."""
    cols = ["complements_top10", "rivals_top10", "mis_tiered_top3", "unplanted_tier_flags", "broker_rank"]
    mean = frame.groupby(["difficulty", "method"], sort=False)[cols].mean().reset_index()
    worst = frame.groupby(["difficulty", "method"], sort=False).agg(
        complements_min=("complements_top10", "min"), rivals_max=("rivals_top10", "max"),
        tier_flags_max=("unplanted_tier_flags", "max"), broker_worst=("broker_rank", "max")).reset_index()
    table = mean.merge(worst, on=["difficulty", "method"])
    head = ("| difficulty | method | complements in top 10 (of 4; min) | rivals in top 10 (max) | "
            "mis-tiered in top 3 (of 2) | unplanted tier flags (max) | broker rank (worst) |\n"
            "|---|---|---|---|---|---|---|\n")

    def fmt(x):
        return "–" if pd.isna(x) else f"{x:.3g}"

    lines = [f"| {r.difficulty} | {r.method} | {fmt(r.complements_top10)} ({fmt(r.complements_min)}) | "
             f"{fmt(r.rivals_top10)} ({fmt(r.rivals_max)}) | {fmt(r.mis_tiered_top3)} | "
             f"{fmt(r.unplanted_tier_flags)} ({fmt(r.tier_flags_max)}) | {fmt(r.broker_rank)} "
             f"({fmt(r.broker_worst)}) |" for r in table.itertuples()]
    ranker = ""
    if IMPORTANCES:
        cells = [f"- `{f}`: {np.mean([x[f][0] for x in IMPORTANCES]):+.2f} "
                 f"(place {np.median([x[f][1] for x in IMPORTANCES]):.0f} of {IMPORTANCES[0][f][2]})"
                 for f in COMPETITION]
        ranker = ("\nThe supervised ranker (`CosellRanker.importances()`, trained on the temporal split at\n"
                  "`hard`; mean standardised coefficient, median place among its features):\n\n"
                  + "\n".join(cells)
                  + "\n\nThe generated sets hold rivals who co-sold anyway and lost every co-sold deal; a\n"
                  "negative `competition` coefficient means the ranker learned from the deal history that\n"
                  "rivals rarely win together. The rivals that never co-sold are kept out of suggestions by\n"
                  "the explicit competition score.\n")
    hard = frame[(frame["difficulty"] == "hard") & (frame["method"] == "ecograph")]
    both = int((hard["mis_tiered_top3"] == 2).sum())
    verdict = (f"\nTargets at `hard`, ecograph, {len(hard)} seeds: complements ≥ 3 and rivals ≤ 1 in the "
               f"top 10 in {int(((hard['complements_top10'] >= 3) & (hard['rivals_top10'] <= 1)).sum())}; "
               f"both mis-tiered partners in the top 3 in {both} (one of the two in the others); "
               f"≤ 10 unplanted tier flags in {int((hard['unplanted_tier_flags'] <= 10).sum())}; "
               f"broker in the top 3 in {int((hard['broker_rank'] <= 3).sum())}.\n")
    ranker = verdict + ranker
    return ("## Weak signals among confounders\n\n"
            "`python benchmarks/weak_signals.py` — ecosystems of 170 partners and 1,200 customers from\n"
            "`ecograph generate --difficulty` (`ecograph.synth.weak`), seeds "
            f"{', '.join(map(str, seeds))} (the analyses' constants were set looking at seeds 11–13 only);\n"
            "means over the seeds, worst run in brackets. *ecograph*: the\n"
            "current analyses (expected joint value, `tier_fit`, `broker_scores`); *before*: what they\n"
            "replaced (Adamic–Adar heuristic, revenue-rank tiers, Burt constraint); *naive*:\n"
            "common-customer count, revenue-rank tiers, co-sell degree. Targets at `hard`: ≥ 3 of 4\n"
            "complements and ≤ 1 rival in the top 10; both mis-tiered partners in the top 3 of their\n"
            "direction with ≤ 10 unplanted flags; the broker in the top 3.\n\n"
            + head + "\n".join(lines) + "\n" + ranker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--append", action="store_true", help="write the section into RESULTS.md")
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    args = parser.parse_args()
    frame = run(tuple(args.seeds))
    text = section(frame, tuple(args.seeds))
    print(frame.to_string(index=False))
    print(text)
    if args.append:
        path = ROOT / "benchmarks" / "RESULTS.md"
        old = path.read_text(encoding="utf-8")
        pattern = re.compile(r"## Weak signals among confounders\n.*?(?=\n## |\Z)", re.S)
        new = pattern.sub(lambda _: text.rstrip("\n") + "\n", old) if pattern.search(old) else \
            old.rstrip("\n") + "\n\n" + text
        path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
