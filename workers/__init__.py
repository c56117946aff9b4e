"""The Celery workers: `celery -A workers worker` and `celery -A workers beat`.

The Celery app is built from the same create_app() as the web, so tasks share its
configuration, models and services and run inside its app context. (Nothing here is named
``app``: Celery's ``-A`` would take a Flask app of that name for itself.)
"""

from dps import create_app
from dps.celery_app import celery

flask_app = create_app()

from workers import scheduled  # noqa: E402,F401  (registers the tasks)

__all__ = ["celery", "flask_app"]
