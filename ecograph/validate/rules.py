"""Table rules: dates in order, deal life cycle, and the physical-account ledger."""

from __future__ import annotations

import pandas as pd

from .. import ledger
from ..errors import Findings
from ..ingest import ROW

__all__ = ["check_company", "check_periods", "check_deals", "check_movements", "check_lots",
           "check_audits", "check_overdrafts", "check_characters"]

_NEEDS = {  # movement kind -> (from_party, to_party): needed, may be given, must be empty
    "supply": ("may", "need"),
    "transfer": ("need", "need"),
    "deploy": ("need", "need"),
    "return": ("need", "need"),
    "dispose": ("need", "none"),
    "consume": ("need", "none"),
    "produce": ("none", "need"),
}
_WHY_EMPTY = {"dispose": "leaves the books", "consume": "is used up at from_party",
              "produce": "is made at to_party"}


def check_company(company: pd.DataFrame, file: str, findings: Findings) -> None:
    """The focal company table holds exactly one row.

    Parameters
    ----------
    company : pandas.DataFrame
        The parsed ``company`` table.
    file : str
        What findings call the table.
    findings : Findings
        Where problems are recorded (rule ``company_rows``, on no row).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> findings = Findings()
    >>> check_company(pd.DataFrame({"id": ["A", "B"], "_row": [2, 3]}), "company.csv", findings)
    >>> findings.frame()[["rule", "value", "message"]].values.tolist()
    [['company_rows', '2', 'needs exactly one row (the focal company), has 2']]
    """
    if len(company) != 1:
        findings.add(file, None, None, "company_rows", len(company),
                     f"needs exactly one row (the focal company), has {len(company)}")


def check_periods(frame: pd.DataFrame, file: str, start: str, end: str,
                  findings: Findings) -> None:
    """``end`` may not come before ``start``.

    A missing date on either side is not checked.

    Parameters
    ----------
    frame : pandas.DataFrame
        A parsed table with ``_row`` and the two date columns.
    file : str
        What findings call the table.
    start : str
        The column of first days.
    end : str
        The column of last days (rule ``end_before_start`` reports it).
    findings : Findings
        Where problems are recorded.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> rel = pd.DataFrame({"start": pd.to_datetime(["2025-03-01", "2025-01-01"]),
    ...                     "end": pd.to_datetime(["2025-02-01", None]), "_row": [2, 3]})
    >>> findings = Findings()
    >>> check_periods(rel, "relationships.csv", "start", "end", findings)
    >>> findings.frame()[["row", "column", "rule", "value", "message"]].values.tolist()
    [[2, 'end', 'end_before_start', '2025-02-01', 'is before start 2025-03-01']]
    """
    bad = frame[end] < frame[start]
    if bad.any():
        findings.add_many(file, frame.loc[bad, ROW], end, "end_before_start",
                          frame.loc[bad, end].dt.strftime("%Y-%m-%d"),
                          "is before " + start + " " + frame.loc[bad, start].dt.strftime("%Y-%m-%d"))


