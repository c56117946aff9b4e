"""Scheduled reminders, each beat entry beside its task. The work is in dps.services.pool.reminders.

The jobs run every hour (REMINDERS_EVERY_SECONDS): each email has a dedupe key naming what it
is about (and the day, for the decision clock), so running often only means a reminder is not
late after a restart; it never means a second one. ``make run`` runs the same entries on its
in-process timer (dps/scheduler.py).
"""

from __future__ import annotations

from dps.celery_app import QUEUE_SCHEDULED, celery
from dps.models.base import utcnow
from dps.services.pool import reminders
from workers.app import flask_app

EVERY_SECONDS = float(flask_app.config["REMINDERS_EVERY_SECONDS"])

DECISION_REMINDERS_TASK = "workers.reminders.decision_reminders"
RENEWAL_REMINDERS_TASK = "workers.reminders.renewal_reminders"
EVIDENCE_REVIEW_TASK = "workers.reminders.evidence_review"


def _schedule(entry: str, task: str) -> None:
    """Run ``task`` every hour on the scheduled-jobs queue (a late run is dropped, not piled)."""
    celery.conf.task_routes = {**(celery.conf.task_routes or {}), task: {"queue": QUEUE_SCHEDULED}}
    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        entry: {
            "task": task,
            "schedule": EVERY_SECONDS,
            "options": {"queue": QUEUE_SCHEDULED, "expires": EVERY_SECONDS},
        },
    }


@celery.task(name=DECISION_REMINDERS_TASK)
def decision_reminders() -> int:
    """Administrators: applications due within 2 working days, and overdue ones."""
    return reminders.send_decision_reminders(utcnow())


_schedule("decision-reminders", DECISION_REMINDERS_TASK)


@celery.task(name=RENEWAL_REMINDERS_TASK)
def renewal_reminders() -> int:
    """Suppliers: a renewed declaration due soon, or overdue."""
    return reminders.send_renewal_reminders(utcnow())


_schedule("renewal-reminders", RENEWAL_REMINDERS_TASK)


@celery.task(name=EVIDENCE_REVIEW_TASK)
def evidence_review() -> int:
    """Admitted suppliers' insurance: reminders before it lapses, flags on admissions once it
    has. Returns how many things it did (emails queued, flags set or lifted)."""
    review = reminders.review_evidence(utcnow())
    return review.reminded + len(review.flagged) + len(review.cleared)


_schedule("evidence-review", EVIDENCE_REVIEW_TASK)
