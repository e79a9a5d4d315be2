"""The physical-account ledger: unit balances replayed from dated movements.

Pure functions on the ``movements`` (and ``audits``) frames of a bundle, so
validation can replay a ledger before any :class:`~ecograph.Ecosystem`
exists; :mod:`ecograph.analysis.physical_accounts` reads them for an
ecosystem, with party names beside the ids.

Movements are double entry in units (never money). Each movement becomes legs:

=========  =====================  ======================
kind       debit (-units)         credit (+units)
=========  =====================  ======================
supply     outside                ``to_party``
transfer   ``from_party``         ``to_party``
deploy     ``from_party``         ``to_party`` (customer)
return     ``from_party``         ``to_party``
dispose    ``from_party``         outside
consume    ``from_party``         production
produce    production             ``to_party``
=========  =====================  ======================

A supply's ``from_party`` names where the units came from (the vendor) but is
not debited: supply is how units enter the books. ``consume`` and ``produce``
rows sharing a ``lot`` turn components into a finished lot at a factory, by
the bill of materials (:func:`bill_of_materials`, :func:`lots`). The ledger has day
resolution: movements of one day are netted, so a balance must be
non-negative at the end of every day, whatever the order of rows in the file.
``as_of`` is the end of that day (:mod:`ecograph.dates`). See ``docs/ledger.md``.

>>> import pandas as pd
>>> moves = pd.DataFrame({
...     "id": ["m1", "m2"], "date": pd.to_datetime(["2025-01-01", "2025-01-05"]),
...     "sku": ["SRV", "SRV"], "kind": ["supply", "deploy"],
...     "from_party": [None, "P1"], "to_party": ["P1", "C1"], "units": [10.0, 4.0]})
>>> balances(moves).to_dict("records")
[{'party': 'P1', 'sku': 'SRV', 'units': 6.0}, {'party': 'C1', 'sku': 'SRV', 'units': 4.0}]
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real

import numpy as np
import pandas as pd

from .bom import bom_lines
from .dates import DATE_DTYPE, AsOf, on_or_before
from .errors import ParameterError
from .schema import LIST_SEPARATOR

__all__ = ["OUTSIDE", "PRODUCTION", "DEBITS", "CREDITS", "DUST", "LOT_TOLERANCE", "entries", "balances",
           "overdrafts", "reconcile", "adjustments", "custody_chain", "bill_of_materials", "lots",
           "conservation", "assert_conserved"]

#: The virtual party units come from on supply and go to on dispose.
OUTSIDE = "(outside)"
#: The virtual party components go to on consume and finished units come from on produce.
PRODUCTION = "(production)"
DEBITS = ("transfer", "deploy", "return", "dispose", "consume")
CREDITS = ("supply", "transfer", "deploy", "return", "produce")
#: Relative tolerance of "consumed == produced x bill-of-materials quantity" in a lot.
LOT_TOLERANCE = 1e-9
#: Float dust on measured SKUs (kg): a millionth of a unit is not a difference.
DUST = 1e-6
_KEYS = ["party", "sku"]


def entries(movements: pd.DataFrame, *, include_outside: bool = False) -> pd.DataFrame:
    """One row per ledger leg.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table (``id, date, sku, kind, from_party, to_party, units``).
    include_outside : bool, default False
        Also give supply and dispose their leg on :data:`OUTSIDE`, and consume
        and produce theirs on :data:`PRODUCTION`, so units of every SKU sum to
        zero over all parties.

    Returns
    -------
    pandas.DataFrame
        ``id, date, sku, party, units`` (signed: debits negative).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["m1"], "date": pd.to_datetime(["2025-01-01"]), "sku": ["S"],
    ...                   "kind": ["transfer"], "from_party": ["A"], "to_party": ["B"],
    ...                   "units": [2.0]})
    >>> entries(m)[["party", "units"]].values.tolist()
    [['A', -2.0], ['B', 2.0]]
    """
    if not isinstance(movements, pd.DataFrame):  # say what is wanted, not "not subscriptable"
        hint = " (pass eco.movements)" if type(movements).__name__ == "Ecosystem" else ""
        raise ParameterError(f"movements must be the movements table (a DataFrame){hint}; "
                             f"got {type(movements).__name__}")
    m = movements
    debit = m[m["kind"].isin(DEBITS)]
    credit = m[m["kind"].isin(CREDITS)]
    parts = [
        pd.DataFrame({"id": debit["id"], "date": debit["date"], "sku": debit["sku"],
                      "party": debit["from_party"], "units": -debit["units"]}),
        pd.DataFrame({"id": credit["id"], "date": credit["date"], "sku": credit["sku"],
                      "party": credit["to_party"], "units": credit["units"]}),
    ]
    if include_outside:
        for kind, sign, party in (("supply", -1.0, OUTSIDE), ("dispose", 1.0, OUTSIDE),
                                  ("produce", -1.0, PRODUCTION), ("consume", 1.0, PRODUCTION)):
            sel = m[m["kind"] == kind]
            parts.append(pd.DataFrame({"id": sel["id"], "date": sel["date"], "sku": sel["sku"],
                                       "party": party, "units": sign * sel["units"]}))
    legs = pd.concat(parts, ignore_index=True)
    return legs[legs["party"].notna()].reset_index(drop=True)


def balances(movements: pd.DataFrame, *, as_of: AsOf = None,
             include_zero: bool = False) -> pd.DataFrame:
    """Units held per party and SKU at the end of day ``as_of``.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    as_of : str, date or None
        The day (inclusive); ``None``: every movement.
    include_zero : bool, default False
        Keep parties whose balance came back to zero.

    Returns
    -------
    pandas.DataFrame
        ``party, sku, units`` in order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["m1", "m2"], "date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
    ...                   "sku": ["S", "S"], "kind": ["supply", "dispose"],
    ...                   "from_party": [None, "A"], "to_party": ["A", None], "units": [5.0, 2.0]})
    >>> balances(m, as_of="2025-01-01")["units"].tolist(), balances(m)["units"].tolist()
    ([5.0], [3.0])
    """
    legs = entries(movements)
    legs = legs[on_or_before(legs["date"], as_of)]
    out = legs.groupby(_KEYS, sort=False, as_index=False)["units"].sum()
    if not include_zero:
        out = out[out["units"] != 0]
    return out.reset_index(drop=True)


def _daily(legs: pd.DataFrame) -> pd.DataFrame:
    """End-of-day balances: ``party, sku, date, units`` (the day's net), ``balance``."""
    daily = legs.groupby([*_KEYS, "date"], sort=True, as_index=False)["units"].sum()
    daily["balance"] = daily.groupby(_KEYS, sort=False)["units"].cumsum()
    return daily


def overdrafts(movements: pd.DataFrame) -> pd.DataFrame:
    """The first day each party's balance of a SKU goes negative.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.

    Returns
    -------
    pandas.DataFrame
        ``party, sku, date, balance, movement``, where ``movement`` is the
        smallest id among that day's debits (stable whatever the row order);
        by date.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["m1"], "date": pd.to_datetime(["2025-01-01"]), "sku": ["S"],
    ...                   "kind": ["transfer"], "from_party": ["A"], "to_party": ["B"],
    ...                   "units": [2.0]})
    >>> overdrafts(m)[["party", "balance", "movement"]].values.tolist()
    [['A', -2.0, 'm1']]
    """
    legs = entries(movements)
    daily = _daily(legs)
    neg = daily[daily["balance"] < -DUST]
    first = neg.drop_duplicates(_KEYS, keep="first")
    keys = [*_KEYS, "date"]
    debits = legs[legs["units"] < 0].merge(first[keys], on=keys)  # only the days that matter
    debits = debits.sort_values("id").drop_duplicates(keys)[[*keys, "id"]]
    out = first.merge(debits, on=keys, how="left")
    out = out.rename(columns={"id": "movement"})[["party", "sku", "date", "balance", "movement"]]
    return out.sort_values(["date", "party", "sku"]).reset_index(drop=True)


def reconcile(movements: pd.DataFrame, audits: pd.DataFrame, *,
              tolerance: float = 0) -> pd.DataFrame:
    """Audit counts against the ledger, largest absolute discrepancy first.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    audits : pandas.DataFrame
        The ``audits`` table (``id, date, party, sku, counted``).
    tolerance : float, default 0
        Units of difference still called ``ok``; a count is authoritative, so
        the adjustment always closes the whole gap.

    Returns
    -------
    pandas.DataFrame
        One row per audit: ``audit, date, party, sku, expected`` (the ledger
        balance at the end of the audit day), ``counted``, ``discrepancy``
        (counted − expected), ``abs_discrepancy``, ``share`` (discrepancy /
        expected; NaN unless expected > 0), ``status`` (``ok`` within
        ``tolerance``, else ``short`` or ``over``), ``adjustment_units`` (the
        signed entry that brings the books to the count, given the earlier
        audits' adjustments of the same party × SKU were booked) and
        ``adjustment_kind`` (``write_off``, ``found`` or ``none``).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["m1"], "date": pd.to_datetime(["2025-01-01"]), "sku": ["S"],
    ...                   "kind": ["supply"], "from_party": [None], "to_party": ["A"],
    ...                   "units": [5.0]})
    >>> a = pd.DataFrame({"id": ["a1"], "date": pd.to_datetime(["2025-02-01"]), "party": ["A"],
    ...                   "sku": ["S"], "counted": [4.0]})
    >>> reconcile(m, a)[["audit", "expected", "counted", "status", "adjustment_kind"]].values.tolist()
    [['a1', 5.0, 4.0, 'short', 'write_off']]
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, Real) or not tolerance >= 0:
        raise ParameterError(f"tolerance must be a number of units >= 0; got {tolerance!r}")
    counts = audits[["id", "date", "party", "sku", "counted"]].rename(columns={"id": "audit"})
    daily = _daily(entries(movements))[[*_KEYS, "date", "balance"]]
    # merge_asof wants keys of one dtype; an absent table's empty columns are object.
    common = {"party": str, "sku": str, "date": DATE_DTYPE}  # days: any year, not only ns ones
    counts = counts.astype({**common, "audit": str, "counted": "float64"})
    daily = daily.astype(common)
    # The balance at the end of the audit day: the last daily balance on or before it.
    out = pd.merge_asof(counts.sort_values("date", kind="stable"),
                        daily.sort_values("date", kind="stable"), on="date", by=_KEYS,
                        direction="backward", allow_exact_matches=True)
    out = out.rename(columns={"balance": "expected"})
    out["expected"] = out["expected"].fillna(0.0).astype("float64")
    out = out[["audit", "date", "party", "sku", "expected", "counted"]]
    disc = _snap(out["counted"] - out["expected"])
    out["discrepancy"] = disc
    out["abs_discrepancy"] = disc.abs()
    out["share"] = (disc / out["expected"]).where(out["expected"] > 0)
    out["status"] = np.select([disc < -tolerance, disc > tolerance], ["short", "over"], "ok")
    # Booking each audit's adjustment makes the next one only close the change since.
    out = out.sort_values([*_KEYS, "date", "audit"], kind="stable")
    earlier = out.groupby(_KEYS, sort=False)["discrepancy"].shift(fill_value=0.0)
    adj = _snap(out["discrepancy"] - earlier)
    out["adjustment_units"] = adj
    out["adjustment_kind"] = np.select([adj < 0, adj > 0], ["write_off", "found"], "none")
    return out.sort_values(["abs_discrepancy", "date", "audit"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def _snap(units: pd.Series) -> pd.Series:
    return units.where(units.abs() > DUST, 0.0)


def adjustments(movements: pd.DataFrame, audits: pd.DataFrame) -> pd.DataFrame:
    """The adjustment entries that make the books agree with every audit count.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    audits : pandas.DataFrame
        The ``audits`` table.

    Returns
    -------
    pandas.DataFrame
        Movement-shaped rows, so ``pd.concat([movements, adjustments(...)])``
        replays through :func:`balances` and validates as a bundle: ``id``
        (``ADJ-<audit>``), ``date`` (the audit's), ``sku``, ``kind``
        (``dispose`` for a write-off, ``supply`` for units found),
        ``from_party``, ``to_party``, ``units`` (> 0), ``note`` (the reason,
        naming the audit), then ``audit``, ``party`` and ``change`` (signed
        units). By date, party, SKU.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
    >>> adj = adjustments(eco.movements, eco.audits)
    >>> adj[["id", "kind", "from_party", "units", "note"]].values.tolist()
    [['ADJ-A000006', 'dispose', 'P00037', 2.0, 'write_off per audit A000006']]
    >>> fixed = balances(pd.concat([eco.movements, adj]), as_of="2025-12-31")
    >>> fixed.query("party == 'P00037' and sku == 'NET-SW'")["units"].tolist()
    [7.0]
    """
    rec = reconcile(movements, audits)
    rec = rec[rec["adjustment_units"] != 0].sort_values(["date", *_KEYS, "audit"], kind="stable")
    change = rec["adjustment_units"]
    lost = change < 0
    none = pd.Series(pd.NA, index=rec.index, dtype=rec["party"].dtype)
    out = pd.DataFrame({
        "id": "ADJ-" + rec["audit"],
        "date": rec["date"],
        "sku": rec["sku"],
        "kind": np.where(lost, "dispose", "supply"),
        "from_party": rec["party"].where(lost, none),
        "to_party": rec["party"].where(~lost, none),
        "units": change.abs(),
        "note": rec["adjustment_kind"] + " per audit " + rec["audit"],
        "audit": rec["audit"],
        "party": rec["party"],
        "change": change,
    })
    return out.reset_index(drop=True)


def custody_chain(movements: pd.DataFrame, sku: str, *, party: str | None = None) -> pd.DataFrame:
    """Every movement of one SKU in date order, with the holders' balances.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    sku : str
        A SKU that moved.
    party : str, optional
        Keep only the movements naming this party (``step`` still counts the
        whole chain).

    Returns
    -------
    pandas.DataFrame
        ``step, id, date, kind, from_party, to_party, units, lot, from_balance,
        to_balance``: the balances of the debited and credited parties at the
        end of that day (NaN where the side is not on the books: a supply's
        vendor, a dispose's destination, the production side of a consume or
        produce). ``lot`` names the production lot a component went into or
        a finished unit came from (empty otherwise), the link to follow with
        :func:`lots`. Rows of one day are ordered by id.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> chain = custody_chain(eco.movements, "SRV")
    >>> chain[["kind", "from_party", "to_party", "to_balance"]].head(3).values.tolist()
    [['supply', 'S1', 'NIMBUS', 10.0], ['transfer', 'NIMBUS', 'P2', 6.0], ['transfer', 'P2', 'P1', 4.0]]
    >>> custody_chain(eco.movements, "SRV", party="C1")["step"].tolist()
    [4, 5]
    """
    m = movements[movements["sku"] == sku]
    if m.empty:
        raise ParameterError(f"sku must be a SKU that moved; got {sku!r}")
    m = m.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    daily = _daily(entries(m))[["party", "date", "balance"]]
    out = m[["id", "date", "kind", "from_party", "to_party", "units"]].copy()
    out["lot"] = _lot_column(m)
    out.insert(0, "step", np.arange(1, len(out) + 1))
    for side, legs in (("from", DEBITS), ("to", CREDITS)):
        bal = out[[f"{side}_party", "date"]].merge(
            daily, left_on=[f"{side}_party", "date"], right_on=["party", "date"], how="left")
        out[f"{side}_balance"] = bal["balance"].where(out["kind"].isin(legs).to_numpy()).to_numpy()
    if party is not None:
        out = out[(out["from_party"] == party) | (out["to_party"] == party)]
    return out.reset_index(drop=True)


def _lot_column(movements: pd.DataFrame) -> pd.Series:
    """The ``lot`` of each movement; all empty for a table from before lots existed."""
    if "lot" in movements:
        return movements["lot"]
    return pd.Series(pd.NA, index=movements.index, dtype=object)


def _inputs(cells: pd.Series) -> pd.Series:
    """List cells as tuples: typed tables hold tuples, raw text holds ``"A;B"``."""
    def split(cell: object) -> tuple:
        if isinstance(cell, str):
            return tuple(x.strip() for x in cell.split(LIST_SEPARATOR) if x.strip())
        if isinstance(cell, (list, tuple, np.ndarray)):
            return tuple(cell)
        return ()
    return cells.map(split)


def bill_of_materials(asset_classes: pd.DataFrame, bom: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every component of every SKU with the units of it one finished unit takes.

    The components are ``asset_classes.inputs``; the optional ``bom`` table
    gives a line's ``quantity``, and an input without a bom line takes 1
    (:func:`ecograph.bom.bom_lines`, here also on raw ``"A;B"`` text cells).
    Bom lines for pairs that are not inputs are not part of the bill (the
    validator reports them as ``bom_not_an_input``); of two lines for one pair
    (``duplicate_bom_line``) the first counts.

    Parameters
    ----------
    asset_classes : pandas.DataFrame
        The ``asset_classes`` table (``sku``, ``inputs``).
    bom : pandas.DataFrame, optional
        The ``bom`` table (``sku, input, quantity``); ``None`` or empty: every
        input takes 1.

    Returns
    -------
    pandas.DataFrame
        ``sku, input, quantity`` (units of ``input`` per unit of ``sku``), in
        the order of the asset classes and their inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> assets = pd.DataFrame({"sku": ["PUMP", "MOTOR", "STEEL"],
    ...                        "inputs": [("MOTOR", "STEEL"), (), ()]})
    >>> bom = pd.DataFrame({"id": ["B1"], "sku": ["PUMP"], "input": ["STEEL"], "quantity": [12.5]})
    >>> bill_of_materials(assets, bom).values.tolist()
    [['PUMP', 'MOTOR', 1.0], ['PUMP', 'STEEL', 12.5]]
    """
    if "inputs" not in asset_classes:
        return pd.DataFrame({"sku": pd.Series(dtype=object), "input": pd.Series(dtype=object),
                             "quantity": pd.Series(dtype="float64")})
    assets = pd.DataFrame({"sku": asset_classes["sku"], "inputs": _inputs(asset_classes["inputs"])})
    return bom_lines(assets, bom)[["sku", "input", "quantity"]]


def lots(movements: pd.DataFrame, bill: pd.DataFrame) -> pd.DataFrame:
    """Each production lot against its bill of materials: one row per lot and component.

    A lot is one ``produce`` row (``units`` of ``sku`` made at ``to_party``)
    and the ``consume`` rows of its components, tied by ``lot``. The
    components it *required* are the produced units times each bill-of-materials
    quantity. A component row is ``balanced`` when it was consumed in exactly
    that quantity (relative tolerance :data:`LOT_TOLERANCE`); a lot is
    balanced when all its rows are (and so nothing else was consumed).

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table (with a ``lot`` column; without one there are
        no lots).
    bill : pandas.DataFrame
        The bill of materials, ``sku, input, quantity``
        (:func:`bill_of_materials`).

    Returns
    -------
    pandas.DataFrame
        ``lot, date, party, sku, units`` (the produce row: day, factory, SKU
        made, units made; empty for a lot that has no produce row), then
        ``input, quantity, required, consumed, balanced`` (per component; a
        consumed SKU that is not an input has ``quantity`` NaN and
        ``required`` 0). By date, lot, then the bill's order of inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"id": ["m1", "m2", "m3"], "date": pd.to_datetime(["2025-01-02"] * 3),
    ...                   "sku": ["PUMP", "MOTOR", "STEEL"], "kind": ["produce", "consume", "consume"],
    ...                   "from_party": [None, "F", "F"], "to_party": ["F", None, None],
    ...                   "units": [2.0, 2.0, 20.0], "lot": ["L1", "L1", "L1"]})
    >>> bill = pd.DataFrame({"sku": ["PUMP", "PUMP"], "input": ["MOTOR", "STEEL"], "quantity": [1.0, 12.5]})
    >>> lots(m, bill)[["lot", "input", "required", "consumed", "balanced"]].values.tolist()
    [['L1', 'MOTOR', 2.0, 2.0, True], ['L1', 'STEEL', 25.0, 20.0, False]]
    """
    m = movements.assign(lot=_lot_column(movements))
    m = m[m["lot"].notna() & m["kind"].isin(["produce", "consume"])]
    made = (m[m["kind"] == "produce"].groupby("lot", sort=False)
            .agg(date=("date", "first"), party=("to_party", "first"), sku=("sku", "first"),
                 units=("units", "sum")).reset_index())
    bill = bill[["sku", "input", "quantity"]].assign(order=np.arange(len(bill)))
    need = made[["lot", "sku", "units"]].merge(bill, on="sku")
    need["required"] = need["units"] * need["quantity"]
    used = (m[m["kind"] == "consume"].groupby(["lot", "sku"], sort=False)["units"].sum()
            .rename("consumed").reset_index().rename(columns={"sku": "input"}))
    rows = need[["lot", "input", "quantity", "required", "order"]].merge(used, on=["lot", "input"],
                                                                          how="outer")
    rows = rows.fillna({"required": 0.0, "consumed": 0.0, "order": np.inf})
    rows = made.merge(rows, on="lot", how="right")
    rows["balanced"] = np.isclose(rows["consumed"], rows["required"], rtol=LOT_TOLERANCE, atol=0.0)
    rows = rows.sort_values(["date", "lot", "order"], kind="stable", na_position="last")
    cols = ["lot", "date", "party", "sku", "units", "input", "quantity", "required", "consumed", "balanced"]
    out = rows[cols].reset_index(drop=True)
    return out.astype({"units": "float64", "quantity": "float64", "required": "float64",
                       "consumed": "float64", "balanced": bool})


def conservation(movements: pd.DataFrame, *, skus: Iterable[str] = (), as_of: AsOf = None,
                 bill: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per SKU: units that entered and left the books, ``held`` at the end of
    ``as_of``, and whether they ``balanced``.

    Units enter the books by supply (from outside) and produce (a finished
    lot), and leave by dispose and consume (components used up); every other
    movement is −q at its source and +q at its destination. So a valid ledger
    has, for every SKU, ``supplied + produced − consumed − disposed == held``;
    a movement missing a party breaks it. Given the bill of materials, each
    SKU's components were also consumed exactly as the lots made require:
    ``consumed == required``.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    skus : iterable of str, optional
        SKUs to list first, with zeros if they never moved (say, the asset
        classes of a bundle).
    as_of : str, date or None
        The day (inclusive); ``None``: every movement.
    bill : pandas.DataFrame, optional
        The bill of materials (:func:`bill_of_materials`): also check
        consumption against production.

    Returns
    -------
    pandas.DataFrame
        ``sku, supplied, produced, consumed, disposed, held, required,
        balanced``. ``required`` is the units of the SKU the lots produced up
        to ``as_of`` take by the bill (NaN without ``bill``); ``balanced``:
        the books add up to a millionth of a unit and, with a bill, consumed
        equals required (relative tolerance :data:`LOT_TOLERANCE`).

    Examples
    --------
    >>> import ecograph
    >>> table = conservation(ecograph.load_bundle("fixtures/tiny").movements)
    >>> table[["sku", "supplied", "disposed", "held", "balanced"]].to_dict("records")
    [{'sku': 'SRV', 'supplied': 10.0, 'disposed': 1.0, 'held': 9.0, 'balanced': True}, \
{'sku': 'STEEL', 'supplied': 12.5, 'disposed': 0.0, 'held': 12.5, 'balanced': True}]
    """
    m = movements[on_or_before(movements["date"], as_of)]
    listed = pd.Index(list(skus), dtype=object)
    order = listed.append(pd.Index(m["sku"].unique(), dtype=object).difference(listed))
    flows = m.groupby(["sku", "kind"])["units"].sum()
    out = pd.DataFrame({"sku": order})
    for col, kind in (("supplied", "supply"), ("produced", "produce"), ("consumed", "consume"),
                      ("disposed", "dispose")):
        s = flows.xs(kind, level="kind") if kind in flows.index.get_level_values("kind") else None
        out[col] = (out["sku"].map(s).fillna(0.0) if s is not None else 0.0)
        out[col] = out[col].astype("float64")
    held = entries(m).groupby("sku")["units"].sum()
    out["held"] = out["sku"].map(held).fillna(0.0).astype("float64").to_numpy()
    came = out["supplied"] + out["produced"]
    gap = (came - out["consumed"] - out["disposed"] - out["held"]).abs()
    books = gap <= DUST * np.maximum(1.0, came)
    if bill is None:
        out["required"] = np.nan
        out["balanced"] = books.to_numpy()
        return out
    made = out.set_index("sku")["produced"]
    need = bill.assign(required=bill["sku"].map(made).fillna(0.0) * bill["quantity"])
    out["required"] = out["sku"].map(need.groupby("input")["required"].sum()).fillna(0.0).astype("float64")
    by_bill = np.isclose(out["consumed"], out["required"], rtol=LOT_TOLERANCE, atol=0.0)
    out["balanced"] = (books & by_bill).to_numpy()
    return out


def assert_conserved(movements: pd.DataFrame, *, bill: pd.DataFrame | None = None) -> None:
    """Raise ``AssertionError`` naming every SKU whose units are not conserved.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    bill : pandas.DataFrame, optional
        The bill of materials: also require consumption to match production.

    Examples
    --------
    >>> import ecograph
    >>> assert_conserved(ecograph.load_bundle("fixtures/tiny").movements)
    """
    table = conservation(movements, bill=bill)
    bad = table[~table["balanced"]]
    if len(bad):
        raise AssertionError("units not conserved (supplied + produced - consumed - disposed != held, "
                             "or consumed != required by the bill of materials):\n"
                             + bad.to_string(index=False))
