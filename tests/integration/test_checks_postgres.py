"""The checks on PostgreSQL, as the application's role, without a worker: the last two checks
of a run finishing at the same moment close the run once (the run's row is locked)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import Application, AuditEvent, OutboxMessage
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import ApplicationStatus, CheckOutcome, OutboxKind
from dps.rules.lifecycles import APPLICATION
from dps.services.applications import submission
from dps.services.common.statemachine import move
from dps.services.qualification import registry
from dps.services.qualification import runs as check_runs
from dps.services.qualification.registry import CheckContext
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    make_world,
    ready_to_send,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

S = ApplicationStatus
WITH_REVIEWERS = "is with our reviewers"


def status(application: Application) -> ApplicationStatus:
    db.session.expire_all()
    found: ApplicationStatus = db.session.scalars(
        sa.select(Application.status).where(Application.id == application.id)
    ).one()
    return found


def subjects() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.payload["subject"].as_string())
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
    )


def finish_together(app: Flask, result_ids: list[int]) -> None:
    """Run these results' checks in threads of their own, each with its own session."""
    failures: list[BaseException] = []

    def finish(result_id: int) -> None:
        try:
            with app.app_context():
                check_runs.run_check(result_id)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=finish, args=(i,)) for i in result_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []


@pytest.mark.timeout(120)
def test_the_last_two_checks_finishing_together_close_the_run_once(
    pg_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(pg_app.config, "TASKS_IN_PROCESS", False)  # this test runs each step
    world = make_world()
    application = ready_to_send(world, [1])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    together = threading.Barrier(2, timeout=30)

    def meet(ctx: CheckContext) -> CheckVerdict:
        together.wait()  # both checks finish at the same moment
        return CheckVerdict(CheckOutcome.PASS, "Done at the same moment as the other.")

    for name in ("left", "right"):
        registry.register(name, label=name)(meet)
    try:
        move(APPLICATION, application, S.CHECKING, actor=None)
        # A race lost only sometimes is run several times: each run must close exactly once.
        for number in range(1, 6):
            run = check_runs.start_run(
                application_id=application.id, reason="rerun", actor=None, only=["left", "right"]
            )
            db.session.commit()
            finish_together(pg_app, [result.id for result in run.results])
            db.session.expire_all()
            closed = db.session.scalars(
                sa.select(AuditEvent).where(
                    AuditEvent.action == "check_run.completed",
                    AuditEvent.object_id == str(run.id),
                )
            ).all()
            assert (number, len(closed), run.completed_at is not None) == (number, 1, True)
    finally:
        for name in ("left", "right"):
            registry.CHECKS.pop(name, None)

    assert status(application) == S.READY_FOR_REVIEW
    assert [s for s in subjects() if s.endswith(WITH_REVIEWERS)] == [
        f"Your application {application.reference} {WITH_REVIEWERS}"
    ]
