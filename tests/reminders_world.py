"""A world for the tests of what follows a submission: clarifications, renewed declarations and
the scheduled reminders. Built on the application tests' world (the DPS, its lots, two rival
suppliers), with Oldham Council's administrators, applications standing where the review has
left them, and admissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect

from dps.extensions import db
from dps.models import Admission, Application, ApplicationLot, OutboxMessage, User
from dps.models.enums import ApplicationStatus, LotOutcome, OutboxKind, Role
from dps.models.organisations import Organisation
from dps.rules import pcr2015
from dps.services import application_snapshot, applications, questionnaire
from dps.services.calendar import LONDON
from tests.application_world import World, make_world
from tests.helpers import add_person

S = ApplicationStatus


@dataclass
class Office:
    """The application tests' world, and the people at Oldham Council who run the DPS."""

    world: World
    officer: User
    colleague: User


def make_office() -> Office:
    world = make_world()
    oldham = world.dps.owner
    officer = add_person(oldham, "olu.officer@oldham.example.org", Role.ADMINISTRATOR)
    colleague = add_person(oldham, "sam.second@oldham.example.org", Role.ADMINISTRATOR)
    return Office(world, officer, colleague)


def london(*parts: int) -> datetime:
    """An instant given as London wall-clock time (year, month, day, hour...)."""
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def sent_application(
    world: World,
    organisation: Organisation,
    *,
    received_at: datetime,
    status: ApplicationStatus = S.READY_FOR_REVIEW,
    lot_numbers: tuple[int, ...] = (1,),
    outcome: LotOutcome = LotOutcome.PENDING,
    officer: User | None = None,
) -> Application:
    """An application received at ``received_at`` and standing at ``status``, as the checks and
    the review leave it (its decision clock started on receipt)."""
    application = Application(
        organisation_id=organisation.id,
        dps=world.dps,
        status=status,
        questionnaire_version=questionnaire.current_version(),
        declaration_name="Ada Lovelace",
        declaration_role="Director",
        declared_at=received_at,
        submitted_at=received_at,
        decision_due_at=pcr2015.decision_due_at(received_at),
        decided_at=received_at if status == S.DECIDED else None,
        assigned_officer_id=officer.id if officer else None,
        lots=[ApplicationLot(lot=world.lots[n], outcome=outcome) for n in lot_numbers],
    )
    db.session.add(application)
    db.session.flush()
    application.reference = applications.REFERENCE_FORMAT.format(id=application.id)
    # What it sent: whatever the organisation has answered so far.
    application.snapshot = application_snapshot.take(application)
    application.snapshot_checksum = application_snapshot.checksum(application.snapshot)
    db.session.commit()
    return application


def admitted(world: World, organisation: Organisation, lot_number: int) -> Admission:
    """The organisation in a lot's pool, by way of a decided application."""
    decided = sent_application(
        world,
        organisation,
        received_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        status=S.DECIDED,
        lot_numbers=(lot_number,),
        outcome=LotOutcome.ADMITTED,
    )
    admission = Admission(
        organisation_id=organisation.id,
        lot_id=world.lots[lot_number].id,
        application_id=decided.id,
    )
    db.session.add(admission)
    db.session.commit()
    return admission


def emails(to: str | None = None) -> list[OutboxMessage]:
    """The e-mails in the outbox (to one address, or to anyone), oldest first."""
    found = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.EMAIL)
        .order_by(OutboxMessage.id)
    )
    return [m for m in found if to is None or m.payload["to"] == to]


def row_values(obj: Any) -> dict[str, Any]:
    """Every column of a row as the database holds it now (re-read, not from the session)."""
    db.session.expire(obj)
    return {column.key: getattr(obj, column.key) for column in inspect(obj).mapper.column_attrs}
