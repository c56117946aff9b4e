"""The dates an award runs to (dps.rules.award_timing): standstill counted in London days and
moved on past weekends and bank holidays, the reply to a request for more reasons, quarters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dps.rules.award_timing import (
    StandstillRefused,
    check_standstill_days,
    quarter_label,
    quarter_of,
    quarterly_notice_due,
    reasons_reply_due,
    standstill_ends_at,
    standstill_last_day,
    standstill_over,
)


def test_standstill_ends_at_midnight_after_the_tenth_day() -> None:
    sent = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)  # Wednesday
    assert standstill_last_day(sent) == date(2027, 3, 13 + 2)  # Saturday 13th: on to Monday
    sent = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # Monday
    assert standstill_last_day(sent) == date(2027, 3, 11)  # Thursday
    assert standstill_ends_at(sent) == datetime(2027, 3, 12, 0, 0, tzinfo=UTC)


def test_a_standstill_ending_on_a_weekend_moves_to_the_next_working_day() -> None:
    sent = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)  # Wednesday: the 10th day is Saturday 16th
    assert standstill_last_day(sent) == date(2027, 1, 18)


def test_a_standstill_ending_on_a_bank_holiday_moves_past_it() -> None:
    # Friday 18 December 2026 + 10 = Monday 28th, the substitute Boxing Day holiday.
    sent = datetime(2026, 12, 18, 15, 0, tzinfo=UTC)
    assert standstill_last_day(sent) == date(2026, 12, 29)
    assert standstill_ends_at(sent) == datetime(2026, 12, 30, 0, 0, tzinfo=UTC)


def test_the_day_of_sending_is_the_london_day_across_the_october_clock_change() -> None:
    # 23:30 UTC on Tuesday 13 October 2026 is 00:30 on Wednesday 14th in London (BST).
    sent = datetime(2026, 10, 13, 23, 30, tzinfo=UTC)
    # 14th + 10 = Saturday 24th, on to Monday 26th, after the clocks went back on the 25th.
    assert standstill_last_day(sent) == date(2026, 10, 26)
    # Midnight at the end of the 26th in London is GMT again: 00:00 UTC on the 27th.
    assert standstill_ends_at(sent) == datetime(2026, 10, 27, 0, 0, tzinfo=UTC)
    assert not standstill_over(sent, datetime(2026, 10, 26, 23, 59, tzinfo=UTC))
    assert standstill_over(sent, datetime(2026, 10, 27, 0, 0, tzinfo=UTC))


def test_a_longer_standstill_may_be_chosen() -> None:
    sent = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    assert standstill_last_day(sent, 14) == date(2027, 3, 15)
    check_standstill_days(10)
    check_standstill_days(60)


@pytest.mark.parametrize("days", [0, 5, 9])
def test_fewer_than_ten_days_are_refused(days: int) -> None:
    with pytest.raises(StandstillRefused) as refused:
        check_standstill_days(days)
    assert refused.value.field == "standstill_days"
    with pytest.raises(StandstillRefused):
        standstill_ends_at(datetime(2027, 3, 1, tzinfo=UTC), days)


def test_more_than_sixty_days_are_refused() -> None:
    with pytest.raises(StandstillRefused):
        check_standstill_days(61)


def test_a_naive_time_is_a_fault() -> None:
    with pytest.raises(ValueError):
        standstill_last_day(datetime(2027, 3, 1, 10, 0))


def test_more_reasons_are_due_fifteen_days_after_the_request() -> None:
    assert reasons_reply_due(datetime(2027, 3, 1, 23, 30, tzinfo=UTC)) == date(2027, 3, 16)
    # In summer 23:30 UTC is already the next day in London.
    assert reasons_reply_due(datetime(2027, 6, 1, 23, 30, tzinfo=UTC)) == date(2027, 6, 17)


def test_quarters_and_their_notices() -> None:
    assert quarter_of(date(2027, 3, 31)) == (2027, 1)
    assert quarter_of(date(2027, 10, 1)) == (2027, 4)
    assert quarterly_notice_due(2027, 1) == date(2027, 4, 30)
    assert quarterly_notice_due(2027, 4) == date(2028, 1, 30)
    assert quarter_label(2027, 2) == "April to June 2027"
