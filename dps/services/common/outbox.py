"""The outbox: emails and hand-overs to Celery, written in the same transaction as the change.

``enqueue_email`` and ``enqueue_task`` add a row to the current session; nothing is sent or
enqueued until the transaction commits, and a rolled-back transaction leaves nothing behind.
After commit ``request_relay`` hands the pending rows over: in-process on the embedded default,
otherwise to the ``relay_outbox`` Celery task. A scheduled sweep (``sweep_outbox``, or the
in-process timer of ``make run``) catches anything left behind.

``deliver`` locks a row, checks it is still pending, does the work and marks it sent in the same
transaction, so two relays racing never send one message twice. A crash after sending but before
the commit can still repeat a message: emails carry a Message-ID and tasks a task id made from
the outbox id, so a repeat can be recognised, and tasks are idempotent.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select, update

from dps.extensions import after_commit, db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.outbox import OutboxMessage
from dps.outside import mail, tokens
from dps.rules.enums import OutboxKind, OutboxStatus
from dps.rules.refusals import Refusal
from dps.services.common import audit

logger = logging.getLogger(__name__)

RELAY_LIMIT = 200
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# The web request must not wait on a broker that is down: one quick try, then the sweep.
BROKER_CONNECT_TIMEOUT_SECONDS = 2.0
# A task row run in-process is claimed for this long (longer than any task takes).
IN_PROCESS_LEASE = timedelta(minutes=15)
PAGE_SIZE = 25

_relay_state = threading.local()


class OutboxError(Refusal):
    """An outbox action a person asked for cannot be done; the message says why."""


# --- Enqueueing (in the caller's transaction) --------------------------------------------------


def _enqueue(kind: OutboxKind, payload: dict[str, Any], dedupe_key: str | None) -> OutboxMessage:
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    message = OutboxMessage(
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    after_commit(request_relay)
    return message


def enqueue_email(
    to: str, subject: str, body: str, *, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue an email to send once the current transaction commits.

    With a ``dedupe_key`` already used, nothing new is queued and the first message is returned.
    """
    payload = {"to": to, "subject": subject, "body": body}
    return _enqueue(OutboxKind.EMAIL, payload, dedupe_key)


def enqueue_task(
    name: str, args: list[Any], *, queue: str | None = None, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue a Celery task (by name, with ids as arguments) to hand over once the commit lands."""
    return _enqueue(OutboxKind.TASK, {"name": name, "args": args, "queue": queue}, dedupe_key)


# --- Handing over after commit -----------------------------------------------------------------


def request_relay() -> None:
    """Hand the pending rows over now that the commit has landed. Never raises.

    Whatever goes wrong here, the rows stay pending and the scheduled sweep delivers them.
    """
    try:
        if current_app.config["TASKS_IN_PROCESS"]:
            _relay_in_process()
        else:
            from dps.celery_app import QUEUE_OUTBOX, RELAY_OUTBOX_TASK

            publish_task(RELAY_OUTBOX_TASK, [], queue=QUEUE_OUTBOX)
    except Exception as error:
        logger.warning("Outbox relay not started (%s); the sweep will send the rows", error)


def _relay_in_process() -> None:
    if getattr(_relay_state, "active", False):
        return  # a relay is running in this thread already: its next round picks the rows up
    # An app context of its own gives the relay its own session: the caller's is left alone.
    with current_app.app_context():
        relay_pending()


def publish_task(
    name: str, args: list[Any], *, queue: str | None, task_id: str | None = None
) -> None:
    """Send a task to the broker, failing fast (no retry loop) if the broker cannot be reached."""
    from dps.celery_app import celery

    with celery.connection_for_write(
        connect_timeout=BROKER_CONNECT_TIMEOUT_SECONDS,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": BROKER_CONNECT_TIMEOUT_SECONDS,
        },
    ) as connection:
        celery.send_task(
            name, args=args, queue=queue, task_id=task_id, connection=connection, retry=False
        )


# --- Relaying and delivering -------------------------------------------------------------------


def relay_pending(limit: int = RELAY_LIMIT) -> int:
    """Deliver up to ``limit`` pending rows that are due; returns how many were delivered.

    Safe to run in several places at once: each row is delivered under its own lock.
    """
    was_active = getattr(_relay_state, "active", False)
    _relay_state.active = True
    delivered = 0
    tried: set[int] = set()
    try:
        # Rows added while relaying (by a task run in-process) are picked up by the next round.
        while len(tried) < limit:
            batch = _due_ids(exclude=tried, limit=limit - len(tried))
            if not batch:
                break
            for message_id in batch:
                tried.add(message_id)
                delivered += deliver(message_id)
    finally:
        _relay_state.active = was_active
    return delivered


def _due_ids(*, exclude: set[int], limit: int) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= utcnow(),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if exclude:
        query = query.where(OutboxMessage.id.not_in(exclude))
    ids = list(db.session.scalars(query))
    db.session.commit()  # end the read; each delivery has a transaction of its own
    return ids


def _lock_pending(message_id: int) -> OutboxMessage | None:
    """The row, locked for this transaction, if it is still pending; otherwise None.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so a row another relay holds is skipped, and one it has
    just sent is seen as sent. SQLite has one writer: an UPDATE that changes nothing takes the
    write lock at once, so a racing relay waits here and then finds the row no longer pending.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(attempts=OutboxMessage.attempts)
            .execution_options(synchronize_session=False)
        )
    message: OutboxMessage | None = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return message


