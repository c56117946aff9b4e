"""The outbox: written with the change, relayed after commit, retried, never lost, never doubled."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from dps.celery_app import celery
from dps.extensions import db
from dps.models import Organisation
from dps.models.accounts import Membership, User
from dps.models.audit import AuditEvent
from dps.models.base import utcnow
from dps.models.outbox import OutboxMessage
from dps.rules.enums import OrganisationKind, OutboxStatus, Role
from dps.services.common import outbox
from tests.conftest import page_text
from tests.fixtures.smtp_sink import free_port, smtp_sink


def use_smtp(app: Flask, port: int, **extra: Any) -> None:
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_TIMEOUT_SECONDS=5,
        **extra,
    )


def all_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def make_due(message: OutboxMessage) -> None:
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_rolled_back_change_sends_nothing(app: Flask) -> None:
    with smtp_sink() as (sink, port):
        use_smtp(app, port)
        outbox.enqueue_email("a@example.org", "Hello", "Body")
        db.session.rollback()
        # A later, unrelated commit must not pick up the abandoned email either.
        db.session.add(Organisation(name="Rochdale", kind=OrganisationKind.MEMBER))
        db.session.commit()
        time.sleep(0.2)
        assert sink.messages == []
    assert all_messages() == []


def test_a_committed_email_is_delivered_after_commit(app: Flask) -> None:
    assert app.config["MAIL_BACKEND"] == "record"  # the development default: nothing leaves
    message = outbox.enqueue_email("a@example.org", "Confirm your email address", "Body")
    assert message.status == OutboxStatus.PENDING
    db.session.commit()

    [stored] = all_messages()
    assert stored.status == OutboxStatus.SENT
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert stored.payload["to"] == "a@example.org"


def test_smtp_message_carries_a_message_id_made_from_the_outbox_id(app: Flask) -> None:
    with smtp_sink() as (sink, port):
        use_smtp(app, port, MAIL_FROM="CCIN DPS <dps@oldham.example.org>")
        message = outbox.enqueue_email("buyer@example.org", "Your invitation", "Line one\nTwo")
        db.session.commit()
        [received] = sink.wait_for(1)
    assert received["To"] == "buyer@example.org"
    assert received["Subject"] == "Your invitation"
    assert received["From"] == "CCIN DPS <dps@oldham.example.org>"
    assert received["Message-ID"] == f"<outbox-{message.id}@oldham.example.org>"
    assert "Line one\nTwo" in received.as_string()


def test_the_same_dedupe_key_queues_one_message(app: Flask) -> None:
    first = outbox.enqueue_email("a@example.org", "Reminder", "1", dedupe_key="reminder:1:day")
    second = outbox.enqueue_email("a@example.org", "Reminder", "1", dedupe_key="reminder:1:day")
    db.session.commit()
    assert first is second
    assert len(all_messages()) == 1


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    for attempts, expected in [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600)]:
        wait = outbox.backoff(attempts).total_seconds()
        assert expected * 0.9 <= wait <= expected, (attempts, wait)
    assert outbox.backoff(30).total_seconds() <= 3600


def test_smtp_down_keeps_the_row_pending_and_a_later_sweep_delivers_it(app: Flask) -> None:
    port = free_port()  # nothing listens here yet
    use_smtp(app, port)
    started = time.monotonic()
    outbox.enqueue_email("a@example.org", "Hello", "Body")
    db.session.commit()  # the commit itself succeeds: delivery is not its business
    assert time.monotonic() - started < 5

    [message] = all_messages()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "Connection refused" in (message.last_error or "")
    assert message.next_attempt_at > utcnow() + timedelta(seconds=20)

    from workers.scheduled import sweep_outbox

    sweep_outbox.apply()  # not due yet: nothing happens
    assert all_messages()[0].attempts == 1

    make_due(message)
    with smtp_sink(port) as (sink, _port):
        assert sweep_outbox.apply().get() == 1
        received = sink.wait_for(1)
        time.sleep(0.2)
        assert len(sink.messages) == 1
    assert received[0]["Subject"] == "Hello"
    [message] = all_messages()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert "Connection refused" in (message.last_error or "")  # kept, as history


def test_after_the_last_attempt_the_message_is_failed_and_kept(app: Flask) -> None:
    use_smtp(app, free_port(), OUTBOX_MAX_ATTEMPTS=3)
    outbox.enqueue_email("a@example.org", "Hello", "Body")
    db.session.commit()
    [message] = all_messages()
    for expected_attempts in (2, 3):
        make_due(message)
        assert outbox.relay_pending() == 0
        [message] = all_messages()
        assert message.attempts == expected_attempts
    assert message.status == OutboxStatus.FAILED
    make_due(message)
    assert outbox.relay_pending() == 0  # a failed message is not tried again by itself
    assert all_messages()[0].attempts == 3


# The embedded default makes tasks eager; these tests switch the outbox to a broker instead.
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_delivering_the_same_message_twice_sends_it_once(app: Flask) -> None:
    with smtp_sink() as (sink, port):
        use_smtp(app, port)
        app.config["TASKS_IN_PROCESS"] = False
        # Handed to a broker nobody reads (memory://), so the row waits for the calls below.
        message = outbox.enqueue_email("a@example.org", "Once only", "Body")
        db.session.commit()
        assert outbox.deliver(message.id) is True
        assert outbox.deliver(message.id) is False
        assert outbox.relay_pending() == 0
        time.sleep(0.2)
        assert len(sink.messages) == 1


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_broker_down_at_commit_leaves_the_row_pending_without_delay(app: Flask) -> None:
    app.config["TASKS_IN_PROCESS"] = False
    celery.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        started = time.monotonic()
        outbox.enqueue_email("a@example.org", "Hello", "Body")
        db.session.commit()
        assert time.monotonic() - started < 3
    finally:
        celery.conf.broker_url = "memory://"
    [message] = all_messages()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0


def test_a_task_row_runs_the_task_in_process_after_commit(app: Flask) -> None:
    calls: list[int] = []

    @celery.task(name="tests.unit.record_call", shared=False)
    def record_call(value: int) -> None:
        calls.append(value)

    outbox.enqueue_task("tests.unit.record_call", [42])
    assert calls == []  # nothing runs before the commit
    db.session.commit()
    assert calls == [42]
    assert all_messages()[0].status == OutboxStatus.SENT


def test_a_task_that_writes_runs_in_process_on_sqlite(app: Flask) -> None:
    # SQLite has one writer: the task's own session must not wait on the relay's lock.
    @celery.task(name="tests.unit.add_organisation", shared=False)
    def add_organisation(name: str) -> None:
        db.session.add(Organisation(name=name, kind=OrganisationKind.SUPPLIER))
        db.session.commit()

    outbox.enqueue_task("tests.unit.add_organisation", ["Written In Process Ltd"])
    started = time.monotonic()
    db.session.commit()
    assert time.monotonic() - started < 2
    assert db.session.scalars(sa.select(Organisation.name)).all() == ["Written In Process Ltd"]
    [message] = all_messages()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


def test_a_task_that_fails_in_process_is_retried_later(app: Flask) -> None:
    @celery.task(name="tests.unit.always_fails", shared=False)
    def always_fails() -> None:
        raise RuntimeError("the service is down")

    outbox.enqueue_task("tests.unit.always_fails", [])
    db.session.commit()
    [message] = all_messages()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "RuntimeError: the service is down"


def test_the_in_process_timer_runs_the_beat_schedule(app: Flask) -> None:
    from dps.scheduler import run_due_jobs, scheduled_jobs

    use_smtp(app, free_port())
    outbox.enqueue_email("a@example.org", "Hello", "Body")
    db.session.commit()
    app.config["MAIL_BACKEND"] = "record"
    make_due(all_messages()[0])

    # The sweep on its own (the reminder jobs have tests of their own: test_reminders.py).
    jobs = [job for job in scheduled_jobs() if job.name == "sweep-outbox"]
    assert len(jobs) == 1
    assert run_due_jobs(jobs) == []  # just started: nothing is due for a minute
    jobs[0].last_run_at -= timedelta(seconds=61)
    assert run_due_jobs(jobs) == ["sweep-outbox"]
    assert all_messages()[0].status == OutboxStatus.SENT


def test_the_timer_is_not_started_under_tests(app: Flask) -> None:
    from dps.scheduler import init_scheduler

    app.config["SCHEDULER_IN_PROCESS"] = True
    init_scheduler(app)
    app.test_client().get("/")
    assert "dps_scheduler" not in app.extensions


# --- The administrators' page ----------------------------------------------------------------


def sign_in_as(client: FlaskClient, role: Role) -> User:
    organisation = Organisation(name="Oldham Council", kind=OrganisationKind.NETWORK)
    user = User(email=f"{role.value}@example.org", name="Alex Admin", password_hash="x")
    db.session.add_all([organisation, user])
    db.session.flush()
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = time.time()
    return user


def failed_message(app: Flask) -> OutboxMessage:
    use_smtp(app, free_port(), OUTBOX_MAX_ATTEMPTS=1)
    message = outbox.enqueue_email("buyer@example.org", "Your invitation", "Follow the link.")
    db.session.commit()
    app.config["MAIL_BACKEND"] = "record"
    [stored] = all_messages()
    assert stored.status == OutboxStatus.FAILED
    return message


def test_administrators_read_emails_newest_first(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    outbox.enqueue_email("first@example.org", "First", "One")
    db.session.commit()
    outbox.enqueue_email("second@example.org", "Second", "Two\n\nLink: https://example.org/x")
    db.session.commit()

    response = client.get("/admin/emails")
    assert response.status_code == 200
    rows = response.soup.select("tbody tr")
    assert [row.find_all("td")[2].get_text(strip=True) for row in rows] == ["Second", "First"]
    assert "Sent" in rows[0].get_text()
    assert "kept here and not sent" in page_text(response)

    link = rows[0].find("a")["href"]
    page = client.get(link)
    assert page.status_code == 200
    assert "Link: https://example.org/x" in page_text(page)
    assert "second@example.org" in page_text(page)


def test_the_list_is_paginated(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    for number in range(outbox.PAGE_SIZE + 1):
        outbox.enqueue_email("a@example.org", f"Message {number}", "Body")
    db.session.commit()
    first = client.get("/admin/emails")
    assert len(first.soup.select("tbody tr")) == outbox.PAGE_SIZE
    second = client.get("/admin/emails?page=2")
    assert [td.get_text(strip=True) for td in second.soup.select("tbody tr td:nth-of-type(3)")] == [
        "Message 0"
    ]
    assert client.get("/admin/emails?page=abc").status_code == 200


def test_an_administrator_sends_a_failed_email_again(app: Flask, client: FlaskClient) -> None:
    admin = sign_in_as(client, Role.ADMINISTRATOR)
    message = failed_message(app)
    page = client.get(f"/admin/emails/{message.id}")
    assert "Failed" in page_text(page)
    assert "Connection refused" in page_text(page)

    response = client.post(f"/admin/emails/{message.id}/send-again", follow_redirects=True)
    assert response.status_code == 200
    assert "put back in the queue" in page_text(response)
    [stored] = all_messages()
    assert stored.status == OutboxStatus.SENT  # relayed straight after the commit (record)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outbox.send_again")
    ).one()
    assert event.actor_user_id == admin.id
    assert event.object_id == str(message.id)
    assert event.before == {"status": "failed", "attempts": 1}


def test_only_a_failed_email_can_be_sent_again(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    message = outbox.enqueue_email("a@example.org", "Hello", "Body")
    db.session.commit()
    response = client.post(f"/admin/emails/{message.id}/send-again", follow_redirects=True)
    assert "Only an email that failed can be sent again" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    assert client.get("/admin/emails/9999").status_code == 404


@pytest.mark.parametrize("role", [Role.SUPPLIER_OWNER, Role.BUYER])
def test_only_administrators_see_the_emails(app: Flask, client: FlaskClient, role: Role) -> None:
    sign_in_as(client, role)
    message = failed_message(app)
    assert client.get("/admin/emails").status_code == 403
    assert client.get(f"/admin/emails/{message.id}").status_code == 403
    assert client.post(f"/admin/emails/{message.id}/send-again").status_code == 403
    assert all_messages()[0].status == OutboxStatus.FAILED


def test_sending_again_needs_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    message = failed_message(app)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/emails/{message.id}/send-again").status_code == 400
    assert all_messages()[0].status == OutboxStatus.FAILED


def test_the_administration_home_page_links_to_the_emails(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    page = client.get("/admin/")
    assert page.soup.find("a", string="Emails")["href"] == "/admin/emails"


def test_the_timer_starts_with_the_first_request_when_serving(tmp_path: Any) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, TESTING=False, SCHEDULER_IN_PROCESS=True)
    with app.app_context():
        db.create_all()
    assert "dps_scheduler" not in app.extensions  # a CLI command would never get further
    app.test_client().get("/")
    thread = app.extensions["dps_scheduler"]
    try:
        assert thread.is_alive()
        app.test_client().get("/")
        assert app.extensions["dps_scheduler"] is thread  # one timer, however many requests
    finally:
        thread.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _reset_link_emailed(app: Flask) -> str:
    """A supplier asks for a password reset; the link emailed to them (as sent, whole)."""
    from dps.services.accounts import password_reset

    organisation = Organisation(name="Acme Ltd", kind=OrganisationKind.SUPPLIER)
    supplier = User(email="owner@acme.example", name="Sam Supplier", password_hash="x")
    db.session.add_all([organisation, supplier])
    db.session.flush()
    db.session.add(Membership(user=supplier, organisation=organisation, role=Role.SUPPLIER_OWNER))
    db.session.commit()
    password_reset.request_password_reset("owner@acme.example")
    [message] = [m for m in all_messages() if m.recipient == "owner@acme.example"]
    [link] = [line for line in message.payload["body"].splitlines() if "/reset-password/" in line]
    return link.strip()


@pytest.mark.parametrize(
    "settings",
    [
        {"DPS_ENV": "production", "MAIL_BACKEND": "record"},
        {"DPS_ENV": "development", "MAIL_BACKEND": "smtp"},
        {"DPS_ENV": "test", "MAIL_BACKEND": "smtp"},
    ],
)
def test_administrators_never_see_a_live_reset_link(
    app: Flask, client: FlaskClient, settings: dict[str, str]
) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    link = _reset_link_emailed(app)
    app.config.update(settings)
    message = next(m for m in all_messages() if m.recipient == "owner@acme.example")

    page = client.get(f"/admin/emails/{message.id}")

    assert page.status_code == 200
    text = page_text(page)
    token = link.rsplit("/", 1)[1]
    assert token not in page.get_data(as_text=True)
    assert link.rsplit("/", 1)[0] + "/[hidden]" in text
    assert "They work only for the person they were sent to" in text
    # The email itself still carries the whole link.
    assert link in message.payload["body"]


def test_development_mail_keeps_its_links_readable(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, Role.ADMINISTRATOR)
    link = _reset_link_emailed(app)
    app.config.update(DPS_ENV="development", MAIL_BACKEND="record")
    message = next(m for m in all_messages() if m.recipient == "owner@acme.example")

    page = client.get(f"/admin/emails/{message.id}")

    assert link in page_text(page)
    assert "[hidden]" not in page_text(page)