def check_deals(deals: pd.DataFrame, file: str, findings: Findings) -> None:
    """Closed deals carry a close date; a partner does not co-sell with itself.

    Also: ``closed`` may not come before ``registered`` (:func:`check_periods`).

    Parameters
    ----------
    deals : pandas.DataFrame
        The parsed ``deals`` table.
    file : str
        What findings call the table.
    findings : Findings
        Where problems are recorded (rules ``end_before_start``,
        ``missing_close_date``, ``self_cosell``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> deals = pd.DataFrame({"partner": ["P1", "P2"], "status": ["won", "lost"],
    ...                       "registered": pd.to_datetime(["2025-01-10", "2025-02-01"]),
    ...                       "closed": pd.to_datetime([None, "2025-03-01"]),
    ...                       "cosell_partner": [None, "P2"], "_row": [2, 3]})
    >>> findings = Findings()
    >>> check_deals(deals, "deals.csv", findings)
    >>> findings.frame()[["row", "column", "rule", "value"]].values.tolist()
    [[2, 'closed', 'missing_close_date', 'won'], [3, 'cosell_partner', 'self_cosell', 'P2']]
    """
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
    """SKUs known to be counted in whole units; one whose ``counted`` is missing or broken
    (already an error) is not checked, so its units do not echo that error."""
    if asset_classes is None or "counted" not in asset_classes or "sku" not in asset_classes:
        return set()
    return set(asset_classes.loc[asset_classes["counted"].fillna(False).astype(bool), "sku"])


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
    """Each movement kind has the parties it needs, positive units, whole units if counted.

    A dispose leaves the books and a consume is used up at its
    ``from_party``, so neither may name a ``to_party``; a produce is made at
    its ``to_party``, so it may not name a ``from_party``; no movement goes
    from a party to itself. (Lots: :func:`check_lots`.)

    Parameters
    ----------
    moves : pandas.DataFrame
        The parsed ``movements`` table.
    file : str
        What findings call the table.
    asset_classes : pandas.DataFrame or None
        The parsed ``asset_classes`` table (which SKUs are ``counted``);
        ``None``: no SKU is checked for whole units.
    findings : Findings
        Where problems are recorded (rules ``non_positive_units``,
        ``fractional_units``, ``missing_party``, ``unexpected_party``,
        ``self_transfer``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> assets = pd.DataFrame({"sku": ["SRV", "STEEL"], "counted": [True, False]})
    >>> moves = pd.DataFrame({"sku": ["SRV", "STEEL", "SRV"], "kind": ["supply", "dispose", "transfer"],
    ...                       "from_party": [None, "P1", "P1"], "to_party": ["P1", "C1", "P1"],
    ...                       "units": [2.5, 3.0, 1.0], "_row": [2, 3, 4]})
    >>> findings = Findings()
    >>> check_movements(moves, "movements.csv", assets, findings)
    >>> findings.frame()[["row", "column", "rule", "value"]].values.tolist()
    [[2, 'units', 'fractional_units', '2.5'], [3, 'to_party', 'unexpected_party', 'C1'],
     [4, 'to_party', 'self_transfer', 'P1']]
    """
    _check_units(moves, "units", file, _counted_skus(asset_classes), findings, positive=True)
    for kind, sides in _NEEDS.items():
        rows = moves[moves["kind"] == kind]
        for column, need in zip(("from_party", "to_party"), sides, strict=True):
            if need == "need":
                miss = rows[rows[column].isna()]
                if len(miss):
                    value = miss["kind"] if column == "from_party" else miss[column].fillna("")
                    findings.add_many(file, miss[ROW], column, "missing_party", value,
                                      f"a {kind} movement needs {column}")
            elif need == "none":
                extra = rows[rows[column].notna()]
                if len(extra):
                    findings.add_many(file, extra[ROW], column, "unexpected_party", extra[column],
                                      f"a {kind} movement {_WHY_EMPTY[kind]}: {column} must be empty")
    same = moves["from_party"].notna() & (moves["from_party"] == moves["to_party"])
    if same.any():
        findings.add_many(file, moves.loc[same, ROW], "to_party", "self_transfer",
                          moves.loc[same, "to_party"], "units cannot move from a party to itself")


