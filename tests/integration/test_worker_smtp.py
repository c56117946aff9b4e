"""A real Celery worker on a real Redis broker relays outbox email to an SMTP server.

The web side commits as it does in production (PostgreSQL as the application's role, tasks
handed to Redis); `celery -A workers worker` and `celery -A workers beat` run as separate
processes configured from the environment alone, as docker-compose runs them.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models.outbox import OutboxMessage
from dps.rules.enums import OutboxStatus
from dps.services.common import outbox
from tests.fixtures.smtp_sink import Sink
from tests.integration.conftest import CeleryProcesses, RedisServer

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]


def stored_status(message_id: int) -> OutboxStatus:
    db.session.expire_all()
    status: OutboxStatus = db.session.scalars(
        sa.select(OutboxMessage.status).where(OutboxMessage.id == message_id)
    ).one()
    return status


def wait_for_status(message_id: int, status: OutboxStatus, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while stored_status(message_id) != status and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored_status(message_id) == status


@pytest.mark.timeout(180)
def test_a_worker_relays_an_email_to_the_smtp_server_exactly_once(
    broker_app: Flask, celery_processes: CeleryProcesses, sink: tuple[Sink, int]
) -> None:
    smtp, port = sink
    celery_processes.env["SMTP_PORT"] = str(port)
    worker_log = celery_processes.worker()
    celery_processes.wait_for_log(worker_log, "ready.")

    message = outbox.enqueue_email(
        "buyer@tameside.example.org", "You are invited to a mini-competition", "Details inside."
    )
    db.session.commit()  # after commit: relay_outbox handed to the worker through Redis

    received = smtp.wait_for(1, timeout=60)
    assert len(received) == 1, celery_processes.logs()
    assert received[0]["To"] == "buyer@tameside.example.org"
    assert received[0]["Subject"] == "You are invited to a mini-competition"
    assert received[0]["Message-ID"].startswith(f"<outbox-{message.id}@")
    wait_for_status(message.id, OutboxStatus.SENT)

    # Another relay and a sweep over the same rows send nothing more.
    outbox.request_relay()
    from dps.celery_app import QUEUE_SCHEDULED, SWEEP_OUTBOX_TASK

    outbox.publish_task(SWEEP_OUTBOX_TASK, [], queue=QUEUE_SCHEDULED)
    celery_processes.wait_for_log(worker_log, "sweep_outbox", timeout=30)
    time.sleep(1)
    assert len(smtp.messages) == 1, celery_processes.logs()


@pytest.mark.timeout(180)
def test_broker_down_at_commit_then_beat_sweeps_the_row_once_it_is_back(
    broker_app: Flask,
    redis_server: RedisServer,
    celery_processes: CeleryProcesses,
    sink: tuple[Sink, int],
) -> None:
    smtp, port = sink
    redis_server.stop()

    started = time.monotonic()
    message = outbox.enqueue_email("owner@coop-futures.example.org", "Confirm", "Follow the link.")
    db.session.commit()
    assert time.monotonic() - started < 3  # the web request does not wait on the broker
    assert stored_status(message.id) == OutboxStatus.PENDING

    redis_server.start()
    celery_processes.env.update(SMTP_PORT=str(port), OUTBOX_SWEEP_SECONDS="1")
    celery_processes.wait_for_log(celery_processes.worker(), "ready.")
    celery_processes.wait_for_log(celery_processes.beat(), "beat: Starting")

    received = smtp.wait_for(1, timeout=60)
    assert len(received) == 1, celery_processes.logs()
    assert received[0]["Subject"] == "Confirm"
    wait_for_status(message.id, OutboxStatus.SENT)
    time.sleep(2.5)  # more sweeps run meanwhile; none sends it again
    assert len(smtp.messages) == 1, celery_processes.logs()
