"""Telling every invited supplier what was published after the invitation: a clarification
answer, an addendum, a later tender deadline.

The command that publishes hands this over through the outbox by task name
(``workers/calloffs.py``), so the request never queues an email per supplier. The worker queues
one email for every active user of every invited supplier, in batches, each with a dedupe key
naming the call-off, the notice and the person: one email per person, however often it runs.
The emails never name or describe who asked a question.
"""

from __future__ import annotations

from dps.celery_app import QUEUE_DEFAULT
from dps.extensions import db
from dps.models.calloff_questions import CallOffAddendum, CallOffClarification
from dps.models.calloffs import CallOff
from dps.outside.tokens import email_link
from dps.rules.enums import CallOffStatus
from dps.rules.timefmt import format_datetime
from dps.services.calloffs.invitations import BATCH_SIZE, email_everyone_invited
from dps.services.common.emails import render_email
from dps.services.common.outbox import enqueue_task

EMAIL_NOTICE_TASK = "workers.calloffs.email_notice"
ANSWER, ADDENDUM, DEADLINE = "answer", "addendum", "deadline"
KINDS = frozenset({ANSWER, ADDENDUM, DEADLINE})


def hand_over(call_off_id: int, kind: str, item_id: int) -> None:
    """Queue the fan-out in the current transaction (one outbox row, whatever the numbers)."""
    assert kind in KINDS
    enqueue_task(
        EMAIL_NOTICE_TASK,
        [call_off_id, kind, item_id],
        queue=QUEUE_DEFAULT,
        dedupe_key=f"call-off-{call_off_id}-{kind}-{item_id}-emails",
    )


def message_for(call_off: CallOff, kind: str, item_id: int) -> tuple[str, str] | None:
    """The subject and body every invited person gets; None if the item is not there."""
    common = {
        "title": call_off.title,
        "reference": call_off.reference,
        "buyer": call_off.organisation.name,
        "tender_deadline": format_datetime(call_off.tender_deadline),
        "link": email_link("supplier.calloff", call_off_id=call_off.id),
    }
    if kind == ANSWER:
        asked = db.session.get(CallOffClarification, item_id)
        if asked is None or asked.call_off_id != call_off.id or asked.answered_at is None:
            return None
        return f"A question about {call_off.reference} has been answered", render_email(
            "call_off_answer",
            question=asked.published_question,
            answer=asked.answer,
            published=format_datetime(asked.answered_at),
            **common,
        )
    if kind == ADDENDUM:
        addendum = db.session.get(CallOffAddendum, item_id)
        if addendum is None or addendum.call_off_id != call_off.id:
            return None
        return f"An addendum to {call_off.reference}", render_email(
            "call_off_addendum",
            text=addendum.text,
            published=format_datetime(addendum.published_at),
            **common,
        )
    return f"The tender deadline for {call_off.reference} has moved", render_email(
        "call_off_deadline_moved", **common
    )


def email_invited(call_off_id: int, kind: str, item_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Queue the notice to every active user of every invited supplier; how many were queued
    by this run (0 when run again)."""
    call_off = db.session.get(CallOff, call_off_id)
    if call_off is None or call_off.status == CallOffStatus.CANCELLED or kind not in KINDS:
        return 0
    message = message_for(call_off, kind, item_id)
    if message is None:
        return 0
    subject, body = message
    return email_everyone_invited(
        call_off_id,
        subject,
        body,
        lambda user_id: f"call-off-{call_off_id}-{kind}-{item_id}-user-{user_id}",
        batch_size,
    )
