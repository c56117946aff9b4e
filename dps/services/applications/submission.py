"""Sending an application in: the submission rules, submitting, and withdrawing.

An application is submitted when the DPS is open, nothing is missing and the declaration is
made; then checked by the workers, reviewed, and decided lot by lot; the supplier may withdraw
it at any point before the decision. Every move goes through ``LIFECYCLE`` (DESIGN §4), so each
is audited and an illegal one raises. Drafting it is ``dps.services.applications.drafting``.

The answers belong to the organisation (``dps.services.suppliers.questionnaire``); on submission the
application keeps an immutable snapshot of them (``dps.services.applications.snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dps.celery_app import QUEUE_CHECKS
from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application
from dps.models.organisations import Organisation
from dps.outside.tokens import email_link
from dps.rules import pcr2015
from dps.rules.enums import ApplicationStatus
from dps.rules.lifecycles import APPLICATION
from dps.rules.timefmt import format_date
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications import task_list
from dps.services.applications.drafting import (
    ApplicationError,
    lot_availability,
    require_draft,
    unavailable_message,
)
from dps.services.common.emails import send_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_task
from dps.services.common.statemachine import move
from dps.services.dps import period as dps_service
from dps.services.qualification import runs as check_runs
from dps.services.suppliers import questionnaire

S = ApplicationStatus

# The qualification checks pick a submitted application up through this task (workers/checks.py),
# handed over by name through the outbox.
CHECKS_TASK = "workers.checks.run_application_checks"


@dataclass(frozen=True)
class Problem:
    """One reason a submission was refused. ``fix`` says where to put it right."""

    message: str
    fix: str | None = None  # "lots", "check_answers" or None (nothing the supplier can change)


class SubmissionRefused(ApplicationError):
    """The application cannot be sent in now; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Declaration:
    """The statement a person authorised by the organisation makes when submitting."""

    name: str
    role: str
    confirmed: bool


# --- Submitting -------------------------------------------------------------------------------


def submission_problems(application: Application, at: datetime) -> list[Problem]:
    """Every reason the application could not be sent in at the instant ``at``."""
    problems: list[Problem] = []
    period = dps_service.period_of(application.dps)
    if not period.is_open(at):
        problems.append(Problem(closed_message(period, at)))
    for availability in lot_availability(
        application.organisation_id, application.dps, excluding=application
    ):
        if availability.lot.number in application.lot_numbers and not availability.available:
            problems.append(Problem(unavailable_message(availability), fix="lots"))
    gaps = task_list.gaps(application)
    if gaps:
        count = "1 thing" if len(gaps) == 1 else f"{len(gaps)} things"
        problems.append(
            Problem(
                f"Your application is not finished: {count} still to do. "
                "Check your answers to see what is missing.",
                fix="check_answers",
            )
        )
    return problems


def closed_message(period: pcr2015.Period, at: datetime) -> str:
    opened = format_date(period.start)
    last_day = format_date(period.end)
    if at < period.opens_at:
        return (
            "The dynamic purchasing system is not open for applications yet. It opens on "
            f"{opened} and closes at midnight at the end of {last_day}."
        )
    return (
        "The dynamic purchasing system is not open for applications. It opened on "
        f"{opened} and closed at midnight at the end of {last_day}."
    )


def submit(
    application: Application, declaration: Declaration, *, actor: User, at: datetime
) -> None:
    """Send the application in at the instant ``at`` (the server's clock; received then).

    Refused, with every reason and nothing changed, when the DPS is not open at ``at``, a lot
    is held by an undecided application or an admission, something is missing, or the
    declaration is not made. Otherwise: the snapshot is taken, the decision clock starts, the
    receipt is emailed and the checks are handed over, all in this one transaction.
    """
    lock_row(Organisation, application.organisation_id)
    db.session.refresh(application)
    require_draft(application)
    _check_declaration(declaration)
    problems = submission_problems(application, at)
    if problems:
        raise SubmissionRefused(problems)

    # The version the answers were given against now (a new one may have come out meanwhile).
    application.questionnaire_version = questionnaire.current_version()
    application.declaration_name = declaration.name.strip()
    application.declaration_role = declaration.role.strip()
    application.declared_at = at
    application.submitted_at = at
    application.submitted_by_id = actor.id
    application.decision_due_at = pcr2015.decision_due_at(at)
    snapshot = application_snapshot.take(application)
    application.snapshot = snapshot
    application.snapshot_checksum = application_snapshot.checksum(snapshot)
    move(
        APPLICATION,
        application,
        S.SUBMITTED,
        actor=actor,
        reference=application.reference,
        lots=application.lot_numbers,
        decision_due_at=application.decision_due_at.isoformat(),
        snapshot_checksum=application.snapshot_checksum,
    )
    _send_receipt(application, actor)
    _hand_over_to_checks(application)
    db.session.commit()


def _check_declaration(declaration: Declaration) -> None:
    if not declaration.name.strip():
        raise ApplicationError(
            "Enter the full name of the person making the declaration", field="declaration_name"
        )
    if not declaration.role.strip():
        raise ApplicationError("Enter their role in your organisation", field="declaration_role")
    if not declaration.confirmed:
        raise ApplicationError(
            "Confirm that the information you have given is true and complete", field="confirm"
        )


def checks_available() -> bool:
    """Whether a sent application is handed to the qualification checks: always here (tests
    about applying rather than checking turn it off, and the application then waits as sent)."""
    return True


def _hand_over_to_checks(application: Application) -> None:
    # The hook for the qualification checks: an outbox row, relayed after the commit.
    if checks_available():
        enqueue_task(
            CHECKS_TASK,
            [application.id],
            queue=QUEUE_CHECKS,
            dedupe_key=f"application-checks-{application.id}",
        )


def _send_receipt(application: Application, actor: User) -> None:
    _email(
        actor.email,
        f"We have received your application {application.reference}",
        "application_received",
        application,
        dedupe_key=f"application-received-{application.id}",
    )


def _email(
    to: str, subject: str, template: str, application: Application, *, dedupe_key: str
) -> None:
    send_email(
        to,
        subject,
        template,
        dedupe_key=dedupe_key,
        application=application,
        lots=[al.lot for al in application.lots],
        link=email_link("supplier.application", application_id=application.id),
    )


# --- Withdrawing ------------------------------------------------------------------------------


def can_withdraw(application: Application) -> bool:
    return APPLICATION.allowed(application.status, S.WITHDRAWN)


def withdraw(application: Application, *, reason: str, actor: User, at: datetime) -> None:
    """Withdraw an application that has not been decided (a draft is simply abandoned).

    Its checks not yet done are cancelled; one running now finds its result cancelled when it
    finishes, and writes nothing.
    """
    lock_row(Organisation, application.organisation_id)
    db.session.refresh(application)
    was_submitted = application.status != S.DRAFT
    reason = reason.strip()
    # Before the move: the check results are locked before the application, as the checks do.
    check_runs.cancel_pending(application.id)
    move(APPLICATION, application, S.WITHDRAWN, actor=actor, reason=reason or None)
    application.withdrawn_at = at
    application.withdrawal_reason = reason or None
    if was_submitted:
        _email(
            actor.email,
            f"You have withdrawn your application {application.reference}",
            "application_withdrawn",
            application,
            dedupe_key=f"application-withdrawn-{application.id}",
        )
    db.session.commit()
