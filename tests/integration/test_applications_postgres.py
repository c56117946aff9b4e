"""Submitting an application on PostgreSQL, as the application's own (non-superuser) role: the
snapshot survives the round trip, the receipt email is written in the same transaction as the
submission, and a submission that does not commit leaves no email behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Application, AuditEvent, OutboxMessage
from dps.rules.enums import ApplicationStatus, OutboxKind
from dps.services.applications import drafting, snapshot, submission
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    make_world,
    ready_to_send,
)
from tests.fixtures.helpers import sign_in

pytestmark = [pytest.mark.postgres]

S = ApplicationStatus


@pytest.fixture(autouse=True)
def checks_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about applying, not the qualification checks (which, run in-process,
    would move a sent application on): here, as if none were installed."""
    monkeypatch.setattr(submission, "checks_available", lambda: False)


@pytest.fixture
def world(pg_app: Flask) -> World:
    return make_world()


def another_connection(pg_app: Flask, application_id: int) -> Callable[[], tuple[str, int]]:
    """Reads, through a connection of its own (so only what has been committed), the
    application's status and how many outbox rows there are."""
    engine = sa.create_engine(pg_app.config["SQLALCHEMY_DATABASE_URI"])

    def read() -> tuple[str, int]:
        with engine.connect() as connection:
            status = connection.execute(
                sa.text("SELECT status FROM applications WHERE id = :id"), {"id": application_id}
            ).scalar_one()
            count = connection.execute(sa.text("SELECT count(*) FROM outbox_messages")).scalar()
            return status, int(count or 0)

    return read


def email_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL))
    )


def test_submitting_through_the_pages_as_the_application_role(
    pg_app: Flask, pg_client: FlaskClient, world: World
) -> None:
    assert db.session.execute(sa.text("SELECT current_user")).scalar() == "dps_app_test"
    draft = ready_to_send(world, [1, 2])
    sign_in(pg_client, world.owner)

    sent = pg_client.post(
        f"/supplier/applications/{draft.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director", "confirm": "y"},
    )
    assert sent.status_code == 302

    db.session.expire_all()
    stored = db.session.get(Application, draft.id)
    assert stored is not None and stored.status == S.SUBMITTED
    assert stored.submitted_at is not None and stored.submitted_at.tzinfo is not None
    assert stored.snapshot is not None
    assert snapshot.is_intact(stored)
    assert stored.snapshot["answers"]["annual_turnover"] == 125_000_000
    [receipt] = email_rows()
    assert receipt.payload["subject"] == f"We have received your application {draft.reference}"
    status = pg_client.get(f"/supplier/applications/{draft.id}")
    assert "We have received your application." in status.get_data(as_text=True)


def test_the_receipt_is_written_in_the_same_transaction_as_the_submission(
    pg_app: Flask, world: World
) -> None:
    draft = ready_to_send(world, [1])
    read = another_connection(pg_app, draft.id)
    seen_before_commit: dict[str, Any] = {}

    def look(session: Any) -> None:
        session.flush()
        # Inside the transaction, both are there; outside it, neither is yet.
        seen_before_commit["inside"] = (
            session.get(Application, draft.id).status,
            session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)),
        )
        seen_before_commit["outside"] = read()

    sa.event.listen(db.session(), "before_commit", look, once=True)
    submission.submit(draft, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)

    assert seen_before_commit["inside"] == (S.SUBMITTED, 1)
    assert seen_before_commit["outside"] == ("draft", 0)
    assert read() == ("submitted", 1)


def test_a_submission_that_does_not_commit_leaves_no_email(pg_app: Flask, world: World) -> None:
    draft = ready_to_send(world, [1])

    def fail(session: Any) -> None:
        raise RuntimeError("the database went away")

    sa.event.listen(db.session(), "before_commit", fail, once=True)
    with pytest.raises(RuntimeError):
        submission.submit(draft, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    db.session.rollback()

    assert email_rows() == []
    stored = db.session.get(Application, draft.id)
    assert stored is not None and stored.status == S.DRAFT and stored.snapshot is None
    submitted = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "application.submitted")
    ).all()
    assert submitted == []


@pytest.mark.timeout(60)
def test_two_colleagues_sending_at_once_send_it_once(pg_app: Flask, world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    draft_id, owner_id = draft.id, world.owner.id
    first_holds_the_lock = threading.Event()
    let_first_commit = threading.Event()
    outcomes: dict[str, str] = {}

    def send(name: str, hold: bool) -> None:
        from dps.models import User

        with pg_app.app_context():  # a session and connection of its own
            application = db.session.get(Application, draft_id)
            actor = db.session.get(User, owner_id)
            assert application is not None and actor is not None
            if hold:

                def pause(session: Any) -> None:
                    first_holds_the_lock.set()
                    let_first_commit.wait(timeout=20)

                sa.event.listen(db.session(), "before_commit", pause, once=True)
            try:
                submission.submit(application, DECLARATION, actor=actor, at=DURING_THE_PERIOD)
                outcomes[name] = "sent"
            except drafting.ApplicationLocked:
                db.session.rollback()
                outcomes[name] = "refused: already sent"

    first = threading.Thread(target=send, args=("first", True))
    second = threading.Thread(target=send, args=("second", False))
    first.start()
    assert first_holds_the_lock.wait(timeout=20)
    second.start()
    time.sleep(0.5)
    assert second.is_alive(), "the second submission should wait for the first"
    let_first_commit.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert outcomes == {"first": "sent", "second": "refused: already sent"}
    assert len(email_rows()) == 1
    submitted = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "application.submitted")
    ).all()
    assert len(submitted) == 1
