"""The DPS period and the other figures of PCR 2015 reg. 34, to the second.

The period runs from 00:00 London on its start date to 00:00 London on the day after its end
date (DESIGN §3), so it is open at 23:59:59 on the end date and closed one second later,
whatever the clocks do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dps.rules import pcr2015
from dps.rules.calendar import LONDON
from dps.rules.pcr2015 import Period, PeriodRefused, check_period, tender_period_long_enough

ONE_SECOND = timedelta(seconds=1)
CAP = date(2029, 2, 23)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_the_seed_period_opens_at_midnight_london_on_its_start_date() -> None:
    period = Period(date(2020, 4, 1), date(2025, 3, 31))
    # 1 April 2020 was in British Summer Time: midnight in London was 11pm UTC the day before.
    assert period.opens_at == utc(2020, 3, 31, 23, 0)
    assert not period.is_open(london(2020, 3, 31, 23, 59, 59))
    assert period.is_open(london(2020, 4, 1, 0, 0, 0))


def test_the_period_is_open_all_of_its_end_date_and_closed_the_moment_after() -> None:
    period = Period(date(2020, 4, 1), date(2025, 3, 31))
    assert period.is_open(london(2025, 3, 31, 23, 59, 59))
    assert period.is_open(london(2025, 4, 1) - timedelta(microseconds=1))
    assert not period.is_open(london(2025, 4, 1, 0, 0, 0))
    assert period.closes_at == london(2025, 4, 1, 0, 0)
    # 31 March 2025 was in BST, so the period closed at 11pm UTC on the end date.
    assert period.closes_at == utc(2025, 3, 31, 23, 0)
    assert period.is_open(utc(2025, 3, 31, 22, 59, 59))
    assert not period.is_open(utc(2025, 3, 31, 23, 0, 0))


def test_a_period_ending_at_the_cap_closes_at_midnight_gmt() -> None:
    period = Period(date(2020, 4, 1), CAP)
    assert period.is_open(utc(2029, 2, 23, 23, 59, 59))
    assert not period.is_open(utc(2029, 2, 24, 0, 0, 0))


def test_a_period_ending_on_the_day_the_clocks_go_forward() -> None:
    # 29 March 2026 lasts 23 hours in London; the period still ends at its midnight.
    period = Period(date(2026, 1, 1), date(2026, 3, 29))
    assert period.closes_at == utc(2026, 3, 29, 23, 0)
    assert period.is_open(london(2026, 3, 29, 23, 59, 59))
    assert not period.is_open(london(2026, 3, 30, 0, 0, 0))
    assert period.closes_at - period.opens_at == timedelta(days=87, hours=23)


def test_a_period_ending_on_the_day_the_clocks_go_back() -> None:
    # 25 October 2026 lasts 25 hours in London: 1:30am happens twice, both inside the period.
    period = Period(date(2026, 10, 1), date(2026, 10, 25))
    assert period.closes_at == utc(2026, 10, 26, 0, 0)
    assert period.is_open(utc(2026, 10, 25, 23, 59, 59))
    assert period.is_open(utc(2026, 10, 25, 0, 30))  # the first 1:30am (BST)
    assert period.is_open(utc(2026, 10, 25, 1, 30))  # the second 1:30am (GMT)
    assert not period.is_open(utc(2026, 10, 26, 0, 0))


def test_a_period_starting_after_the_clocks_go_forward_opens_at_bst_midnight() -> None:
    period = Period(date(2026, 3, 30), date(2026, 12, 31))
    assert period.opens_at == utc(2026, 3, 29, 23, 0)
    assert not period.is_open(period.opens_at - ONE_SECOND)
    assert period.is_open(period.opens_at)


def test_a_one_day_period_is_open_for_that_whole_day() -> None:
    period = Period(date(2026, 6, 1), date(2026, 6, 1))
    check_period(period, transitional_cap=CAP)
    assert period.closes_at - period.opens_at == timedelta(days=1)


def test_a_period_may_end_on_the_transitional_cap_but_not_a_day_later() -> None:
    check_period(Period(date(2020, 4, 1), CAP), transitional_cap=CAP)
    with pytest.raises(PeriodRefused, match="cannot run beyond 23 February 2029") as refused:
        check_period(Period(date(2020, 4, 1), CAP + timedelta(days=1)), transitional_cap=CAP)
    assert refused.value.field == "end"


def test_the_cap_is_the_one_configured() -> None:
    earlier = date(2028, 12, 31)
    with pytest.raises(PeriodRefused, match="31 December 2028"):
        check_period(Period(date(2020, 4, 1), date(2029, 1, 1)), transitional_cap=earlier)
    assert pcr2015.DEFAULT_TRANSITIONAL_CAP == CAP


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(PeriodRefused, match="same as or after the start date") as refused:
        check_period(Period(date(2026, 6, 2), date(2026, 6, 1)), transitional_cap=CAP)
    assert refused.value.field == "end"


@pytest.mark.parametrize(
    ("sent", "earliest"),
    [
        # Winter, the day of sending is day 0: 23:59:59 GMT on the 10th day after it.
        (london(2026, 1, 5, 9, 0), london(2026, 1, 15, 23, 59, 59)),
        # Sent a second before midnight still counts from that day.
        (london(2026, 1, 5, 23, 59, 59), london(2026, 1, 15, 23, 59, 59)),
        # Into British Summer Time (29 March 2026): the deadline is 23:59:59 BST, 22:59:59 UTC.
        (london(2026, 3, 25, 10, 0), london(2026, 4, 4, 23, 59, 59)),
        # Out of it (25 October 2026): 23:59:59 GMT.
        (london(2026, 10, 20, 10, 0), london(2026, 10, 30, 23, 59, 59)),
        # Sent at 00:30 BST on a day whose UTC date is the day before: London's date counts.
        (london(2026, 6, 2, 0, 30), london(2026, 6, 12, 23, 59, 59)),
    ],
)
def test_the_earliest_tender_deadline_is_counted_by_london_dates(
    sent: datetime, earliest: datetime
) -> None:
    assert pcr2015.earliest_tender_deadline(sent) == earliest
    assert tender_period_long_enough(sent, earliest)
    assert not tender_period_long_enough(sent, earliest - ONE_SECOND)


def test_the_earliest_deadline_across_the_clock_change_is_in_utc() -> None:
    spring = pcr2015.earliest_tender_deadline(london(2026, 3, 25, 10, 0))
    autumn = pcr2015.earliest_tender_deadline(london(2026, 10, 20, 10, 0))
    assert spring == utc(2026, 4, 4, 22, 59, 59)
    assert autumn == utc(2026, 10, 30, 23, 59, 59)


def test_information_less_than_6_days_before_the_deadline_is_late() -> None:
    deadline = london(2026, 6, 30, 12, 0)
    assert not pcr2015.information_is_late(deadline - timedelta(days=6), deadline)
    assert pcr2015.information_is_late(deadline - timedelta(days=6) + ONE_SECOND, deadline)
    late = deadline - timedelta(days=2)
    assert pcr2015.deadline_after_late_information(late, deadline) == late + timedelta(days=6)
    early = deadline - timedelta(days=9)
    assert pcr2015.deadline_after_late_information(early, deadline) == deadline


def test_every_deadline_problem_is_named_at_once() -> None:
    sent = london(2026, 1, 5, 9, 0)
    found = pcr2015.deadline_problems(sent, sent - ONE_SECOND, london(2026, 1, 15, 12, 0))
    assert [problem.field for problem in found] == ["tender_deadline", "clarification_deadline"]
    assert "no earlier than 11:59:59pm on 15 January 2026" in found[0].message
    missing = pcr2015.deadline_problems(sent, None, None)
    assert [problem.field for problem in missing] == ["tender_deadline", "clarification_deadline"]


def test_questions_must_close_before_the_tender_deadline() -> None:
    sent = london(2026, 1, 5, 9, 0)
    deadline = london(2026, 1, 20, 12, 0)
    [problem] = pcr2015.deadline_problems(sent, deadline, deadline)
    assert problem.field == "clarification_deadline"
    assert "before the tender deadline" in problem.message
    assert pcr2015.deadline_problems(sent, deadline - timedelta(days=3), deadline) == []
