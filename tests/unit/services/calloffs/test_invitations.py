"""The fan-out of invitation emails: one per active user of each invited supplier, none to
anyone else, and nothing more when run again."""

from __future__ import annotations

from dps.extensions import db
from dps.models import OutboxMessage
from dps.rules.enums import AdmissionStatus, OutboxKind
from dps.services.calloffs import invitations, publishing
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft


def invitation_emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(
                OutboxMessage.kind == OutboxKind.EMAIL,
                OutboxMessage.dedupe_key.like("call-off-%-invitation-user-%"),
            )
        )
    )


def test_one_email_per_active_user_of_each_invited_supplier_and_never_two(
    cw: CallOffWorld,
) -> None:
    admit_suppliers(cw, 1, 3, users_each=2, inactive_each=1)
    admit_suppliers(cw, 1, 2, status=AdmissionStatus.SUSPENDED, prefix="suspended")
    admit_suppliers(cw, 2, 2, prefix="other-lot")
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)  # in-process: the task runs after commit

    emails = invitation_emails()
    assert len(emails) == 6
    assert len({e.recipient for e in emails}) == 6
    assert all(e.recipient.startswith("supplier-1-") for e in emails)
    assert emails[0].subject == f"Invitation to tender: {call_off.title} ({call_off.reference})"
    assert "Tender deadline: 9 December 2026 at 10:30am" in emails[0].payload["body"]
    # The link opens the invitation itself.
    assert f"http://localhost/supplier/call-offs/{call_off.id}\n" in emails[0].payload["body"]

    assert invitations.email_invited_suppliers(call_off.id, batch_size=4) == 0
    assert len(invitation_emails()) == 6


def test_batches_cover_everyone(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 5, users_each=1)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL))
    db.session.commit()
    assert invitations.email_invited_suppliers(call_off.id, batch_size=2) == 5
    assert len(invitation_emails()) == 5


def test_nothing_is_sent_for_a_draft(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    assert invitations.email_invited_suppliers(call_off.id) == 0
    assert invitation_emails() == []
