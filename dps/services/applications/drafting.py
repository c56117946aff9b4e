"""Drafting an application: reading one, the lots it may choose, starting it and changing lots.

An application covers Lot 1, Lot 2 or both. One draft at a time per organisation: a second
start changes the lots of the draft already there. A lot held by an admission, or by an
application not yet decided, cannot be chosen. Sending it in is
``dps.services.applications.submission``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application, ApplicationLot
from dps.models.dps import DPS, Lot
from dps.models.organisations import Organisation
from dps.rules.enums import ApplicationStatus
from dps.rules.lifecycles import HOLDS_A_PLACE, UNDECIDED
from dps.rules.refusals import Refusal
from dps.services.common import audit
from dps.services.common.locking import lock_row
from dps.services.dps import period as dps_service
from dps.services.suppliers import questionnaire

S = ApplicationStatus

REFERENCE_FORMAT = "CCIN-DPS-{id:06d}"


class ApplicationError(Refusal):
    """Something the supplier asked for that the rules do not allow; the message says why.

    ``field`` names the form field the message belongs to, where there is one.
    """


class ApplicationLocked(ApplicationError):
    """The application has been sent in: it can no longer be changed."""


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
    lock_row(Organisation, organisation_id)
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
    require_draft(application)
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
            raise ApplicationError(unavailable_message(availability), field="lots")
    return [by_number[number] for number in sorted(wanted)]


def unavailable_message(availability: LotAvailability) -> str:
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


def require_draft(application: Application) -> None:
    if application.status != S.DRAFT:
        raise ApplicationLocked(
            f"Application {application.reference} has been sent in, so it cannot be changed. "
            "Start a new application to change your answers for a later one."
        )
