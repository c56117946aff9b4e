"""What a supplier's home page shows: its applications, its place in each lot, documents that
need replacing soon, and the things waiting for it to do."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.admissions import Admission
from dps.models.applications import Application
from dps.models.documents import Document
from dps.models.dps import Lot
from dps.models.renewals import DeclarationRenewal
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus
from dps.services.applications import drafting
from dps.services.applications.timeline import outstanding_clarification
from dps.services.dps import period as dps_service
from dps.services.pool import renewals
from dps.services.suppliers import documents

# Documents expiring this soon are listed (ones already expired too).
EXPIRY_WARNING_DAYS = 30


class ActionKind(enum.StrEnum):
    FINISH_DRAFT = "finish_draft"
    ANSWER_CLARIFICATION = "answer_clarification"
    REPLACE_EXPIRED = "replace_expired"
    RENEW_DECLARATION = "renew_declaration"


@dataclass(frozen=True)
class Action:
    """Something waiting for the supplier, with what it is about."""

    kind: ActionKind
    application: Application | None = None
    document: Document | None = None
    due: date | None = None  # the day a reply is wanted by
    renewal: DeclarationRenewal | None = None


@dataclass(frozen=True)
class LotPlace:
    """A lot of the DPS and the organisation's latest admission to it, if any."""

    lot: Lot
    admission: Admission | None


@dataclass(frozen=True)
class Dashboard:
    applications: list[Application]
    draft: Application | None
    places: list[LotPlace]
    expiring: list[Document]
    actions: list[Action]
    # Whether "Apply to join" leads anywhere: there is a lot the organisation can still choose.
    can_apply: bool
    dps_status: dps_service.PublicStatus
    on: date  # today in London, for saying which documents have already expired


def dashboard_for(organisation_id: int, *, at: datetime) -> Dashboard:
    """The organisation's home page as it stands at the instant ``at``."""
    on = london_date(at)
    dps = dps_service.current_dps()
    listed = drafting.applications_for(organisation_id)
    draft = next((a for a in listed if a.status == ApplicationStatus.DRAFT), None)
    expiring = documents.expiring_within(organisation_id, EXPIRY_WARNING_DAYS, on=on)
    places = _places(organisation_id, dps.lots if dps else [])
    available = (
        any(a.available for a in drafting.lot_availability(organisation_id, dps)) if dps else False
    )
    return Dashboard(
        # A draft that was deleted (withdrawn before it was sent) is no longer the supplier's.
        applications=[a for a in listed if a.submitted_at is not None or a is draft],
        draft=draft,
        places=places,
        expiring=expiring,
        actions=_renewal_actions(organisation_id) + _actions(listed, draft, expiring, on),
        can_apply=draft is not None or available,
        dps_status=dps_service.public_status(at),
        on=on,
    )


def _places(organisation_id: int, lots: list[Lot]) -> list[LotPlace]:
    latest: dict[int, Admission] = {}
    for admission in db.session.scalars(
        select(Admission)
        .where(Admission.organisation_id == organisation_id)
        .order_by(Admission.admitted_at, Admission.id)
    ):
        latest[admission.lot_id] = admission
    return [LotPlace(lot, latest.get(lot.id)) for lot in lots]


def _renewal_actions(organisation_id: int) -> list[Action]:
    renewal = renewals.waiting_for(organisation_id)
    if renewal is None:
        return []
    return [Action(ActionKind.RENEW_DECLARATION, renewal=renewal, due=london_date(renewal.due_at))]


def _actions(
    listed: list[Application], draft: Application | None, expiring: list[Document], on: date
) -> list[Action]:
    actions = []
    for application in listed:
        if application.status == ApplicationStatus.CLARIFICATION_REQUESTED:
            request = outstanding_clarification(application)
            due = request.reply_by if request is not None else None
            actions.append(
                Action(ActionKind.ANSWER_CLARIFICATION, application=application, due=due)
            )
    if draft is not None:
        actions.append(Action(ActionKind.FINISH_DRAFT, application=draft))
    actions.extend(
        Action(ActionKind.REPLACE_EXPIRED, document=document)
        for document in expiring
        if documents.expiry_status(document, on) == "expired"
    )
    return actions
