"""The quarterly award notices of contracts under the DPS (reg. 50(3)): contract award notices
for call-offs may be grouped by calendar quarter, each quarter's then due within 30 days of its
end.

``quarters`` groups every contract confirmed under the DPS (whichever member council awarded
it) by the calendar quarter of its confirmation, London date, newest quarter first, each with
its due date and whether an administrator has recorded its notice as sent; a quarter past its
due date without one is overdue. ``record_sent`` records the notice (once per quarter, on a
date after the quarter ended and not in the future), with an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.awards import Contract, QuarterlyNotice
from dps.models.calloffs import CallOff
from dps.models.dps import DPS, Lot
from dps.models.organisations import Organisation
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.award_timing import (
    quarter_label,
    quarter_last_day,
    quarter_of,
    quarterly_notice_due,
)
from dps.rules.refusals import NotFound, Refusal
from dps.rules.timefmt import format_date, london
from dps.services.common import audit

REFERENCE_MAX = 120
SENT_ON = "sent_on"
REFERENCE = "notice_reference"


class NoticeRefused(Exception):
    """Every problem with a notice to record, at once; each a Refusal naming its question."""

    def __init__(self, problems: list[Refusal]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ContractRow:
    council: str
    supplier: str
    reference: str
    value_pence: int
    start_date: date
    end_date: date
    confirmed_at: datetime
    call_off_id: int
    call_off_reference: str
    call_off_title: str


@dataclass
class Quarter:
    year: int
    quarter: int
    due: date
    contracts: list[ContractRow] = field(default_factory=list)
    sent_on: date | None = None
    notice_reference: str = ""
    overdue: bool = False

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def key(self) -> str:
        return f"quarter-{self.year}-{self.quarter}"

    @property
    def ended(self) -> date:
        return quarter_last_day(self.year, self.quarter)

    @property
    def value_pence(self) -> int:
        return sum(c.value_pence for c in self.contracts)


def quarters(dps: DPS, today: date) -> list[Quarter]:
    """The quarters with contracts confirmed under ``dps`` (or a notice recorded), newest first;
    ``today`` is the London date the overdue marks are reckoned on."""
    rows = db.session.execute(
        select(Contract, CallOff, Organisation.name, Tender)
        .join(CallOff, CallOff.id == Contract.call_off_id)
        .join(Lot, Lot.id == CallOff.lot_id)
        .join(Organisation, Organisation.id == CallOff.organisation_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .where(Lot.dps_id == dps.id)
        .order_by(Contract.confirmed_at, Contract.id)
    ).tuples()
    found: dict[tuple[int, int], Quarter] = {}

    def quarter(year: int, number: int) -> Quarter:
        if (year, number) not in found:
            found[(year, number)] = Quarter(year, number, quarterly_notice_due(year, number))
        return found[(year, number)]

    for contract, call_off, council, tender in rows:
        year, number = quarter_of(london(contract.confirmed_at).date())
        quarter(year, number).contracts.append(
            ContractRow(
                council=council,
                supplier=tender.organisation.name,
                reference=contract.reference,
                value_pence=contract.value_pence,
                start_date=contract.start_date,
                end_date=contract.end_date,
                confirmed_at=contract.confirmed_at,
                call_off_id=call_off.id,
                call_off_reference=call_off.reference or "",
                call_off_title=call_off.title,
            )
        )
    for notice in db.session.scalars(
        select(QuarterlyNotice).where(QuarterlyNotice.dps_id == dps.id)
    ):
        kept = quarter(notice.year, notice.quarter)
        kept.sent_on = notice.sent_on
        kept.notice_reference = notice.notice_reference
    for kept in found.values():
        kept.overdue = kept.sent_on is None and bool(kept.contracts) and today > kept.due
    return sorted(found.values(), key=lambda q: (q.year, q.quarter), reverse=True)


def record_sent(
    dps: DPS,
    year: int,
    quarter: int,
    sent_on: date | str | None,
    notice_reference: str,
    *,
    actor: User,
    at: datetime,
) -> QuarterlyNotice:
    """Record the quarter's grouped award notice as sent on ``sent_on`` (a date, or the date as
    typed) with the notice's reference; NoticeRefused with every problem, NotFound for a
    quarter that does not exist."""
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise NotFound(f"{year} quarter {quarter}")
    today = london(at).date()
    ended = quarter_last_day(year, quarter)
    label = quarter_label(year, quarter)
    problems: list[Refusal] = []
    day: date | None = None
    if sent_on is None or calloff_values.is_blank(sent_on):
        problems.append(Refusal("Enter the date the notice was sent", field=SENT_ON))
    else:
        try:
            day = calloff_values.a_date(sent_on, field=SENT_ON, name="The date the notice was sent")
        except Refusal as refused:
            problems.append(refused)
    if day is not None and day > today:
        problems.append(
            Refusal("The date the notice was sent must be today or in the past", field=SENT_ON)
        )
    elif day is not None and day <= ended:
        problems.append(
            Refusal(
                f"The date the notice was sent must be after the quarter ended on "
                f"{format_date(ended)}",
                field=SENT_ON,
            )
        )
    reference = calloff_values.text(notice_reference)
    if not reference:
        problems.append(Refusal("Enter the notice’s reference", field=REFERENCE))
    elif len(reference) > REFERENCE_MAX:
        problems.append(
            Refusal(
                f"The notice’s reference must be {REFERENCE_MAX} characters or fewer",
                field=REFERENCE,
            )
        )
    if _recorded(dps, year, quarter) is not None:
        problems.insert(
            0, Refusal(f"The notice for {label} is already recorded as sent", field=SENT_ON)
        )
    if problems or day is None:
        raise NoticeRefused(problems)
    notice = QuarterlyNotice(
        dps_id=dps.id,
        year=year,
        quarter=quarter,
        notice_reference=reference,
        sent_on=day,
        recorded_at=at,
        recorded_by_id=actor.id,
    )
    try:
        audit.record_new(
            notice,
            "quarterly_award_notice.recorded",
            actor=actor,
            after={
                "quarter": label,
                "sent_on": day.isoformat(),
                "notice_reference": reference,
            },
        )
    except IntegrityError:
        # Another administrator recorded it between the check and now.
        db.session.rollback()
        raise NoticeRefused(
            [Refusal(f"The notice for {label} is already recorded as sent", field=SENT_ON)]
        ) from None
    db.session.commit()
    return notice


def _recorded(dps: DPS, year: int, quarter: int) -> QuarterlyNotice | None:
    return db.session.scalars(
        select(QuarterlyNotice).where(
            QuarterlyNotice.dps_id == dps.id,
            QuarterlyNotice.year == year,
            QuarterlyNotice.quarter == quarter,
        )
    ).first()
