"""Cancelling: a reason is needed; a draft is cancelled quietly; a published call-off's invited
suppliers are told, one email per active person, never twice; audited with the reason; nothing
awarded or cancelled already, and nobody but a buyer of the organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent, CallOff, OutboxMessage
from dps.rules.enums import AdmissionStatus, CallOffStatus, OutboxKind, Role
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import cancelling, drafting, invitations, publishing
from dps.services.calloffs.cancelling import CancelRefused
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft
from tests.fixtures.helpers import add_person

LATER = SENT_AT + timedelta(days=2)


def emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
    )


def test_a_draft_is_cancelled_with_its_reason_and_nobody_is_emailed(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2)
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    assert cancelling.cancel(call_off, "  Budget withdrawn ", actor=cw.buyer, at=LATER) == 0
    db.session.expire_all()
    assert call_off.status == CallOffStatus.CANCELLED
    assert call_off.cancel_reason == "Budget withdrawn"
    assert call_off.cancelled_at == LATER
    assert call_off.cancelled_by_id == cw.buyer.id
    assert emails() == []
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "call_off.cancelled")
    ).one()
    assert event.after["reason"] == "Budget withdrawn"
    assert event.before == {"status": "draft"}


def test_cancelling_a_published_call_off_emails_each_invited_person_once(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 3, users_each=2, inactive_each=1)
    admit_suppliers(cw, 1, 1, status=AdmissionStatus.SUSPENDED, prefix="suspended")
    admit_suppliers(cw, 2, 2, prefix="other-lot")
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    invitations.email_invited_suppliers(call_off.id)
    before = {m.id for m in emails()}

    assert (
        cancelling.cancel(call_off, "The service is no longer needed", actor=cw.buyer, at=LATER)
        == 6
    )

    sent = [m for m in emails() if m.id not in before]
    assert len(sent) == 6
    assert len({m.payload["to"] for m in sent}) == 6
    assert all(m.payload["to"].startswith("supplier-1-") for m in sent)
    assert all(m.dedupe_key and "-cancelled-user-" in m.dedupe_key for m in sent)
    body = sent[0].payload["body"]
    assert "The service is no longer needed" in body
    assert call_off.reference in sent[0].payload["subject"]
    assert "will not be opened" in body


def test_invitations_still_waiting_are_not_sent_after_cancelling(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    # As if the workers had not yet queued the invitation emails when it was cancelled.
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL))
    db.session.commit()
    cancelling.cancel(call_off, "Withdrawn", actor=cw.buyer, at=LATER)
    assert invitations.email_invited_suppliers(call_off.id) == 0
    subjects = [m.payload["subject"] for m in emails()]
    assert len(subjects) == 2
    assert all(subject.startswith("Call-off cancelled") for subject in subjects)


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Enter why the call-off is being cancelled"), ("x" * 2001, "2,000 characters")],
)
def test_a_reason_is_needed(cw: CallOffWorld, reason: str, message: str) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    with pytest.raises(CancelRefused, match=message) as refused:
        cancelling.cancel(call_off, reason, actor=cw.buyer)
    assert refused.value.field == "reason"
    db.session.expire_all()
    assert call_off.status == CallOffStatus.DRAFT


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CallOffStatus.CANCELLED, "already been cancelled"),
        (CallOffStatus.AWARDED, "award of this call-off has been decided"),
        (CallOffStatus.NOT_AWARDED, "award of this call-off has been decided"),
        (CallOffStatus.CLOSED, "decide not to award it"),
        (CallOffStatus.EVALUATED, "decide not to award it"),
    ],
)
def test_only_a_call_off_with_its_tenders_unopened_may_be_cancelled(
    cw: CallOffWorld, status: CallOffStatus, message: str
) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    call_off.status = status
    db.session.commit()
    assert not cancelling.can_cancel(call_off, LATER)
    with pytest.raises(CancelRefused, match=message):
        cancelling.cancel(call_off, "Again", actor=cw.buyer, at=LATER)
    assert db.session.get(CallOff, call_off.id).status == status  # type: ignore[union-attr]


def test_past_its_deadline_a_call_off_is_opened_not_cancelled(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    assert call_off.tender_deadline is not None
    assert cancelling.can_cancel(call_off, call_off.tender_deadline - timedelta(seconds=1))
    past = call_off.tender_deadline
    assert not cancelling.can_cancel(call_off, past)
    with pytest.raises(CancelRefused, match="tenders have been opened"):
        cancelling.cancel(call_off, "Too late", actor=cw.buyer, at=past)
    db.session.expire_all()
    assert call_off.status == CallOffStatus.CLOSED and call_off.opened_at == past
    assert call_off.cancel_reason is None
    assert not any(m.payload["subject"].startswith("Call-off cancelled") for m in emails())


def test_only_a_buyer_of_the_organisation_may_cancel(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    stranger = add_person(cw.world.supplier, "someone@supplier.example.org", Role.SUPPLIER_OWNER)
    for person in (cw.viewer, stranger):
        with pytest.raises(NotAllowed):
            cancelling.cancel(call_off, "Not mine", actor=person)
    db.session.expire_all()
    assert call_off.status == CallOffStatus.DRAFT
