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
=========  =====================  ======================

A supply's ``from_party`` names where the units came from (the vendor) but is
not debited: supply is how units enter the books. The ledger has day
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

from .dates import DATE_DTYPE, AsOf, on_or_before
from .errors import ParameterError

__all__ = ["OUTSIDE", "DEBITS", "CREDITS", "DUST", "entries", "balances", "overdrafts", "reconcile",
           "adjustments", "custody_chain", "conservation", "assert_conserved"]

#: The virtual party units come from on supply and go to on dispose.
OUTSIDE = "(outside)"
DEBITS = ("transfer", "deploy", "return", "dispose")
CREDITS = ("supply", "transfer", "deploy", "return")
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
        Also give supply and dispose their leg on :data:`OUTSIDE`, so units of
        every SKU sum to zero over all parties.

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
        for kind, sign in (("supply", -1.0), ("dispose", 1.0)):
            sel = m[m["kind"] == kind]
            parts.append(pd.DataFrame({"id": sel["id"], "date": sel["date"], "sku": sel["sku"],
                                       "party": OUTSIDE, "units": sign * sel["units"]}))
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
    counts = counts.astype({**common, "counted": "float64"})
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
        ``step, id, date, kind, from_party, to_party, units, from_balance,
        to_balance``: the balances of the debited and credited parties at the
        end of that day (NaN where the side is not on the books: a supply's
        vendor, a dispose's destination). Rows of one day are ordered by id.

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
    out.insert(0, "step", np.arange(1, len(out) + 1))
    for side, legs in (("from", DEBITS), ("to", CREDITS)):
        bal = out[[f"{side}_party", "date"]].merge(
            daily, left_on=[f"{side}_party", "date"], right_on=["party", "date"], how="left")
        out[f"{side}_balance"] = bal["balance"].where(out["kind"].isin(legs).to_numpy()).to_numpy()
    if party is not None:
        out = out[(out["from_party"] == party) | (out["to_party"] == party)]
    return out.reset_index(drop=True)


def conservation(movements: pd.DataFrame, *, skus: Iterable[str] = (),
                 as_of: AsOf = None) -> pd.DataFrame:
    """Per SKU: units ``supplied`` from outside, ``disposed``, ``held`` by all
    parties at the end of ``as_of``, and whether they ``balanced``.

    Units are created only by supply and leave only by dispose, and every
    other movement is −q at its source and +q at its destination, so a valid
    ledger is balanced for every SKU; a movement missing a party is not.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.
    skus : iterable of str, optional
        SKUs to list first, with zeros if they never moved (say, the asset
        classes of a bundle).
    as_of : str, date or None
        The day (inclusive); ``None``: every movement.

    Returns
    -------
    pandas.DataFrame
        ``sku, supplied, disposed, held, balanced`` (supplied − disposed ==
        held, to a millionth of a unit).

    Examples
    --------
    >>> import ecograph
    >>> conservation(ecograph.load_bundle("fixtures/tiny").movements).to_dict("records")
    [{'sku': 'SRV', 'supplied': 10.0, 'disposed': 1.0, 'held': 9.0, 'balanced': True}, \
{'sku': 'STEEL', 'supplied': 12.5, 'disposed': 0.0, 'held': 12.5, 'balanced': True}]
    """
    m = movements[on_or_before(movements["date"], as_of)]
    listed = pd.Index(list(skus), dtype=object)
    order = listed.append(pd.Index(m["sku"].unique(), dtype=object).difference(listed))
    flows = m.pivot_table(index="sku", columns="kind", values="units", aggfunc="sum")
    out = pd.DataFrame({"sku": order})
    for col, kind in (("supplied", "supply"), ("disposed", "dispose")):
        s = flows[kind] if kind in flows else pd.Series(dtype="float64")
        out[col] = out["sku"].map(s).fillna(0.0).astype("float64").to_numpy()
    held = entries(m).groupby("sku")["units"].sum()
    out["held"] = out["sku"].map(held).fillna(0.0).astype("float64").to_numpy()
    gap = (out["supplied"] - out["disposed"] - out["held"]).abs()
    out["balanced"] = (gap <= DUST * np.maximum(1.0, out["supplied"])).to_numpy()
    return out


def assert_conserved(movements: pd.DataFrame) -> None:
    """Raise ``AssertionError`` naming every SKU whose units are not conserved.

    Parameters
    ----------
    movements : pandas.DataFrame
        The ``movements`` table.

    Examples
    --------
    >>> import ecograph
    >>> assert_conserved(ecograph.load_bundle("fixtures/tiny").movements)
    """
    table = conservation(movements)
    bad = table[~table["balanced"]]
    if len(bad):
        raise AssertionError("units not conserved (supplied - disposed != held):\n"
                             + bad.to_string(index=False))
