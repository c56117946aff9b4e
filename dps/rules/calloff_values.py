"""Reading what a buyer types into a call-off: money, whole numbers, dates and London times.

Each reader takes what was typed and returns the value to keep, or raises ``ValueRefused`` with
a message in the GOV.UK error-message style and the field it is for. Money is returned in
integer pence; a date and a time are read as London's and returned as a UTC instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dps.rules import digits
from dps.rules.refusals import Refusal

LONDON = ZoneInfo("Europe/London")
# No call-off is worth a billion pounds; a figure past this is a slip of the keyboard.
MAX_VALUE_PENCE = 100_000_000_000
_DATE_FORMATS = ("%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y")
_TIME = re.compile(r"\s*([0-9]{1,2})[:.]([0-9]{2})\s*")
# Pounds, and pence after a point: the digits 0 to 9 only (Decimal would take any script's).
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class ValueRefused(Refusal):
    """What was typed cannot be read; ``field`` names the question."""


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: object) -> str:
    """Typed text with its outer spaces taken off ("" for nothing)."""
    return "" if raw is None else str(raw).strip()


def pounds_to_pence(raw: object, *, field: str, name: str) -> int:
    """An amount in pounds ("£12,500.50", "12500") as integer pence, more than nothing."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        pence = raw * 100
    else:
        cleaned = text(raw).replace("£", "").replace(",", "").replace(" ", "")
        if not _AMOUNT.fullmatch(cleaned):
            raise ValueRefused(
                f"{name} must be an amount of money, like 12500 or 12500.50", field=field
            )
        pounds, _, pence_typed = cleaned.removeprefix("-").partition(".")
        if len(pence_typed.rstrip("0")) > 2:
            raise ValueRefused(f"{name} must be in pounds and pence, like 12500.50", field=field)
        pence = (digits.whole(pounds) or 0) * 100 + int((pence_typed + "00")[:2])
        if cleaned.startswith("-"):
            pence = -pence
    if pence <= 0:
        raise ValueRefused(f"{name} must be more than £0", field=field)
    if pence > MAX_VALUE_PENCE:
        raise ValueRefused(f"{name} must be £1,000,000,000 or less", field=field)
    return pence


def whole_number(raw: object, *, field: str, name: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``, as typed ("1,000" is read as 1000)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        cleaned = text(raw).replace(",", "").rstrip("%").strip()
        read = digits.whole(cleaned, signed=True)
        if read is None:
            raise ValueRefused(f"{name} must be a whole number, like {low}", field=field)
        value = read
    if not low <= value <= high:
        raise ValueRefused(f"{name} must be between {low:,} and {high:,}", field=field)
    return value


def a_date(raw: object, *, field: str, name: str) -> date:
    """A real date: a ``date``, or typed as "2027-03-01", "1 3 2027" or "1/3/2027"."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    typed = " ".join(text(raw).split())
    if digits.has_other_digits(typed):
        # strptime reads any script's digits: only 0 to 9 make a date here.
        raise ValueRefused(f"{name} must be a real date", field=field)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(typed, pattern).date()
        except ValueError:
            continue
    raise ValueRefused(f"{name} must be a real date", field=field)


def a_time(raw: object, *, field: str, name: str) -> time:
    """A time of day on the 24-hour clock, typed as "17:00" or "9.30"."""
    if isinstance(raw, time):
        return raw
    found = _TIME.fullmatch(text(raw))
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise ValueRefused(f"{name} must be a time on the 24-hour clock, like 17:00", field=field)
    return time(int(found[1]), int(found[2]))


def london_instant(day: date, at: time) -> datetime:
    """The UTC instant of a London date and time of day (the first, in the hour the clocks go
    back)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def bounded_text(raw: object, *, field: str, name: str, maximum: int) -> str:
    value = text(raw)
    if len(value) > maximum:
        raise ValueRefused(f"{name} must be {maximum:,} characters or fewer", field=field)
    return value


def deadline(raw: object, *, field: str, name: str) -> datetime:
    """A deadline: an aware ``datetime``, or {"date": ..., "time": ...} typed in London time."""
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise ValueError("naive datetime given for a deadline: attach a time zone")
        return raw.astimezone(UTC)
    parts = raw if isinstance(raw, dict) else {}
    day = a_date(parts.get("date"), field=field, name=f"The date of {name}")
    at = a_time(parts.get("time"), field=field, name=f"The time of {name}")
    return london_instant(day, at)


# --- the call-off's own fields --------------------------------------------------------------

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
LOCATION_MAX = 200
QUESTION_TEXT_MAX = 5_000


@dataclass(frozen=True)
class Field:
    """A value of the call-off: the section of the task list it is saved in, the column it is
    kept in, how typing is read, and what to say when it is missing."""

    name: str
    section: str
    column: str
    read: Callable[[object], Any]
    missing: str


def _reader(function: Callable[..., Any], **kwargs: Any) -> Callable[[object], Any]:
    return lambda raw: function(raw, **kwargs)


FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        "details",
        "title",
        _reader(bounded_text, field="title", name="The title", maximum=TITLE_MAX),
        "Enter a title",
    ),
    Field(
        "description",
        "details",
        "description",
        _reader(
            bounded_text,
            field="description",
            name="The description of the requirement",
            maximum=DESCRIPTION_MAX,
        ),
        "Enter a description of the requirement",
    ),
    Field(
        "delivery_location",
        "details",
        "delivery_location",
        _reader(
            bounded_text,
            field="delivery_location",
            name="Where it is delivered",
            maximum=LOCATION_MAX,
        ),
        "Enter where the work is delivered",
    ),
    Field(
        "estimated_value",
        "value_and_dates",
        "estimated_value_pence",
        _reader(pounds_to_pence, field="estimated_value", name="The estimated value"),
        "Enter the estimated value, excluding VAT",
    ),
    Field(
        "contract_start",
        "value_and_dates",
        "contract_start",
        _reader(a_date, field="contract_start", name="The contract start date"),
        "Enter the date the contract starts",
    ),
    Field(
        "contract_end",
        "value_and_dates",
        "contract_end",
        _reader(a_date, field="contract_end", name="The contract end date"),
        "Enter the date the contract ends",
    ),
    Field(
        "price_weight",
        "criteria",
        "price_weight_percent",
        _reader(whole_number, field="price_weight", name="The price weighting", low=0, high=100),
        "Enter the price weighting",
    ),
    Field(
        "clarification_deadline",
        "deadlines",
        "clarification_deadline",
        _reader(deadline, field="clarification_deadline", name="the deadline for questions"),
        "Enter the deadline for questions",
    ),
    Field(
        "tender_deadline",
        "deadlines",
        "tender_deadline",
        _reader(deadline, field="tender_deadline", name="the tender deadline"),
        "Enter the tender deadline",
    ),
)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}


def fields_of(section: str) -> tuple[Field, ...]:
    return tuple(field for field in FIELDS if field.section == section)
