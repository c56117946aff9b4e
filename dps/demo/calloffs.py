"""Two demo call-offs from Tameside, made through the services a buyer and suppliers use.

- "open": a call-off in Lot 1 published at the load, its tender deadline 17:00 London time three
  weeks later and its deadline for questions a week before that, so an admitted demo supplier
  can answer it.
- "closed": a call-off in Lot 1 published 20 days before the load with its tender deadline five
  days before it; two admitted suppliers sent tenders (the second at a price low enough to be
  flagged as possibly abnormally low) and the third declined, all before the deadline (the
  services take the instant as ``at``), and the tenders are opened at the load, so the panel
  (the Tameside buyer, who leads, and the Tameside evaluator) finds it ready for evaluation.

Each is found by its title in Tameside's call-offs before anything is made, so loading twice
adds nothing. Nothing is made while no supplier is admitted to Lot 1 (the admissions wait for
the workers' checks); a later load makes them. Should publishing be refused, the call-off is
left as a draft and the reasons are returned in the summary, never worked round.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from dps.demo.calloff_content import CLOSED, OPEN, DemoCallOff
from dps.demo.data import DEMO_ACCOUNTS
from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.rules.calendar import LONDON
from dps.rules.enums import CallOffStatus
from dps.services.accounts import users
from dps.services.calloffs import (
    drafting,
    invitations,
    panel,
    publishing,
    questions,
    sealing,
    supplier_view,
    tendering,
)
from dps.services.dps.period import current_dps

BUYER = "tameside.buyer@example.org"
EVALUATOR = "tameside.evaluator@example.org"  # on the panel with the buyer, who leads
BUYING_ORGANISATION = "Tameside Metropolitan Borough Council"
LOT_NUMBER = 1
DEADLINE_TIME = time(17, 0)  # London time


def load_demo_calloffs(organisations: dict[str, Organisation], now: datetime) -> list[str]:
    """Make the demo call-offs that are not there yet; returns what was done."""
    dps = current_dps()
    lot = None
    if dps is not None:
        lot = next((lot for lot in dps.lots if lot.number == LOT_NUMBER), None)
    if lot is None or publishing.invitable_count(lot.id) == 0:
        return []  # nobody to invite yet: the admissions are still on their way
    buyer = users.find_by_email(BUYER)
    evaluator = users.find_by_email(EVALUATOR)
    assert buyer is not None and evaluator is not None  # loaded with the other demo accounts
    council = organisations[BUYING_ORGANISATION]
    made: list[str] = []
    for demo in (OPEN, CLOSED):
        made.extend(_load(demo, council, lot, (buyer, evaluator), organisations, now))
    return made


def _find(council: Organisation, title: str) -> CallOff | None:
    return db.session.scalars(
        select(CallOff)
        .where(CallOff.organisation_id == council.id, CallOff.title == title)
        .order_by(CallOff.id)
    ).first()


def _at_london(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON)


def _load(
    demo: DemoCallOff,
    council: Organisation,
    lot: Lot,
    panel_members: tuple[User, User],
    organisations: dict[str, Organisation],
    now: datetime,
) -> list[str]:
    buyer = panel_members[0]
    today = now.astimezone(LONDON).date()
    published_on = today - timedelta(days=demo.published_days_ago)
    # Published at the load itself, or at 10:00 London on a day in the past.
    published_at = now if demo.published_days_ago == 0 else _at_london(published_on, time(10, 0))
    deadline = _at_london(published_on + timedelta(days=demo.tender_period_days), DEADLINE_TIME)
    call_off = _find(council, demo.title)
    made: list[str] = []
    if call_off is None:
        call_off = drafting.start_draft(council.id, lot.id, actor=buyer, at=published_at)
        made.append(f"call-off {demo.title!r} drafted")
    if call_off.status == CallOffStatus.DRAFT:
        problems = _fill(call_off, demo, panel_members, published_at, deadline)
        if problems:
            return [*made, f"call-off {demo.title!r} left as a draft: {'; '.join(problems)}"]
        try:
            invited = publishing.publish(call_off, buyer, published_at)
        except publishing.PublishRefused as refused:
            reasons = "; ".join(problem.message for problem in refused.problems)
            return [*made, f"call-off {demo.title!r} left as a draft: {reasons}"]
        invitations.email_invited_suppliers(call_off.id)
        made.append(f"call-off {demo.title!r} published, {invited} invited")
    if call_off.status == CallOffStatus.PUBLISHED:
        made.extend(_send_tenders(call_off, demo, organisations, deadline))
        if sealing.open_tenders(call_off.id, now, actor=buyer):
            made.append(f"tenders for {demo.title!r} opened")
    return made


def _fill(
    call_off: CallOff,
    demo: DemoCallOff,
    panel_members: tuple[User, User],
    at: datetime,
    deadline: datetime,
) -> list[str]:
    """Every section of the task list saved as a buyer would; the problems left, if any."""
    buyer = panel_members[0]
    contract_start = (deadline + timedelta(weeks=demo.contract_weeks_after_deadline)).date()
    contract_end = _months_after(contract_start, demo.contract_months)
    saves: list[Any] = [
        drafting.save_details(
            call_off,
            {
                "title": demo.title,
                "description": demo.description,
                "delivery_location": demo.delivery_location,
            },
            actor=buyer,
            at=at,
        ),
        drafting.save_value_and_dates(
            call_off,
            {
                "estimated_value": demo.estimated_value,
                "contract_start": contract_start,
                "contract_end": contract_end,
            },
            actor=buyer,
            at=at,
        ),
        questions.save_questions(call_off, list(demo.questions), actor=buyer, at=at),
        questions.save_price(call_off, "schedule", list(demo.price_lines), actor=buyer, at=at),
        questions.save_criteria(call_off, demo.price_weight, demo.weights, actor=buyer, at=at),
        panel.save_panel(
            call_off, [member.id for member in panel_members], buyer.id, actor=buyer, at=at
        ),
        drafting.save_deadlines(
            call_off,
            {
                "clarification_deadline": deadline - timedelta(days=7),
                "tender_deadline": deadline,
            },
            actor=buyer,
            at=at,
        ),
    ]
    return [problem.message for problems in saves for problem in problems]


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def _owner(organisations: dict[str, Organisation], supplier: str) -> tuple[Organisation, User]:
    email = next(a.email for a in DEMO_ACCOUNTS if a.organisation == supplier)
    owner = users.find_by_email(email)
    assert owner is not None  # loaded with the other demo accounts
    return organisations[supplier], owner


def _send_tenders(
    call_off: CallOff,
    demo: DemoCallOff,
    organisations: dict[str, Organisation],
    deadline: datetime,
) -> list[str]:
    """The demo's tenders and declines, each sent as its supplier would, before the deadline."""
    made: list[str] = []
    for supplier, reason in demo.declines.items():
        organisation, owner = _owner(organisations, supplier)
        if supplier_view.decline_of(call_off.id, organisation.id) is None:
            at = deadline - timedelta(days=9, hours=3)
            tendering.decline(call_off.id, organisation.id, reason, actor=owner, at=at)
            made.append(f"{supplier} declined {call_off.reference}")
    for tender in demo.tenders:
        organisation, owner = _owner(organisations, tender.supplier)
        if supplier_view.tender_of(call_off.id, organisation.id) is not None:
            continue
        at = deadline - timedelta(days=tender.days_before_deadline, hours=2)
        answers = {q.id: text for q, text in zip(call_off.questions, tender.answers, strict=True)}
        prices = {
            str(line.id): price
            for line, price in zip(call_off.price_lines, tender.prices, strict=True)
        }
        problems = tendering.save_draft(
            call_off.id, organisation.id, answers, prices, actor=owner, at=at
        )
        assert not problems, [problem.message for problem in problems]
        tendering.submit(call_off.id, organisation.id, actor=owner, at=at + timedelta(minutes=47))
        made.append(f"tender of {tender.supplier} sent for {call_off.reference}")
    return made
