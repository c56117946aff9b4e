"""The scheduled reminders: decisions due within 2 working days and overdue ones (once a day per
application and person), renewed declarations due soon and overdue, insurance of admitted
suppliers expiring (the supplier reminded once) or expired (the admission flagged). Decided
applications are never touched, and the same beat entries run on `make run`'s timer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Admission, Application, AuditEvent, Document
from dps.models.base import utcnow
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus, DocumentKind, LotOutcome
from dps.scheduler import run_due_jobs, scheduled_jobs
from dps.services.pool import reminders, renewals
from dps.services.suppliers import documents
from tests.fixtures.documents_world import MILLION_POUNDS, uploaded
from tests.fixtures.reminders_world import (
    Office,
    admitted,
    emails,
    london,
    make_office,
    row_values,
    sent_application,
)
from tests.fixtures.sample_files import PDF

S = ApplicationStatus
# Wednesday 25 November 2026, mid-morning in London.
NOW = london(2026, 11, 25, 10, 30)


@pytest.fixture
def office(app: Flask) -> Office:
    return make_office()


def received(office: Office, *day: int, **changes: Any) -> Application:
    """An application received at 9am London on the given day, under review."""
    return sent_application(
        office.world, office.world.supplier, received_at=london(*day, 9, 0), **changes
    )


def decision_emails(office: Office) -> list[tuple[str, str]]:
    return [
        (m.payload["to"], m.payload["subject"])
        for m in emails()
        if m.dedupe_key and m.dedupe_key.startswith("decision-due:")
    ]


# --- the decision clock ------------------------------------------------------------------------


def test_applications_due_within_2_working_days_and_overdue_ones_are_reminded(
    office: Office,
) -> None:
    # Ten working days from receipt: received 11 Nov is due today, 13 Nov on Friday 27th
    # (2 working days on), 16 Nov on Monday 30th (3 on: not yet), 10 Nov was due yesterday.
    today = received(office, 2026, 11, 11)
    friday = received(office, 2026, 11, 13)
    later = received(office, 2026, 11, 16)
    overdue = received(office, 2026, 11, 10, status=S.CLARIFICATION_REQUESTED)

    found = {due.application.id: due for due in reminders.decisions_due(NOW)}

    assert set(found) == {today.id, friday.id, overdue.id}
    assert later.id not in found
    assert found[today.id].urgency == reminders.Urgency.DUE_SOON
    assert found[today.id].working_days_left == 0
    assert found[friday.id].working_days_left == 2
    assert found[overdue.id].urgency == reminders.Urgency.OVERDUE


def test_each_is_emailed_to_every_administrator_once_a_day(office: Office) -> None:
    overdue = received(office, 2026, 11, 10)
    due = received(office, 2026, 11, 13)

    assert reminders.send_decision_reminders(NOW) == 4
    assert reminders.send_decision_reminders(NOW + timedelta(hours=5)) == 0  # same day

    sent = decision_emails(office)
    assert sorted(to for to, _ in sent) == sorted(
        [office.officer.email, office.colleague.email] * 2
    )
    subjects = {subject for _, subject in sent}
    assert f"Overdue: the decision on {overdue.reference} was due on 24 November 2026" in subjects
    assert f"Decision due soon: {due.reference} by 27 November 2026" in subjects

    # The next day, another reminder for each.
    assert reminders.send_decision_reminders(NOW + timedelta(days=1)) == 4
    assert len(decision_emails(office)) == 8


def test_an_assigned_officer_alone_is_reminded(office: Office) -> None:
    application = received(office, 2026, 11, 10, officer=office.colleague)

    reminders.send_decision_reminders(NOW)

    [(to, subject)] = decision_emails(office)
    assert to == office.colleague.email
    assert application.reference in subject


def test_decided_and_withdrawn_applications_are_untouched(office: Office) -> None:
    decided = received(office, 2026, 11, 2, status=S.DECIDED, outcome=LotOutcome.REJECTED)
    withdrawn = received(office, 2026, 11, 3, status=S.WITHDRAWN)
    admission = admitted(office.world, office.world.supplier, 2)
    before = {row.id: row_values(row) for row in (decided, withdrawn)}
    lots_before = [row_values(al) for al in decided.lots]
    events_before = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    expired_certificate(office, admission, days_ago=5)

    reminders.send_decision_reminders(NOW)
    reminders.send_renewal_reminders(NOW)
    reminders.review_evidence(utcnow())

    assert decision_emails(office) == []
    assert {row.id: row_values(row) for row in (decided, withdrawn)} == before
    assert [row_values(al) for al in decided.lots] == lots_before
    touched = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "applications")
    ).all()
    assert [e for e in touched if e.id > events_before] == []


# --- renewed declarations ----------------------------------------------------------------------


def test_a_renewal_is_reminded_once_before_it_is_due_and_once_when_overdue(
    office: Office,
) -> None:
    world = office.world
    admitted(world, world.supplier, 1)
    renewal = renewals.request_renewal(
        world.supplier.id, actor=office.officer, at=london(2026, 4, 2, 10, 0)
    )  # due 13 April 2026 (Good Friday and Easter Monday do not count)

    def reminders_sent() -> list[str]:
        return [
            m.payload["subject"]
            for m in emails(world.owner.email)
            if "renew" in m.payload["subject"]
        ]

    requested = len(reminders_sent())
    assert reminders.send_renewal_reminders(london(2026, 4, 8, 9, 0)) == 0  # 3 working days on
    assert reminders.send_renewal_reminders(london(2026, 4, 9, 9, 0)) == 1  # 2 working days on
    assert reminders.send_renewal_reminders(london(2026, 4, 10, 9, 0)) == 0  # once
    assert reminders.send_renewal_reminders(london(2026, 4, 14, 9, 0)) == 1  # overdue
    assert reminders.send_renewal_reminders(london(2026, 4, 15, 9, 0)) == 0  # once
    subjects = reminders_sent()[requested:]
    assert subjects == [
        "Reminder: renew your declaration for the CCIN DPS by 13 April 2026",
        "Overdue: renew your declaration for the CCIN DPS",
    ]
    db.session.refresh(renewal)
    assert renewal.last_reminded_at == london(2026, 4, 14, 9, 0)


# --- evidence of admitted suppliers ------------------------------------------------------------


def certificate(office: Office, expires_in_days: int) -> Document:
    """A public liability certificate of the admitted supplier, expiring in so many days
    (uploaded with a future date, as the documents service insists, then let age)."""
    world = office.world
    document = documents.upload(
        world.supplier.id,
        DocumentKind.PUBLIC_LIABILITY,
        "Public liability 2026",
        uploaded("pl.pdf", PDF),
        london_date(utcnow()) + timedelta(days=400),
        world.owner,
    )
    document.expires_on = london_date(utcnow()) + timedelta(days=expires_in_days)
    db.session.commit()
    return document


def expired_certificate(office: Office, admission: Admission, *, days_ago: int) -> Document:
    admission.lot.min_public_liability_pence = 5 * MILLION_POUNDS
    return certificate(office, -days_ago)


def test_a_certificate_expiring_within_30_days_is_reminded_once(office: Office) -> None:
    admission = admitted(office.world, office.world.supplier, 1)
    admission.lot.min_public_liability_pence = 5 * MILLION_POUNDS
    soon = certificate(office, 20)
    before = row_values(admission)

    first = reminders.review_evidence(utcnow())
    second = reminders.review_evidence(utcnow() + timedelta(hours=1))

    assert first.reminded == 1 and second.reminded == 0
    [message] = [m for m in emails(office.world.owner.email) if "expires" in m.payload["subject"]]
    assert message.payload["subject"].startswith("Your public liability insurance certificate")
    assert soon.title in message.payload["body"]
    assert first.flagged == [] and row_values(admission) == before  # not lapsed: no flag


def test_a_certificate_not_yet_within_30_days_is_left_alone(office: Office) -> None:
    admitted(office.world, office.world.supplier, 1)
    certificate(office, 45)
    assert reminders.review_evidence(utcnow()).reminded == 0


def test_an_expired_certificate_flags_the_admission_for_the_administrators(
    office: Office,
) -> None:
    admission = admitted(office.world, office.world.supplier, 1)
    expired = expired_certificate(office, admission, days_ago=3)

    review = reminders.review_evidence(utcnow())

    db.session.refresh(admission)
    assert review.flagged == [admission.id]
    assert admission.evidence_expired_at is not None
    assert admission.evidence_note == (
        f"Public liability insurance certificate expired on {expired.expires_on.day} "
        f"{expired.expires_on:%B %Y}"
    )
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "admission.evidence_expired")
    ).one()
    assert event.object_id == str(admission.id) and event.actor_user_id is None
    # Flagged once; the supplier told once.
    assert reminders.review_evidence(utcnow()).flagged == []
    assert len([m for m in emails() if "has expired" in m.payload["subject"]]) == 1


def test_a_new_certificate_lifts_the_flag(office: Office) -> None:
    admission = admitted(office.world, office.world.supplier, 1)
    old = expired_certificate(office, admission, days_ago=3)
    reminders.review_evidence(utcnow())
    documents.upload(
        office.world.supplier.id,
        DocumentKind.PUBLIC_LIABILITY,
        "Public liability 2027",
        uploaded("pl.pdf", PDF),
        london_date(utcnow()) + timedelta(days=365),
        office.world.owner,
        replaces_id=old.id,
    )

    review = reminders.review_evidence(utcnow())

    db.session.refresh(admission)
    assert review.cleared == [admission.id]
    assert admission.evidence_expired_at is None and admission.evidence_note is None


def test_a_cover_the_lot_does_not_ask_for_flags_nothing(office: Office) -> None:
    admission = admitted(office.world, office.world.supplier, 1)  # Lot 1 sets no minimum cover
    certificate(office, -3)
    assert reminders.review_evidence(utcnow()).flagged == []
    db.session.refresh(admission)
    assert admission.evidence_expired_at is None


# --- on the timer ------------------------------------------------------------------------------


def test_the_reminder_jobs_are_beat_entries_that_make_run_runs_too(office: Office) -> None:
    received(office, 2026, 11, 10)  # overdue by now (the timer uses the real clock)
    jobs = {job.name: job for job in scheduled_jobs()}
    assert {"decision-reminders", "renewal-reminders", "evidence-review"} <= set(jobs)
    mine = [jobs["decision-reminders"], jobs["renewal-reminders"], jobs["evidence-review"]]
    for job in mine:
        job.last_run_at = job.last_run_at - timedelta(hours=2)  # an hour and more since the last

    ran = run_due_jobs(mine)

    assert ran == ["decision-reminders", "renewal-reminders", "evidence-review"]
    assert len(decision_emails(office)) == 2
