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

>>> import pandas as pd
>>> moves = pd.DataFrame({
...     "id": ["m1", "m2"], "date": pd.to_datetime(["2025-01-01", "2025-01-05"]),
...     "sku": ["SRV", "SRV"], "kind": ["supply", "deploy"],
...     "from_party": [None, "P1"], "to_party": ["P1", "C1"], "units": [10.0, 4.0]})
>>> balances(moves).to_dict("records")
[{'party': 'P1', 'sku': 'SRV', 'units': 6.0}, {'party': 'C1', 'sku': 'SRV', 'units': 4.0}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .ecosystem import Ecosystem

__all__ = ["OUTSIDE", "DEBITS", "CREDITS", "entries", "balances", "overdrafts"]

#: The virtual party units come from on supply and go to on dispose.
OUTSIDE = "(outside)"
DEBITS = ("transfer", "deploy", "return", "dispose")
CREDITS = ("supply", "transfer", "deploy", "return")


def _movements(data: Ecosystem | pd.DataFrame) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else data.movements


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


def overdrafts(data: Ecosystem | pd.DataFrame) -> pd.DataFrame:
    """The first day each party's balance of a SKU goes negative.

    Returns ``party, sku, date, balance, movement`` where ``movement`` is the
    smallest id among that day's debits (stable whatever the row order).
    """
    legs = entries(data)
    daily = (legs.groupby(["party", "sku", "date"], sort=True, as_index=False)["units"].sum())
    daily["balance"] = daily.groupby(["party", "sku"], sort=False)["units"].cumsum()
    # Tolerate float dust on measured SKUs (kg): a millionth of a unit is not an overdraft.
    neg = daily[daily["balance"] < -1e-6]
    first = neg.drop_duplicates(["party", "sku"], keep="first")
    keys = ["party", "sku", "date"]
    debits = legs[legs["units"] < 0].merge(first[keys], on=keys)  # only the days that matter
    debits = debits.sort_values("id").drop_duplicates(keys)[[*keys, "id"]]
    out = first.merge(debits, on=keys, how="left")
    out = out.rename(columns={"id": "movement"})[["party", "sku", "date", "balance", "movement"]]
    return out.sort_values(["date", "party", "sku"]).reset_index(drop=True)
