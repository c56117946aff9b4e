"""Outcome-letter work on the workers: telling each bidder its letter is ready.

Sending the letters (``dps.services.awards.letters.send``) hands this over through the outbox by
task name, so the request never queues an email per person. The task is safe to run twice: each
person's email has a dedupe key naming the letter and the person.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from dps.celery_app import celery
from dps.services.awards import letters


@celery.task(
    name=letters.EMAIL_LETTERS_TASK,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def email_bidders(call_off_id: int) -> int:
    """Queue one email per active person at each bidder whose letter was sent."""
    return letters.email_bidders(call_off_id)
