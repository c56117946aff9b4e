"""The dates an award runs to: the standstill period, the reply to a request for more reasons,
and the quarterly grouping of award notices for contracts under a DPS.

- Standstill (reg. 87(2) and (4)): when the letters are sent electronically it ends at midnight
  at the end of the 10th day after the day they were sent (London dates); a buyer may choose a
  longer period, never a shorter one; if it would end on a day that is not a working day, it
  ends at midnight at the end of the next working day. For a call-off under a DPS the standstill
  is optional (reg. 87(5)) but advised above the threshold.
- More reasons (reg. 55(2)): an unsuccessful tenderer who asks in writing is answered within 15
  days of the request being received.
- Quarterly notices (reg. 50(3)): contract award notices for contracts under a DPS may be grouped
  by calendar quarter, and are then due within 30 days of the end of each quarter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dps.rules.calendar import LONDON, is_working_day
from dps.rules.refusals import Refusal

STANDSTILL_MINIMUM_DAYS = 10
STANDSTILL_MAXIMUM_DAYS = 60
REASONS_REPLY_DAYS = 15
QUARTERLY_NOTICE_DAYS = 30


class StandstillRefused(Refusal):
    """A standstill period the rules do not allow; ``field`` is "standstill_days"."""


def _london_day(instant: datetime) -> date:
    if instant.tzinfo is None:
        raise ValueError("naive datetime given for an instant: attach a time zone")
    return instant.astimezone(LONDON).date()


def _end_of_day(day: date) -> datetime:
    """Midnight at the end of ``day`` in London, as a UTC instant (the start of the next day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC)


def check_standstill_days(days: int) -> None:
    if days < STANDSTILL_MINIMUM_DAYS:
        raise StandstillRefused(
            f"The standstill period must be at least {STANDSTILL_MINIMUM_DAYS} days",
            field="standstill_days",
        )
    if days > STANDSTILL_MAXIMUM_DAYS:
        raise StandstillRefused(
            f"The standstill period must be {STANDSTILL_MAXIMUM_DAYS} days or fewer",
            field="standstill_days",
        )


def standstill_last_day(sent_at: datetime, days: int = STANDSTILL_MINIMUM_DAYS) -> date:
    """The last day of standstill for letters sent electronically at ``sent_at``: the ``days``th
    day after the day of sending, moved on to the next working day if it is not one."""
    check_standstill_days(days)
    day = _london_day(sent_at) + timedelta(days=days)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def standstill_ends_at(sent_at: datetime, days: int = STANDSTILL_MINIMUM_DAYS) -> datetime:
    """The instant standstill ends: midnight at the end of its last day (London), in UTC. The
    contract may be confirmed at or after it."""
    return _end_of_day(standstill_last_day(sent_at, days))


def standstill_over(sent_at: datetime, at: datetime, days: int = STANDSTILL_MINIMUM_DAYS) -> bool:
    return at >= standstill_ends_at(sent_at, days)


def reasons_reply_due(asked_at: datetime) -> date:
    """The day by which a request for more reasons received at ``asked_at`` is answered."""
    return _london_day(asked_at) + timedelta(days=REASONS_REPLY_DAYS)


def quarter_of(day: date) -> tuple[int, int]:
    """The calendar quarter (year, 1 to 4) that ``day`` falls in."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_first_day(year: int, quarter: int) -> date:
    if not 1 <= quarter <= 4:
        raise ValueError(f"no quarter {quarter}")
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_last_day(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return quarter_first_day(year, quarter + 1) - timedelta(days=1)


def quarterly_notice_due(year: int, quarter: int) -> date:
    """The day by which the grouped award notice for a quarter is due: 30 days after its end."""
    return quarter_last_day(year, quarter) + timedelta(days=QUARTERLY_NOTICE_DAYS)


def quarter_label(year: int, quarter: int) -> str:
    """'January to March 2027', as the page and the report name a quarter."""
    first = quarter_first_day(year, quarter)
    last = quarter_last_day(year, quarter)
    return f"{first:%B} to {last:%B} {year}"
