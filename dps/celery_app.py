"""The Celery application, configured by create_app() and shared by the web and the workers.

Tasks subclass ``AppContextTask`` so they run inside the Flask app context, like
notifications-api. They take ids, never objects. Queue names are constants here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

QUEUE_DEFAULT = "dps-default"
QUEUE_OUTBOX = "dps-outbox"
QUEUE_CHECKS = "dps-checks"
QUEUE_SCHEDULED = "dps-scheduled"
ALL_QUEUES = (QUEUE_DEFAULT, QUEUE_OUTBOX, QUEUE_CHECKS, QUEUE_SCHEDULED)

# Task names the web needs without importing the workers (defined in workers/scheduled.py).
RELAY_OUTBOX_TASK = "workers.scheduled.relay_outbox"
SWEEP_OUTBOX_TASK = "workers.scheduled.sweep_outbox"

# The modules that define tasks. The worker imports them through ``celery -A workers``; when
# tasks run in-process (the embedded default), ``init_celery`` imports them once. Nothing else
# does: the services hand work over by task name through the outbox.
TASK_MODULES = (
    "workers",
    "workers.calloffs",
    "workers.checks",
    "workers.outcome_letters",
    "workers.reminders",
    "workers.scheduled",
)

celery = Celery("dps")

# The Flask app the tasks run in: the one create_app() built last in this process.
_bound_app: Flask | None = None


def bound_app() -> Flask | None:
    return _bound_app


class AppContextTask(Task):
    """Runs each task in an app context of its own, so it has its own database session.

    Run in-process, the task uses the caller's app; in a worker, the app create_app() built.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        flask_app: Flask | None = current_app if has_app_context() else _bound_app
        if flask_app is None:
            raise RuntimeError("no Flask app: build one with create_app() before running tasks")
        with flask_app.app_context():
            return super().__call__(*args, **kwargs)


def load_task_modules() -> None:
    """Register every task in this process (needed only to run tasks in-process).

    A process that is importing ``workers`` itself (``celery -A workers``) builds its app on the
    way (``workers.app``) and registers the tasks as it goes, so nothing is imported here then.
    """
    building = sys.modules.get("workers.app")
    if building is not None and not hasattr(building, "flask_app"):
        return  # workers.app is building this very app: its tasks follow
    for module in TASK_MODULES:
        importlib.import_module(module)


def init_celery(app: Flask) -> Celery:
    global _bound_app
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
        broker_transport_options={
            "visibility_timeout": visibility,
            **app.config["CELERY_TRANSPORT_OPTIONS"],
        },
        task_serializer="json",
        accept_content=["json"],
        timezone="Europe/London",
        enable_utc=True,
        worker_hijack_root_logger=False,
    )
    extra = app.config.get("CELERY_EXTRA")
    if extra:
        celery.conf.update(extra)
    celery.conf.include = list(TASK_MODULES)
    celery.Task = AppContextTask
    celery.set_default()
    _bound_app = app
    app.extensions["celery"] = celery
    if in_process:
        load_task_modules()  # the tasks this process will run itself
    return celery
