"""Publishing on PostgreSQL: a lot with N admitted and M suspended suppliers (and suppliers of
the other lot only) gets exactly N invitations and one email per active user, and running the
fan-out again adds nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import CallOffInvitation, OutboxMessage
from dps.rules.enums import AdmissionStatus, OutboxKind
from dps.services.calloffs import invitations, publishing
from tests.fixtures.calloffs_world import SENT_AT, admit_suppliers, make_calloff_world, ready_draft

pytestmark = pytest.mark.postgres

N, M = 40, 7


def test_publish_invites_exactly_the_admitted_and_emails_each_user_once(pg_app: Flask) -> None:
    cw = make_calloff_world()
    admitted = admit_suppliers(cw, 1, N, users_each=2, inactive_each=1)
    admit_suppliers(cw, 1, M, status=AdmissionStatus.SUSPENDED, prefix="suspended")
    admit_suppliers(cw, 2, 5, prefix="other-lot")
    call_off = ready_draft(cw)

    assert publishing.publish(call_off, cw.buyer, SENT_AT) == N

    invited = db.session.scalars(
        db.select(CallOffInvitation.organisation_id).where(
            CallOffInvitation.call_off_id == call_off.id
        )
    ).all()
    assert sorted(invited) == sorted(admitted)

    def emails() -> list[OutboxMessage]:
        return list(
            db.session.scalars(
                db.select(OutboxMessage).where(
                    OutboxMessage.kind == OutboxKind.EMAIL,
                    OutboxMessage.dedupe_key.like(f"call-off-{call_off.id}-invitation-user-%"),
                )
            )
        )

    sent = emails()
    assert len(sent) == 2 * N
    assert len({message.recipient for message in sent}) == 2 * N
    assert all(message.recipient.startswith("supplier-1-") for message in sent)

    assert invitations.email_invited_suppliers(call_off.id) == 0
    assert len(emails()) == 2 * N
