"""Instants shown in London time, dates without leading zeros, and money (integer pence) in
pounds: plain values in, text out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from dps.rules.timefmt import format_date, format_datetime, format_pence

BST = timezone(timedelta(hours=1), "BST")
# 14:30 in London on a summer day is 13:30 UTC.
SUMMER_AFTERNOON_LONDON = datetime(2026, 6, 15, 14, 30, tzinfo=BST)


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        # Winter: London is on GMT.
        (datetime(2026, 1, 15, 13, 5, tzinfo=UTC), "15 January 2026 at 1:05pm"),
        # Summer: London is on BST, an hour ahead.
        (datetime(2026, 6, 15, 13, 5, tzinfo=UTC), "15 June 2026 at 2:05pm"),
        # Late on a summer evening in UTC is already the next day in London.
        (datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "1 June 2026 at 12:30am"),
        # The clocks go forward at 01:00 UTC on 29 March 2026.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 March 2026 at 12:59am"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 March 2026 at 2:00am"),
        # The clocks go back at 01:00 UTC on 25 October 2026: 1:30am happens twice.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        # GOV.UK style says midday and midnight rather than 12pm and 12am.
        (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 July 2026 at midday"),
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), "midnight at the end of 30 June 2026"),
        (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "midnight at the end of 30 November 2026"),
    ],
)
def test_instants_are_shown_in_london_time(instant: datetime, shown: str) -> None:
    assert format_datetime(instant) == shown


def test_dates_are_shown_without_leading_zeros() -> None:
    assert format_date(date(2020, 4, 1)) == "1 April 2020"
    # A date is the London date: 23:30 UTC is the same day in winter, the next day in summer.
    assert format_date(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == "31 January 2025"
    assert format_date(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == "1 April 2025"
    assert format_date(None) == ""
    assert format_datetime(None) == ""


# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (500_000_000, "£5,000,000"),
        (1050, "£10.50"),
        (5, "£0.05"),
        (99, "£0.99"),
        (100, "£1"),
        (0, "£0"),
        (123_456_789, "£1,234,567.89"),
        (-1050, "-£10.50"),
        (None, ""),
    ],
)
def test_pence_are_shown_as_pounds(pence: int | None, shown: str) -> None:
    assert format_pence(pence) == shown


def test_showing_a_naive_instant_is_refused_rather_than_read_as_server_time() -> None:
    from datetime import datetime

    import pytest

    from dps.rules import timefmt

    with pytest.raises(ValueError, match="naive"):
        timefmt.format_datetime(datetime(2026, 6, 1, 12, 0))
