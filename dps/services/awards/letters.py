"""Outcome letters: one for every bidder once the award (or the decision not to award) is
recorded, read by the panel as a preview, sent once by the panel lead, read by each bidder in
the portal (reg. 86; reg. 55 for a decision not to award).

``prepare`` makes the letters from the frozen award (``letter_content``), once. ``send`` fixes
the standstill end date into each letter, marks them sent and hands the emails over through the
outbox by task name (``workers/outcome_letters.py``): each active person at each bidder is told
their letter is ready, with a link to read it in the portal; the email never says the outcome.
A bidder reads its own letter only, and only once sent: anything else is "not found".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from dps.celery_app import QUEUE_DEFAULT
from dps.extensions import after_commit, db
from dps.models.accounts import User
from dps.models.awards import Award, OutcomeLetter
from dps.models.calloffs import CallOff
from dps.outside.tokens import email_link
from dps.rules.award_timing import standstill_ends_at, standstill_last_day
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.awards import letter_content
from dps.services.common import audit
from dps.services.common.emails import render_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_email, enqueue_task, request_relay
from dps.services.evaluation import panel_roles
from dps.services.qualification.letters import SIGNATURE, supplier_people

EMAIL_LETTERS_TASK = "workers.outcome_letters.email_bidders"
DECIDED = frozenset({CallOffStatus.AWARDED, CallOffStatus.NOT_AWARDED})
NO_DECISION = "The award has not been decided yet, so there are no letters to send"
ALREADY_SENT = "The letters have already been sent"


class LettersRefused(Refusal):
    """Letters that cannot be sent now; the message says why."""


def award_for(call_off: CallOff) -> Award | None:
    award: Award | None = db.session.scalar(select(Award).where(Award.call_off_id == call_off.id))
    return award


def prepare(call_off: CallOff) -> list[OutcomeLetter]:
    """One letter per bidder once an award is recorded (none before); safe to call again: the
    letters already made are kept as they are. Flushed, not committed: the caller commits."""
    award = award_for(call_off)
    if award is None:
        return []
    have = {letter.organisation_id for letter in award.letters}
    bidders = letter_content.bidders(award)
    if any(int(b["organisation_id"]) not in have for b in bidders):
        # two first readers at once: the second waits here, then finds the letters made
        award = lock_row(Award, award.id)
        assert award is not None
        have = {letter.organisation_id for letter in award.letters}
    for bidder in bidders:
        organisation_id = int(bidder["organisation_id"])
        if organisation_id in have:
            continue
        tender_id = int(bidder["tender_id"])
        db.session.add(
            OutcomeLetter(
                call_off_id=call_off.id,
                award_id=award.id,
                tender_id=tender_id,
                organisation_id=organisation_id,
                kind=letter_content.kind_for(award, tender_id),
                content=letter_content.content_for(call_off, award, bidder),
            )
        )
        have.add(organisation_id)
    db.session.flush()
    db.session.refresh(award)
    return list(award.letters)


def shown(letter: OutcomeLetter, at: datetime) -> dict[str, Any]:
    """The letter as it reads: once sent, exactly as sent; before, with the standstill end date
    it would have if it were sent at ``at`` (marked ``preview``)."""
    content = dict(letter.content)
    content["preview"] = letter.sent_at is None
    days = content.get("standstill_days")
    last_day = content.get("standstill_last_day")
    if letter.sent_at is None and days:
        content["standstill_last_day"] = standstill_last_day(at, int(days))
    elif last_day:
        content["standstill_last_day"] = date.fromisoformat(last_day)
    for key in ("sent_at", "decided_at", "standstill_ends_at"):
        if content.get(key):
            content[key] = datetime.fromisoformat(content[key])
    return content


def _decided(call_off: CallOff) -> Award:
    award = award_for(call_off)
    if award is None or call_off.status not in DECIDED:
        raise NotFound(call_off.id)
    return award


def preview(call_off: CallOff, *, actor: User, at: datetime) -> list[OutcomeLetter]:
    """Every bidder's letter for the panel to read before it goes (made if not yet made);
    NotFound before a decision, NotAllowed for anyone not on the panel."""
    panel_roles.require_letters_reader(call_off, actor)
    _decided(call_off)
    letters = prepare(call_off)
    db.session.commit()
    return letters


def letter_for_buyer(
    call_off: CallOff, letter_id: int, *, actor: User, at: datetime
) -> OutcomeLetter:
    """One letter of the call-off, for the panel; NotFound if it is not this call-off's."""
    for letter in preview(call_off, actor=actor, at=at):
        if letter.id == letter_id:
            return letter
    raise NotFound(letter_id)


