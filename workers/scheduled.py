"""Scheduled (beat) jobs and the outbox relay. Each schedule sits next to its task.

``celery.conf.beat_schedule`` is the one list of scheduled jobs: Celery beat sends them to the
workers, and ``make run`` runs the same entries on an in-process timer (dps/scheduler.py). To add
a job, define its task here and its entry beside it.
"""

from __future__ import annotations

from dps.celery_app import (
    QUEUE_OUTBOX,
    QUEUE_SCHEDULED,
    RELAY_OUTBOX_TASK,
    SWEEP_OUTBOX_TASK,
    celery,
)
from dps.models.base import utcnow
from dps.services.accounts import unconfirmed_accounts
from dps.services.common import outbox
from workers.app import flask_app

# Every minute by default (OUTBOX_SWEEP_SECONDS); the tests shorten it.
SWEEP_EVERY_SECONDS = float(flask_app.config["OUTBOX_SWEEP_SECONDS"])


@celery.task(name=RELAY_OUTBOX_TASK)
def relay_outbox() -> int:
    """After a commit: deliver the pending outbox rows. Idempotent: each row is sent once."""
    return outbox.relay_pending()


@celery.task(name=SWEEP_OUTBOX_TASK)
def sweep_outbox() -> int:
    """On a timer: deliver anything a relay left behind (broker down, failures now due)."""
    return outbox.relay_pending()


EXPIRE_UNCONFIRMED_TASK = "workers.scheduled.expire_unconfirmed_accounts"
EXPIRE_UNCONFIRMED_EVERY_SECONDS = 3600.0


@celery.task(name=EXPIRE_UNCONFIRMED_TASK)
def expire_unconfirmed_accounts() -> int:
    """Every hour: close accounts left unconfirmed too long, releasing their addresses."""
    return unconfirmed_accounts.expire(utcnow())


celery.conf.task_routes = {
    **(celery.conf.task_routes or {}),
    RELAY_OUTBOX_TASK: {"queue": QUEUE_OUTBOX},
    SWEEP_OUTBOX_TASK: {"queue": QUEUE_SCHEDULED},
    EXPIRE_UNCONFIRMED_TASK: {"queue": QUEUE_SCHEDULED},
}

celery.conf.beat_schedule = {
    **(celery.conf.beat_schedule or {}),
    "sweep-outbox": {
        "task": SWEEP_OUTBOX_TASK,
        "schedule": SWEEP_EVERY_SECONDS,
        "options": {"queue": QUEUE_SCHEDULED, "expires": SWEEP_EVERY_SECONDS},
    },
    "expire-unconfirmed-accounts": {
        "task": EXPIRE_UNCONFIRMED_TASK,
        "schedule": EXPIRE_UNCONFIRMED_EVERY_SECONDS,
        "options": {"queue": QUEUE_SCHEDULED, "expires": EXPIRE_UNCONFIRMED_EVERY_SECONDS},
    },
}
