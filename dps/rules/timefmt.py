"""Showing instants, dates and money the way UK public services do."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(value: datetime) -> datetime:
    """An instant in London time. A naive value is refused: it would be read as server-local."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given for an instant: attach a time zone")
    return value.astimezone(LONDON)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = london(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """'3 April 2026 at 2:05pm', in London time. The instant a day begins is written as the end
    of the day before ("midnight at the end of 2 April 2026"), as GOV.UK does, since "midnight on
    3 April" is read both ways."""
    if value is None:
        return ""
    local = london(value)
    if local.hour == 0 and local.minute == 0:
        return f"midnight at the end of {format_date(local.date() - timedelta(days=1))}"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        clock = "midday"
    else:
        clock = f"{hour}:{local.minute:02d}{suffix}"
    return f"{format_date(local)} at {clock}"


def format_pence(pence: int | None) -> str:
    """Integer pence as pounds: 500000000 -> '£5,000,000'; 1050 -> '£10.50'."""
    if pence is None:
        return ""
    pounds, rem = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}" if rem == 0 else f"{sign}£{pounds:,}.{rem:02d}"
