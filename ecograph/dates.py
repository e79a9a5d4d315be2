"""The date model and the one ``as_of`` convention of ecograph.

**Dates are calendar days**, never instants: every date column of an
:class:`~ecograph.Ecosystem` has the dtype :data:`DATE_DTYPE`
(``datetime64[s]``, midnight of the day), so the whole ISO range
:data:`FIRST_DAY` 0001-01-01 … :data:`LAST_DAY` 9999-12-31 is held exactly —
nanosecond timestamps end in 2262 and would refuse ``9999-12-31``, the usual
"open-ended" marker of business data. An open-ended relationship may say
``end = 9999-12-31`` or leave ``end`` empty: either way it is in force on
every real day. Files hold dates as ``YYYY-MM-DD`` text (CSV) or Parquet date
columns; both load to the same days. Comparing a date column with a
:class:`pandas.Timestamp` of any resolution (``dates <= timestamp(as_of)``)
works; do not cast a date column to ``datetime64[ns]``.

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
>>> ends = pd.Series(["9999-12-31", "0001-01-01"], dtype=DATE_DTYPE)
>>> after(ends, "2025-06-30").tolist(), on_or_before(ends, FIRST_DAY).tolist()
([True, False], [False, True])
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["AsOf", "DATE_DTYPE", "FIRST_DAY", "LAST_DAY", "timestamp", "on_or_before", "after",
           "in_force"]

#: The dtype of every date column: calendar days at second resolution (the whole ISO range).
DATE_DTYPE = "datetime64[s]"
#: The first and the last day a bundle may hold.
FIRST_DAY = pd.Timestamp("0001-01-01").as_unit("s")
LAST_DAY = pd.Timestamp("9999-12-31").as_unit("s")

#: What an ``as_of`` argument may be: a ``YYYY-MM-DD`` string, a date, or ``None`` (everything).
AsOf = str | dt.date | pd.Timestamp | None


def timestamp(as_of: AsOf) -> pd.Timestamp | None:
    """``as_of`` as a midnight :class:`pandas.Timestamp` (``None`` stays ``None``).

    Any day from 0001-01-01 to 9999-12-31 (second resolution, never nanoseconds).

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
    >>> timestamp("9999-12-31") == LAST_DAY
    True
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
    return day.normalize().as_unit("s")


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
