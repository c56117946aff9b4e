"""Moving the tender deadline: later only, while open, audited, every invited person told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent, OutboxMessage
from dps.rules.enums import OutboxKind
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import deadlines, notices, tendering
from dps.services.calloffs.deadlines import DeadlineRefused
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld
from tests.fixtures.tenders_world import ONE_SECOND, TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    return published(cw, suppliers=2)


def test_a_later_deadline_is_audited_and_everyone_told(tw: TenderWorld) -> None:
    old = tw.deadline
    new = old + timedelta(days=7)
    deadlines.move_tender_deadline(tw.call_off, new, actor=tw.cw.buyer, at=AT)
    db.session.expire_all()
    assert tw.call_off.tender_deadline == new
    [event] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "call_off.tender_deadline_moved")
    ).all()
    assert event.before == {"tender_deadline": old.isoformat()}
    assert event.after == {"tender_deadline": new.isoformat()}
    [task] = [
        m
        for m in db.session.scalars(db.select(OutboxMessage))
        if m.kind == OutboxKind.TASK and m.payload["name"] == notices.EMAIL_NOTICE_TASK
    ]
    told = [
        m
        for m in db.session.scalars(db.select(OutboxMessage))
        if m.kind == OutboxKind.EMAIL and "-deadline-" in (m.dedupe_key or "")
    ]
    assert sorted(m.payload["to"] for m in told) == sorted(p.email for p in tw.people)
    assert "New tender deadline: 16 December 2026 at 10:30am" in told[0].payload["body"]
    assert notices.email_invited(*task.payload["args"]) == 0  # once each
    # the old deadline no longer closes it
    with pytest.raises(tendering.TenderRefused):
        tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=old)


def test_never_earlier_nor_the_same(tw: TenderWorld) -> None:
    for new in (tw.deadline, tw.deadline - ONE_SECOND):
        with pytest.raises(DeadlineRefused, match="later than the current one") as refused:
            deadlines.move_tender_deadline(tw.call_off, new, actor=tw.cw.buyer, at=AT)
        assert refused.value.field == "tender_deadline"


def test_not_once_the_deadline_has_passed_and_not_by_a_viewer(tw: TenderWorld) -> None:
    later = tw.deadline + timedelta(days=3)
    with pytest.raises(DeadlineRefused, match="open for tenders"):
        deadlines.move_tender_deadline(tw.call_off, later, actor=tw.cw.buyer, at=tw.deadline)
    with pytest.raises(NotAllowed):
        deadlines.move_tender_deadline(tw.call_off, later, actor=tw.cw.viewer, at=AT)
