"""The scheduled reminders: the decision clock, renewed declarations and lapsing evidence.

Celery beat (and ``make run``'s in-process timer) runs each job several times a day
(workers/reminders.py); the jobs are safe to run as often as that. Each email carries an
outbox ``dedupe_key`` naming what it is about and, for the decision clock, the day, so a
reminder goes out once however often the job runs, and two runs at once (PostgreSQL) queue it
once. The jobs read applications but never change one: a decided application is never edited,
and checks that follow a supplier after admission act on its admissions (DESIGN §5).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, text

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application
from dps.models.documents import Document
from dps.models.renewals import DeclarationRenewal
from dps.outside.tokens import email_link
from dps.rules.calendar import london_date, working_days_between
from dps.rules.enums import DocumentKind, RenewalStatus
from dps.rules.lifecycles import HOLDS_A_PLACE, UNDECIDED
from dps.rules.timefmt import format_date
from dps.services.common import audit
from dps.services.common.emails import render_email
from dps.services.common.outbox import enqueue_email
from dps.services.qualification import work_queue as review
from dps.services.qualification.letters import supplier_people
from dps.services.suppliers.documents import LOT_MINIMUM_COVER

# Reminders start this many working days before a decision or a renewal is due.
DUE_SOON_WORKING_DAYS = 2
# Insurance expiring this soon is worth a reminder.
EVIDENCE_WARNING_DAYS = 30

# The administrators' review page of one application.
REVIEW_ENDPOINT = "admin.application"


# --- sending once ------------------------------------------------------------------------------


def _send_once(to: str, subject: str, body: str, key: str) -> bool:
    """Queue the email unless one with this key already exists; True if queued now."""
    message = enqueue_email(to, subject, body, dedupe_key=key)
    return message.id is None  # an existing message has an id; a new one gets it at the flush


def _one_run_at_a_time(job: str) -> None:
    """Two runs of one job at once (two beat processes, a slow run overlapping the next) take
    turns, so the second sees the first's emails and queues none twice. PostgreSQL: a lock
    held until the commit. SQLite has one writer and one scheduler thread: nothing to do."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:job))"), {"job": job})


# --- the decision clock ------------------------------------------------------------------------