def deliver(message_id: int) -> bool:
    """Deliver one row if it is still pending; True if this call delivered it."""
    message = _lock_pending(message_id)
    if message is None:
        db.session.rollback()  # already sent, failed, or being delivered by another relay
        return False
    if message.kind == OutboxKind.TASK and current_app.config["TASKS_IN_PROCESS"]:
        return _deliver_in_process(message)
    try:
        outcome = _perform(message)
    except Exception as error:
        db.session.rollback()
        _record_failure(message_id, error)
        return False
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.attempts += 1
    db.session.commit()
    logger.info("Outbox message %s %s", message_id, outcome)
    return True


def _perform(message: OutboxMessage) -> str:
    payload = message.payload
    if message.kind == OutboxKind.EMAIL:
        return mail.send_email(
            message.id,
            to=payload["to"],
            subject=payload["subject"],
            body=payload["body"],
            settings=mail.MailSettings.from_config(current_app.config),
        )
    publish_task(
        payload["name"], payload["args"], queue=payload.get("queue"), task_id=f"outbox-{message.id}"
    )
    return "handed to Celery"


def _deliver_in_process(message: OutboxMessage) -> bool:
    """Run a task row's task here, without holding the row's lock while the task runs.

    The task writes through a session of its own, which on SQLite (one writer) would wait for
    ever on this row's lock. So the row is claimed first (not due again until the lease ends,
    when a sweep runs it again should this process die) and the claim committed; then the task
    runs, and the row is marked sent, or its failure recorded for a later try.
    """
    message_id, payload = message.id, message.payload
    message.next_attempt_at = utcnow() + IN_PROCESS_LEASE
    db.session.commit()
    try:
        _run_task_in_process(payload["name"], payload["args"])
    except Exception as error:
        _record_failure(message_id, error)
        return False
    claimed = _lock_pending(message_id)
    if claimed is None:
        db.session.rollback()
        return False
    claimed.status = OutboxStatus.SENT
    claimed.sent_at = utcnow()
    claimed.attempts += 1
    db.session.commit()
    logger.info("Outbox message %s run in-process", message_id)
    return True


def _run_task_in_process(name: str, args: list[Any]) -> None:
    from dps.celery_app import celery

    # The task modules were loaded when the app was built to run tasks in-process (init_celery).
    # apply() runs the task here and now, in an app context (and session) of its own.
    celery.tasks[name].apply(args=args, throw=True)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min... up to 1 hour.

    A little jitter (up to 10% earlier) keeps many failed rows from retrying in one burst.
    """
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.0))


def _record_failure(message_id: int, error: Exception) -> None:
    message = _lock_pending(message_id)
    if message is None:
        db.session.rollback()
        return
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        logger.error("Outbox message %s failed for good: %s", message_id, message.last_error)
    else:
        message.next_attempt_at = utcnow() + backoff(message.attempts)
        logger.warning("Outbox message %s not delivered: %s", message_id, message.last_error)
    db.session.commit()


# --- What administrators see and do ------------------------------------------------------------


def list_emails(page: int, per_page: int = PAGE_SIZE) -> Pagination:
    """Emails in the outbox, newest first, one page at a time."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.EMAIL)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_email(message_id: int) -> OutboxMessage | None:
    return db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.kind == OutboxKind.EMAIL
        )
    )


def links_readable() -> bool:
    """Whether administrators may read the live links in stored emails.

    Only for development mail (MAIL_BACKEND record, nothing sent) on a portal not in production,
    where the emails page is the only way to follow a link. Anywhere else a reset or invitation
    link read there would let an administrator take over someone else's account.
    """
    config = current_app.config
    return config["DPS_ENV"] != "production" and config["MAIL_BACKEND"] == mail.BACKEND_RECORD


def body_to_show(message: OutboxMessage) -> str:
    """The body of an email as a page shows it: signed links hidden unless links_readable()."""
    body = str(message.payload.get("body", ""))
    return body if links_readable() else tokens.hide_tokens(body)


def send_again(message: OutboxMessage, *, actor: User | None) -> None:
    """Put a failed message back in the queue with a fresh set of attempts (audited)."""
    if message.status != OutboxStatus.FAILED:
        raise OutboxError("Only an email that failed can be sent again.")
    before = {"status": message.status.value, "attempts": message.attempts}
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    audit.record(
        "outbox.send_again",
        message,
        actor=actor,
        before=before,
        after={"status": message.status.value, "attempts": 0},
    )
    after_commit(request_relay)
    db.session.commit()
