"""Emailing the invitations of a published call-off: the fan-out the workers do.

Publishing stores the invitation list and hands this work over through the outbox by task name
(``workers/calloffs.py``); it never runs inside the web request. Every active user of each
invited supplier gets one email: the body is drawn once for the call-off and the rows are
inserted in batches, each with a dedupe key naming the call-off and the person, and an insert
that skips a key already used (ON CONFLICT DO NOTHING). So one person gets one email, never
two, whoever else runs the task and however often it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from dps.extensions import after_commit, db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff, CallOffInvitation
from dps.models.outbox import OutboxMessage
from dps.outside.tokens import email_link
from dps.rules.enums import CallOffStatus, OutboxKind, OutboxStatus
from dps.rules.timefmt import format_datetime
from dps.services.common.emails import render_email
from dps.services.common.outbox import request_relay
from dps.services.qualification.letters import SIGNATURE

BATCH_SIZE = 1000
TEMPLATE = "call_off_invitation"
# The call-off states in which the invitations still go out (not after a cancellation).
SENDS_IN = frozenset({CallOffStatus.PUBLISHED})


def dedupe_key(call_off_id: int, user_id: int) -> str:
    return f"call-off-{call_off_id}-invitation-user-{user_id}"


def subject_for(call_off: CallOff) -> str:
    return f"Invitation to tender: {call_off.title} ({call_off.reference})"


def body_for(call_off: CallOff) -> str:
    """The invitation email's body: the same for everyone invited, so drawn once."""
    return render_email(
        TEMPLATE,
        buyer=call_off.organisation.name,
        lot_name=call_off.lot.name,
        title=call_off.title,
        reference=call_off.reference,
        clarification_deadline=format_datetime(call_off.clarification_deadline),
        tender_deadline=format_datetime(call_off.tender_deadline),
        link=email_link("supplier.calloff", call_off_id=call_off.id),
        signature=SIGNATURE,
        contact=current_app.config["CONTACT_EMAIL"],
    )


def email_invited_suppliers(call_off_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Queue the invitation email to every active user of every invited supplier, in batches
    (each its own transaction); returns how many were queued by this run (0 when run again)."""
    call_off = db.session.get(CallOff, call_off_id)
    if call_off is None or call_off.status not in SENDS_IN:
        return 0
    return email_everyone_invited(
        call_off_id,
        subject_for(call_off),
        body_for(call_off),
        lambda user_id: dedupe_key(call_off_id, user_id),
        batch_size,
    )


def email_everyone_invited(
    call_off_id: int,
    subject: str,
    body: str,
    key_for: Callable[[int], str],
    batch_size: int = BATCH_SIZE,
) -> int:
    """Queue one email to every active user of every supplier invited to the call-off, in
    batches each committed on its own, keyed by ``key_for(user id)`` so that a person already
    sent this email gets nothing more; how many were queued by this run."""
    queued = 0
    after_user_id = 0
    while True:
        people = db.session.execute(
            select(User.id, User.email)
            .join(Membership, Membership.user_id == User.id)
            .join(
                CallOffInvitation,
                CallOffInvitation.organisation_id == Membership.organisation_id,
            )
            .where(
                CallOffInvitation.call_off_id == call_off_id,
                User.active.is_(True),
                User.id > after_user_id,
            )
            .order_by(User.id)
            .limit(batch_size)
        ).all()
        if not people:
            break
        queued += _insert_batch(
            [{"to": email, "key": key_for(user_id)} for user_id, email in people], subject, body
        )
        after_user_id = people[-1][0]
        after_commit(request_relay)
        db.session.commit()
    return queued


def _insert_batch(recipients: list[dict[str, str]], subject: str, body: str) -> int:
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "kind": OutboxKind.EMAIL,
            "payload": {"to": person["to"], "subject": subject, "body": body},
            "dedupe_key": person["key"],
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for person in recipients
    ]
    dialect = db.session.get_bind().dialect.name
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_into(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return len(db.session.execute(statement, rows).all())