class Urgency(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class DecisionDue:
    application: Application
    urgency: Urgency
    working_days_left: int  # negative once overdue


def decisions_due(at: datetime) -> list[DecisionDue]:
    """Undecided applications due within 2 working days of ``at``, or overdue, soonest first."""
    found = []
    for application in db.session.scalars(
        select(Application)
        .where(Application.status.in_(UNDECIDED), Application.decision_due_at.is_not(None))
        .order_by(Application.decision_due_at, Application.id)
    ):
        left = review.working_days_left(application, at)
        assert left is not None
        if review.is_overdue(application, at):
            found.append(DecisionDue(application, Urgency.OVERDUE, left))
        elif left <= DUE_SOON_WORKING_DAYS:
            found.append(DecisionDue(application, Urgency.DUE_SOON, left))
    return found


def send_decision_reminders(at: datetime) -> int:
    """Email the officer assigned to each application due soon or overdue (everyone who runs
    the DPS when nobody is assigned): once a day per application and person. Returns how many
    emails were queued."""
    _one_run_at_a_time("decision-reminders")
    today = london_date(at)
    everyone = review.administrators()
    queued = 0
    for due in decisions_due(at):
        application = due.application
        officer = db.session.get(User, application.assigned_officer_id or 0)
        people = [officer] if officer is not None and officer.active else everyone
        overdue = due.urgency == Urgency.OVERDUE
        subject = (
            f"Overdue: the decision on {application.reference} was due on "
            if overdue
            else f"Decision due soon: {application.reference} by "
        ) + format_date(application.decision_due_at)
        body = render_email(
            "reminder_decision_due",
            application=application,
            due=due,
            overdue=overdue,
            link=_review_link(application),
        )
        for person in people:
            key = f"decision-due:{application.id}:{today.isoformat()}:{person.id}"
            queued += _send_once(person.email, subject, body, key)
    db.session.commit()
    return queued


def _review_link(application: Application) -> str:
    return email_link(REVIEW_ENDPOINT, application_id=application.id)


# --- renewed self-declarations -----------------------------------------------------------------


def renewals_waiting() -> list[DeclarationRenewal]:
    return list(
        db.session.scalars(
            select(DeclarationRenewal)
            .where(DeclarationRenewal.status == RenewalStatus.REQUESTED)
            .order_by(DeclarationRenewal.due_at, DeclarationRenewal.id)
        )
    )


def send_renewal_reminders(at: datetime) -> int:
    """Remind each supplier once when its renewed declaration is due within 2 working days, and
    once when it is overdue. Suspending a supplier that has not answered stays a person's
    decision: nothing here changes an admission. Returns how many emails were queued."""
    _one_run_at_a_time("renewal-reminders")
    today = london_date(at)
    queued = 0
    for renewal in renewals_waiting():
        overdue = at > renewal.due_at
        if not overdue and working_days_between(today, london_date(renewal.due_at)) > (
            DUE_SOON_WORKING_DAYS
        ):
            continue
        stage = "overdue" if overdue else "due-soon"
        subject = (
            "Overdue: renew your declaration for the CCIN DPS"
            if overdue
            else "Reminder: renew your declaration for the CCIN DPS by "
            + format_date(renewal.due_at)
        )
        body = render_email(
            "reminder_renewal",
            renewal=renewal,
            overdue=overdue,
            link=email_link("supplier.renewal", renewal_id=renewal.id),
        )
        sent = 0
        for person in supplier_people(renewal.organisation_id):
            sent += _send_once(
                person.email, subject, body, f"renewal-{stage}:{renewal.id}:{person.id}"
            )
        if sent:
            renewal.last_reminded_at = at
        queued += sent
    db.session.commit()
    return queued


# --- evidence of admitted suppliers ------------------------------------------------------------


@dataclass
class EvidenceReview:
    """What one run of the evidence job did."""

    reminded: int = 0  # emails queued to suppliers
    flagged: list[int] = field(default_factory=list)  # admission ids newly flagged
    cleared: list[int] = field(default_factory=list)  # admission ids whose flag was lifted


def review_evidence(at: datetime) -> EvidenceReview:
    """Look at the insurance of every supplier in a lot's pool.

    A certificate expiring within 30 days: the supplier is reminded, once per certificate.
    A cover the lot asks for whose certificates have all expired: the admission is flagged for
    the administrators (``evidence_expired_at`` and a note), and the supplier told once. A flag
    whose cover is back in date is lifted. Only admissions change, and each change is audited.
    """
    _one_run_at_a_time("evidence-review")
    today = london_date(at)
    review = EvidenceReview()
    admissions = list(
        db.session.scalars(
            select(Admission).where(Admission.status.in_(HOLDS_A_PLACE)).order_by(Admission.id)
        )
    )
    certificates = _current_certificates({a.organisation_id for a in admissions})
    for organisation_id, held in certificates.items():
        review.reminded += _remind_supplier(organisation_id, held, today)
    for admission in admissions:
        lapsed = _lapsed_covers(admission, certificates.get(admission.organisation_id, []), today)
        if lapsed and admission.evidence_expired_at is None:
            _flag(admission, lapsed, at)
            review.flagged.append(admission.id)
        elif not lapsed and admission.evidence_expired_at is not None:
            _clear_flag(admission)
            review.cleared.append(admission.id)
    db.session.commit()
    return review


def _current_certificates(organisation_ids: Iterable[int]) -> dict[int, list[Document]]:
    ids = sorted(organisation_ids)
    held: dict[int, list[Document]] = {}
    if not ids:
        return held
    for document in db.session.scalars(
        select(Document)
        .where(
            Document.organisation_id.in_(ids),
            Document.replaced_by_id.is_(None),
            Document.kind.in_([kind for kind in DocumentKind if kind.is_insurance]),
            Document.expires_on.is_not(None),
        )
        .order_by(Document.expires_on, Document.id)
    ):
        held.setdefault(document.organisation_id, []).append(document)
    return held


def _remind_supplier(organisation_id: int, held: list[Document], today: date) -> int:
    queued = 0
    people = supplier_people(organisation_id)
    link = email_link("supplier.documents")
    for document in held:
        expires_on = document.expires_on
        assert expires_on is not None
        what = _lower_first(document.kind.label)
        if expires_on < today:
            stage, subject = "expired", f"Your {what} has expired"
        elif expires_on <= today + timedelta(days=EVIDENCE_WARNING_DAYS):
            stage, subject = "expiring", f"Your {what} expires on {format_date(expires_on)}"
        else:
            continue
        body = render_email(
            "reminder_evidence",
            document=document,
            expired=stage == "expired",
            link=link,
        )
        for person in people:
            key = f"evidence-{stage}:{document.id}:{person.id}"
            queued += _send_once(person.email, subject, body, key)
    return queued


def _lapsed_covers(
    admission: Admission, held: list[Document], today: date
) -> list[tuple[DocumentKind, date]]:
    """Each cover the admission's lot asks for whose certificates have all expired, with the
    latest expiry date among them. A cover with no certificate at all is not "expired"."""
    lapsed = []
    for kind, minimum in LOT_MINIMUM_COVER.items():
        if getattr(admission.lot, minimum) <= 0:
            continue
        dates = [d.expires_on for d in held if d.kind == kind and d.expires_on is not None]
        if dates and max(dates) < today:
            lapsed.append((kind, max(dates)))
    return lapsed


def _flag(admission: Admission, lapsed: list[tuple[DocumentKind, date]], at: datetime) -> None:
    note = "; ".join(f"{kind.label} expired on {format_date(day)}" for kind, day in lapsed)
    admission.evidence_expired_at = at
    admission.evidence_note = note
    audit.record(
        "admission.evidence_expired",
        admission,
        actor=None,
        before={"evidence_expired_at": None},
        after={"evidence_expired_at": at.isoformat(), "evidence_note": note},
    )


def _clear_flag(admission: Admission) -> None:
    before = {
        "evidence_expired_at": admission.evidence_expired_at.isoformat()
        if admission.evidence_expired_at
        else None,
        "evidence_note": admission.evidence_note,
    }
    admission.evidence_expired_at = None
    admission.evidence_note = None
    audit.record(
        "admission.evidence_in_date",
        admission,
        actor=None,
        before=before,
        after={"evidence_expired_at": None, "evidence_note": None},
    )


def _lower_first(value: str) -> str:
    return value[:1].lower() + value[1:]
