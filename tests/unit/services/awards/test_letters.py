"""Outcome letters: one per bidder, each with its own marks and the winner's only, a preview
before they go, sent once by the panel lead, emailed through the outbox, read by the bidder
alone and only once sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dps.extensions import db
from dps.models import OutboxMessage
from dps.models.audit import AuditEvent
from dps.models.awards import LetterKind
from dps.rules.enums import OutboxKind
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.awards import letters
from dps.services.awards.letters import LettersRefused
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.letters_world import (
    ADVANTAGES,
    DECIDED_AT,
    EXCLUDED_REASON,
    NO_AWARD_REASONS,
    decided,
)

# Friday 5 February 2027 (London): ten days on is Monday 15 February, a working day.
SEND_AT = DECIDED_AT.replace(year=2027, month=2, day=5, hour=10, minute=0)


def _by_org(found: list[letters.OutcomeLetter]) -> dict[int, letters.OutcomeLetter]:
    return {letter.organisation_id: letter for letter in found}


def test_prepare_makes_one_letter_per_bidder_once(cw: CallOffWorld) -> None:
    ew, award = decided(cw)
    made = letters.prepare(ew.call_off)
    db.session.commit()
    assert len(made) == 3
    assert [x.id for x in letters.prepare(ew.call_off)] == [x.id for x in made]
    kinds = {x.tender_id: x.kind for x in made}
    assert kinds[award.tender_id] == LetterKind.SUCCESSFUL
    assert sorted(k.value for k in kinds.values()) == ["successful", "unsuccessful", "unsuccessful"]


def test_no_letters_before_an_award(cw: CallOffWorld) -> None:
    from tests.fixtures.evaluation_world import opened

    ew = opened(cw)
    assert letters.prepare(ew.call_off) == []


def test_unsuccessful_letter_has_criteria_own_marks_winner_and_advantages(
    cw: CallOffWorld,
) -> None:
    ew, _award = decided(cw)
    made = _by_org(letters.prepare(ew.call_off))
    first = ew.tenders[0]  # £40,000, quality 3/5, social 2/5: ranked 2nd
    content = made[first.organisation_id].content
    assert content["kind"] == "unsuccessful"
    assert [q["weight_percent"] for q in content["criteria"]["questions"]] == [50, 20]
    assert content["criteria"]["price_weight_percent"] == 30
    own = content["own"]
    assert [s["score"] for s in own["scores"]] == [3, 2]
    assert [s["marks"] for s in own["scores"]] == ["30.00", "8.00"]
    assert own["price"] == "18.75"  # 25,000 / 40,000 × 30
    assert own["total"] == "56.75"
    assert own["rank"] == 2 and content["ranked"] == 3
    winner = content["winner"]
    assert winner["supplier"] == ew.tenders[1].organisation.name
    assert [s["score"] for s in winner["scores"]] == [5, 4]
    assert winner["total"] == "91.00"  # 50 + 16 + 25
    assert content["advantages"] == ADVANTAGES
    assert content["standstill_days"] == 10
    # never the third bidder's marks
    third = ew.tenders[2].organisation.name
    assert third not in str(content)


def test_successful_letter_has_no_winner_section_and_no_advantages(cw: CallOffWorld) -> None:
    ew, _award = decided(cw)
    made = _by_org(letters.prepare(ew.call_off))
    content = made[ew.tenders[1].organisation_id].content
    assert content["kind"] == "successful"
    assert content["winner"] is None and content["advantages"] == ""
    assert content["own"]["rank"] == 1
    assert ew.tenders[0].organisation.name not in str(content)


def test_excluded_bidder_gets_a_letter_with_the_reason(cw: CallOffWorld) -> None:
    ew, _award = decided(cw, excluded=True)
    made = _by_org(letters.prepare(ew.call_off))
    assert len(made) == 3
    content = made[ew.tenders[2].organisation_id].content
    assert content["kind"] == "unsuccessful"
    assert content["own"] is None
    assert content["excluded_reason"] == EXCLUDED_REASON
    assert content["winner"]["supplier"] == ew.tenders[1].organisation.name


def test_no_award_letters_carry_the_reasons_and_no_scores_of_others(cw: CallOffWorld) -> None:
    ew, _award = decided(cw, no_award=True)
    made = letters.prepare(ew.call_off)
    assert {x.kind for x in made} == {LetterKind.NO_AWARD}
    for letter in made:
        assert letter.content["no_award_reasons"] == NO_AWARD_REASONS
        assert letter.content["winner"] is None
        assert letter.content["standstill_days"] is None


def test_preview_shows_the_standstill_end_as_if_sent_now(cw: CallOffWorld) -> None:
    ew, _award = decided(cw)
    found = letters.preview(ew.call_off, actor=ew.member, at=SEND_AT)
    shown = letters.shown(found[0], SEND_AT)
    assert shown["preview"] is True
    assert shown["standstill_last_day"] == date(2027, 2, 15)
    assert found[0].sent_at is None


def test_preview_refused_off_the_panel(cw: CallOffWorld) -> None:
    ew, _award = decided(cw)
    with pytest.raises(NotAllowed):
        letters.preview(ew.call_off, actor=ew.non_panel_buyer, at=SEND_AT)


def test_send_by_the_lead_once_fixes_standstill_and_emails_each_bidder(
    cw: CallOffWorld,
) -> None:
    ew, award = decided(cw)
    letters.send(ew.call_off, actor=ew.lead, at=SEND_AT)
    db.session.refresh(award)
    assert award.letters_sent_at == SEND_AT and award.letters_sent_by_id == ew.lead.id
    assert award.standstill_ends_at == letters.standstill_ends_at(SEND_AT, 10)
    for letter in award.letters:
        assert letter.sent_at == SEND_AT
        assert letter.content["standstill_last_day"] == "2027-02-15"
        assert letters.shown(letter, SEND_AT + timedelta(days=3))["standstill_last_day"] == date(
            2027, 2, 15
        )
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "call_off.letters_sent")
    ).all()
    assert len(events) == 1 and events[0].actor_user_id == ew.lead.id

    emails = [
        m
        for m in db.session.scalars(db.select(OutboxMessage))
        if m.kind == OutboxKind.EMAIL and "-letter-" in (m.dedupe_key or "")
    ]
    expected = {p.email for p in ew.people}
    assert {m.payload["to"] for m in emails} == expected
    assert len(emails) == len(expected)
    assert all("/supplier/call-offs/" in m.payload["body"] for m in emails)
    # the email never gives the outcome away
    assert all("unsuccessful" not in m.payload["body"].lower() for m in emails)

    with pytest.raises(LettersRefused):
        letters.send(ew.call_off, actor=ew.lead, at=SEND_AT + timedelta(hours=1))
    # the task run again queues nothing more
    assert letters.email_bidders(ew.call_off.id) == 0


def test_task_queues_one_email_per_person_when_called_directly(cw: CallOffWorld) -> None:
    ew, _award = decided(cw)
    letters.send(ew.call_off, actor=ew.lead, at=SEND_AT)
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.dedupe_key.like("%-letter-%")))
    db.session.commit()
    from workers.outcome_letters import email_bidders

    assert email_bidders(ew.call_off.id) == len(ew.people)
    assert email_bidders(ew.call_off.id) == 0


def test_no_award_sends_without_standstill(cw: CallOffWorld) -> None:
    ew, award = decided(cw, no_award=True)
    letters.send(ew.call_off, actor=ew.lead, at=SEND_AT)
    db.session.refresh(award)
    assert award.standstill_ends_at is None
    assert all(x.content["standstill_last_day"] is None for x in award.letters)


def test_send_refused_to_a_member_who_is_not_lead_and_to_others(cw: CallOffWorld) -> None:
    ew, award = decided(cw)
    for person in (ew.member, ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed):
            letters.send(ew.call_off, actor=person, at=SEND_AT)
    db.session.refresh(award)
    assert award.letters_sent_at is None


def test_bidder_reads_only_its_own_letter_once_sent_and_first_read_is_kept(
    cw: CallOffWorld,
) -> None:
    ew, _award = decided(cw)
    org = ew.tenders[0].organisation_id
    letters.prepare(ew.call_off)
    db.session.commit()
    with pytest.raises(NotFound):  # before sending
        letters.letter_for(ew.call_off.id, org)
    letters.send(ew.call_off, actor=ew.lead, at=SEND_AT)
    read_at = SEND_AT + timedelta(days=1)
    letter = letters.letter_for(ew.call_off.id, org, actor=ew.people[0], at=read_at)
    assert letter.organisation_id == org and letter.first_read_at == read_at
    again = letters.letter_for(ew.call_off.id, org, at=read_at + timedelta(days=1))
    assert again.first_read_at == read_at
    with pytest.raises(NotFound):  # an organisation that did not bid
        letters.letter_for(ew.call_off.id, ew.call_off.organisation_id)
    with pytest.raises(NotFound):  # another call-off
        letters.letter_for(ew.call_off.id + 100, org)
