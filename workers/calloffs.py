"""Call-off work on the workers: the fan-out of a published call-off's invitation emails, and
the scheduled opening of tenders.

The fan-out takes the call-off's id and calls ``dps.services.calloffs.invitations``; it is safe
to run twice (each person's email has a dedupe key), so a redelivered task sends nothing again.
The beat entry ``close-due-call-offs`` runs ``sealing.close_due`` every minute: it closes each
published call-off past its tender deadline and opens its tenders, once (one audit event
however often it runs, or if a buyer's read opened them first).
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from dps.celery_app import QUEUE_SCHEDULED, celery
from dps.models.base import utcnow
from dps.services.calloffs import invitations, notices, sealing
from dps.services.calloffs.publishing import EMAIL_INVITATIONS_TASK


@celery.task(
    name=EMAIL_INVITATIONS_TASK,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def email_invitations(call_off_id: int) -> int:
    """Queue one invitation email per active user of each invited supplier."""
    return invitations.email_invited_suppliers(call_off_id)


CLOSE_DUE_TASK = "workers.calloffs.close_due"
CLOSE_DUE_EVERY_SECONDS = 60.0


@celery.task(name=CLOSE_DUE_TASK)
def close_due() -> int:
    """Open the tenders of every published call-off past its deadline; how many were opened."""
    return sealing.close_due(utcnow())


celery.conf.task_routes = {
    **(celery.conf.task_routes or {}),
    CLOSE_DUE_TASK: {"queue": QUEUE_SCHEDULED},
}
celery.conf.beat_schedule = {
    **(celery.conf.beat_schedule or {}),
    "close-due-call-offs": {
        "task": CLOSE_DUE_TASK,
        "schedule": CLOSE_DUE_EVERY_SECONDS,
        "options": {"queue": QUEUE_SCHEDULED, "expires": CLOSE_DUE_EVERY_SECONDS},
    },
}


@celery.task(
    name=notices.EMAIL_NOTICE_TASK,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def email_notice(call_off_id: int, kind: str, item_id: int) -> int:
    """Queue one email per active user of each invited supplier: an answer, an addendum or a
    later deadline (safe to run twice: each person's email has a dedupe key)."""
    return notices.email_invited(call_off_id, kind, item_id)
