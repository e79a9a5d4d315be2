"""The physical-account ledger: unit balances replayed from dated movements.

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

On top of the replay: reconciliation against audit counts (:func:`reconcile`,
:func:`adjustments`), custody of one SKU (:func:`custody_chain`), the installed
base (:func:`deployed`) and the conservation invariant (:func:`conservation`).
See ``docs/ledger.md``.

>>> import pandas as pd
>>> moves = pd.DataFrame({
...     "id": ["m1", "m2"], "date": pd.to_datetime(["2025-01-01", "2025-01-05"]),
...     "sku": ["SRV", "SRV"], "kind": ["supply", "deploy"],
...     "from_party": [None, "P1"], "to_party": ["P1", "C1"], "units": [10.0, 4.0]})
>>> balances(moves).to_dict("records")
[{'party': 'P1', 'sku': 'SRV', 'units': 6.0}, {'party': 'C1', 'sku': 'SRV', 'units': 4.0}]
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import ParameterError

if TYPE_CHECKING:
    from .ecosystem import Ecosystem

__all__ = ["OUTSIDE", "DEBITS", "CREDITS", "entries", "balances", "overdrafts", "reconcile",
           "adjustments", "custody_chain", "deployed", "conservation", "assert_conserved"]

#: The virtual party units come from on supply and go to on dispose.
OUTSIDE = "(outside)"
DEBITS = ("transfer", "deploy", "return", "dispose")
CREDITS = ("supply", "transfer", "deploy", "return")
#: Float dust on measured SKUs (kg): a millionth of a unit is not a difference.
_EPS = 1e-6
_KEYS = ["party", "sku"]


def _movements(data: Ecosystem | pd.DataFrame) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else data.movements


def _until(m: pd.DataFrame, as_of: str | pd.Timestamp | None) -> pd.DataFrame:
    return m if as_of is None else m[m["date"] <= pd.Timestamp(as_of)]


def entries(data: Ecosystem | pd.DataFrame, *, include_outside: bool = False) -> pd.DataFrame:
    """One row per ledger leg: ``id, date, sku, party, units`` (signed).

    With ``include_outside=True`` supply and dispose also get their leg on
    :data:`OUTSIDE`, so units of every SKU sum to zero over all parties.
    """
    m = _movements(data)
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


def balances(data: Ecosystem | pd.DataFrame, *, as_of: str | pd.Timestamp | None = None,
             include_zero: bool = False) -> pd.DataFrame:
    """Units held per party and SKU at the end of ``as_of`` (default: all movements).

    Returns columns ``party, sku, units`` in order of first appearance.
    """
    legs = entries(data)
    if as_of is not None:
        legs = legs[legs["date"] <= pd.Timestamp(as_of)]
    out = legs.groupby(["party", "sku"], sort=False, as_index=False)["units"].sum()
    if not include_zero:
        out = out[out["units"] != 0]
    return out.reset_index(drop=True)


def _daily(legs: pd.DataFrame) -> pd.DataFrame:
    """End-of-day balances: ``party, sku, date, units`` (the day's net), ``balance``."""
    daily = legs.groupby([*_KEYS, "date"], sort=True, as_index=False)["units"].sum()
    daily["balance"] = daily.groupby(_KEYS, sort=False)["units"].cumsum()
    return daily


def overdrafts(data: Ecosystem | pd.DataFrame) -> pd.DataFrame:
    """The first day each party's balance of a SKU goes negative.

    Returns ``party, sku, date, balance, movement`` where ``movement`` is the
    smallest id among that day's debits (stable whatever the row order).
    """
    legs = entries(data)
    daily = _daily(legs)
    neg = daily[daily["balance"] < -_EPS]
    first = neg.drop_duplicates(_KEYS, keep="first")
    keys = [*_KEYS, "date"]
    debits = legs[legs["units"] < 0].merge(first[keys], on=keys)  # only the days that matter
    debits = debits.sort_values("id").drop_duplicates(keys)[[*keys, "id"]]
    out = first.merge(debits, on=keys, how="left")
    out = out.rename(columns={"id": "movement"})[["party", "sku", "date", "balance", "movement"]]
    return out.sort_values(["date", "party", "sku"]).reset_index(drop=True)


def reconcile(eco: Ecosystem, *, tolerance: float = 0) -> pd.DataFrame:
    """Audit counts against the ledger, largest absolute discrepancy first.

    One row per audit: ``audit, date, party, sku, expected`` (ledger balance at
    the end of the audit date), ``counted``, ``discrepancy`` (counted -
    expected), ``abs_discrepancy``, ``share`` (discrepancy / expected; NaN
    unless expected > 0), ``status`` (``ok`` within ``tolerance`` units,
    otherwise ``short`` or ``over``), ``adjustment_units`` (signed entry that
    brings the books to the count, given the earlier audits' adjustments of
    the same party × SKU were booked) and ``adjustment_kind`` (``write_off``,
    ``found`` or ``none``). ``tolerance`` only changes ``status``: a count is
    authoritative, so the adjustment always closes the gap.

    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/manufacturing")
    >>> top = reconcile(eco).head(1)
    >>> top[["audit", "party", "sku", "expected", "counted", "status"]].values.tolist()
    [['A000018', 'P00027', 'PUMP', 12.0, 10.0, 'short']]
    >>> top[["discrepancy", "share", "adjustment_units", "adjustment_kind"]].values.tolist()
    [[-2.0, -0.16666666666666666, -2.0, 'write_off']]
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, Real) or not tolerance >= 0:
        raise ParameterError(f"tolerance must be a number of units >= 0; got {tolerance!r}")
    audits = eco.audits[["id", "date", "party", "sku", "counted"]].rename(columns={"id": "audit"})
    daily = _daily(entries(eco))[[*_KEYS, "date", "balance"]]
    # merge_asof wants keys of one dtype; an absent table's empty columns are object.
    common = {"party": str, "sku": str, "date": "datetime64[ns]"}
    audits = audits.astype({**common, "counted": "float64"})
    daily = daily.astype(common)
    # The balance at the end of the audit day: the last daily balance on or before it.
    out = pd.merge_asof(audits.sort_values("date", kind="stable"),
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
    return units.where(units.abs() > _EPS, 0.0)


def adjustments(eco: Ecosystem) -> pd.DataFrame:
    """The adjustment entries that make the books agree with every audit count.

    Movement-shaped rows, so ``pd.concat([eco.movements, adjustments(eco)])``
    replays through :func:`balances` and validates as a bundle: ``id``
    (``ADJ-<audit>``), ``date`` (the audit's), ``sku``, ``kind`` (``dispose``
    for a write-off, ``supply`` for units found), ``from_party``, ``to_party``,
    ``units`` (> 0), ``note`` (the reason, naming the audit), then ``audit``,
    ``party`` and ``change`` (signed units). Ordered by date, party, SKU.

    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/it_ecosystem")
    >>> adj = adjustments(eco)
    >>> adj[["id", "kind", "from_party", "units", "note"]].values.tolist()
    [['ADJ-A000006', 'dispose', 'P00037', 2.0, 'write_off per audit A000006']]
    >>> fixed = balances(pd.concat([eco.movements, adj]), as_of="2025-12-31")
    >>> fixed.query("party == 'P00037' and sku == 'NET-SW'")["units"].tolist()
    [7.0]
    """
    rec = reconcile(eco)
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


def _check_sku(data: Ecosystem | pd.DataFrame, sku: str) -> None:
    known = set(_movements(data)["sku"])
    if not isinstance(data, pd.DataFrame):
        known |= set(data.asset_classes["sku"])
    if sku not in known:
        raise ParameterError(f"sku must be a known SKU; got {sku!r}")


def custody_chain(data: Ecosystem | pd.DataFrame, sku: str, *,
                  party: str | None = None) -> pd.DataFrame:
    """Every movement of one SKU in date order, with the holders' balances.

    Returns ``step, id, date, kind, from_party, to_party, units,
    from_balance, to_balance``: the balances are the debited and credited
    parties' at the end of that day (NaN where the side is not on the books:
    a supply's vendor, a dispose's destination). Rows of one day are ordered
    by id. ``party`` keeps only the movements naming that party (``step``
    still counts the whole chain).

    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> chain = custody_chain(eco, "SRV")
    >>> chain[["kind", "from_party", "to_party", "to_balance"]].head(3).values.tolist()
    [['supply', 'S1', 'NIMBUS', 10.0], ['transfer', 'NIMBUS', 'P2', 6.0], ['transfer', 'P2', 'P1', 4.0]]
    >>> custody_chain(eco, "SRV", party="C1")["step"].tolist()
    [4, 5]
    """
    _check_sku(data, sku)
    m = _movements(data)
    m = m[m["sku"] == sku].sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    if party is not None:
        named = set(m["from_party"].dropna()) | set(m["to_party"].dropna())
        if not isinstance(data, pd.DataFrame):
            named |= set(data.parties["id"])
        if party not in named:
            raise ParameterError(f"party must be a known party id; got {party!r}")
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


def deployed(eco: Ecosystem, *, as_of: str | pd.Timestamp | None = None,
             by: str = "partner") -> pd.DataFrame:
    """Units deployed at sites (customers), net of returns, per partner or region.

    A return counts against a deployment only when it goes back along the
    same pair (site -> the party that deployed there); other returns, such as
    demo units handed back to the company, are not deployment returns.
    Returns ``partner`` (the deploying party) or ``region`` (the site's
    region; a partner site's home region), then ``sku, deployed, returned,
    net, sites`` (sites holding a net positive deployment), largest ``net``
    first. Movements after ``as_of`` are left out.

    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> deployed(eco).to_dict("records")
    [{'partner': 'P1', 'sku': 'SRV', 'deployed': 3.0, 'returned': 1.0, 'net': 2.0, 'sites': 1}]
    >>> deployed(eco, by="region")[["region", "net"]].values.tolist()
    [['EMEA', 2.0]]
    """
    if by not in ("partner", "region"):
        raise ParameterError(f"by must be 'partner' or 'region'; got {by!r}")
    m = _until(eco.movements, as_of)
    pair = ["partner", "site", "sku"]
    dep = m[m["kind"] == "deploy"].rename(columns={"from_party": "partner", "to_party": "site"})
    ret = m[m["kind"] == "return"].rename(columns={"from_party": "site", "to_party": "partner"})
    net = dep.groupby(pair, as_index=False, sort=False).agg(deployed=("units", "sum"))
    back = ret.groupby(pair, as_index=False, sort=False).agg(returned=("units", "sum"))
    net = net.merge(back, on=pair, how="left").fillna({"returned": 0.0})
    net["net"] = net["deployed"] - net["returned"]
    if by == "region":  # a site served by two partners is one site of its region
        net["region"] = net["site"].map(eco.parties.set_index("id")["region"])
        net = net.groupby(["region", "site", "sku"], as_index=False, sort=False, dropna=False)[
            ["deployed", "returned", "net"]].sum()
    net["sites"] = (net["net"] > _EPS).astype("int64")
    out = (net.groupby([by, "sku"], as_index=False, sort=False, dropna=False)
           [["deployed", "returned", "net", "sites"]].sum())
    out = out.astype({"deployed": "float64", "returned": "float64", "net": "float64",
                      "sites": "int64"})
    return out.sort_values(["net", by, "sku"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def conservation(data: Ecosystem | pd.DataFrame, *,
                 as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Per SKU: units ``supplied`` from outside, ``disposed``, ``held`` by all
    parties at the end of ``as_of``, and ``balanced`` (supplied - disposed ==
    held, to a millionth of a unit).

    Units are created only by supply and leave only by dispose, and every
    other movement is -q at its source and +q at its destination, so a valid
    ledger is balanced for every SKU; a movement missing a party is not.
    SKUs of an Ecosystem's asset classes without movements appear with zeros.

    >>> import ecograph
    >>> conservation(ecograph.load_bundle("fixtures/tiny")).to_dict("records")
    [{'sku': 'SRV', 'supplied': 10.0, 'disposed': 1.0, 'held': 9.0, 'balanced': True}, \
{'sku': 'STEEL', 'supplied': 12.5, 'disposed': 0.0, 'held': 12.5, 'balanced': True}]
    """
    m = _until(_movements(data), as_of)
    order = pd.Index(m["sku"].unique())
    if not isinstance(data, pd.DataFrame):
        order = pd.Index(data.asset_classes["sku"]).append(order.difference(data.asset_classes["sku"]))
    flows = m.pivot_table(index="sku", columns="kind", values="units", aggfunc="sum")
    out = pd.DataFrame({"sku": order})
    for col, kind in (("supplied", "supply"), ("disposed", "dispose")):
        s = flows[kind] if kind in flows else pd.Series(dtype="float64")
        out[col] = out["sku"].map(s).fillna(0.0).astype("float64").to_numpy()
    held = entries(m).groupby("sku")["units"].sum()
    out["held"] = out["sku"].map(held).fillna(0.0).astype("float64").to_numpy()
    gap = (out["supplied"] - out["disposed"] - out["held"]).abs()
    out["balanced"] = (gap <= _EPS * np.maximum(1.0, out["supplied"])).to_numpy()
    return out


def assert_conserved(data: Ecosystem | pd.DataFrame) -> None:
    """Raise ``AssertionError`` naming every SKU whose units are not conserved.

    >>> import ecograph
    >>> assert_conserved(ecograph.load_bundle("fixtures/tiny"))
    """
    table = conservation(data)
    bad = table[~table["balanced"]]
    if len(bad):
        raise AssertionError("units not conserved (supplied - disposed != held):\n"
                             + bad.to_string(index=False))
