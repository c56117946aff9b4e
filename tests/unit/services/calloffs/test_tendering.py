"""Tendering: drafts that keep what was typed, sending with a snapshot, checksum and receipt,
revising and withdrawing, declining, and nothing at or after the deadline (to the second)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent, OutboxMessage, Tender, TenderDecline
from dps.rules.enums import CallOffStatus, OutboxKind, TenderStatus
from dps.rules.lifecycles import CALL_OFF
from dps.rules.refusals import Refusal
from dps.services.calloffs import publishing, questions, tendering
from dps.services.calloffs.supplier_view import InvitationNotFound
from dps.services.calloffs.tendering import TenderClosed, TenderRefused
from dps.services.common import statemachine
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft
from tests.fixtures.tenders_world import BEFORE_DEADLINE, ONE_SECOND, TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    return published(cw)


def fill(
    tw: TenderWorld, n: int = 0, *, price: str = "£42,000.50", at: datetime = AT
) -> list[Refusal]:
    q1, q2 = tw.call_off.questions
    return tendering.save_draft(
        tw.call_off.id,
        tw.suppliers[n],
        {q1.id: "We will run six workshops.", q2.id: "We will hire locally."},
        {"total": price},
        actor=tw.people[n],
        at=at,
    )


def receipts() -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        if m.kind == OutboxKind.EMAIL and m.payload["subject"].startswith("Tender received")
    ]


def test_a_draft_keeps_valid_answers_and_prices(tw: TenderWorld) -> None:
    assert fill(tw) == []
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.status == TenderStatus.DRAFT
    assert [p.amount_pence for p in tender.prices] == [4_200_050]
    assert {a.text for a in tender.answers} == {
        "We will run six workshops.",
        "We will hire locally.",
    }
    assert tender.pending_input is None


def test_every_problem_comes_back_at_once_and_nothing_typed_is_lost(tw: TenderWorld) -> None:
    q1, q2 = tw.call_off.questions
    assert q2.word_limit == 300
    too_long = "word " * 301
    found = tendering.save_draft(
        tw.call_off.id,
        tw.suppliers[0],
        {q1.id: "Fine.", q2.id: too_long},
        {"total": "twelve pounds"},
        actor=tw.people[0],
        at=AT,
    )
    assert [(p.field, p.message) for p in found] == [
        (f"answer-{q2.id}", "Your answer to question 2 must be 300 words or fewer (it has 301)"),
        ("price-total", "The total price must be an amount of money, like 12500 or 12500.50"),
    ]
    tender = db.session.scalars(db.select(Tender)).one()
    typed = tendering.typed_values(tender)
    assert typed[f"answer-{q2.id}"] == too_long.strip()
    assert typed["price-total"] == "twelve pounds"
    assert typed[f"answer-{q1.id}"] == "Fine."


def test_exactly_the_word_limit_is_allowed(tw: TenderWorld) -> None:
    _q1, q2 = tw.call_off.questions
    found = tendering.save_draft(
        tw.call_off.id, tw.suppliers[0], {q2.id: "word " * 300}, {}, actor=tw.people[0], at=AT
    )
    assert found == []


def test_sending_needs_every_answer_and_the_price(tw: TenderWorld) -> None:
    q1, q2 = tw.call_off.questions
    tendering.save_draft(
        tw.call_off.id, tw.suppliers[0], {q1.id: "Yes."}, {}, actor=tw.people[0], at=AT
    )
    with pytest.raises(TenderRefused) as refused:
        tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (f"answer-{q2.id}", "Answer question 2"),
        ("price-total", "Enter the total price"),
    ]
    assert db.session.scalars(db.select(Tender)).one().status == TenderStatus.DRAFT
    assert receipts() == []


def test_sending_keeps_the_snapshot_its_checksum_and_emails_a_receipt(tw: TenderWorld) -> None:
    fill(tw)
    sent_at = SENT_AT.replace(hour=14, minute=5, second=9) + timedelta(days=2)  # GMT in November
    tender = tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=sent_at)

    db.session.expire_all()
    assert tender.status == TenderStatus.SUBMITTED
    assert tender.revision == 1
    assert tender.submitted_at == sent_at
    assert tender.snapshot is not None
    assert tender.snapshot["total_pence"] == 4_200_050
    assert tender.snapshot_sha256 == tendering.checksum(tender.snapshot)
    assert len(tender.snapshot_sha256) == 64
    [receipt] = receipts()
    assert receipt.payload["to"] == tw.people[0].email
    body = receipt.payload["body"]
    assert "Received: 27 November 2026 at 14:05:09 (London time)" in body
    assert tender.snapshot_sha256 in body
    assert db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "tender.submitted")
    ).one()


def test_receipt_time_is_london_time_to_the_second_in_summer() -> None:
    from datetime import UTC, datetime

    assert tendering.receipt_time(datetime(2027, 6, 1, 9, 0, 1, tzinfo=UTC)) == (
        "1 June 2027 at 10:00:01"
    )


def test_revising_makes_a_new_revision_and_a_new_receipt(tw: TenderWorld) -> None:
    fill(tw)
    first = tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    first_sum = first.snapshot_sha256
    fill(tw, price="£41,000", at=AT + ONE_SECOND)
    second = tendering.submit(
        tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT + 2 * ONE_SECOND
    )
    assert second.id == first.id
    assert second.revision == 2
    assert second.snapshot_sha256 != first_sum
    assert second.snapshot is not None and second.snapshot["total_pence"] == 4_100_000
    assert len(receipts()) == 2
    assert "Revision: 2" in receipts()[1].payload["body"]


def test_withdrawing_then_sending_again(tw: TenderWorld) -> None:
    fill(tw)
    tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    tender = tendering.withdraw(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    assert tender.status == TenderStatus.WITHDRAWN
    assert tender.withdrawn_at == AT
    with pytest.raises(TenderRefused, match="no tender sent to withdraw"):
        tendering.withdraw(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    again = tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    assert again.status == TenderStatus.SUBMITTED
    assert again.revision == 2
    assert again.withdrawn_at is None


def test_one_second_before_the_deadline_a_tender_can_be_sent(tw: TenderWorld) -> None:
    fill(tw)
    tender = tendering.submit(
        tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=BEFORE_DEADLINE
    )
    assert tender.status == TenderStatus.SUBMITTED


def test_at_the_deadline_nothing_can_be_sent_or_changed(tw: TenderWorld) -> None:
    fill(tw)
    tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    fill(tw, 1)
    for at in (tw.deadline, tw.deadline + ONE_SECOND):
        with pytest.raises(TenderClosed, match="deadline has passed"):
            fill(tw, 1, at=at)
        with pytest.raises(TenderClosed):
            tendering.submit(tw.call_off.id, tw.suppliers[1], actor=tw.people[1], at=at)
        with pytest.raises(TenderClosed):
            tendering.withdraw(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=at)
        with pytest.raises(TenderClosed):
            tendering.decline(tw.call_off.id, tw.suppliers[2], "", actor=tw.people[2], at=at)
    db.session.expire_all()
    statuses = {t.organisation_id: t.status for t in db.session.scalars(db.select(Tender))}
    assert statuses == {
        tw.suppliers[0]: TenderStatus.SUBMITTED,
        tw.suppliers[1]: TenderStatus.DRAFT,
    }
    assert db.session.scalars(db.select(TenderDecline)).all() == []


def test_a_supplier_not_invited_cannot_tender(tw: TenderWorld) -> None:
    with pytest.raises(InvitationNotFound):
        tendering.save_draft(tw.call_off.id, tw.outsider, {}, {}, actor=tw.people[0], at=AT)
    with pytest.raises(InvitationNotFound):
        tendering.decline(tw.call_off.id, tw.outsider, "", actor=tw.people[0], at=AT)


def test_a_cancelled_call_off_takes_no_tenders(tw: TenderWorld) -> None:
    statemachine.move(CALL_OFF, tw.call_off, CallOffStatus.CANCELLED, actor=tw.cw.buyer)
    db.session.commit()
    with pytest.raises(TenderClosed, match="not open for tenders"):
        fill(tw)


def test_declining_with_a_reason_and_not_twice(tw: TenderWorld) -> None:
    declined = tendering.decline(
        tw.call_off.id, tw.suppliers[0], "  Fully booked in spring.  ", actor=tw.people[0], at=AT
    )
    assert declined.reason == "Fully booked in spring."
    assert declined.declined_by_id == tw.people[0].id
    with pytest.raises(TenderRefused, match="declined to bid"):
        tendering.decline(tw.call_off.id, tw.suppliers[0], "", actor=tw.people[0], at=AT)
    with pytest.raises(TenderRefused, match="declined to bid"):
        fill(tw)
    assert (
        tendering.decline(tw.call_off.id, tw.suppliers[1], "", actor=tw.people[1], at=AT).reason
        == ""
    )


def test_a_sent_tender_must_be_withdrawn_before_declining(tw: TenderWorld) -> None:
    fill(tw)
    tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT)
    with pytest.raises(TenderRefused, match="Withdraw the tender"):
        tendering.decline(tw.call_off.id, tw.suppliers[0], "", actor=tw.people[0], at=AT)
    with pytest.raises(TenderRefused, match="2000 characters"):
        tendering.decline(tw.call_off.id, tw.suppliers[1], "x" * 2001, actor=tw.people[1], at=AT)


def test_a_price_schedule_takes_a_price_per_line(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 1, prefix="scheduled")
    call_off = ready_draft(cw)
    assert not questions.save_price(
        call_off,
        "schedule",
        [
            {"description": "Workshops", "unit": "day", "quantity": "6"},
            {"description": "Report", "unit": "each", "quantity": "1"},
        ],
        actor=cw.buyer,
        at=SENT_AT,
    )
    publishing.publish(call_off, cw.buyer, SENT_AT)
    [invitation] = publishing.invitations(call_off)
    person = cw.buyer  # any actor will do for saving; the organisation is what counts
    line1, line2 = call_off.price_lines
    q1, q2 = call_off.questions
    found = tendering.save_draft(
        call_off.id,
        invitation.organisation_id,
        {q1.id: "A.", q2.id: "B."},
        {str(line1.id): "6000", str(line2.id): ""},
        actor=person,
        at=AT,
    )
    assert found == []
    with pytest.raises(TenderRefused) as refused:
        tendering.submit(call_off.id, invitation.organisation_id, actor=person, at=AT)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (f"price-{line2.id}", "Enter the price for line 2")
    ]
    tendering.save_draft(
        call_off.id, invitation.organisation_id, {}, {str(line2.id): "1500.25"}, actor=person, at=AT
    )
    tender = tendering.submit(call_off.id, invitation.organisation_id, actor=person, at=AT)
    assert tender.snapshot is not None
    assert tender.snapshot["total_pence"] == 750_025
    assert [p["quantity"] for p in tender.snapshot["prices"]] == [6, 1]
