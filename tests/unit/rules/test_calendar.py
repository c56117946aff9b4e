"""Working days in England and Wales, and when a decision on a request to participate is due.

The law (PCR 2015 reg. 34(15), DESIGN §3): the day of receipt, in London, is day 0; the decision
is due by 23:59:59 London on the 10th working day after it (15th when extended). Weekends and
the bank holidays of England and Wales are not working days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dps.rules.calendar import (
    LONDON,
    add_working_days,
    is_bank_holiday,
    is_working_day,
    london_date,
    working_days_between,
)
from dps.rules.pcr2015 import decision_due_at, self_declaration_due_at


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- bank holidays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute: the 26th is a Saturday)"),
        (date(2022, 12, 27), "Christmas Day 2022 fell on a Sunday: substitute on Tuesday"),
        (date(2023, 1, 2), "New Year's Day 2023 fell on a Sunday: substitute on Monday"),
        (date(2022, 9, 19), "State funeral of Queen Elizabeth II (a one-off)"),
        (date(2023, 5, 8), "Coronation of King Charles III (a one-off)"),
    ],
)
def test_bank_holidays_of_england_and_wales_are_not_working_days(day: date, why: str) -> None:
    assert day.weekday() < 5, why
    assert is_bank_holiday(day), why
    assert not is_working_day(day), why


def test_scottish_and_northern_irish_holidays_are_working_days() -> None:
    assert is_working_day(date(2026, 1, 2))  # 2 January: Scotland only
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day: Northern Ireland only
    assert is_working_day(date(2026, 8, 3))  # Summer bank holiday in Scotland only


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert is_working_day(date(2026, 3, 9))  # Monday
    # The substitute day is the holiday; the weekend day itself is a weekend day anyway.
    assert is_working_day(date(2022, 12, 28))


def test_adding_and_counting_working_days() -> None:
    assert add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday + 1 = Monday
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 20)) == 10
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 9), -1)


def test_counting_runs_across_the_new_year() -> None:
    # Wednesday 30 December 2026: Thursday 31 (1), Friday 1 January is a holiday, Monday 4 (2).
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


# --- the decision clock ----------------------------------------------------------------------


def test_receipt_on_the_thursday_before_good_friday() -> None:
    # Thursday 2 April 2026 is day 0; Good Friday (3rd) and Easter Monday (6th) do not count:
    # Tue 7 (1) ... Fri 10 (4), Mon 13 (5) ... Fri 17 (9), Mon 20 (10).
    due = decision_due_at(london(2026, 4, 2, 14, 0))
    assert due == london(2026, 4, 20, 23, 59, 59)
    assert due.astimezone(UTC) == utc(2026, 4, 20, 22, 59, 59)  # British Summer Time


def test_receipt_before_christmas_skips_christmas_the_substitute_boxing_day_and_new_year() -> None:
    # Wednesday 23 December 2026: Thu 24 (1); 25 and 28 December and 1 January are holidays;
    # Tue 29 (2), Wed 30 (3), Thu 31 (4), Mon 4 (5) ... Fri 8 (9), Mon 11 January (10).
    due = decision_due_at(london(2026, 12, 23, 10, 0))
    assert due == london(2027, 1, 11, 23, 59, 59)
    assert due.astimezone(UTC) == utc(2027, 1, 11, 23, 59, 59)  # GMT: London is UTC


def test_the_substitute_christmas_holiday_of_2022_is_skipped() -> None:
    # Friday 23 December 2022: 26 and 27 December and 2 January are holidays.
    # Wed 28 (1), Thu 29 (2), Fri 30 (3), Tue 3 (4) ... Fri 6 (7), Mon 9 (8) ... Wed 11 (10).
    assert decision_due_at(london(2022, 12, 23, 9, 0)) == london(2023, 1, 11, 23, 59, 59)


def test_receipt_on_a_saturday_evening_counts_the_saturday_as_day_0() -> None:
    # Saturday 7 March 2026, 9:30pm: Mon 9 (1) ... Fri 13 (5), Mon 16 (6) ... Fri 20 (10).
    assert decision_due_at(london(2026, 3, 7, 21, 30)) == london(2026, 3, 20, 23, 59, 59)


def test_day_0_is_the_london_date_not_the_utc_date() -> None:
    # 00:30 on Monday 8 June 2026 in London (BST) is 23:30 on Sunday 7 June in UTC.
    received = utc(2026, 6, 7, 23, 30)
    assert london_date(received) == date(2026, 6, 8)
    # Day 0 is Monday: Tue 9 (1) ... Mon 22 (10). Counting from the UTC Sunday would give Fri 19.
    assert decision_due_at(received) == london(2026, 6, 22, 23, 59, 59)


def test_a_receipt_late_in_the_london_evening_stays_on_that_day() -> None:
    # 11:59pm on Friday 5 June 2026 (BST) is 10:59pm UTC; a minute later it is Saturday in London.
    assert decision_due_at(london(2026, 6, 5, 23, 59)) == london(2026, 6, 19, 23, 59, 59)
    assert decision_due_at(london(2026, 6, 6, 0, 0)) == london(2026, 6, 19, 23, 59, 59)
    # In winter London is UTC: 11:30pm UTC on Friday 6 March 2026 is still Friday in London.
    assert decision_due_at(utc(2026, 3, 6, 23, 30)) == london(2026, 3, 20, 23, 59, 59)


def test_the_decision_is_due_at_the_last_second_of_the_day_in_london_across_the_clock_change() -> (
    None
):
    # Received Friday 20 March 2026 (GMT); due after the clocks go forward on 29 March, and after
    # Easter: Mon 23 (1) ... Fri 27 (5), Mon 30 (6) ... Thu 2 April (9), Tue 7 April (10).
    due = decision_due_at(utc(2026, 3, 20, 12, 0))
    assert due == london(2026, 4, 7, 23, 59, 59)
    assert due.astimezone(UTC) == utc(2026, 4, 7, 22, 59, 59)


def test_an_extended_decision_is_due_on_the_15th_working_day() -> None:
    # Thursday 2 April 2026: the 10th working day is Mon 20 April; the 15th is Mon 27 April.
    received = london(2026, 4, 2, 14, 0)
    assert decision_due_at(received, extended=True) == london(2026, 4, 27, 23, 59, 59)
    # The early May bank holiday (4 May) counts too: Thu 23 April + 15 = Fri 15 May.
    assert decision_due_at(london(2026, 4, 23, 9), extended=True) == london(2026, 5, 15, 23, 59, 59)


def test_a_renewed_self_declaration_is_due_in_5_working_days() -> None:
    # Requested Wednesday 1 April 2026: Thu 2 (1), Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5).
    assert self_declaration_due_at(london(2026, 4, 1, 16, 0)) == london(2026, 4, 10, 23, 59, 59)
