"""Requests for more reasons: asked by a bidder that was not awarded, once its letter is sent,
due within 15 days, shown to the buyer until answered (overdue once past), answered by the
panel lead; each an audit event with its email through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import OutboxMessage
from dps.models.audit import AuditEvent
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.awards import letters, reasons
from dps.services.awards.reasons import ReasonsRefused
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import EvaluationWorld
from tests.fixtures.letters_world import DECIDED_AT, decided

SEND_AT = DECIDED_AT + timedelta(days=1)
ASK_AT = SEND_AT + timedelta(days=2)


def _sent(cw: CallOffWorld, **kwargs: bool) -> EvaluationWorld:
    ew, _award = decided(cw, **kwargs)
    letters.send(ew.call_off, actor=ew.lead, at=SEND_AT)
    return ew


def _emails(fragment: str) -> list[OutboxMessage]:
    return [
        m for m in db.session.scalars(db.select(OutboxMessage)) if fragment in (m.dedupe_key or "")
    ]


def test_unsuccessful_bidder_asks_and_the_lead_is_told(cw: CallOffWorld) -> None:
    ew = _sent(cw)
    loser = ew.tenders[0]
    asked = reasons.ask(
        ew.call_off.id, loser.organisation_id, "  Why was our plan marked 3?  ", actor=ew.people[0],
        at=ASK_AT,
    )  # fmt: skip
    assert asked.request == "Why was our plan marked 3?"
    assert asked.reply_due == (ASK_AT + timedelta(days=15)).date()
    [email] = _emails(f"reasons-request-{asked.id}-asked")
    assert email.payload["to"] == ew.lead.email
    assert "/buyer/call-offs/" in email.payload["body"]
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "call_off.reasons_requested")
    )
    assert event is not None and event.actor_user_id == ew.people[0].id
    # shown to the buyer until answered, overdue once past the due day
    [shown] = reasons.open_requests(ew.call_off, ASK_AT)
    assert shown.supplier == loser.organisation.name and not shown.overdue
    late = ASK_AT + timedelta(days=16)
    assert reasons.open_requests(ew.call_off, late)[0].overdue
    # a second request while this one is open is refused
    with pytest.raises(ReasonsRefused):
        reasons.ask(ew.call_off.id, loser.organisation_id, "And?", actor=ew.people[0], at=ASK_AT)


def test_text_is_required(cw: CallOffWorld) -> None:
    ew = _sent(cw)
    with pytest.raises(ReasonsRefused) as refused:
        reasons.ask(
            ew.call_off.id, ew.tenders[0].organisation_id, "  ", actor=ew.people[0], at=ASK_AT
        )
    assert refused.value.field == "request"


def test_successful_bidder_cannot_ask(cw: CallOffWorld) -> None:
    ew = _sent(cw)
    winner = ew.tenders[1]
    assert not reasons.may_ask(ew.call_off.id, winner.organisation_id)
    with pytest.raises(ReasonsRefused):
        reasons.ask(ew.call_off.id, winner.organisation_id, "Why?", actor=ew.people[1], at=ASK_AT)


def test_no_one_asks_before_the_letters_are_sent(cw: CallOffWorld) -> None:
    ew, _award = decided(cw)
    letters.prepare(ew.call_off)
    db.session.commit()
    with pytest.raises(NotFound):
        reasons.ask(
            ew.call_off.id, ew.tenders[0].organisation_id, "Why?", actor=ew.people[0], at=ASK_AT
        )


def test_no_award_bidder_may_ask(cw: CallOffWorld) -> None:
    ew = _sent(cw, no_award=True)
    asked = reasons.ask(
        ew.call_off.id, ew.tenders[1].organisation_id, "Why not?", actor=ew.people[1], at=ASK_AT
    )
    assert asked.reply_due == ASK_AT.date() + timedelta(days=15)
    assert reasons.open_requests(ew.call_off, ASK_AT)[0].id == asked.id


def test_lead_replies_once_and_the_bidder_is_emailed(cw: CallOffWorld) -> None:
    ew = _sent(cw)
    loser = ew.tenders[0]
    asked = reasons.ask(
        ew.call_off.id, loser.organisation_id, "Why?", actor=ew.people[0], at=ASK_AT
    )
    for person in (ew.member, ew.non_panel_buyer):
        with pytest.raises(NotAllowed):
            reasons.reply(ew.call_off, asked.id, "Because.", actor=person, at=ASK_AT)
    with pytest.raises(ReasonsRefused) as refused:
        reasons.reply(ew.call_off, asked.id, "", actor=ew.lead, at=ASK_AT)
    assert refused.value.field == "reply"
    replied_at = ASK_AT + timedelta(days=1)
    reasons.reply(ew.call_off, asked.id, "Your plan lacked dates.", actor=ew.lead, at=replied_at)
    db.session.refresh(asked)
    assert asked.reply == "Your plan lacked dates." and asked.replied_at == replied_at
    assert reasons.open_requests(ew.call_off, replied_at) == []
    [email] = _emails(f"reasons-request-{asked.id}-replied")
    assert email.payload["to"] == ew.people[0].email
    with pytest.raises(ReasonsRefused):
        reasons.reply(ew.call_off, asked.id, "Again.", actor=ew.lead, at=replied_at)
    # the bidder may ask again once answered; the other bidders see none of it
    assert reasons.may_ask(ew.call_off.id, loser.organisation_id)
    assert reasons.requests_for(ew.call_off.id, ew.tenders[2].organisation_id) == []


def test_a_request_of_another_call_off_is_not_found(cw: CallOffWorld) -> None:
    ew = _sent(cw)
    asked = reasons.ask(
        ew.call_off.id, ew.tenders[0].organisation_id, "Why?", actor=ew.people[0], at=ASK_AT
    )
    with pytest.raises(NotFound):
        reasons.get_for_buyer(ew.call_off, asked.id + 1, actor=ew.lead)
