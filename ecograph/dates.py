"""The one ``as_of`` convention of ecograph.

``as_of=D`` means *as things stood at the end of day D*: everything dated on
or before D is known, nothing dated after it. A balance as of D includes D's
movements; a snapshot as of D holds the deals registered on D; a deal that
closed on D counts as closed. Ledger, snapshots, assessment and co-selling all
read ``as_of`` this way (``docs/analytics.md``, "Dates"). Without ``as_of`` a
function reads the ecosystem as of its reference date
(:attr:`ecograph.Ecosystem.reference_date`, the last day any record is dated):
everything dated is known, and a relationship that ended before that day is
no longer in force.

>>> import pandas as pd
>>> days = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-02", None]))
>>> on_or_before(days, "2025-01-01").tolist()
[True, False, True]
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["AsOf", "timestamp", "on_or_before", "after", "in_force"]

#: What an ``as_of`` argument may be: a ``YYYY-MM-DD`` string, a date, or ``None`` (everything).
AsOf = str | dt.date | pd.Timestamp | None


def timestamp(as_of: AsOf) -> pd.Timestamp | None:
    """``as_of`` as a midnight :class:`pandas.Timestamp` (``None`` stays ``None``).

    Parameters
    ----------
    as_of : str, datetime.date, pandas.Timestamp or None
        The day, e.g. ``"2025-06-30"``.

    Returns
    -------
    pandas.Timestamp or None
        The day at midnight.

    Raises
    ------
    ParameterError
        When ``as_of`` is not a date.

    Examples
    --------
    >>> timestamp("2025-06-30")
    Timestamp('2025-06-30 00:00:00')
    >>> timestamp("June")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: as_of must be a date (YYYY-MM-DD); got 'June'
    """
    if as_of is None:
        return None
    if not isinstance(as_of, str | dt.date):  # a number would silently become 1970-01-01
        raise ParameterError(f"as_of must be a date (YYYY-MM-DD); got {as_of!r}")
    try:
        day = pd.Timestamp(dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)
    except (ValueError, TypeError, OverflowError):
        day = pd.NaT
    if pd.isna(day):
        raise ParameterError(f"as_of must be a date (YYYY-MM-DD); got {as_of!r}")
    return day.normalize()


def on_or_before(dates: pd.Series, as_of: AsOf, *, missing: bool = True) -> pd.Series:
    """Which ``dates`` are known as of the end of day ``as_of`` (all of them without one).

    Parameters
    ----------
    dates : pandas.Series
        Dates (datetime64).
    as_of : str, datetime.date, pandas.Timestamp or None
        The day; ``None`` keeps every row.
    missing : bool, default True
        What a missing date counts as (a partner with no ``joined`` date has
        always been there: ``True``).

    Returns
    -------
    pandas.Series
        Booleans, on the index of ``dates``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.Series(pd.to_datetime(["2025-03-01", None]))
    >>> on_or_before(d, "2025-03-01", missing=False).tolist()
    [True, False]
    """
    day = timestamp(as_of)
    if day is None:
        return pd.Series(True, index=dates.index)
    return (dates <= day) | (dates.isna() if missing else False)


def after(dates: pd.Series, as_of: AsOf) -> pd.Series:
    """Which ``dates`` fall after the end of day ``as_of`` (missing dates never do).

    Parameters
    ----------
    dates : pandas.Series
        Dates (datetime64).
    as_of : str, datetime.date, pandas.Timestamp or None
        The day; ``None``: nothing is after it.

    Returns
    -------
    pandas.Series
        Booleans, on the index of ``dates``.

    Examples
    --------
    >>> import pandas as pd
    >>> after(pd.Series(pd.to_datetime(["2025-03-01", "2025-03-02", None])), "2025-03-01").tolist()
    [False, True, False]
    """
    day = timestamp(as_of)
    if day is None:
        return pd.Series(False, index=dates.index)
    return pd.Series(np.asarray(dates > day, dtype=bool), index=dates.index)


def in_force(relationships: pd.DataFrame, as_of: AsOf) -> pd.Series:
    """Which relationships are in force on day ``as_of``: started on or before it
    (or undated) and not ended before it (``end`` is the last day in force).

    Parameters
    ----------
    relationships : pandas.DataFrame
        Rows with ``start`` and ``end`` dates.
    as_of : str, date or None
        The day; ``None``: every relationship, ended or not.

    Returns
    -------
    pandas.Series
        Booleans, on the index of ``relationships``.

    Examples
    --------
    >>> import pandas as pd
    >>> rel = pd.DataFrame({"start": pd.to_datetime(["2025-01-01", "2025-02-01", None]),
    ...                     "end": pd.to_datetime(["2025-01-31", None, "2025-03-01"])})
    >>> in_force(rel, "2025-01-31").tolist()
    [True, False, True]
    """
    if as_of is None:
        return pd.Series(True, index=relationships.index)
    ended = relationships["end"] < timestamp(as_of)  # a missing end never ends
    return on_or_before(relationships["start"], as_of) & ~ended
