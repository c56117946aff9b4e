"""The notices' fan-out: one email per active person of each invited supplier, once."""

from __future__ import annotations

from datetime import timedelta

from dps.extensions import db
from dps.models import OutboxMessage
from dps.rules.enums import CallOffStatus, OutboxKind
from dps.rules.lifecycles import CALL_OFF
from dps.services.calloffs import clarifications, notices
from dps.services.common import statemachine
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft

AT = SENT_AT + timedelta(days=1)


def test_each_active_person_once_in_batches_and_nothing_when_cancelled(cw: CallOffWorld) -> None:
    from dps.services.calloffs import publishing

    admit_suppliers(cw, 1, 3, users_each=2, inactive_each=1)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    result = clarifications.publish_addendum(call_off, "Note.", actor=cw.buyer, at=AT)

    # the hand-over ran in-process after the commit; delete its emails and run it in batches
    db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.dedupe_key.like("%-addendum-%"))
    )
    db.session.commit()
    assert notices.email_invited(call_off.id, notices.ADDENDUM, result.item.id, batch_size=4) == 6
    assert notices.email_invited(call_off.id, notices.ADDENDUM, result.item.id) == 0
    assert notices.email_invited(call_off.id, notices.ANSWER, 999) == 0  # no such answer
    emails = [m for m in db.session.scalars(db.select(OutboxMessage)) if m.kind == OutboxKind.EMAIL]
    addenda = [m for m in emails if "-addendum-" in (m.dedupe_key or "")]
    assert len(addenda) == 6
    assert "Note." in addenda[0].payload["body"]

    statemachine.move(CALL_OFF, call_off, CallOffStatus.CANCELLED, actor=cw.buyer)
    db.session.commit()
    assert notices.email_invited(call_off.id, notices.DEADLINE, 1) == 0
