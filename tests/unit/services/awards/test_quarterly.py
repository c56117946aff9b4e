"""The quarterly award notices: contracts under the DPS grouped by the calendar quarter (London
date) of their confirmation, newest first, each quarter due 30 days after its end, overdue when
past that with no notice recorded; recording a notice as sent, once, on a date after the
quarter ended and not in the future, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dps.extensions import db
from dps.models import AuditEvent, CallOff, Contract, QuarterlyNotice
from dps.models.dps import DPS
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotFound
from dps.services.awards import quarterly
from dps.services.awards.quarterly import NoticeRefused
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.record_world import RecordWorld, awarded

# 31 March 2027 at 11:30pm and 1 April 2027 at 12:30am, London summer time.
LAST_OF_MARCH = datetime(2027, 3, 31, 22, 30, tzinfo=UTC)
FIRST_OF_APRIL = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def another_contract(rw: RecordWorld, confirmed_at: datetime, reference: str) -> Contract:
    first = rw.call_off
    call_off = CallOff(
        organisation_id=first.organisation_id, lot_id=first.lot_id, title=f"Work {reference}",
        status=CallOffStatus.AWARDED, reference=f"CCIN-CO-{reference}",
    )  # fmt: skip
    db.session.add(call_off)
    db.session.flush()
    contract = Contract(
        call_off_id=call_off.id, award_id=rw.award.id, tender_id=rw.contract.tender_id,
        organisation_id=first.organisation_id, reference=reference, value_pence=1_000_000,
        start_date=date(2027, 5, 1), end_date=date(2027, 9, 30), confirmed_at=confirmed_at,
    )  # fmt: skip
    db.session.add(contract)
    db.session.commit()
    return contract


@pytest.fixture
def rw(cw: CallOffWorld) -> RecordWorld:
    rw = awarded(cw)  # its contract is confirmed on 4 January 2027
    another_contract(rw, LAST_OF_MARCH, "MARCH")
    another_contract(rw, FIRST_OF_APRIL, "APRIL")
    return rw


def dps_of(rw: RecordWorld) -> DPS:
    return rw.call_off.lot.dps


def test_contracts_are_grouped_by_the_london_quarter_of_confirmation(rw: RecordWorld) -> None:
    found = quarterly.quarters(dps_of(rw), NOW.date())
    assert [(q.year, q.quarter) for q in found] == [(2027, 2), (2027, 1)]
    april, first = found
    assert [c.reference for c in first.contracts] == ["OLD-2027-001", "MARCH"]
    assert [c.reference for c in april.contracts] == ["APRIL"]
    assert first.label == "January to March 2027"
    assert first.due == date(2027, 4, 30)
    assert april.due == date(2027, 7, 30)
    assert first.contracts[0].council == "Oldham Council"
    assert first.contracts[0].supplier == rw.award.tender.organisation.name
    assert first.value_pence == rw.contract.value_pence + 1_000_000


def test_a_quarter_past_its_due_date_without_a_notice_is_overdue(rw: RecordWorld) -> None:
    april, first = quarterly.quarters(dps_of(rw), date(2027, 4, 30))
    assert not first.overdue and not april.overdue
    april, first = quarterly.quarters(dps_of(rw), date(2027, 5, 1))
    assert first.overdue and not april.overdue


def test_recording_the_notice_marks_the_quarter_sent_and_is_audited(rw: RecordWorld) -> None:
    lead = rw.ew.lead
    notice = quarterly.record_sent(
        dps_of(rw), 2027, 1, "20/4/2027", " 2027/S 000-123456 ", actor=lead, at=NOW
    )
    assert notice.sent_on == date(2027, 4, 20)
    assert notice.notice_reference == "2027/S 000-123456"
    _april, first = quarterly.quarters(dps_of(rw), NOW.date())
    assert first.sent_on == date(2027, 4, 20) and not first.overdue
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "quarterly_award_notice.recorded")
    ).one()
    assert event.actor_user_id == lead.id
    assert event.after == {
        "quarter": "January to March 2027",
        "sent_on": "2027-04-20",
        "notice_reference": "2027/S 000-123456",
    }


def messages(refused: pytest.ExceptionInfo[NoticeRefused]) -> list[tuple[str, str | None]]:
    return [(p.message, p.field) for p in refused.value.problems]


def test_recording_refuses_a_date_in_the_future_or_before_the_quarter_ended(
    rw: RecordWorld,
) -> None:
    lead = rw.ew.lead
    with pytest.raises(NoticeRefused) as refused:
        quarterly.record_sent(dps_of(rw), 2027, 1, date(2027, 6, 2), "X", actor=lead, at=NOW)
    assert messages(refused) == [
        ("The date the notice was sent must be today or in the past", "sent_on")
    ]
    with pytest.raises(NoticeRefused) as refused:
        quarterly.record_sent(dps_of(rw), 2027, 1, date(2027, 3, 31), "", actor=lead, at=NOW)
    assert messages(refused) == [
        (
            "The date the notice was sent must be after the quarter ended on 31 March 2027",
            "sent_on",
        ),
        ("Enter the notice’s reference", "notice_reference"),
    ]
    with pytest.raises(NoticeRefused) as refused:
        quarterly.record_sent(dps_of(rw), 2027, 1, "31/2/2027", "X", actor=lead, at=NOW)
    assert messages(refused) == [("The date the notice was sent must be a real date", "sent_on")]
    with pytest.raises(NoticeRefused) as refused:
        quarterly.record_sent(dps_of(rw), 2027, 1, "", "X", actor=lead, at=NOW)
    assert messages(refused) == [("Enter the date the notice was sent", "sent_on")]
    assert db.session.scalars(db.select(QuarterlyNotice)).all() == []


def test_a_quarter_s_notice_is_recorded_once(rw: RecordWorld) -> None:
    lead = rw.ew.lead
    quarterly.record_sent(dps_of(rw), 2027, 1, date(2027, 4, 20), "A", actor=lead, at=NOW)
    with pytest.raises(NoticeRefused) as refused:
        quarterly.record_sent(dps_of(rw), 2027, 1, date(2027, 4, 21), "B", actor=lead, at=NOW)
    assert messages(refused) == [
        ("The notice for January to March 2027 is already recorded as sent", "sent_on")
    ]
    assert len(db.session.scalars(db.select(QuarterlyNotice)).all()) == 1


def test_a_quarter_that_does_not_exist_is_not_found(rw: RecordWorld) -> None:
    with pytest.raises(NotFound):
        quarterly.record_sent(dps_of(rw), 2027, 5, date(2027, 4, 20), "A", actor=rw.ew.lead, at=NOW)
