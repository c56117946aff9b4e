"""Cancelling a call-off before its tenders are opened, with a reason.

A draft or a published call-off may be cancelled by a buyer of its organisation
(``dps.rules.lifecycles.CALL_OFF`` says which moves are allowed). Once the tender deadline has
passed its tenders are opened (``sealing.open_tenders``, done here first should the scheduled
job not have run) and it is no longer cancelled: it ends by a decision not to award, with the
reasons and a letter to every bidder (reg. 55; ``dps.services.awards.awarding``).
In one transaction: the call-off moves to cancelled (audited with the reason), and, when it had
been published, every active user of each invited supplier is sent one email through the
outbox, each with a dedupe key naming the call-off and the person, so nobody is told twice.
The invitation emails still waiting on the workers are not sent once it is cancelled
(``dps.services.calloffs.invitations.SENDS_IN``).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff, CallOffInvitation
from dps.outside.tokens import email_link
from dps.rules.enums import CallOffStatus
from dps.rules.lifecycles import CALL_OFF
from dps.rules.timefmt import format_datetime
from dps.services.calloffs import sealing
from dps.services.calloffs.drafting import CallOffRefused, require_buyer
from dps.services.common import statemachine
from dps.services.common.emails import render_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_email
from dps.services.qualification.letters import SIGNATURE

REASON_MAX = 2_000
TEMPLATE = "call_off_cancelled"
# What may still be cancelled: what has not had its tenders opened.
CANCELLABLE = frozenset({CallOffStatus.DRAFT, CallOffStatus.PUBLISHED})
OPENED = (
    "The tenders have been opened, so the call-off can no longer be cancelled. To end it "
    "without a contract, decide not to award it: every bidder is told the reasons"
)


class CancelRefused(CallOffRefused):
    """The call-off cannot be cancelled; ``field`` is "reason" when the reason is the problem."""


def dedupe_key(call_off_id: int, user_id: int) -> str:
    return f"call-off-{call_off_id}-cancelled-user-{user_id}"


def can_cancel(call_off: CallOff, at: datetime | None = None) -> bool:
    """Whether ``call_off`` may be cancelled at ``at`` (now when None): a draft, or published
    with its tender deadline still to come."""
    if call_off.status not in CANCELLABLE:
        return False
    return call_off.status == CallOffStatus.DRAFT or not sealing.deadline_passed(
        call_off, at or utcnow()
    )


def cancel(
    call_off: CallOff, reason: str | None, *, actor: User, at: datetime | None = None
) -> int:
    """Cancel ``call_off`` with ``reason``; returns how many people were emailed.

    NotAllowed for anyone but a buyer of its organisation; CancelRefused when no reason is
    given, the reason is too long, or the call-off is cancelled already or its tenders are opened
    (or due to be: past the deadline they are opened first).
    """
    require_buyer(call_off, actor)
    now = at or utcnow()
    cleaned = (reason or "").strip()
    if not cleaned:
        raise CancelRefused("Enter why the call-off is being cancelled", field="reason")
    if len(cleaned) > REASON_MAX:
        raise CancelRefused(
            f"The reason must be {REASON_MAX:,} characters or fewer", field="reason"
        )
    # Past the deadline the tenders are opened now, as any read of them would.
    sealing.open_tenders(call_off.id, now, actor=actor)
    locked = lock_row(CallOff, call_off.id)
    assert locked is not None
    call_off = locked
    if not can_cancel(call_off, now):
        db.session.rollback()
        raise CancelRefused(_not_cancellable(call_off))
    was_published = call_off.status != CallOffStatus.DRAFT
    call_off.cancelled_at = now
    call_off.cancelled_by_id = actor.id
    call_off.cancel_reason = cleaned
    call_off.updated_at = now
    emailed = _email_invited_suppliers(call_off, cleaned, now) if was_published else 0
    statemachine.move(
        CALL_OFF, call_off, CallOffStatus.CANCELLED, actor=actor, reason=cleaned, emailed=emailed
    )
    db.session.commit()
    return emailed


def _not_cancellable(call_off: CallOff) -> str:
    if call_off.status == CallOffStatus.CANCELLED:
        return "This call-off has already been cancelled"
    if call_off.status in {CallOffStatus.AWARDED, CallOffStatus.NOT_AWARDED}:
        return "The award of this call-off has been decided, so it can no longer be cancelled"
    return OPENED


def _email_invited_suppliers(call_off: CallOff, reason: str, at: datetime) -> int:
    """One email to every active user of each invited supplier (one query for all of them)."""
    people = db.session.execute(
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .join(CallOffInvitation, CallOffInvitation.organisation_id == Membership.organisation_id)
        .where(CallOffInvitation.call_off_id == call_off.id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    body = render_email(
        TEMPLATE,
        buyer=call_off.organisation.name,
        title=call_off.title,
        reference=call_off.reference,
        cancelled_at=format_datetime(at),
        reason=reason,
        link=email_link("supplier.calloff", call_off_id=call_off.id),
        signature=SIGNATURE,
        contact=current_app.config["CONTACT_EMAIL"],
    )
    subject = f"Call-off cancelled: {call_off.title} ({call_off.reference})"
    for user_id, email in people:
        # The body is the same for everyone, so it is drawn once; one row per person.
        enqueue_email(email, subject, body, dedupe_key=dedupe_key(call_off.id, user_id))
    return len(people)
