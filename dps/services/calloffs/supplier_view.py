"""What an invited supplier sees of call-offs: its invitations and where each stands for it.

A supplier sees a call-off only if it was invited when the call-off was published (the stored
invitation list); any other call-off is "not found". Each invitation has a status for the
supplier: invited (nothing started), draft tender, tender sent, declined, closed (the deadline
has passed, or the call-off was closed, with no tender sent) or cancelled. Nothing here says
anything about other suppliers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.calloffs import CallOff, CallOffInvitation
from dps.models.tenders import Tender, TenderDecline
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.refusals import NotFound
from dps.services.calloffs.sealing import deadline_passed

SENT = frozenset(
    {
        TenderStatus.SUBMITTED,
        TenderStatus.OPENED,
        TenderStatus.SCORED,
        TenderStatus.SUCCESSFUL,
        TenderStatus.UNSUCCESSFUL,
    }
)


class InvitationStatus(enum.StrEnum):
    INVITED = "invited"
    DRAFT_TENDER = "draft_tender"
    TENDER_SENT = "tender_sent"
    DECLINED = "declined"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "invited": "Invited",
            "draft_tender": "Draft tender",
            "tender_sent": "Tender sent",
            "declined": "Declined",
            "closed": "Closed",
            "cancelled": "Cancelled",
        }[self.value]


class InvitationNotFound(NotFound):
    """The supplier was not invited to this call-off (or there is no such call-off)."""


@dataclass(frozen=True)
class SupplierInvitation:
    call_off: CallOff
    invited_at: datetime
    tender: Tender | None
    decline: TenderDecline | None
    status: InvitationStatus

    @property
    def tender_deadline(self) -> datetime | None:
        return self.call_off.tender_deadline


def status_of(
    call_off: CallOff, tender: Tender | None, decline: TenderDecline | None, at: datetime
) -> InvitationStatus:
    if call_off.status == CallOffStatus.CANCELLED:
        return InvitationStatus.CANCELLED
    if decline is not None:
        return InvitationStatus.DECLINED
    if tender is not None and tender.status in SENT:
        return InvitationStatus.TENDER_SENT
    if call_off.status != CallOffStatus.PUBLISHED or deadline_passed(call_off, at):
        return InvitationStatus.CLOSED
    if tender is not None:  # a draft, or one withdrawn and not sent again
        return InvitationStatus.DRAFT_TENDER
    return InvitationStatus.INVITED


def get_invitation(call_off_id: int, organisation_id: int) -> CallOff:
    """The call-off if the supplier was invited to it; InvitationNotFound otherwise."""
    call_off = db.session.scalar(
        select(CallOff)
        .join(CallOffInvitation, CallOffInvitation.call_off_id == CallOff.id)
        .where(CallOff.id == call_off_id, CallOffInvitation.organisation_id == organisation_id)
    )
    if call_off is None:
        raise InvitationNotFound(call_off_id)
    return call_off


def invitation_row(call_off_id: int, organisation_id: int) -> CallOffInvitation:
    row = db.session.scalar(
        select(CallOffInvitation).where(
            CallOffInvitation.call_off_id == call_off_id,
            CallOffInvitation.organisation_id == organisation_id,
        )
    )
    if row is None:
        raise InvitationNotFound(call_off_id)
    return row


def tender_of(call_off_id: int, organisation_id: int) -> Tender | None:
    return db.session.scalar(
        select(Tender).where(
            Tender.call_off_id == call_off_id, Tender.organisation_id == organisation_id
        )
    )


def decline_of(call_off_id: int, organisation_id: int) -> TenderDecline | None:
    return db.session.scalar(
        select(TenderDecline).where(
            TenderDecline.call_off_id == call_off_id,
            TenderDecline.organisation_id == organisation_id,
        )
    )


def invitation_for(call_off_id: int, organisation_id: int, at: datetime) -> SupplierInvitation:
    """One invitation with its status for the supplier at ``at``."""
    row = invitation_row(call_off_id, organisation_id)
    call_off = get_invitation(call_off_id, organisation_id)
    tender = tender_of(call_off_id, organisation_id)
    decline = decline_of(call_off_id, organisation_id)
    return SupplierInvitation(
        call_off, row.invited_at, tender, decline, status_of(call_off, tender, decline, at)
    )


def invitations_for(organisation_id: int, at: datetime) -> list[SupplierInvitation]:
    """Every call-off the supplier was invited to, the latest invitation first (three queries
    whatever the number of invitations)."""
    rows = db.session.execute(
        select(CallOff, CallOffInvitation.invited_at)
        .join(CallOffInvitation, CallOffInvitation.call_off_id == CallOff.id)
        .where(CallOffInvitation.organisation_id == organisation_id)
        .order_by(CallOffInvitation.invited_at.desc(), CallOff.id.desc())
    ).all()
    ids = [call_off.id for call_off, _ in rows]
    tenders = {
        tender.call_off_id: tender
        for tender in db.session.scalars(
            select(Tender).where(
                Tender.organisation_id == organisation_id, Tender.call_off_id.in_(ids)
            )
        )
    }
    declines = {
        decline.call_off_id: decline
        for decline in db.session.scalars(
            select(TenderDecline).where(
                TenderDecline.organisation_id == organisation_id,
                TenderDecline.call_off_id.in_(ids),
            )
        )
    }
    return [
        SupplierInvitation(
            call_off,
            invited_at,
            tenders.get(call_off.id),
            declines.get(call_off.id),
            status_of(call_off, tenders.get(call_off.id), declines.get(call_off.id), at),
        )
        for call_off, invited_at in rows
    ]
