"""Clarification questions about a published call-off, their answers, and addenda.

An invited supplier asks before the deadline for questions (``at`` before it, to the second).
Who asked is kept for the buyer's records and is never shown to another supplier nor published:
the buyer answers with the question as it will be published (reworded if it names the asker),
and the answer goes to every invited supplier by email, one per person, on the workers
(``dps.services.calloffs.notices``). An addendum is published the same way. Every published
answer and addendum is listed for every invited supplier with the date it was published.

When an answer or addendum is published less than 6 days before the tender deadline
(``dps.rules.pcr2015.information_is_late``) the result says so and offers the later deadline
``deadline_after_late_information``, for the page to offer (``deadlines.move_tender_deadline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloff_questions import CallOffAddendum, CallOffClarification
from dps.models.calloffs import CallOff
from dps.rules import calloff_values, pcr2015
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotFound, Refusal
from dps.services.calloffs import notices, supplier_view
from dps.services.calloffs.drafting import require_buyer
from dps.services.calloffs.sealing import deadline_passed
from dps.services.common import audit

TEXT_MAX = calloff_values.QUESTION_TEXT_MAX


class ClarificationRefused(Refusal):
    """A question, answer or addendum the rules do not take now, and why."""


@dataclass(frozen=True)
class Published:
    """What was published, and whether the buyer should be offered a later deadline."""

    item: CallOffClarification | CallOffAddendum
    late: bool
    offer_deadline: datetime | None


@dataclass(frozen=True)
class PublishedItem:
    """An answer or an addendum as every invited supplier reads it: never who asked."""

    kind: str  # "answer" or "addendum"
    published_at: datetime
    question: str | None
    text: str


def _text(raw: object, *, field: str, name: str) -> str:
    text = calloff_values.text(raw)
    if not text:
        raise ClarificationRefused(f"Enter {name}", field=field)
    if len(text) > TEXT_MAX:
        raise ClarificationRefused(
            f"{name[0].upper()}{name[1:]} must be {TEXT_MAX} characters or fewer", field=field
        )
    return text


def ask(
    call_off_id: int, organisation_id: int, question: str, *, actor: User, at: datetime
) -> CallOffClarification:
    """An invited supplier's question, before the deadline for questions."""
    call_off = supplier_view.get_invitation(call_off_id, organisation_id)
    if call_off.status != CallOffStatus.PUBLISHED:
        raise ClarificationRefused("This call-off is not open for questions")
    if call_off.clarification_deadline is None or at >= call_off.clarification_deadline:
        raise ClarificationRefused("The deadline for questions has passed", field="question")
    asked = CallOffClarification(
        call_off_id=call_off.id,
        organisation_id=organisation_id,
        asked_by_id=actor.id,
        question=_text(question, field="question", name="your question"),
        asked_at=at,
    )
    audit.record_new(asked, "call_off_clarification.asked", actor=actor)
    db.session.commit()
    return asked


def _require_open(call_off: CallOff, at: datetime) -> None:
    if call_off.status != CallOffStatus.PUBLISHED or deadline_passed(call_off, at):
        raise ClarificationRefused(
            "Answers and addenda can only be published while the call-off is open for tenders"
        )


def _published(
    item: CallOffClarification | CallOffAddendum, call_off: CallOff, at: datetime
) -> Published:
    assert call_off.tender_deadline is not None
    late = pcr2015.information_is_late(at, call_off.tender_deadline)
    offer = pcr2015.deadline_after_late_information(at, call_off.tender_deadline) if late else None
    return Published(item, late, offer)


def answer(
    call_off: CallOff,
    clarification_id: int,
    answer_text: str,
    *,
    actor: User,
    at: datetime,
    published_question: str | None = None,
) -> Published:
    """Answer a question, publishing it (as ``published_question`` words it, or as asked) and
    the answer to every invited supplier."""
    require_buyer(call_off, actor)
    _require_open(call_off, at)
    asked = db.session.get(CallOffClarification, clarification_id)
    if asked is None or asked.call_off_id != call_off.id:
        raise NotFound(clarification_id)
    if asked.answered_at is not None:
        raise ClarificationRefused("This question has already been answered")
    shown = (
        asked.question
        if calloff_values.is_blank(published_question)
        else _text(published_question, field="published_question", name="the question")
    )
    asked.answer = _text(answer_text, field="answer", name="the answer")
    asked.published_question = shown
    asked.answered_at = at
    asked.answered_by_id = actor.id
    audit.record("call_off_clarification.answered", asked, actor=actor)
    notices.hand_over(call_off.id, notices.ANSWER, asked.id)
    db.session.commit()
    return _published(asked, call_off, at)


def publish_addendum(call_off: CallOff, text: str, *, actor: User, at: datetime) -> Published:
    """Publish an addendum to every invited supplier."""
    require_buyer(call_off, actor)
    _require_open(call_off, at)
    addendum = CallOffAddendum(
        call_off_id=call_off.id,
        text=_text(text, field="text", name="the addendum"),
        published_at=at,
        published_by_id=actor.id,
    )
    audit.record_new(addendum, "call_off_addendum.published", actor=actor)
    notices.hand_over(call_off.id, notices.ADDENDUM, addendum.id)
    db.session.commit()
    return _published(addendum, call_off, at)


def published_for(call_off_id: int) -> list[PublishedItem]:
    """Every published answer and addendum, oldest first: what every invited supplier reads."""
    answers = [
        PublishedItem("answer", c.answered_at, c.published_question, c.answer or "")
        for c in db.session.scalars(
            select(CallOffClarification).where(
                CallOffClarification.call_off_id == call_off_id,
                CallOffClarification.answered_at.is_not(None),
            )
        )
        if c.answered_at is not None
    ]
    addenda = [
        PublishedItem("addendum", a.published_at, None, a.text)
        for a in db.session.scalars(
            select(CallOffAddendum).where(CallOffAddendum.call_off_id == call_off_id)
        )
    ]
    return sorted(answers + addenda, key=lambda item: item.published_at)


def published_for_supplier(call_off_id: int, organisation_id: int) -> list[PublishedItem]:
    """The published answers and addenda, for an invited supplier only."""
    supplier_view.get_invitation(call_off_id, organisation_id)
    return published_for(call_off_id)


def asked_by(call_off_id: int, organisation_id: int) -> list[CallOffClarification]:
    """The supplier's own questions (answered or not), oldest first."""
    supplier_view.get_invitation(call_off_id, organisation_id)
    return list(
        db.session.scalars(
            select(CallOffClarification)
            .where(
                CallOffClarification.call_off_id == call_off_id,
                CallOffClarification.organisation_id == organisation_id,
            )
            .order_by(CallOffClarification.asked_at, CallOffClarification.id)
        )
    )


def questions_for_buyer(call_off: CallOff) -> list[CallOffClarification]:
    """Every question asked, unanswered first, for the buyer's organisation (the caller has
    loaded the call-off through a query scoped to it)."""
    return sorted(
        db.session.scalars(
            select(CallOffClarification).where(CallOffClarification.call_off_id == call_off.id)
        ),
        key=lambda c: (c.answered_at is not None, c.asked_at, c.id),
    )
