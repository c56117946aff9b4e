"""The Public Contracts Regulations 2015, regulation 34 (dynamic purchasing systems).

The legal figures and tests of DESIGN §3, named as the law names them, in one module so that a
second rule set (the Procurement Act 2023's dynamic markets) can sit beside it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dps.rules.calendar import LONDON, add_working_days
from dps.rules.refusals import Refusal

RULE_SET_NAME = "PCR 2015 reg. 34"

# reg. 34(15): evaluate a request to participate within 10 working days; 15 where justified.
EVALUATION_WORKING_DAYS = 10
EVALUATION_WORKING_DAYS_EXTENDED = 15
# reg. 34(22)-(23): suppliers may be asked to renew their self-declaration within 5 working days.
SELF_DECLARATION_RENEWAL_WORKING_DAYS = 5
# reg. 34(17)-(18): at least 10 days from sending the invitation to the time limit for tenders,
# counted by dates (DESIGN §3): the deadline is no earlier than 23:59:59 London on the 10th day
# after the day of sending.
MINIMUM_TENDER_PERIOD_DAYS = 10
# reg. 47(3)(a) in spirit: information asked for in good time is given at least 6 days before
# the deadline; an answer or addendum later than that prompts a later deadline.
LATE_INFORMATION_DAYS = 6
# Commencement No. 3 Regulations 2024, reg. 5 (as amended): a 2015 DPS runs on no later than this.
DEFAULT_TRANSITIONAL_CAP = date(2029, 2, 23)


@dataclass(frozen=True)
class Period:
    """A DPS period given as dates, inclusive of both."""

    start: date
    end: date

    @property
    def opens_at(self) -> datetime:
        """00:00 London on the start date, as a UTC instant."""
        return _london_midnight(self.start)

    @property
    def closes_at(self) -> datetime:
        """00:00 London on the day after the end date: the first instant outside the period."""
        return _london_midnight(self.end + timedelta(days=1))

    def is_open(self, at: datetime) -> bool:
        return self.opens_at <= _instant(at) < self.closes_at


def _london_midnight(day: date) -> datetime:
    # In UTC: Python compares and subtracts two datetimes sharing one tzinfo by their wall
    # clocks, which is wrong by an hour across a clock change.
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def _instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given for an instant: attach a time zone")
    return value.astimezone(UTC)


class PeriodRefused(Refusal):
    """A proposed DPS period the rules do not allow; the message says why.

    ``field`` names what is wrong ("start", "end" or "reason"), so a form can put the message
    next to it.
    """


def check_period(period: Period, *, transitional_cap: date) -> None:
    """Refuse a period that ends before it starts or runs past the transitional cap."""
    if period.end < period.start:
        raise PeriodRefused(
            "The end date must be the same as or after the start date.", field="end"
        )
    if period.end > transitional_cap:
        raise PeriodRefused(
            "A dynamic purchasing system set up under the Public Contracts Regulations 2015 "
            f"cannot run beyond {transitional_cap.day} {transitional_cap:%B %Y} (the transitional "
            "cap). Choose an end date on or before it.",
            field="end",
        )


def decision_due_at(received_at: datetime, *, extended: bool = False) -> datetime:
    """When a decision on a request to participate is due.

    The day of receipt (London) is day 0; the decision is due by 23:59:59 London on the 10th
    working day after it, or the 15th where the extension is justified.
    """
    received_on = _instant(received_at).astimezone(LONDON).date()
    days = EVALUATION_WORKING_DAYS_EXTENDED if extended else EVALUATION_WORKING_DAYS
    due_day = add_working_days(received_on, days)
    return datetime.combine(due_day, time(23, 59, 59), tzinfo=LONDON)


def self_declaration_due_at(requested_at: datetime) -> datetime:
    day = add_working_days(
        _instant(requested_at).astimezone(LONDON).date(), SELF_DECLARATION_RENEWAL_WORKING_DAYS
    )
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON)


def earliest_tender_deadline(sent_at: datetime) -> datetime:
    """The earliest tender deadline for invitations sent at ``sent_at``: 23:59:59 London time on
    the 10th day after the day of sending (the day of sending is day 0), as a UTC instant."""
    sent_on = _instant(sent_at).astimezone(LONDON).date()
    day = sent_on + timedelta(days=MINIMUM_TENDER_PERIOD_DAYS)
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON).astimezone(UTC)


def tender_period_long_enough(sent_at: datetime, deadline: datetime) -> bool:
    """Whether ``deadline`` leaves the minimum tender period after invitations sent at
    ``sent_at``, counted by dates."""
    return _instant(deadline) >= earliest_tender_deadline(sent_at)


def information_is_late(published_at: datetime, deadline: datetime) -> bool:
    """Whether an answer or addendum published at ``published_at`` comes less than 6 days
    before the tender deadline, so the buyer should be offered a later one."""
    return _instant(deadline) - _instant(published_at) < timedelta(days=LATE_INFORMATION_DAYS)


def deadline_after_late_information(published_at: datetime, deadline: datetime) -> datetime:
    """The deadline to offer after late information: 6 days after it, never earlier than now."""
    return max(_instant(deadline), _instant(published_at) + timedelta(days=LATE_INFORMATION_DAYS))


class DeadlineRefused(Refusal):
    """A call-off deadline the rules do not allow; ``field`` is "clarification_deadline" or
    "tender_deadline"."""


def deadline_problems(
    sent_at: datetime, clarification_deadline: datetime | None, tender_deadline: datetime | None
) -> list[DeadlineRefused]:
    """Everything wrong with a call-off's deadlines for invitations sent at ``sent_at``."""
    found: list[DeadlineRefused] = []
    earliest = earliest_tender_deadline(sent_at)
    if tender_deadline is None:
        found.append(DeadlineRefused("Enter the tender deadline", field="tender_deadline"))
    elif _instant(tender_deadline) < earliest:
        shown = earliest.astimezone(LONDON)
        found.append(
            DeadlineRefused(
                "The tender deadline must be at least 10 days after the invitations are sent: "
                f"no earlier than 11:59:59pm on {shown.day} {shown:%B %Y}",
                field="tender_deadline",
            )
        )
    if clarification_deadline is None:
        found.append(
            DeadlineRefused("Enter the deadline for questions", field="clarification_deadline")
        )
    elif _instant(clarification_deadline) <= _instant(sent_at):
        found.append(
            DeadlineRefused(
                "The deadline for questions must be after the invitations are sent",
                field="clarification_deadline",
            )
        )
    elif tender_deadline is not None and _instant(clarification_deadline) >= _instant(
        tender_deadline
    ):
        found.append(
            DeadlineRefused(
                "The deadline for questions must be before the tender deadline",
                field="clarification_deadline",
            )
        )
    return found