def check_lots(moves: pd.DataFrame, file: str, asset_classes: pd.DataFrame | None,
               bom: pd.DataFrame | None, findings: Findings) -> None:
    """Produce and consume rows form lots that make a finished lot by its bill of materials.

    Every ``produce`` and ``consume`` names its ``lot`` (``lot_required``).
    A lot has exactly one produce; its consumes are on the produce's date, at
    its party (the factory), of inputs of the SKU made, each in produced units
    x bill-of-materials quantity (:func:`ecograph.ledger.bill_of_materials`;
    relative tolerance :data:`ecograph.ledger.LOT_TOLERANCE`); every input is
    consumed. Each break is a ``lot_unbalanced`` finding: on the second
    produce of a lot, the first consume of a lot with none, the consume off
    the day, party or bill, or the produce row when an input was not consumed
    at all. ``lot`` on other kinds of movement is free text.

    Parameters
    ----------
    moves : pandas.DataFrame
        The parsed ``movements`` table.
    file : str
        What findings call the table.
    asset_classes : pandas.DataFrame or None
        The parsed ``asset_classes`` table (``inputs``); ``None``: the SKUs
        and quantities consumed are not checked.
    bom : pandas.DataFrame or None
        The parsed ``bom`` table; ``None``: every input takes 1.
    findings : Findings
        Where problems are recorded (rules ``lot_required``, ``lot_unbalanced``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> assets = pd.DataFrame({"sku": ["SRV", "STEEL"], "inputs": [("STEEL",), ()]})
    >>> moves = pd.DataFrame({"date": pd.to_datetime(["2025-01-08"] * 3),
    ...                       "sku": ["SRV", "STEEL", "STEEL"], "kind": ["produce", "consume", "consume"],
    ...                       "from_party": [None, "S1", "S1"], "to_party": ["S1", None, None],
    ...                       "units": [2.0, 3.0, 1.0], "lot": ["L1", "L1", None], "_row": [2, 3, 4]})
    >>> findings = Findings()
    >>> check_lots(moves, "movements.csv", assets, None, findings)
    >>> findings.frame()[["row", "column", "rule", "message"]].values.tolist()
    [[3, 'units', 'lot_unbalanced', 'lot L1 makes 2 SRV, which take 2 STEEL (2 x 1 per unit); 3 consumed'],
     [4, 'lot', 'lot_required', 'a consume movement needs a lot: the production lot it belongs to']]
    """
    lot = moves["lot"] if "lot" in moves else pd.Series(pd.NA, index=moves.index, dtype=object)
    made_or_used = moves["kind"].isin(["produce", "consume"])
    bare = made_or_used & lot.isna()
    if bare.any():
        findings.add_many(file, moves.loc[bare, ROW], "lot", "lot_required", moves.loc[bare, "kind"],
                          "a " + moves.loc[bare, "kind"] + " movement needs a lot: the production lot "
                          "it belongs to")
    rows = moves[made_or_used & lot.notna()].assign(lot=lot).sort_values(ROW, kind="stable")
    if rows.empty:
        return
    made = rows[rows["kind"] == "produce"]
    used = rows[rows["kind"] == "consume"]
    first = made.drop_duplicates("lot")
    twice = made[made.duplicated("lot")]
    if len(twice):
        first_row = twice["lot"].map(first.set_index("lot")[ROW])
        findings.add_many(file, twice[ROW], "lot", "lot_unbalanced", twice["lot"],
                          "lot " + twice["lot"] + " has a second produce row (the first is row "
                          + first_row.astype(str) + "): a lot makes one finished lot")
    orphans = used[~used["lot"].isin(made["lot"])].drop_duplicates("lot")
    if len(orphans):
        findings.add_many(file, orphans[ROW], "lot", "lot_unbalanced", orphans["lot"],
                          "lot " + orphans["lot"] + " has no produce row: consumed components must "
                          "make a finished lot")
    single = first[~first["lot"].isin(twice["lot"])]
    at = used.merge(single[["lot", "date", "to_party", "sku"]], on="lot", suffixes=("", "_made"))
    for column, made_col, what in (("date", "date_made", "on"), ("from_party", "to_party_made", "at")):
        off = at[at[column].notna() & at[made_col].notna() & (at[column] != at[made_col])]
        if len(off):
            shown = (off[made_col].dt.strftime("%Y-%m-%d") if column == "date" else off[made_col])
            value = off[column].dt.strftime("%Y-%m-%d") if column == "date" else off[column]
            findings.add_many(file, off[ROW], column, "lot_unbalanced", value,
                              "lot " + off["lot"] + f" is produced {what} " + shown
                              + f", so its components must be consumed {what} " + shown)
    if asset_classes is None or "inputs" not in asset_classes:
        return
    clean = single[~single["lot"].isin(rows.loc[rows["units"].isna(), "lot"])]  # no echo of a bad cell
    table = ledger.lots(rows[rows["lot"].isin(clean["lot"])], ledger.bill_of_materials(asset_classes, bom))
    off = table[~table["balanced"]]
    if off.empty:
        return
    first_use = used.drop_duplicates(["lot", "sku"]).rename(columns={"sku": "input"})
    off = off.merge(first_use[["lot", "input", ROW]], on=["lot", "input"], how="left")
    off = off.merge(clean[["lot", ROW]], on="lot", suffixes=("", "_made"))
    stray = off[off["quantity"].isna()]
    if len(stray):
        findings.add_many(file, stray[ROW], "sku", "lot_unbalanced", stray["input"],
                          stray["input"] + " is not an input of " + stray["sku"] + " (asset_classes.inputs)"
                          ", so lot " + stray["lot"] + " cannot consume it")
    short = off[off["quantity"].notna()]
    if len(short):
        num = lambda s: s.map("{:g}".format)  # noqa: E731
        findings.add_many(file, short[ROW].fillna(short[ROW + "_made"]).astype(int), "units",
                          "lot_unbalanced", num(short["consumed"]),
                          "lot " + short["lot"] + " makes " + num(short["units"]) + " " + short["sku"]
                          + ", which take " + num(short["required"]) + " " + short["input"] + " ("
                          + num(short["units"]) + " x " + num(short["quantity"]) + " per unit); "
                          + num(short["consumed"]) + " consumed")


