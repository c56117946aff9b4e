"""Clarifications, renewed declarations and the reminder jobs on PostgreSQL, as the application's
own role: two runs of a job at once queue each reminder once; the evidence flag and the renewed
declaration's snapshot survive the round trip; a question answered through the pages sends the
application back for review with its clock unchanged; and Celery beat, with a real worker on a
real Redis broker, runs the reminder entries often while each administrator hears only once."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Admission, Application, CheckRun, DeclarationRenewal, OutboxMessage
from dps.models.base import utcnow
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus, DocumentKind, LotOutcome, OutboxKind
from dps.services.pool import reminders, renewal_declarations, renewals
from dps.services.suppliers import documents
from tests.fixtures.application_world import complete_everything
from tests.fixtures.documents_world import MILLION_POUNDS, uploaded
from tests.fixtures.helpers import sign_in
from tests.fixtures.reminders_world import (
    Office,
    admitted,
    london,
    make_office,
    row_values,
    sent_application,
)
from tests.fixtures.sample_files import PDF
from tests.fixtures.smtp_sink import Sink
from tests.integration.conftest import CeleryProcesses

pytestmark = [pytest.mark.postgres]

S = ApplicationStatus
NOW = london(2026, 11, 25, 10, 30)


@pytest.fixture
def office(pg_app: Flask) -> Office:
    return make_office()


def reminder_rows(prefix: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return [
        m
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
        if (m.dedupe_key or "").startswith(prefix)
    ]


def test_two_runs_at_once_queue_each_reminder_once(pg_app: Flask, office: Office) -> None:
    assert db.session.execute(sa.text("SELECT current_user")).scalar() == "dps_app_test"
    for day in (9, 10, 13):  # two overdue, one due on Friday
        sent_application(office.world, office.world.supplier, received_at=london(2026, 11, day, 9))
    start = threading.Barrier(2)
    failures: list[BaseException] = []
    counts: list[int] = []

    def run() -> None:
        with pg_app.app_context():
            try:
                start.wait(timeout=10)
                counts.append(reminders.send_decision_reminders(NOW))
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(counts) == [0, 6]  # one run queued them all; the other found them queued
    rows = reminder_rows("decision-due:")
    assert len(rows) == 6  # 3 applications x 2 administrators
    assert len({m.dedupe_key for m in rows}) == 6


def test_the_evidence_flag_survives_the_round_trip_and_decided_rows_are_untouched(
    office: Office,
) -> None:
    world = office.world
    admission = admitted(world, world.supplier, 1)
    admission.lot.min_public_liability_pence = 5 * MILLION_POUNDS
    decided = db.session.get(Application, admission.application_id)
    assert decided is not None and decided.status == S.DECIDED
    before = row_values(decided)
    certificate = documents.upload(
        world.supplier.id,
        DocumentKind.PUBLIC_LIABILITY,
        "Public liability 2026",
        uploaded("pl.pdf", PDF),
        london_date(utcnow()) + timedelta(days=300),
        world.owner,
    )
    certificate.expires_on = london_date(utcnow()) - timedelta(days=2)
    db.session.commit()
    at = utcnow()

    review = reminders.review_evidence(at)

    assert review.flagged == [admission.id]
    db.session.expire_all()
    flagged = db.session.get(Admission, admission.id)
    assert flagged is not None and flagged.evidence_expired_at == at  # aware UTC, as written
    assert "Public liability insurance certificate expired" in (flagged.evidence_note or "")
    assert row_values(decided) == before
    assert [al.outcome for al in decided.lots] == [LotOutcome.ADMITTED]


def test_a_renewed_declaration_keeps_an_intact_snapshot_and_starts_its_checks(
    pg_client: FlaskClient, office: Office
) -> None:
    world = office.world
    admitted(world, world.supplier, 1)
    complete_everything(world.supplier, world.owner, [1, 2])
    renewal = renewals.request_renewal(world.supplier.id, actor=office.officer, at=utcnow())
    sign_in(pg_client, world.owner)

    made = pg_client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director", "confirm": "y"},
    )

    assert made.status_code == 302
    db.session.expire_all()
    kept = db.session.get(DeclarationRenewal, renewal.id)
    assert kept is not None and kept.snapshot is not None
    assert renewal_declarations.is_intact(kept)  # the JSON read back gives the same checksum
    assert kept.confirmed_at is not None and kept.confirmed_at.tzinfo is not None
    runs = db.session.scalars(sa.select(CheckRun).where(CheckRun.renewal_id == renewal.id)).all()
    assert len(runs) == 1 and runs[0].results


def test_a_question_asked_and_answered_through_the_pages(
    pg_client: FlaskClient, office: Office
) -> None:
    world = office.world
    application = sent_application(world, world.supplier, received_at=utcnow() - timedelta(days=2))
    due = application.decision_due_at
    reply_by = london_date(utcnow()) + timedelta(days=5)
    sign_in(pg_client, office.officer)
    asked = pg_client.post(
        f"/admin/applications/{application.id}/clarification",
        data={
            "question": "Please send the renewed certificate.",
            "reply_by": [str(reply_by.day), str(reply_by.month), str(reply_by.year)],
        },
    )
    assert asked.status_code == 302
    db.session.expire_all()
    request_id = int(asked.headers["Location"].rsplit("/", 1)[1])

    sign_in(pg_client, world.owner)
    answered = pg_client.post(
        f"/supplier/applications/{application.id}/clarifications/{request_id}",
        data={
            "answer": "Attached.",
            "new_kind": "public_liability",
            "new_expires_on": ["1", "1", str(reply_by.year + 1)],
            "new_file": (io.BytesIO(PDF), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert answered.status_code == 302
    db.session.expire_all()
    reread = db.session.get(Application, application.id)
    assert reread is not None
    assert reread.status == S.READY_FOR_REVIEW
    assert reread.decision_due_at == due


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.timeout(180)
def test_beat_runs_the_reminders_often_and_each_administrator_hears_once(
    broker_app: Flask, celery_processes: CeleryProcesses, sink: tuple[Sink, int]
) -> None:
    office = make_office()
    overdue = sent_application(
        office.world,
        office.world.supplier,
        received_at=utcnow() - timedelta(days=30),
    )
    smtp, port = sink
    celery_processes.env.update(
        SMTP_PORT=str(port), REMINDERS_EVERY_SECONDS="1", OUTBOX_SWEEP_SECONDS="1"
    )
    worker_log = celery_processes.worker()
    celery_processes.wait_for_log(worker_log, "ready.")
    celery_processes.wait_for_log(celery_processes.beat(), "beat: Starting")

    received = smtp.wait_for(2, timeout=60)
    assert sorted(m["To"] for m in received) == sorted(
        [office.officer.email, office.colleague.email]
    ), celery_processes.logs()
    assert all(overdue.reference in m["Subject"] for m in received)
    celery_processes.wait_for_log(worker_log, "decision_reminders", timeout=30)
    time.sleep(3)  # several more runs of every job meanwhile: nobody hears twice
    assert len(smtp.messages) == 2, celery_processes.logs()
