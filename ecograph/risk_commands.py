"""``ecograph risk``: supply-chain risk exposure (time to recover, time to survive, value at risk,
the Risk Exposure Index) beside the bottleneck ranking and what-ifs.

The main group (:mod:`ecograph.cli`) registers it and maps its errors to exit codes.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
import numpy as np
import pandas as pd

from . import pipeline
from .analysis import risk_exposure as rx
from .console import bundle_command, err, format_option, show, write
from .ecosystem import Ecosystem

__all__ = ["risk_cmd"]

_COLUMNS = ["id", "name", "kind", "ttr_days", "tts_days", "lost_units", "value_at_risk", "rei",
            "tts_lt_ttr", "lost_by_sku", "absorbed_by"]


def _cuts(ctx, param, values: tuple[str, ...]) -> tuple[dict[str, float], float | None]:
    """``ID=FRACTION`` what-if cuts, and one bare ``FRACTION`` for ``--party``."""
    cuts, bare = {}, None
    for v in values:
        party, sep, fraction = v.rpartition("=")
        try:
            f = float(fraction)
        except ValueError as exc:
            raise click.BadParameter(f"{v!r}: use a FRACTION (with --party) or PARTY=FRACTION, "
                                     "e.g. 0.3 or S0001=0.5") from exc
        if not 0 < f <= 1:
            raise click.BadParameter(f"{v!r}: a cut is a share of capacity lost, in (0, 1]")
        if sep:
            cuts[party] = f
        else:
            bare = f
    return cuts, bare


@click.command("risk")
@bundle_command
@click.option("--party", metavar="ID", help="Disrupt this party only: its lost units per SKU, "
              "value at risk, time to survive, which alternatives absorbed what, inventory drawn.")
@click.option("--cut", "cuts", multiple=True, metavar="FRACTION|ID=FRACTION", callback=_cuts,
              help="With --party: the share of its capacity lost (0.3 = down 30%) [default: 1, all]. "
                   "As ID=FRACTION: a what-if of the flow model (repeat for several).")
@click.option("--days", type=click.FloatRange(0, min_open=True),
              help="How long the disruption lasts, days [default: each party's TTR].")
@click.option("--default-ttr", type=click.FloatRange(0, min_open=True), default=rx.DEFAULT_TTR,
              show_default=True, help="Days to recover for a party whose ttr_days is empty.")
@click.option("--exact", type=click.IntRange(1), default=64, show_default=True,
              help="Parties solved exactly (most dependent demand first); the rest get a bound.")
@click.option("--pairs", type=click.IntRange(2), metavar="K",
              help="Also disrupt every pair of the K parties with the most dependent demand "
                   "together: the loss neither causes alone (two suppliers backing each other up).")
@click.option("--remove", multiple=True, metavar="ID",
              help="What-if of the flow model: take this party out (repeat for several).")
@click.option("--cascade", type=click.FloatRange(0, 1, min_open=True),
              help="Also run a failure cascade: a party fails once it loses more than "
                   "this share of its inbound supply.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1),
              help="How many rows of each ranked table to show (files hold all).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for risk_exposure, bottlenecks, vital_edges, concentration and the "
                   "what-if tables (CSV and JSON).")
@format_option("table", "json", "csv")
def risk_cmd(eco: Ecosystem, party: str | None, cuts: tuple[dict, float | None], days: float | None,
             default_ttr: float, exact: int, pairs: int | None, remove: tuple[str, ...],
             cascade: float | None,
             top: int, out_dir: Path | None, fmt: str) -> None:
    """Supply-chain risk: what each party's disruption costs, for how long, and who absorbs it.

    Every party that ships units is disrupted in turn for its time to
    recover (TTR: ttr_days, else --default-ttr). A linear program over the
    network (capacities, bills of materials, inventory on hand) reroutes
    through alternatives with spare capacity and gives the finished units
    lost and their value (unit_value); TTS is how long customers stay
    served. TTS < TTR means the party needs a plan (more stock, a second
    source). The Risk Exposure Index ranks parties 0-100 by lost value.
    Then the flow-model bottleneck ranking and, with --remove / ID=FRACTION
    cuts, its what-if. --format csv prints the risk-exposure table (or, with
    --party, the lost units per SKU). See docs/analytics.md.

    \b
      ecograph risk fixtures/manufacturing
      ecograph risk fixtures/manufacturing --party S0001 --cut 0.5 --days 14
      ecograph risk fixtures/manufacturing --format csv > exposure.csv
      ecograph risk fixtures/manufacturing --pairs 6 --days 120
      ecograph risk fixtures/manufacturing --remove S0001 --cascade 0.5
    """
    what_if, cut = cuts
    with err.status("Solving every party's disruption..."):
        # --days and a bare --cut describe the one --party scenario; the table stays every
        # party's own TTR (cached: the bottleneck ranking joins it)
        defaults = party or (days is None and default_ttr == rx.DEFAULT_TTR and exact == 64)
        exposure = (pipeline.exposure(eco) if defaults
                    else rx.risk_exposure(eco, default_ttr=default_ttr, days=days, exact=exact))
        result = pipeline.supply_risk(eco, remove=remove, capacity_cut=what_if or None, cascade=cascade,
                                      detail=True)
        impact = (rx.disruption_impact(eco, party, cut=cut or 1.0, days=days, default_ttr=default_ttr)
                  if party else None)
        paired = (rx.pair_exposure(eco, top=pairs, days=days, default_ttr=default_ttr)
                  if pairs else None)
    front = pipeline.Result({"risk_exposure": exposure}, _headline(exposure))
    if impact is not None:
        front.tables.update(impact_by_sku=impact.by_sku, impact_absorbed=impact.absorbed,
                            impact_inventory=impact.inventory)
        front.headline.update(party=impact.party, cut=impact.cut, window_days=impact.window_days,
                              tts_days=_finite(impact.tts_days), lost_units=impact.lost_units,
                              value_at_risk=_finite(impact.value_at_risk))
        front.show("impact_by_sku", _impact_title(eco, impact), impact.by_sku, ranked=False)
        front.show("impact_absorbed", "Alternatives that absorbed the loss", impact.absorbed)
        front.show("impact_inventory", "Inventory drawn", impact.inventory)
    columns = _COLUMNS if days is None or party else [*_COLUMNS[:4], "window_days", *_COLUMNS[4:]]
    front.show("risk_exposure", _title(exposure, None if party else days), exposure, columns)
    if paired is not None:
        front.tables["pair_exposure"] = paired
        together = int((paired["excess_units"] > 1e-6).sum())
        front.show("pair_exposure", f"Pairs down together: {together} of {len(paired)} lose more than "
                   "both alone (excess_units: the loss only the pair causes)", paired)
    front.add(result)
    if fmt == "table":  # in every section, customers a party never hurts read so, not as 'inf'
        front.sections = [replace(s, frame=s.frame.assign(tts_days=s.frame["tts_days"].map(_days)))
                          if "tts_days" in s.frame else s for s in front.sections]
    if fmt == "csv":
        frame = impact.by_sku if impact is not None else exposure
        frame.to_csv(sys.stdout, index=False)
        write(out_dir, front.tables)
        return
    show(front, fmt=fmt, top=top, out_dir=out_dir)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _days(x: float) -> str:
    return "never hurt" if x == np.inf else ("n/a" if pd.isna(x) else f"{x:,.1f}")


def _headline(t: pd.DataFrame) -> dict:
    if t.empty:
        return {"top_exposure": None, "tts_lt_ttr": 0}
    return {"top_exposure": str(t["id"].iat[0]), "tts_lt_ttr": int(t["tts_lt_ttr"].sum()),
            "exact": int(t["exact"].sum())}


def _title(t: pd.DataFrame, days: float | None) -> str:
    short = int(t["tts_lt_ttr"].sum())
    until = ("until they recover (TTS < TTR)" if days is None
             else f"a {days:g}-day disruption (TTS < {days:g} days)")
    return (f"Risk exposure: {len(t)} shipping parties, {short} cannot survive {until}; "
            "index 100 = the costliest disruption")


def _impact_title(eco: Ecosystem, i: rx.Impact) -> str:
    name = eco.names([i.party]).iat[0]
    tts = ("customers never hurt (TTS unbounded)" if i.tts_days == np.inf
           else f"customers hurt after {_days(i.tts_days)} days (TTS)")
    value = "" if not np.isfinite(i.value_at_risk) else f", value at risk {i.value_at_risk:,.0f}"
    return (f"{name} ({i.party}) down {i.cut:.0%} for {i.window_days:g} days: "
            f"{i.lost_units:,.1f} units lost{value}; {tts}; TTR {i.ttr_days:g} days")
