"""The Flask app the workers' tasks run in: the one this process already built, or a new one."""

from typing import Any

from celery.signals import worker_process_init

from dps import create_app
from dps.celery_app import bound_app
from dps.extensions import db

# When a Flask app already exists in this process (the web running tasks in-process), it is used
# rather than a second one.
flask_app = bound_app() or create_app()


@worker_process_init.connect
def _own_database_connections(**_kwargs: Any) -> None:
    """A forked pool process must not share its parent's database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)
