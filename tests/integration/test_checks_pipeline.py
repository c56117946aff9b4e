"""The qualification checks as they run in production: a real `celery -A workers worker` on a
Redis server of the test's own, PostgreSQL as the application's role, the Companies House stub
(tests/ch_stub.py) as a separate process, email to a local SMTP sink.

Sent through the real submission, an application travels outbox -> Redis -> worker -> every
check once -> ready for review with a recommendation per lot, and its supplier gets one email;
sent while Redis is down, it waits in the outbox and goes the same way once Redis is back.
Then the kill tests (STACK.md, "Celery on Redis"): a pool process killed while Companies House
holds its request, and the whole worker killed with SIGKILL and a new one started; either way
that check is done once with two attempts, and nothing else twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import Application, AuditEvent, CheckResult, CheckRun, OutboxMessage
from dps.rules.enums import ApplicationStatus, CheckOutcome, CheckState, OutboxKind, OutboxStatus
from dps.services.applications import submission
from dps.services.qualification import registry
from dps.services.suppliers import profiles
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    PROFILE_INPUT,
    World,
    make_world,
    ready_to_send,
)
from tests.fixtures.ch_stub import ACTIVE, DEFAULT_API_KEY, SLOW, StubClient, run_stub_process
from tests.fixtures.smtp_sink import Sink, free_port
from tests.integration.conftest import CeleryProcesses, RedisServer

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]

S = ApplicationStatus
POUNDS = 100
WITH_REVIEWERS = "is with our reviewers"


# --- the scene -------------------------------------------------------------------------------


@dataclass
class Pipeline:
    app: Flask
    world: World
    stub: StubClient
    workers: CeleryProcesses
    smtp: Sink

    def start_worker(self, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
        self.workers.env.update(env)
        log = self.workers.worker()
        process = self.workers.started[-1][0]
        wait_for_text(log, "ready.", process)
        return process, log

    def draft(self, company_number: str = ACTIVE) -> Application:
        """The supplier's application for both lots, ready to send."""
        application = ready_to_send(self.world, [1, 2])
        errors = profiles.update_profile(
            self.world.supplier.id,
            {**PROFILE_INPUT, "companies_house_number": company_number},
            self.world.owner,
        )
        assert errors == {}
        return application

    def send(self, company_number: str = ACTIVE) -> Application:
        """The application, sent through the real submission."""
        application = self.draft(company_number)
        submission.submit(application, DECLARATION, actor=self.world.owner, at=DURING_THE_PERIOD)
        return application

    def logs(self) -> str:
        return self.workers.logs()


@pytest.fixture
def pipeline(
    broker_app: Flask, celery_processes: CeleryProcesses, sink: tuple[Sink, int]
) -> Iterator[Pipeline]:
    smtp, smtp_port = sink
    world = make_world()
    # Lot 2 asks for a larger turnover than the supplier's £1,250,000.
    world.lots[1].min_annual_turnover_pence = 100_000 * POUNDS
    world.lots[2].min_annual_turnover_pence = 2_000_000 * POUNDS
    db.session.commit()
    port = free_port()
    # Held look-ups wait until released (at most a minute), so the test decides when.
    with run_stub_process(port, slow_seconds=60) as stub:
        celery_processes.env.update(
            SMTP_PORT=str(smtp_port),
            # The worker reads the documents the web side stored.
            DOCUMENT_STORAGE_PATH=broker_app.config["DOCUMENT_STORAGE_PATH"],
            COMPANIES_HOUSE_API_URL=stub.url,
            COMPANIES_HOUSE_API_KEY=DEFAULT_API_KEY,
            # Longer than the test holds a look-up: the attempt must not time out by itself.
            COMPANIES_HOUSE_TIMEOUT_SECONDS="45",
        )
        yield Pipeline(broker_app, world, stub, celery_processes, smtp)


def wait_for_text(
    log: Path, text: str, process: subprocess.Popen[bytes], timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not seen in {log.name}:\n{log.read_text(errors='replace')}")


def wait_until(condition: Callable[[], bool], pipeline: Pipeline, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if condition():
            return
        db.session.rollback()
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout}s\n{pipeline.logs()}")


def status(application: Application) -> ApplicationStatus:
    db.session.expire_all()
    found: ApplicationStatus = db.session.scalars(
        sa.select(Application.status).where(Application.id == application.id)
    ).one()
    return found


def results(application: Application) -> list[CheckResult]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(CheckResult)
            .join(CheckRun)
            .where(CheckRun.application_id == application.id)
            .order_by(CheckResult.id)
        )
    )


def emails_about(application: Application) -> list[str]:
    return [
        subject
        for subject in db.session.scalars(
            sa.select(OutboxMessage.payload["subject"].as_string())
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
        if application.reference and application.reference in subject
    ]


def pool_children(worker: subprocess.Popen[bytes]) -> list[int]:
    """The worker's pool processes (prefork: the children of its main process)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def attempts_when_done(application: Application) -> dict[str, int]:
    """Each result's attempts, by check and scope, once every result is done."""
    found = results(application)
    assert {r.state for r in found} == {CheckState.DONE}
    # One result per check and scope: a second delivery never writes a second one.
    assert len({(r.check, r.scope) for r in found}) == len(found)
    return {f"{r.check}/{r.scope}": r.attempts for r in found}


def once_each(attempts: dict[str, int], **twice: int) -> dict[str, int]:
    """One attempt each, but those named."""
    return {key: twice.get(key.partition("/")[0], 1) for key in attempts}


def ready_once(pipeline: Pipeline, application: Application) -> None:
    """Ready for review, moved there once, and the supplier told once (outbox and SMTP)."""
    assert status(application) == S.READY_FOR_REVIEW
    moves = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "application.ready_for_review",
            AuditEvent.object_id == str(application.id),
        )
    ).all()
    assert len(moves) == 1
    assert emails_about(application) == [
        f"We have received your application {application.reference}",
        f"Your application {application.reference} {WITH_REVIEWERS}",
    ]
    received = pipeline.smtp.wait_for(2, timeout=60)
    time.sleep(1)  # anything sent twice would arrive meanwhile
    subjects = sorted(message["Subject"] for message in pipeline.smtp.messages)
    assert subjects == sorted(emails_about(application)), pipeline.logs()
    assert len(received) == 2


