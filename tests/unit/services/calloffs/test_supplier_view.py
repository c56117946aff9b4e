"""A supplier's invitations: only those it was invited to, each with its status for it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dps.extensions import db
from dps.rules.enums import CallOffStatus
from dps.rules.lifecycles import CALL_OFF
from dps.services.calloffs import sealing, supplier_view, tendering
from dps.services.calloffs.supplier_view import InvitationNotFound, InvitationStatus
from dps.services.common import statemachine
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld
from tests.fixtures.tenders_world import TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    return published(cw, suppliers=4)


def status(tw: TenderWorld, n: int, at: datetime = AT) -> InvitationStatus:
    return supplier_view.invitation_for(tw.call_off.id, tw.suppliers[n], at).status


def test_each_status_a_supplier_can_see(tw: TenderWorld) -> None:
    q1, q2 = tw.call_off.questions
    for n in (1, 2):
        tendering.save_draft(
            tw.call_off.id,
            tw.suppliers[n],
            {q1.id: "A", q2.id: "B"},
            {"total": "10"},
            actor=tw.people[n],
            at=AT,
        )
    tendering.submit(tw.call_off.id, tw.suppliers[2], actor=tw.people[2], at=AT)
    tendering.decline(tw.call_off.id, tw.suppliers[3], "", actor=tw.people[3], at=AT)

    assert [status(tw, n) for n in range(4)] == [
        InvitationStatus.INVITED,
        InvitationStatus.DRAFT_TENDER,
        InvitationStatus.TENDER_SENT,
        InvitationStatus.DECLINED,
    ]
    after = tw.deadline
    assert [status(tw, n, after) for n in range(4)] == [
        InvitationStatus.CLOSED,
        InvitationStatus.CLOSED,
        InvitationStatus.TENDER_SENT,
        InvitationStatus.DECLINED,
    ]
    sealing.close_due(after)
    assert status(tw, 2, after) == InvitationStatus.TENDER_SENT
    assert status(tw, 0, after) == InvitationStatus.CLOSED


def test_a_cancelled_call_off_shows_as_cancelled(tw: TenderWorld) -> None:
    statemachine.move(CALL_OFF, tw.call_off, CallOffStatus.CANCELLED, actor=tw.cw.buyer)
    db.session.commit()
    assert status(tw, 0) == InvitationStatus.CANCELLED
    assert InvitationStatus.CANCELLED.label == "Cancelled"


def test_the_list_holds_the_invitations_with_their_deadlines(tw: TenderWorld) -> None:
    [row] = supplier_view.invitations_for(tw.suppliers[0], AT)
    assert row.call_off.id == tw.call_off.id
    assert row.tender_deadline == tw.deadline
    assert row.invited_at == SENT_AT
    assert row.status == InvitationStatus.INVITED
    assert supplier_view.invitations_for(tw.outsider, AT) == []


def test_a_call_off_the_supplier_was_not_invited_to_is_not_found(tw: TenderWorld) -> None:
    assert supplier_view.get_invitation(tw.call_off.id, tw.suppliers[0]) == tw.call_off
    with pytest.raises(InvitationNotFound):
        supplier_view.get_invitation(tw.call_off.id, tw.outsider)
    with pytest.raises(InvitationNotFound):
        supplier_view.get_invitation(tw.call_off.id + 99, tw.suppliers[0])
    with pytest.raises(InvitationNotFound):
        supplier_view.invitation_for(tw.call_off.id, tw.outsider, AT)
