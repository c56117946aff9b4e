"""Call-off work on the workers: the fan-out of a published call-off's invitation emails.

The task takes the call-off's id and calls ``dps.services.calloffs.invitations``; it is safe to
run twice (each person's email has a dedupe key), so a redelivered task sends nothing again.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from dps.celery_app import celery
from dps.services.calloffs import invitations
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
