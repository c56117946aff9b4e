"""The qualification checks as Celery tasks: each takes an id and calls a service.

``run_application_checks`` picks up a submitted application (handed over through the outbox
when it was sent) and starts its first run; ``run_check`` runs one result of a run. Both are
safe to run twice (``dps.services.qualification.runs``): with ``acks_late`` a task whose worker
dies is delivered again, to this worker's next pool process or, after the broker's visibility
timeout, to another worker. Passing faults are retried with exponential back-off. The checks
themselves are in ``dps.services.qualification.registry`` and ``dps.rules.checks``.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from sqlalchemy.exc import OperationalError

from dps.celery_app import QUEUE_CHECKS, celery
from dps.services.applications.submission import CHECKS_TASK
from dps.services.qualification import runs
from dps.services.qualification.registry import TransientCheckError
from workers.app import flask_app

RETRIES: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": int(flask_app.config["CHECKS_MAX_RETRIES"]),
    # Waits of up to 5 s, 10 s, 20 s... (full jitter) up to the cap.
    "retry_backoff": 5,
    "retry_backoff_max": int(flask_app.config["CHECKS_RETRY_BACKOFF_MAX_SECONDS"]),
    "retry_jitter": True,
}


@celery.task(name=CHECKS_TASK, bind=True, autoretry_for=(OperationalError,), **RETRIES)
def run_application_checks(self: Task, application_id: int) -> None:
    """Submitted -> checking, and the first run of the checks (nothing if already started)."""
    runs.start_submission_checks(application_id)


@celery.task(name=runs.RUN_CHECK_TASK, bind=True, autoretry_for=(OperationalError,), **RETRIES)
def run_check(self: Task, result_id: int) -> None:
    """One check of a run; a passing fault is tried again, later each time (the service
    records it as an error once the result has had all its attempts)."""
    retries = self.request.retries
    try:
        runs.run_check(result_id)
    except TransientCheckError as error:
        if self.request.is_eager:
            # In-process (the embedded default) there is no broker to wait with: again now.
            self.apply(args=[result_id], retries=retries + 1, throw=True)
            return
        # Later each time, and no sooner than the service asked (Retry-After).
        wait = get_exponential_backoff_interval(
            factor=RETRIES["retry_backoff"],
            retries=retries,
            maximum=RETRIES["retry_backoff_max"],
            full_jitter=True,
        )
        raise self.retry(exc=error, countdown=max(wait, error.retry_after or 0)) from error


celery.conf.task_routes = {
    **(celery.conf.task_routes or {}),
    CHECKS_TASK: {"queue": QUEUE_CHECKS},
    runs.RUN_CHECK_TASK: {"queue": QUEUE_CHECKS},
}