def may_send(call_off: CallOff, actor: User) -> bool:
    try:
        panel_roles.require_decider(call_off, actor)
    except NotAllowed:
        return False
    award = award_for(call_off)
    return award is not None and award.letters_sent_at is None and call_off.status in DECIDED


def send(call_off: CallOff, *, actor: User, at: datetime) -> Award:
    """Send every bidder its letter, once: the panel lead only. Fixes the standstill end date
    (when there is a standstill) into the award and each letter, and queues the emails.
    When nobody on the panel can evaluate, whoever may decide sends them."""
    panel_roles.require_decider(call_off, actor)
    if call_off.status not in DECIDED or award_for(call_off) is None:
        raise LettersRefused(NO_DECISION)
    award = lock_row(Award, _decided(call_off).id)
    assert award is not None
    if award.letters_sent_at is not None:
        db.session.rollback()
        raise LettersRefused(ALREADY_SENT)
    letters = prepare(call_off)
    ends = last_day = None
    if award.standstill_days:
        ends = standstill_ends_at(at, award.standstill_days)
        last_day = standstill_last_day(at, award.standstill_days)
    for letter in letters:
        content = dict(letter.content)
        content["sent_at"] = at.isoformat()
        if content.get("standstill_days") and ends is not None and last_day is not None:
            content["standstill_last_day"] = last_day.isoformat()
            content["standstill_ends_at"] = ends.isoformat()
        letter.content = content
        letter.sent_at = at
    award.letters_sent_at = at
    award.letters_sent_by_id = actor.id
    award.standstill_ends_at = ends
    audit.record(
        "call_off.letters_sent",
        award,
        actor=actor,
        after={
            "call_off_id": call_off.id,
            "sent_at": at.isoformat(),
            "standstill_ends_at": ends.isoformat() if ends else None,
            "letters": [
                {"letter_id": x.id, "organisation_id": x.organisation_id, "kind": x.kind.value}
                for x in letters
            ],
        },
    )
    enqueue_task(
        EMAIL_LETTERS_TASK,
        [call_off.id],
        queue=QUEUE_DEFAULT,
        dedupe_key=f"call-off-{call_off.id}-outcome-letters-emails",
    )
    db.session.commit()
    return award


def sent_letters(call_off_id: int) -> list[OutcomeLetter]:
    return list(
        db.session.scalars(
            select(OutcomeLetter)
            .where(OutcomeLetter.call_off_id == call_off_id, OutcomeLetter.sent_at.is_not(None))
            .order_by(OutcomeLetter.id)
        )
    )


def email_dedupe_key(letter: OutcomeLetter, user_id: int) -> str:
    return f"call-off-{letter.call_off_id}-letter-{letter.id}-user-{user_id}"


def email_bidders(call_off_id: int) -> int:
    """Queue one email to each active person at each bidder whose letter was sent, saying it is
    ready to read; how many this run queued (none when run again)."""
    call_off = db.session.get(CallOff, call_off_id)
    if call_off is None:
        return 0
    queued = 0
    for letter in sent_letters(call_off_id):
        body = render_email(
            "outcome_letter_ready",
            buyer=call_off.organisation.name,
            title=call_off.title,
            reference=call_off.reference or "",
            link=email_link("supplier.calloff_letter", call_off_id=call_off_id),
            signature=SIGNATURE,
        )
        subject = f"Your outcome letter for {call_off.reference} is ready"
        for person in supplier_people(letter.organisation_id):
            message = enqueue_email(
                person.email, subject, body, dedupe_key=email_dedupe_key(letter, person.id)
            )
            if message in db.session.new:
                queued += 1
            db.session.flush()
    after_commit(request_relay)
    db.session.commit()
    return queued


# --- the bidder's side -----------------------------------------------------------------------


def sent_letter(call_off_id: int, organisation_id: int) -> OutcomeLetter | None:
    """The organisation's own letter for the call-off, if it has been sent (nothing recorded)."""
    letter: OutcomeLetter | None = db.session.scalar(
        select(OutcomeLetter).where(
            OutcomeLetter.call_off_id == call_off_id,
            OutcomeLetter.organisation_id == organisation_id,
            OutcomeLetter.sent_at.is_not(None),
        )
    )
    return letter


def letter_for(
    call_off_id: int,
    organisation_id: int,
    *,
    actor: User | None = None,
    at: datetime | None = None,
) -> OutcomeLetter:
    """The bidder's own letter, once sent; NotFound otherwise. The first read is recorded."""
    letter = sent_letter(call_off_id, organisation_id)
    if letter is None:
        raise NotFound(call_off_id)
    if letter.first_read_at is None and at is not None:
        letter.first_read_at = at
        audit.record(
            "call_off.letter_read",
            letter,
            actor=actor,
            after={"organisation_id": organisation_id, "read_at": at.isoformat()},
        )
        db.session.commit()
    return letter
