"""The Celery workers: `celery -A workers worker` and `celery -A workers beat`.

The Celery app is built from the same create_app() as the web (``workers.app``), so tasks share
its configuration, models and services and run inside its app context. (Nothing here is named
``app``: Celery's ``-A`` would take a Flask app of that name.)
"""

from dps.celery_app import celery

# Each registers its tasks, and the scheduled ones their beat entries: the outbox relay and sweep,
# the qualification checks, the reminders.
from workers import checks, reminders, scheduled
from workers.app import flask_app

__all__ = ["celery", "checks", "flask_app", "reminders", "scheduled"]
