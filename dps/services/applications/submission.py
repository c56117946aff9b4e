"""Applications to join the DPS: drafting, the submission rules, submitting and withdrawing.

An application covers Lot 1, Lot 2 or both. It is drafted (one draft at a time per
organisation), submitted when the DPS is open and nothing is missing, checked by the workers,
reviewed, and decided lot by lot; the supplier may withdraw it at any point before the decision.
Every move goes through ``LIFECYCLE`` (DESIGN §4), so each is audited and an illegal one raises.

The answers belong to the organisation (``dps.services.suppliers.questionnaire``); on submission the
application keeps an immutable snapshot of them (``dps.services.applications.snapshot``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from dps.celery_app import QUEUE_CHECKS
from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application, ApplicationLot
from dps.models.dps import DPS, Lot
from dps.models.organisations import Organisation
from dps.outside.tokens import email_link
from dps.rules import pcr2015
from dps.rules.enums import ApplicationStatus
from dps.rules.lifecycles import APPLICATION, HOLDS_A_PLACE, UNDECIDED
from dps.rules.timefmt import format_date
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications import task_list
from dps.services.common import audit
from dps.services.common.outbox import enqueue_email, enqueue_task
from dps.services.common.statemachine import move
from dps.services.dps import period as dps_service
from dps.services.qualification import runs as check_runs
from dps.services.suppliers import questionnaire

S = ApplicationStatus

# DESIGN §4, in one place: the only moves an application can make.


# The qualification checks pick a submitted application up through this task (workers/checks.py),
# handed over by name through the outbox.
CHECKS_TASK = "workers.checks.run_application_checks"

REFERENCE_FORMAT = "CCIN-DPS-{id:06d}"


class ApplicationError(Exception):
    """Something the supplier asked for that the rules do not allow; the message says why.

    ``field`` names the form field the message belongs to, where there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ApplicationLocked(ApplicationError):
    """The application has been sent in: it can no longer be changed."""


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


@dataclass(frozen=True)
class LotAvailability:
    """Whether the organisation may choose a lot now, and why not."""

    lot: Lot
    admitted: bool = False
    pending_reference: str | None = None  # an undecided application holding the lot

    @property
    def available(self) -> bool:
        return not self.admitted and self.pending_reference is None


# --- Reading ----------------------------------------------------------------------------------


def get_application(application_id: int, organisation_id: int) -> Application | None:
    """The application if it belongs to the organisation; another's is None, like a missing one."""
    return db.session.scalars(
        select(Application).where(
            Application.id == application_id, Application.organisation_id == organisation_id
        )
    ).first()


def applications_for(organisation_id: int) -> list[Application]:
    """The organisation's applications, newest first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def current_draft(organisation_id: int) -> Application | None:
    return db.session.scalars(
        select(Application).where(
            Application.organisation_id == organisation_id, Application.status == S.DRAFT
        )
    ).first()


def lot_availability(
    organisation_id: int, dps: DPS, *, excluding: Application | None = None
) -> list[LotAvailability]:
    """Each of the DPS's lots, and whether the organisation may apply for it now."""
    admitted = set(
        db.session.scalars(
            select(Admission.lot_id).where(
                Admission.organisation_id == organisation_id, Admission.status.in_(HOLDS_A_PLACE)
            )
        )
    )
    pending_query = (
        select(ApplicationLot.lot_id, Application.reference)
        .join(Application)
        .where(Application.organisation_id == organisation_id, Application.status.in_(UNDECIDED))
        .order_by(Application.id)
    )
    if excluding is not None and excluding.id is not None:
        pending_query = pending_query.where(Application.id != excluding.id)
    pending: dict[int, str | None] = {
        row.lot_id: row.reference for row in db.session.execute(pending_query)
    }
    return [
        LotAvailability(lot, admitted=lot.id in admitted, pending_reference=pending.get(lot.id))
        for lot in dps.lots
    ]


# --- Drafting ---------------------------------------------------------------------------------


def start_application(
    organisation_id: int,
    lot_numbers: Iterable[int],
    *,
    actor: User,
    follows: Application | None = None,
) -> Application:
    """Start a draft for the chosen lots, or continue the organisation's draft with them.

    One draft at a time: a second start changes the lots of the draft already there rather
    than making another. ``follows`` is the application this one comes after (a fresh try after
    a rejection, or a renewal); by default the organisation's latest decided one.
    """
    _lock_organisation(organisation_id)
    draft = current_draft(organisation_id)
    if draft is not None:
        change_lots(draft, lot_numbers, actor=actor)
        return draft
    dps = _the_dps()
    lots = _chosen_lots(organisation_id, dps, lot_numbers, excluding=None)
    if follows is not None and (
        follows.organisation_id != organisation_id or follows.status not in (S.DECIDED, S.WITHDRAWN)
    ):
        raise ApplicationError(
            "A new application can only follow one that has been decided or withdrawn."
        )
    previous = follows or _latest_decided(organisation_id)
    application = Application(
        organisation_id=organisation_id,
        dps_id=dps.id,
        status=S.DRAFT,
        questionnaire_version=questionnaire.current_version(),
        created_by_id=actor.id,
        supersedes_id=previous.id if previous is not None else None,
        lots=[ApplicationLot(lot=lot) for lot in lots],
    )
    db.session.add(application)
    db.session.flush()
    application.reference = REFERENCE_FORMAT.format(id=application.id)
    audit.record(
        "application.started",
        application,
        actor=actor,
        after={
            "reference": application.reference,
            "lots": [lot.number for lot in lots],
            "supersedes_id": application.supersedes_id,
        },
    )
    db.session.commit()
    return application


