"""The outbox: e-mails and hand-overs to Celery, written in the same transaction as the change.

``enqueue_email`` and ``enqueue_task`` add a row to the current session; nothing is sent or
enqueued until the transaction commits. After commit the relay delivers pending rows (see
``relay_pending``); a scheduled sweep catches anything left behind.
"""

from __future__ import annotations

from typing import Any

from dps.extensions import after_commit, db
from dps.models.enums import OutboxKind
from dps.models.outbox import OutboxMessage


def enqueue_email(
    to: str, subject: str, body: str, *, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue an e-mail to send once the current transaction commits."""
    message = OutboxMessage(
        kind=OutboxKind.EMAIL,
        payload={"to": to, "subject": subject, "body": body},
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    after_commit(request_relay)
    return message


def enqueue_task(
    name: str, args: list[Any], *, queue: str | None = None, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue a Celery task (by name, with ids as arguments) to hand over once the commit lands."""
    message = OutboxMessage(
        kind=OutboxKind.TASK,
        payload={"name": name, "args": args, "queue": queue},
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    after_commit(request_relay)
    return message


def request_relay() -> None:
    """Ask for the pending rows to be relayed now (after commit). Filled in by the relay work."""
