"""Opening tenders on PostgreSQL: two sessions opening the same call-off at the same moment
(the scheduled job and a buyer's first read, say) open it once, with one audit event."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, CallOff, Tender
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.services.calloffs import sealing, tendering
from tests.fixtures.calloffs_world import SENT_AT, make_calloff_world
from tests.fixtures.tenders_world import published

pytestmark = pytest.mark.postgres


@pytest.mark.timeout(60)
def test_two_sessions_opening_at_once_open_it_once(pg_app: Flask) -> None:
    tw = published(make_calloff_world(), suppliers=2)
    at = SENT_AT + timedelta(days=1)
    for n in range(2):
        q1, q2 = tw.call_off.questions
        tendering.save_draft(
            tw.call_off.id,
            tw.suppliers[n],
            {q1.id: "A", q2.id: "B"},
            {"total": "500"},
            actor=tw.people[n],
            at=at,
        )
        tendering.submit(tw.call_off.id, tw.suppliers[n], actor=tw.people[n], at=at)
    call_off_id, opening_at = tw.call_off.id, tw.deadline
    first_holds_the_lock = threading.Event()
    let_first_commit = threading.Event()
    outcomes: dict[str, bool] = {}

    def open_it(name: str, hold: bool) -> None:
        with pg_app.app_context():  # a session and connection of its own
            if hold:

                def pause(session: Any) -> None:
                    first_holds_the_lock.set()
                    let_first_commit.wait(timeout=20)

                sa.event.listen(db.session(), "before_commit", pause, once=True)
            outcomes[name] = sealing.open_tenders(call_off_id, opening_at)

    first = threading.Thread(target=open_it, args=("first", True))
    second = threading.Thread(target=open_it, args=("second", False))
    first.start()
    assert first_holds_the_lock.wait(timeout=20)
    second.start()
    time.sleep(0.5)
    assert second.is_alive(), "the second opening should wait for the row lock"
    let_first_commit.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert outcomes == {"first": True, "second": False}
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == sealing.OPENED_ACTION)
    ).all()
    assert len(events) == 1
    call_off = db.session.get(CallOff, call_off_id)
    assert call_off is not None and call_off.status == CallOffStatus.CLOSED
    assert {t.status for t in db.session.scalars(sa.select(Tender))} == {TenderStatus.OPENED}