def company_results(application: Application) -> list[CheckResult]:
    return [r for r in results(application) if r.check == "companies_house"]


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.timeout(180)
def test_a_sent_application_is_checked_by_a_worker_and_ready_for_review(
    pipeline: Pipeline,
) -> None:
    pipeline.start_worker()
    application = pipeline.send()
    assert status(application) == S.SUBMITTED  # the web request did not wait for any check

    wait_until(lambda: status(application) == S.READY_FOR_REVIEW, pipeline)
    attempts = attempts_when_done(application)
    assert attempts == once_each(attempts)
    by_check = {(r.check, r.scope): r for r in results(application)}
    assert {name for name, _scope in by_check} == {check.name for check in registry.registered()}
    company = by_check[("companies_house", "all")]
    assert company.outcome == CheckOutcome.PASS, company.reason
    assert company.evidence is not None and company.evidence["company_status"] == "active"
    lot_1, lot_2 = (pipeline.world.lots[n].id for n in (1, 2))
    turnover = by_check[("financial_standing", f"lot-{lot_2}")]
    assert turnover.outcome == CheckOutcome.FAIL
    assert turnover.evidence == {
        "lot": 2,
        "threshold_pence": 2_000_000 * POUNDS,
        "turnover_pence": 1_250_000 * POUNDS,
        "year_ended": "2026-03-31",
    }
    [run] = db.session.scalars(sa.select(CheckRun)).all()
    assert run.recommendation == {str(lot_1): "admit", str(lot_2): "reject"}
    ready_once(pipeline, application)
    assert [r["number"] for r in pipeline.stub.requests()] == [ACTIVE]


@pytest.mark.timeout(180)
def test_sent_while_the_broker_is_down_the_checks_run_once_it_is_back(
    pipeline: Pipeline, redis_server: RedisServer
) -> None:
    draft = pipeline.draft()
    redis_server.stop()
    started = time.monotonic()
    submission.submit(draft, DECLARATION, actor=pipeline.world.owner, at=DURING_THE_PERIOD)
    assert time.monotonic() - started < 5  # the supplier does not wait on the broker
    assert status(draft) == S.SUBMITTED
    [hand_over] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.TASK)
    ).all()
    assert (hand_over.payload["name"], hand_over.status) == (
        submission.CHECKS_TASK,
        OutboxStatus.PENDING,
    )

    redis_server.start()
    _worker, _log = pipeline.start_worker(OUTBOX_SWEEP_SECONDS="1")
    log = pipeline.workers.beat()
    wait_for_text(log, "beat: Starting", pipeline.workers.started[-1][0])
    wait_until(lambda: status(draft) == S.READY_FOR_REVIEW, pipeline)
    attempts = attempts_when_done(draft)
    assert attempts == once_each(attempts)
    ready_once(pipeline, draft)


# --- kill tests ------------------------------------------------------------------------------


@pytest.mark.timeout(180)
def test_a_pool_process_killed_mid_check_gives_the_check_back_to_run_again(
    pipeline: Pipeline,
) -> None:
    worker, _log = pipeline.start_worker()
    application = pipeline.send(company_number=SLOW)
    pipeline.stub.wait_until_held(1, timeout=60)  # the pool process is inside the request
    [child] = pool_children(worker)
    os.kill(child, signal.SIGKILL)
    pipeline.stub.release()  # from now on the stub answers at once

    wait_until(lambda: status(application) == S.READY_FOR_REVIEW, pipeline)
    assert worker.poll() is None  # the worker itself lived on, with a new pool process
    assert pool_children(worker) != [child]
    attempts = attempts_when_done(application)
    assert attempts == once_each(attempts, companies_house=2), pipeline.logs()
    [company] = company_results(application)
    assert company.outcome == CheckOutcome.PASS, company.reason
    assert [r["number"] for r in pipeline.stub.requests()] == [SLOW, SLOW]
    ready_once(pipeline, application)


@pytest.mark.timeout(180)
def test_a_worker_killed_while_companies_house_holds_its_request_is_replaced(
    pipeline: Pipeline,
) -> None:
    first, _log = pipeline.start_worker()
    application = pipeline.send(company_number=SLOW)
    pipeline.stub.wait_until_held(1, timeout=60)
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, pool and all: no goodbye
    first.wait(timeout=10)
    pipeline.stub.release()
    assert status(application) == S.CHECKING

    # The check's message is still unacknowledged in Redis: a new worker, told to take back
    # what has been unacknowledged for 5 seconds and to look every second, runs it again.
    pipeline.start_worker(
        CELERY_VISIBILITY_TIMEOUT="5",
        CELERY_TRANSPORT_OPTIONS_JSON=json.dumps(
            {"unacked_restore_interval": 1, "unacked_restore_throttle": 1}
        ),
    )
    wait_until(lambda: status(application) == S.READY_FOR_REVIEW, pipeline)
    attempts = attempts_when_done(application)
    assert attempts == once_each(attempts, companies_house=2), pipeline.logs()
    [company] = company_results(application)  # one result, not two
    assert company.outcome == CheckOutcome.PASS, company.reason
    ready_once(pipeline, application)
