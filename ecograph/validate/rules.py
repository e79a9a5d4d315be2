"""Table rules: dates in order, deal life cycle, and the physical-account ledger."""

from __future__ import annotations

import pandas as pd

from .. import ledger
from ..errors import Findings
from ..ingest import ROW

__all__ = ["check_company", "check_periods", "check_deals", "check_movements", "check_audits",
           "check_overdrafts"]

_NEEDS = {  # movement kind -> (needs from_party, needs to_party)
    "supply": (False, True),
    "transfer": (True, True),
    "deploy": (True, True),
    "return": (True, True),
    "dispose": (True, False),
}


def check_company(company: pd.DataFrame, file: str, findings: Findings) -> None:
    """The focal company table holds exactly one row."""
    if len(company) != 1:
        findings.add(file, None, None, "company_rows", len(company),
                     f"needs exactly one row (the focal company), has {len(company)}")


def check_periods(frame: pd.DataFrame, file: str, start: str, end: str,
                  findings: Findings) -> None:
    """``end`` may not come before ``start``."""
    bad = frame[end] < frame[start]
    if bad.any():
        findings.add_many(file, frame.loc[bad, ROW], end, "end_before_start",
                          frame.loc[bad, end].dt.strftime("%Y-%m-%d"),
                          "is before " + start + " " + frame.loc[bad, start].dt.strftime("%Y-%m-%d"))


def check_deals(deals: pd.DataFrame, file: str, findings: Findings) -> None:
    """Closed deals carry a close date; a partner does not co-sell with itself."""
    check_periods(deals, file, "registered", "closed", findings)
    open_ended = deals["status"].isin(["won", "lost"]) & deals["closed"].isna()
    if open_ended.any():
        findings.add_many(file, deals.loc[open_ended, ROW], "closed", "missing_close_date",
                          deals.loc[open_ended, "status"], "a won or lost deal needs a closed date")
    self_co = deals["cosell_partner"].notna() & (deals["cosell_partner"] == deals["partner"])
    if self_co.any():
        findings.add_many(file, deals.loc[self_co, ROW], "cosell_partner", "self_cosell",
                          deals.loc[self_co, "cosell_partner"],
                          "the co-sell partner must differ from the registering partner")


def _counted_skus(asset_classes: pd.DataFrame | None) -> set[str]:
    if asset_classes is None:
        return set()
    return set(asset_classes.loc[asset_classes["counted"].fillna(True).astype(bool), "sku"])


def _check_units(frame: pd.DataFrame, column: str, file: str, counted: set[str],
                 findings: Findings, *, positive: bool) -> None:
    units = frame[column]
    bad = units <= 0 if positive else units < 0
    if bad.any():
        findings.add_many(file, frame.loc[bad, ROW], column,
                          "non_positive_units" if positive else "negative_units",
                          units[bad], "units must be greater than zero" if positive
                          else "a count cannot be negative")
    fractional = frame["sku"].isin(counted) & units.notna() & (units != units.round())
    if fractional.any():
        findings.add_many(file, frame.loc[fractional, ROW], column, "fractional_units",
                          units[fractional],
                          "SKU " + frame.loc[fractional, "sku"] + " is counted in whole units")


def check_movements(moves: pd.DataFrame, file: str, asset_classes: pd.DataFrame | None,
                    findings: Findings) -> None:
    """Each movement kind has the parties it needs, positive units, whole units if counted."""
    _check_units(moves, "units", file, _counted_skus(asset_classes), findings, positive=True)
    for kind, (needs_from, needs_to) in _NEEDS.items():
        rows = moves[moves["kind"] == kind]
        if needs_from:
            miss = rows[rows["from_party"].isna()]
            if len(miss):
                findings.add_many(file, miss[ROW], "from_party", "missing_party", miss["kind"],
                                  f"a {kind} movement needs from_party")
        miss = rows[rows["to_party"].isna()] if needs_to else rows[rows["to_party"].notna()]
        if len(miss):
            message = (f"a {kind} movement needs to_party" if needs_to
                       else f"a {kind} movement leaves the books: to_party must be empty")
            findings.add_many(file, miss[ROW], "to_party", "missing_party" if needs_to
                              else "unexpected_party", miss["to_party"].fillna(""), message)
    same = moves["from_party"].notna() & (moves["from_party"] == moves["to_party"])
    if same.any():
        findings.add_many(file, moves.loc[same, ROW], "to_party", "self_transfer",
                          moves.loc[same, "to_party"], "units cannot move from a party to itself")


def check_overdrafts(moves: pd.DataFrame, file: str, findings: Findings) -> None:
    """No party's balance of a SKU may go negative at the end of any day."""
    found = ledger.overdrafts(moves)
    if found.empty:
        return
    rows = moves.set_index("id")[ROW]
    for r in found.itertuples():
        findings.add(file, int(rows[r.movement]), "units", "overdraft", r.movement,
                     f"{r.party}'s balance of {r.sku} would be {r.balance:g} at the end of "
                     f"{r.date:%Y-%m-%d} (movement {r.movement})")


def check_audits(audits: pd.DataFrame, file: str, asset_classes: pd.DataFrame | None,
                 findings: Findings) -> None:
    """Audit counts are non-negative, whole for counted SKUs."""
    _check_units(audits, "counted", file, _counted_skus(asset_classes), findings, positive=False)
