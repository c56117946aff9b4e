"""Sealed tenders: nothing before the deadline, opened once at it (by the job or the first
read, however often), and never for a call-off cancelled before its deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent, Tender
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.lifecycles import CALL_OFF
from dps.services.calloffs import sealing, tendering
from dps.services.common import statemachine
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld
from tests.fixtures.tenders_world import BEFORE_DEADLINE, ONE_SECOND, TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    """Supplier 0 and 1 send tenders, supplier 1 withdraws and sends again; supplier 2 keeps
    a draft; a fourth supplier declines."""
    tw = published(cw, suppliers=4)
    for n in range(3):
        q1, q2 = tw.call_off.questions
        tendering.save_draft(
            tw.call_off.id,
            tw.suppliers[n],
            {q1.id: f"Answer {n}", q2.id: "Local jobs"},
            {"total": "1000"},
            actor=tw.people[n],
            at=AT,
        )
    for n in range(2):
        tendering.submit(tw.call_off.id, tw.suppliers[n], actor=tw.people[n], at=AT)
    tendering.decline(tw.call_off.id, tw.suppliers[3], "Too busy", actor=tw.people[3], at=AT)
    return tw


def opened_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == sealing.OPENED_ACTION))
    )


def test_before_the_deadline_a_buyer_reads_nothing_about_tenders(tw: TenderWorld) -> None:
    for at in (AT, BEFORE_DEADLINE):
        assert sealing.tenders_for_buyer(tw.call_off, at, actor=tw.cw.buyer) == []
        assert sealing.declines_for_buyer(tw.call_off, at, actor=tw.cw.viewer) == []
        summary = sealing.summary_for_buyer(tw.call_off, at)
        assert summary.invited == 4
        assert summary.opened is False
        assert summary.tenders is None
        assert summary.declined is None
    assert tw.call_off.status == CallOffStatus.PUBLISHED
    assert opened_events() == []
    statuses = {t.status for t in db.session.scalars(db.select(Tender))}
    assert TenderStatus.OPENED not in statuses


def test_the_first_read_at_the_deadline_opens_the_tenders(tw: TenderWorld) -> None:
    tenders = sealing.tenders_for_buyer(tw.call_off, tw.deadline, actor=tw.cw.buyer)

    assert sorted(t.organisation_id for t in tenders) == sorted(tw.suppliers[:2])
    assert {t.status for t in tenders} == {TenderStatus.OPENED}
    assert {t.opened_at for t in tenders} == {tw.deadline}
    assert tw.call_off.status == CallOffStatus.CLOSED
    assert tw.call_off.opened_at == tw.deadline
    [event] = opened_events()
    assert event.actor_user_id == tw.cw.buyer.id
    assert event.after is not None
    assert event.after["tenders_opened"] == sorted(t.id for t in tenders)
    draft = db.session.scalars(
        db.select(Tender).where(Tender.organisation_id == tw.suppliers[2])
    ).one()
    assert draft.status == TenderStatus.DRAFT  # never sent, never opened
    [declined] = sealing.declines_for_buyer(tw.call_off, tw.deadline)
    assert declined.reason == "Too busy"
    summary = sealing.summary_for_buyer(tw.call_off, tw.deadline)
    assert (summary.opened, summary.tenders, summary.declined) == (True, 2, 1)


def test_opening_is_recorded_once_however_often_and_by_whom(tw: TenderWorld) -> None:
    assert sealing.close_due(tw.deadline) == 1  # the scheduled job
    assert sealing.close_due(tw.deadline + ONE_SECOND) == 0
    assert sealing.open_tenders(tw.call_off.id, tw.deadline, actor=tw.cw.buyer) is False
    assert len(sealing.tenders_for_buyer(tw.call_off, tw.deadline, actor=tw.cw.colleague)) == 2
    sealing.summary_for_buyer(tw.call_off, tw.deadline + timedelta(days=1))

    [event] = opened_events()
    assert event.actor_user_id is None  # the job opened them
    assert tw.call_off.opened_at == tw.deadline


def test_open_tenders_called_twice_opens_once(tw: TenderWorld) -> None:
    assert sealing.open_tenders(tw.call_off.id, tw.deadline + ONE_SECOND) is True
    assert sealing.open_tenders(tw.call_off.id, tw.deadline + ONE_SECOND) is False
    assert len(opened_events()) == 1


def test_the_job_leaves_call_offs_before_their_deadline(tw: TenderWorld) -> None:
    assert sealing.close_due(BEFORE_DEADLINE) == 0
    assert sealing.open_tenders(tw.call_off.id, BEFORE_DEADLINE) is False
    assert tw.call_off.status == CallOffStatus.PUBLISHED
    assert opened_events() == []


def test_a_call_off_cancelled_before_its_deadline_never_opens(tw: TenderWorld) -> None:
    statemachine.move(CALL_OFF, tw.call_off, CallOffStatus.CANCELLED, actor=tw.cw.buyer)
    db.session.commit()

    assert sealing.close_due(tw.deadline + timedelta(days=30)) == 0
    assert sealing.tenders_for_buyer(tw.call_off, tw.deadline + timedelta(days=30)) == []
    assert sealing.declines_for_buyer(tw.call_off, tw.deadline + timedelta(days=30)) == []
    assert sealing.summary_for_buyer(tw.call_off, tw.deadline).tenders is None
    assert opened_events() == []
    assert {t.status for t in db.session.scalars(db.select(Tender))} == {
        TenderStatus.SUBMITTED,
        TenderStatus.DRAFT,
    }


def test_deadline_passed_is_judged_to_the_second(tw: TenderWorld) -> None:
    assert not sealing.deadline_passed(tw.call_off, BEFORE_DEADLINE)
    assert sealing.deadline_passed(tw.call_off, tw.deadline)


def test_the_beat_job_every_minute_opens_once_and_a_read_after_it_opens_nothing_again(
    tw: TenderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workers.calloffs as jobs
    from dps.celery_app import QUEUE_SCHEDULED, celery

    entry = celery.conf.beat_schedule["close-due-call-offs"]
    assert entry["task"] == jobs.CLOSE_DUE_TASK == "workers.calloffs.close_due"
    assert entry["schedule"] == 60.0
    assert entry["options"]["queue"] == QUEUE_SCHEDULED

    monkeypatch.setattr(jobs, "utcnow", lambda: BEFORE_DEADLINE)
    assert jobs.close_due() == 0
    monkeypatch.setattr(jobs, "utcnow", lambda: tw.deadline + ONE_SECOND)
    assert jobs.close_due() == 1
    assert jobs.close_due() == 0
    assert len(sealing.tenders_for_buyer(tw.call_off, tw.deadline + 2 * ONE_SECOND)) == 2
    [event] = opened_events()
    assert tw.call_off.opened_at == tw.deadline + ONE_SECOND
    assert event.actor_user_id is None