def change_lots(application: Application, lot_numbers: Iterable[int], *, actor: User) -> None:
    """Change which lots a draft applies for."""
    _require_draft(application)
    lots = _chosen_lots(
        application.organisation_id, application.dps, lot_numbers, excluding=application
    )
    before = application.lot_numbers
    chosen = {lot.id for lot in lots}
    application.lots = [al for al in application.lots if al.lot_id in chosen] + [
        ApplicationLot(lot=lot)
        for lot in lots
        if lot.id not in {al.lot_id for al in application.lots}
    ]
    db.session.flush()
    after = sorted(lot.number for lot in lots)
    if after != before:
        audit.record(
            "application.lots_changed",
            application,
            actor=actor,
            before={"lots": before},
            after={"lots": after},
        )
    db.session.commit()


def _chosen_lots(
    organisation_id: int, dps: DPS, lot_numbers: Iterable[int], *, excluding: Application | None
) -> list[Lot]:
    wanted = set(lot_numbers)
    if not wanted:
        raise ApplicationError("Select the lots you are applying for.", field="lots")
    by_number = {lot.number: lot for lot in dps.lots}
    if not wanted <= set(by_number):
        raise ApplicationError("Select Lot 1, Lot 2 or both.", field="lots")
    for availability in lot_availability(organisation_id, dps, excluding=excluding):
        if availability.lot.number in wanted and not availability.available:
            raise ApplicationError(_unavailable_message(availability), field="lots")
    return [by_number[number] for number in sorted(wanted)]


def _unavailable_message(availability: LotAvailability) -> str:
    lot = availability.lot
    if availability.admitted:
        return f"You are already admitted to Lot {lot.number}. Choose a lot you are not in yet."
    return (
        f"You cannot apply for Lot {lot.number} until we have decided your application "
        f"{availability.pending_reference}."
    )


def _latest_decided(organisation_id: int) -> Application | None:
    return db.session.scalars(
        select(Application)
        .where(Application.organisation_id == organisation_id, Application.status == S.DECIDED)
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(1)
    ).first()


def _the_dps() -> DPS:
    dps = dps_service.current_dps()
    if dps is None:
        raise ApplicationError("There is no dynamic purchasing system to apply to yet.")
    return dps


def _require_draft(application: Application) -> None:
    if application.status != S.DRAFT:
        raise ApplicationLocked(
            f"Application {application.reference} has been sent in, so it cannot be changed. "
            "Start a new application to change your answers for a later one."
        )


def _lock_organisation(organisation_id: int) -> None:
    """Serialise one organisation's drafting and submitting (two colleagues at once).

    PostgreSQL: a row lock on the organisation. SQLite has one writer: an UPDATE that changes
    nothing takes the write lock at once, so the second transaction waits here.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == organisation_id)
            .values(name=Organisation.name)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(
            select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        )


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
            problems.append(Problem(_unavailable_message(availability), fix="lots"))
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
    receipt is e-mailed and the checks are handed over, all in this one transaction.
    """
    _lock_organisation(application.organisation_id)
    db.session.refresh(application)
    _require_draft(application)
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
    # Rendered from the Jinja environment, not a request: a worker can send these too.
    body = (
        current_app.jinja_env.get_template(f"emails/{template}.txt")
        .render(
            application=application,
            lots=[al.lot for al in application.lots],
            link=email_link("supplier.application", application_id=application.id),
        )
        .strip()
    )
    enqueue_email(to, subject, body + "\n", dedupe_key=dedupe_key)


# --- Withdrawing ------------------------------------------------------------------------------


def can_withdraw(application: Application) -> bool:
    return APPLICATION.allowed(application.status, S.WITHDRAWN)


def withdraw(application: Application, *, reason: str, actor: User, at: datetime) -> None:
    """Withdraw an application that has not been decided (a draft is simply abandoned).

    Its checks not yet done are cancelled; one running now finds its result cancelled when it
    finishes, and writes nothing.
    """
    _lock_organisation(application.organisation_id)
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
