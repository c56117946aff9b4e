"""The administrators' work queue, and who reviews each application.

The queue lists sent applications by status with the date the decision is due (DESIGN §3:
11:59pm London on the 10th working day after receipt, or the 15th when extended), the working
days left, whether it is overdue, and the officer assigned; filtered by lot, status and officer,
soonest due first, one page at a time.

A page costs the same number of queries however long the queue is: one COUNT for the pager
and one SELECT for the page, whose organisation, officer and lots are loaded with it (joined
or "select in"), never one application at a time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.applications import Application, ApplicationLot
from dps.models.checks import CheckRun
from dps.models.documents import Document
from dps.models.dps import Lot
from dps.rules import digits
from dps.rules.calendar import london_date, working_days_between
from dps.rules.enums import ApplicationStatus, Recommendation, Role
from dps.rules.lifecycles import UNDECIDED
from dps.rules.refusals import Refusal
from dps.services.common import audit
from dps.services.common.locking import lock_row

S = ApplicationStatus
DEFAULT_PAGE_SIZE = 25

# What the queue shows unless asked for decided or withdrawn ones: work still to do.
OPEN = UNDECIDED
QUEUE_STATUSES = (
    S.SUBMITTED,
    S.CHECKING,
    S.READY_FOR_REVIEW,
    S.CLARIFICATION_REQUESTED,
    S.DECIDED,
    S.WITHDRAWN,
)


class OfficerFilter(enum.StrEnum):
    ANYONE = ""
    UNASSIGNED = "unassigned"
    ME = "me"


class ReviewError(Refusal):
    """Something an administrator asked for that the rules do not allow; the message says why."""


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is narrowed to. ``officer`` is an OfficerFilter value or a user id."""

    status: ApplicationStatus | None = None  # None: every open status
    lot_id: int | None = None
    officer: str = OfficerFilter.ANYONE

    @property
    def statuses(self) -> frozenset[ApplicationStatus]:
        # A draft is the supplier's own business: never in the queue, whatever is asked.
        return OPEN if self.status is None else frozenset({self.status}) & set(QUEUE_STATUSES)


@dataclass(frozen=True)
class QueueRow:
    application: Application
    working_days_left: int | None
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    pagination: Pagination


def working_days_left(application: Application, at: datetime) -> int | None:
    """Working days from today (London) to the day the decision is due; negative once past."""
    if application.decision_due_at is None:
        return None
    return working_days_between(london_date(at), london_date(application.decision_due_at))


def is_overdue(application: Application, at: datetime) -> bool:
    """Sent, not decided, and past the instant the decision was due."""
    due = application.decision_due_at
    return application.status in UNDECIDED and due is not None and at > due


def queue_query(filters: QueueFilters, *, viewer_id: int) -> Select[tuple[Application]]:
    query = (
        select(Application)
        .where(Application.status.in_(filters.statuses))
        .options(
            joinedload(Application.organisation),
            joinedload(Application.assigned_officer),
            selectinload(Application.lots).joinedload(ApplicationLot.lot),
        )
        # Soonest due first; the id keeps pages stable when two are due together.
        .order_by(Application.decision_due_at.asc().nulls_last(), Application.id)
    )
    if filters.lot_id is not None:
        query = query.where(Application.lots.any(ApplicationLot.lot_id == filters.lot_id))
    if filters.officer == OfficerFilter.UNASSIGNED:
        query = query.where(Application.assigned_officer_id.is_(None))
    elif filters.officer == OfficerFilter.ME:
        query = query.where(Application.assigned_officer_id == viewer_id)
    elif (officer_id := digits.an_id(filters.officer)) is not None:
        query = query.where(Application.assigned_officer_id == officer_id)
    return query


def work_queue(
    filters: QueueFilters, *, viewer_id: int, at: datetime, page: int, per_page: int
) -> QueuePage:
    """One page of the queue as it stands at the instant ``at``."""
    pagination = db.paginate(
        queue_query(filters, viewer_id=viewer_id),
        page=max(page, 1),
        per_page=per_page,
        error_out=False,
    )
    rows = [
        QueueRow(application, working_days_left(application, at), is_overdue(application, at))
        for application in pagination.items
    ]
    return QueuePage(rows, pagination)


def queue_lots() -> list[Lot]:
    return list(db.session.scalars(select(Lot).order_by(Lot.dps_id, Lot.number)))


# --- Officers ---------------------------------------------------------------------------------


def administrators() -> list[User]:
    """The people who may review applications: active administrators, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.role == Role.ADMINISTRATOR, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _administrator(user_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.id == user_id, Membership.role == Role.ADMINISTRATOR, User.active.is_(True))
    )


def assign(application: Application, officer_id: int, *, actor: User) -> User:
    """Give the application to an administrator to review (any administrator may)."""
    if application.status not in UNDECIDED:
        raise ReviewError(
            f"Application {application.reference} is {_state_words(application)}: "
            "there is nothing left to review."
        )
    officer = _administrator(officer_id)
    if officer is None:
        raise ReviewError("Select an administrator from the list", field="officer")
    before = application.assigned_officer
    if before is not None and before.id == officer.id:
        return officer
    application.assigned_officer = officer
    audit.record(
        "application.assigned",
        application,
        actor=actor,
        before={"officer": before.name if before else None},
        after={"officer": officer.name, "officer_id": officer.id},
    )
    db.session.commit()
    return officer


def _state_words(application: Application) -> str:
    return "decided" if application.status == S.DECIDED else "withdrawn"


# --- Reading one application ------------------------------------------------------------------


def get_application(application_id: int) -> Application | None:
    """Any sent application (administrators see every supplier's); a draft is not theirs yet."""
    return db.session.scalar(
        select(Application).where(Application.id == application_id, Application.status != S.DRAFT)
    )


def application_document(application: Application, document_id: int) -> Document | None:
    """A document the application sent (in its snapshot); any other is None.

    Scoped through the application: an administrator reaches a supplier's files only by way
    of an application that carries them. (Documents sent with a clarification answer are
    reached through their request: dps.web.admin.clarifications.)
    """
    sent = {int(kept["id"]) for kept in (application.snapshot or {}).get("documents", [])}
    if document_id not in sent:
        return None
    return db.session.scalar(
        select(Document).where(
            Document.id == document_id, Document.organisation_id == application.organisation_id
        )
    )


def lock(application: Application) -> None:
    """Serialise changes to one application (two officers at once), then re-read it."""
    lock_row(Application, application.id)
    db.session.refresh(application)


def recommendations(application: Application) -> dict[int, Recommendation]:
    """Per lot id, what the latest finished run of checks recommends (advice, never a decision)."""
    # Read in Python: a JSON column may hold a JSON null rather than SQL NULL.
    runs = db.session.scalars(
        select(CheckRun)
        .where(CheckRun.application_id == application.id)
        .order_by(CheckRun.number.desc())
    )
    for run in runs:
        if run.recommendation:
            return {int(lot): Recommendation(value) for lot, value in run.recommendation.items()}
    return {}
