"""The Celery application, configured by create_app() and shared by the web and the workers.

Tasks subclass ``AppContextTask`` so they run inside the Flask app context, like
notifications-api. They take ids, never objects. Queue names are constants here.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

QUEUE_DEFAULT = "dps-default"
QUEUE_OUTBOX = "dps-outbox"
QUEUE_CHECKS = "dps-checks"
QUEUE_SCHEDULED = "dps-scheduled"
ALL_QUEUES = (QUEUE_DEFAULT, QUEUE_OUTBOX, QUEUE_CHECKS, QUEUE_SCHEDULED)

celery = Celery("dps")


def init_celery(app: Flask) -> Celery:
    class AppContextTask(Task):
        abstract = True

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return super().__call__(*args, **kwargs)

    in_process = app.config["TASKS_IN_PROCESS"]
    visibility = app.config["CELERY_VISIBILITY_TIMEOUT"]
    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"] or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=in_process,
        task_eager_propagates=True,
        task_default_queue=QUEUE_DEFAULT,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # An unacknowledged task (its worker killed) goes back to the queue after this long:
        # longer than the longest task, or it would run twice while the first run goes on.
        broker_transport_options={"visibility_timeout": visibility},
        task_serializer="json",
        accept_content=["json"],
        timezone="Europe/London",
        enable_utc=True,
        worker_hijack_root_logger=False,
    )
    extra = app.config.get("CELERY_EXTRA")
    if extra:
        celery.conf.update(extra)
    celery.Task = AppContextTask
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