def check_overdrafts(moves: pd.DataFrame, file: str, findings: Findings) -> None:
    """No party's balance of a SKU may go negative at the end of any day.

    Parameters
    ----------
    moves : pandas.DataFrame
        The parsed ``movements`` table, free of errors (a broken ledger would
        report echoes of its first error).
    file : str
        What findings call the table.
    findings : Findings
        Where problems are recorded (rule ``overdraft``, on the movement that
        takes the balance below zero).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> moves = pd.DataFrame({"id": ["m1", "m2"], "date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
    ...                       "sku": ["SRV", "SRV"], "kind": ["supply", "deploy"],
    ...                       "from_party": [None, "P1"], "to_party": ["P1", "C1"],
    ...                       "units": [2.0, 3.0], "_row": [2, 3]})
    >>> findings = Findings()
    >>> check_overdrafts(moves, "movements.csv", findings)
    >>> findings.frame()[["row", "rule", "value", "message"]].values.tolist()
    [[3, 'overdraft', 'm2', "P1's balance of SRV would be -1 at the end of 2025-01-02 (movement m2)"]]
    """
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
    """Audit counts are non-negative, whole for counted SKUs.

    Parameters
    ----------
    audits : pandas.DataFrame
        The parsed ``audits`` table.
    file : str
        What findings call the table.
    asset_classes : pandas.DataFrame or None
        The parsed ``asset_classes`` table (which SKUs are ``counted``);
        ``None``: no SKU is checked for whole units.
    findings : Findings
        Where problems are recorded (rules ``negative_units``, ``fractional_units``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> assets = pd.DataFrame({"sku": ["SRV", "STEEL"], "counted": [True, False]})
    >>> audits = pd.DataFrame({"sku": ["SRV", "SRV", "STEEL"], "counted": [-1.0, 2.5, 2.5],
    ...                        "_row": [2, 3, 4]})
    >>> findings = Findings()
    >>> check_audits(audits, "audits.csv", assets, findings)
    >>> findings.frame()[["row", "column", "rule", "value"]].values.tolist()
    [[2, 'counted', 'negative_units', '-1.0'], [3, 'counted', 'fractional_units', '2.5']]
    """
    _check_units(audits, "counted", file, _counted_skus(asset_classes), findings, positive=False)


#: Control characters (C0, DEL, C1): none in ids and references; text may hold tab and line breaks.
_CONTROL = {True: "[\x00-\x1f\x7f-\x9f]", False: "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"}


def check_characters(cells: pd.Series, rows: pd.Series, column: str, file: str,
                     findings: Findings, *, strict: bool) -> None:
    r"""Text cells may not hold control characters (a NUL, an escape, a C1 code...).

    They are invisible, break the files and stores ecograph writes (a NUL ends
    a C string), and are never part of a real name. In ids and references
    (``strict``) no control character is allowed; other text may hold tabs
    and line breaks. The finding's value shows each one as ``\xNN``.

    Parameters
    ----------
    cells : pandas.Series
        One column's text cells.
    rows : pandas.Series
        Their row numbers (header = 1).
    column : str
        The column's name.
    file : str
        What findings call the table.
    findings : Findings
        Where problems are recorded (rule ``control_character``).
    strict : bool
        Whether tab, line feed and carriage return are refused too.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> findings = Findings()
    >>> cells = pd.Series(["Apex\x00Systems", "two\nlines", "ok"])
    >>> check_characters(cells, pd.Series([2, 3, 4]), "name", "partners.csv", findings, strict=False)
    >>> findings.frame()[["row", "rule", "value", "message"]].values.tolist()
    [[2, 'control_character', 'Apex\\x00Systems', 'holds the control character U+0000; remove it']]
    """
    pattern = _CONTROL[strict]
    bad = cells.str.contains(pattern, regex=True).fillna(False).astype(bool)
    if not bad.any():
        return
    found = cells[bad]
    shown = found.str.replace(pattern, lambda m: f"\\x{ord(m.group()):02x}", regex=True)
    first = found.str.extract(f"({pattern})", expand=False)
    findings.add_many(file, rows[bad], column, "control_character", shown,
                      "holds the control character " + first.map(lambda c: f"U+{ord(c):04X}")
                      + "; remove it")
