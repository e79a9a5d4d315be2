"""Bottleneck flags for scheduled jobs: thresholds in, findings out, new-or-worse against a baseline.

:func:`flag_bottlenecks` turns the supply-chain risk analysis into a list of
findings that cross thresholds; :func:`compare_to_baseline` keeps those that
are new or worse than a previous run's JSON. The JSON document
(:data:`SCHEMA`) is stable: fields are only ever added.

>>> from ecograph import load_bundle
>>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
>>> report["findings"][0]["key"], report["schema"]
('S0001', 'ecograph.flag-bottlenecks/1')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from .analysis import bottlenecks
from .errors import ParameterError

__all__ = ["flag_bottlenecks", "compare_to_baseline", "read_thresholds", "DEFAULTS", "SCHEMA",
           "FINDING_FIELDS"]

SCHEMA = "ecograph.flag-bottlenecks/1"
#: Default thresholds: a party is flagged at this risk score or share of demand at risk,
#: an input SKU when its supply HHI reaches ``max_hhi`` (10,000 = a single supplier).
DEFAULTS = {"min_risk": 50.0, "min_share": 0.25, "max_hhi": 10_000.0}
#: The fields of every finding, in order.
FINDING_FIELDS = ("kind", "key", "metric", "value", "threshold", "detail")


def read_thresholds(path: str | Path | None = None, **overrides) -> dict[str, float]:
    """Thresholds from :data:`DEFAULTS`, then a TOML file (``min_risk = 40``...),
    then explicit overrides (``None`` values ignored)."""
    values = dict(DEFAULTS)
    if path is not None:
        try:
            loaded = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ParameterError(f"cannot read thresholds from {path}: {exc}") from exc
        unknown = set(loaded) - set(DEFAULTS)
        if unknown:
            raise ParameterError(f"{path}: unknown thresholds {sorted(unknown)}; "
                                 f"known: {sorted(DEFAULTS)}")
        values.update({k: float(v) for k, v in loaded.items()})
    values.update({k: float(v) for k, v in overrides.items() if v is not None})
    return values


def flag_bottlenecks(eco, *, thresholds: dict[str, float] | None = None) -> dict:
    """The JSON-ready report: ``schema``, ``generated``, ``thresholds``,
    ``findings`` (worst first) and ``counts``."""
    t = {**DEFAULTS, **(thresholds or {})}
    table = bottlenecks.bottlenecks(eco)
    findings = []
    for r in table.itertuples(index=False):
        if r.risk_score >= t["min_risk"] or r.share_at_risk >= t["min_share"]:
            findings.append({"kind": "bottleneck", "key": r.party, "metric": "risk_score",
                             "value": round(float(r.risk_score), 3),
                             "threshold": t["min_risk"], "detail": r.why})
    hhi = bottlenecks.concentration(eco)
    hhi = hhi[(hhi["scope"] == "sku") & (hhi["hhi"] >= t["max_hhi"])]
    for r in hhi.itertuples(index=False):
        findings.append({"kind": "concentration", "key": r.key, "metric": "hhi",
                         "value": round(float(r.hhi), 1), "threshold": t["max_hhi"],
                         "detail": f"{r.suppliers} supplier(s) of {r.key}; top {r.top_supplier} "
                                   f"with {r.top_share:.0%}"})
    return {"schema": SCHEMA, "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "thresholds": t, "findings": findings,
            "counts": {"bottleneck": sum(f["kind"] == "bottleneck" for f in findings),
                       "concentration": sum(f["kind"] == "concentration" for f in findings)}}


def compare_to_baseline(report: dict, baseline: dict) -> dict:
    """``report`` keeping only findings that are new or worse (higher value)
    than in ``baseline``, with ``baseline_generated`` noted."""
    if baseline.get("schema") != SCHEMA:
        raise ParameterError(f"the baseline is not a {SCHEMA} document")
    before = {(f["kind"], f["key"]): f["value"] for f in baseline.get("findings", [])}
    kept = [f for f in report["findings"]
            if (f["kind"], f["key"]) not in before or f["value"] > before[(f["kind"], f["key"])]]
    return {**report, "findings": kept, "baseline_generated": baseline.get("generated"),
            "counts": {k: sum(f["kind"] == k for f in kept) for k in report["counts"]}}
