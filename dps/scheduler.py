"""The scheduled jobs on an in-process timer, for `make run` (no Celery beat, no worker).

The jobs are the entries of Celery's beat schedule (workers/scheduled.py): the one registry of
scheduled work, so a job added there runs under beat in production and here on a laptop. A
daemon thread wakes every few seconds and runs, inside the app context, each job that is due.

It runs only where the portal is served: ``init_scheduler`` arms it in create_app when
SCHEDULER_IN_PROCESS is set, and the thread starts with the first request. CLI commands and
the Werkzeug reloader's watching process serve no request, so they never start it; tests
(TESTING) never arm it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)

TICK_SECONDS = 5.0


@dataclass
class Job:
    name: str
    task: str
    schedule: Any  # a celery.schedules schedule or crontab
    args: tuple[Any, ...]
    last_run_at: datetime


def scheduled_jobs() -> list[Job]:
    """The beat schedule as jobs, each counted as just run (so it first runs one period on)."""
    from celery.schedules import maybe_schedule

    from dps.celery_app import celery, load_task_modules

    load_task_modules()
    now = celery.now()
    return [
        Job(
            name=name,
            task=entry["task"],
            schedule=maybe_schedule(entry["schedule"], app=celery),
            args=tuple(entry.get("args", ())),
            last_run_at=now,
        )
        for name, entry in sorted(celery.conf.beat_schedule.items())
    ]


def run_due_jobs(jobs: list[Job]) -> list[str]:
    """Run every job that is due, in-process; returns the names of those run.

    A failing job is logged and tried again at its next time: it never stops the timer.
    """
    from dps.celery_app import celery

    ran = []
    for job in jobs:
        due, _next_in = job.schedule.is_due(job.last_run_at)
        if not due:
            continue
        job.last_run_at = celery.now()
        try:
            celery.tasks[job.task].apply(args=job.args, throw=True)
        except Exception:
            logger.exception("Scheduled job %s failed", job.name)
        ran.append(job.name)
    return ran


class SchedulerThread(threading.Thread):
    def __init__(self, app: Flask, tick_seconds: float = TICK_SECONDS) -> None:
        super().__init__(name="dps-scheduler", daemon=True)
        self.app = app
        self.tick_seconds = tick_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            jobs = scheduled_jobs()
        logger.info("In-process scheduler running: %s", ", ".join(j.name for j in jobs))
        while not self.stopping.wait(self.tick_seconds):
            with self.app.app_context():
                run_due_jobs(jobs)

    def stop(self) -> None:
        self.stopping.set()


def init_scheduler(app: Flask) -> None:
    """Arm the in-process timer when SCHEDULER_IN_PROCESS is set (never under TESTING)."""
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.testing:
        return
    lock = threading.Lock()

    def start_once() -> None:
        if "dps_scheduler" in app.extensions:
            return
        with lock:
            if "dps_scheduler" not in app.extensions:
                thread = SchedulerThread(app)
                app.extensions["dps_scheduler"] = thread
                thread.start()

    app.before_request(start_once)
