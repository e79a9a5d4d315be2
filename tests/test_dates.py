"""The one as_of convention: a day given as as_of is included ("as of the end of day D")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ecograph import ParameterError
from ecograph.dates import DATE_DTYPE, FIRST_DAY, LAST_DAY, after, in_force, on_or_before, timestamp


@pytest.mark.parametrize("value", ["2025-06-30", dt.date(2025, 6, 30),
                                   pd.Timestamp("2025-06-30 17:45")])
def test_a_day_in_any_form_is_that_day_at_midnight(value):
    assert timestamp(value) == pd.Timestamp("2025-06-30")


def test_no_day_stays_none():
    assert timestamp(None) is None


@pytest.mark.parametrize("value", ["June", "2025-13-01", "2025-02-30", "", "30/06/2025"])
def test_what_is_not_a_day_is_a_parameter_error(value):
    with pytest.raises(ParameterError, match="YYYY-MM-DD") as info:
        timestamp(value)
    assert isinstance(info.value, ValueError)
    assert repr(value) in str(info.value)


DAYS = pd.Series(pd.to_datetime(["2025-06-29", "2025-06-30", "2025-07-01", None]))


def test_on_or_before_includes_the_day_itself():
    assert on_or_before(DAYS, "2025-06-30").tolist() == [True, True, False, True]
    assert on_or_before(DAYS, "2025-06-30", missing=False).tolist() == [True, True, False, False]
    assert on_or_before(DAYS, None).all()


def test_after_excludes_the_day_itself_and_missing_dates():
    assert after(DAYS, "2025-06-30").tolist() == [False, False, True, False]
    assert not after(DAYS, None).any()


def test_on_or_before_and_after_split_every_dated_row():
    dated = DAYS.notna()
    known, later = on_or_before(DAYS, "2025-06-30"), after(DAYS, "2025-06-30")
    assert (known[dated] ^ later[dated]).all()


def test_a_relationship_is_in_force_from_its_start_through_its_end_day():
    rel = pd.DataFrame({"start": pd.to_datetime(["2025-01-01", "2025-07-01", None, "2025-01-01"]),
                        "end": pd.to_datetime(["2025-06-30", None, "2025-06-29", None])})
    assert in_force(rel, "2025-06-30").tolist() == [True, False, False, True]
    assert in_force(rel, "2025-07-01").tolist() == [False, True, False, True]
    assert in_force(rel, None).all()  # without a day: every relationship


# --- the date model: calendar days 0001-01-01 ... 9999-12-31 --------------------------------

LIMITS = pd.Series(["0001-01-01", "2025-06-30", "9999-12-31", None], dtype="datetime64[s]")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_the_first_and_last_days_are_days(value):
    day = timestamp(value)
    assert day == pd.Timestamp(str(value)) and day.unit == "s"
    assert day in (FIRST_DAY, LAST_DAY)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_days_compare_with_a_timestamp_of_any_resolution(unit):
    day = pd.Timestamp("2025-06-30").as_unit(unit)
    assert LIMITS.le(day).tolist() == [True, True, False, False]
    assert on_or_before(LIMITS, day).tolist() == [True, True, False, True]
    assert after(LIMITS, day).tolist() == [False, False, True, False]


def test_an_open_ended_relationship_is_in_force_on_every_real_day():
    rel = pd.DataFrame({"start": pd.Series(["0001-01-01", "2025-01-01"], dtype=DATE_DTYPE),
                        "end": pd.Series(["9999-12-31", "9999-12-31"], dtype=DATE_DTYPE)})
    for day in ("0001-01-01", "1970-01-01", "2262-04-12", "2025-06-30", "9999-12-31"):
        assert in_force(rel, day).tolist() == [True, day >= "2025-01-01"], day
    assert in_force(rel, None).all()
