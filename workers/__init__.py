"""The Celery workers: `celery -A workers worker` and `celery -A workers beat`.

The Celery app is built from the same create_app() as the web, so tasks share its
configuration, models and services and run inside its app context. When a Flask app already
exists in this process (the web running a task in-process), it is used rather than a second
one. (Nothing here is named ``app``: Celery's ``-A`` would take a Flask app of that name.)
"""

from typing import Any

from celery.signals import worker_process_init

from dps import create_app
from dps.celery_app import bound_app, celery
from dps.extensions import db

flask_app = bound_app() or create_app()


@worker_process_init.connect
def _own_database_connections(**_kwargs: Any) -> None:
    """A forked pool process must not share its parent's database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


# Each registers its tasks, and the scheduled ones their beat entries: the outbox relay and sweep,
# the qualification checks, the reminders.
from workers import checks, reminders, scheduled  # noqa: E402

__all__ = ["celery", "checks", "flask_app", "reminders", "scheduled"]
