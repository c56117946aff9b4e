"""Clarification questions: asked before their deadline, answered to every invited supplier
without naming the asker, addenda likewise, and the 6-day warning with a later deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import OutboxMessage
from dps.rules.enums import OutboxKind
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import clarifications, notices
from dps.services.calloffs.clarifications import ClarificationRefused
from dps.services.calloffs.supplier_view import InvitationNotFound
from tests.fixtures.calloffs_world import CLARIFICATION_DEADLINE, SENT_AT, CallOffWorld
from tests.fixtures.tenders_world import ONE_SECOND, TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    return published(cw, suppliers=3)


def notice_emails() -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(db.select(OutboxMessage))
        if m.kind == OutboxKind.EMAIL and m.dedupe_key and "-answer-" in m.dedupe_key
    ]


def test_questions_close_at_their_deadline_to_the_second(tw: TenderWorld) -> None:
    asked = clarifications.ask(
        tw.call_off.id,
        tw.suppliers[0],
        "Can we subcontract?",
        actor=tw.people[0],
        at=CLARIFICATION_DEADLINE - ONE_SECOND,
    )
    assert asked.organisation_id == tw.suppliers[0]
    with pytest.raises(ClarificationRefused, match="deadline for questions has passed"):
        clarifications.ask(
            tw.call_off.id, tw.suppliers[0], "Late?", actor=tw.people[0], at=CLARIFICATION_DEADLINE
        )
    with pytest.raises(ClarificationRefused, match="Enter your question"):
        clarifications.ask(tw.call_off.id, tw.suppliers[0], "  ", actor=tw.people[0], at=AT)
    with pytest.raises(InvitationNotFound):
        clarifications.ask(tw.call_off.id, tw.outsider, "Me?", actor=tw.people[0], at=AT)


def test_an_answer_goes_to_every_invited_person_without_the_asker(tw: TenderWorld) -> None:
    asked = clarifications.ask(
        tw.call_off.id,
        tw.suppliers[0],
        "We are tenderer-1-00000 Ltd: can we subcontract?",
        actor=tw.people[0],
        at=AT,
    )
    result = clarifications.answer(
        tw.call_off,
        asked.id,
        "Yes, with the buyer's agreement.",
        published_question="Can a supplier subcontract?",
        actor=tw.cw.buyer,
        at=AT,
    )
    assert result.late is False and result.offer_deadline is None
    tasks = [m for m in db.session.scalars(db.select(OutboxMessage)) if m.kind == OutboxKind.TASK]
    assert [t.payload["name"] for t in tasks][-1] == notices.EMAIL_NOTICE_TASK

    # the task ran in-process after the commit (as the workers would); again queues nothing
    sent = notice_emails()
    assert len(sent) == 3
    assert notices.email_invited(tw.call_off.id, notices.ANSWER, asked.id) == 0
    assert sorted(m.payload["to"] for m in sent) == sorted(p.email for p in tw.people)
    for message in sent:
        body = message.payload["body"]
        assert "Can a supplier subcontract?" in body
        assert "Yes, with the buyer's agreement." in body
        assert "tenderer-1-00000" not in body
        assert tw.people[0].email not in body
    [item] = clarifications.published_for_supplier(tw.call_off.id, tw.suppliers[2])
    assert (item.kind, item.question, item.published_at) == (
        "answer",
        "Can a supplier subcontract?",
        AT,
    )
    assert "tenderer" not in repr(item)
    assert clarifications.asked_by(tw.call_off.id, tw.suppliers[2]) == []
    assert clarifications.asked_by(tw.call_off.id, tw.suppliers[0]) == [asked]
    with pytest.raises(ClarificationRefused, match="already been answered"):
        clarifications.answer(tw.call_off, asked.id, "Again", actor=tw.cw.buyer, at=AT)


def test_only_a_buyer_answers_and_not_after_the_deadline(tw: TenderWorld) -> None:
    asked = clarifications.ask(tw.call_off.id, tw.suppliers[0], "Q?", actor=tw.people[0], at=AT)
    with pytest.raises(NotAllowed):
        clarifications.answer(tw.call_off, asked.id, "A", actor=tw.cw.viewer, at=AT)
    with pytest.raises(ClarificationRefused, match="open for tenders"):
        clarifications.answer(tw.call_off, asked.id, "A", actor=tw.cw.buyer, at=tw.deadline)
    with pytest.raises(ClarificationRefused, match="Enter the answer"):
        clarifications.answer(tw.call_off, asked.id, "", actor=tw.cw.buyer, at=AT)
    assert clarifications.questions_for_buyer(tw.call_off) == [asked]


def test_late_information_offers_a_later_deadline(tw: TenderWorld) -> None:
    six_days_before = tw.deadline - timedelta(days=6)
    on_time = clarifications.publish_addendum(
        tw.call_off, "Workshops may be online.", actor=tw.cw.buyer, at=six_days_before
    )
    assert on_time.late is False
    late_at = six_days_before + ONE_SECOND
    late = clarifications.publish_addendum(
        tw.call_off, "And in Welsh.", actor=tw.cw.buyer, at=late_at
    )
    assert late.late is True
    assert late.offer_deadline == late_at + timedelta(days=6)
    items = clarifications.published_for(tw.call_off.id)
    assert [(i.kind, i.text, i.published_at) for i in items] == [
        ("addendum", "Workshops may be online.", six_days_before),
        ("addendum", "And in Welsh.", late_at),
    ]
    addenda = [
        m
        for m in db.session.scalars(db.select(OutboxMessage))
        if m.kind == OutboxKind.EMAIL and "-addendum-" in (m.dedupe_key or "")
    ]
    assert len(addenda) == 6  # two addenda, three people each
    assert notices.email_invited(tw.call_off.id, notices.ADDENDUM, late.item.id) == 0
    with pytest.raises(NotAllowed):
        clarifications.publish_addendum(tw.call_off, "x", actor=tw.cw.viewer, at=late_at)
