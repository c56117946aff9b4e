"""Sealed tenders: the only way a buyer or a viewer reads tenders, and how they are opened.

Before the tender deadline nothing here returns a tender's contents, nor which suppliers have
tendered or declined: ``tenders_for_buyer`` and ``declines_for_buyer`` return nothing and
``summary_for_buyer`` counts only what a buyer may know (the suppliers invited, the questions
and addenda), with the tender counts left out.

At or after the deadline (``at`` against the tender deadline, to the second: the deadline
itself counts as past), ``open_tenders`` opens a published call-off: under a row lock it moves
the call-off to closed and every submitted tender to opened, recorded as ONE audit event,
``call_off.tenders_opened``, however often it is called and by whom. The scheduled job
(``close_due``, every minute on the workers) opens call-offs past their deadline; should it not
have run, the first read through ``tenders_for_buyer`` opens them. A call-off cancelled before
its deadline is no longer published, so its tenders are never opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloff_questions import CallOffAddendum, CallOffClarification
from dps.models.calloffs import CallOff, CallOffInvitation
from dps.models.tenders import Tender, TenderDecline
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.lifecycles import CALL_OFF, TENDER
from dps.services.common import statemachine
from dps.services.common.locking import lock_row

OPENED_ACTION = "call_off.tenders_opened"
# A tender a buyer may read once the call-off is opened (drafts and withdrawn ones never).
READABLE = frozenset(
    {
        TenderStatus.OPENED,
        TenderStatus.SCORED,
        TenderStatus.SUCCESSFUL,
        TenderStatus.UNSUCCESSFUL,
    }
)


@dataclass(frozen=True)
class BuyerSummary:
    """What a buyer may count. ``tenders`` and ``declined`` are None while tenders are sealed."""

    invited: int
    questions: int
    unanswered_questions: int
    addenda: int
    opened: bool
    tenders: int | None
    declined: int | None


def deadline_passed(call_off: CallOff, at: datetime) -> bool:
    """Whether ``at`` is at or after the tender deadline (at the deadline itself is too late)."""
    return call_off.tender_deadline is not None and at >= call_off.tender_deadline


def open_tenders(call_off_id: int, at: datetime, *, actor: User | None = None) -> bool:
    """Open the call-off's tenders if it is published and ``at`` is at or after its deadline.

    Returns True when this call opened them, False when there was nothing to do (before the
    deadline, opened already, cancelled, or no such call-off). Commits only when it opens.
    """
    call_off = db.session.get(CallOff, call_off_id)
    if call_off is None or call_off.status != CallOffStatus.PUBLISHED:
        return False
    if not deadline_passed(call_off, at):
        return False
    locked = lock_row(CallOff, call_off_id)
    # Someone else may have opened (or cancelled) it while this waited for the lock.
    if locked is None or locked.status != CallOffStatus.PUBLISHED:
        db.session.rollback()
        return False
    TENDER.check(TenderStatus.SUBMITTED, TenderStatus.OPENED)
    opened_ids = list(
        db.session.scalars(
            update(Tender)
            .where(Tender.call_off_id == call_off_id, Tender.status == TenderStatus.SUBMITTED)
            .values(
                status=TenderStatus.OPENED,
                opened_at=at,
                opened_by_id=actor.id if actor is not None else None,
            )
            .returning(Tender.id)
            .execution_options(synchronize_session=False)
        )
    )
    locked.opened_at = at
    locked.updated_at = at
    statemachine.move(
        CALL_OFF,
        locked,
        CallOffStatus.CLOSED,
        actor=actor,
        event=OPENED_ACTION,
        opened_at=at.isoformat(),
        tenders_opened=sorted(opened_ids),
    )
    db.session.commit()
    db.session.expire_all()
    return True


def close_due(at: datetime) -> int:
    """The scheduled job: open every published call-off whose deadline is at or before ``at``;
    returns how many this run opened."""
    due = list(
        db.session.scalars(
            select(CallOff.id)
            .where(CallOff.status == CallOffStatus.PUBLISHED, CallOff.tender_deadline <= at)
            .order_by(CallOff.id)
        )
    )
    return sum(1 for call_off_id in due if open_tenders(call_off_id, at))


def is_opened(call_off: CallOff) -> bool:
    return call_off.opened_at is not None


def tenders_for_buyer(
    call_off: CallOff, at: datetime, *, actor: User | None = None
) -> list[Tender]:
    """The opened tenders, by supplier name; nothing at all while they are sealed. The caller
    has already checked that the reader belongs to the call-off's organisation."""
    open_tenders(call_off.id, at, actor=actor)
    db.session.refresh(call_off)
    if not is_opened(call_off):
        return []
    from dps.models.organisations import Organisation

    return list(
        db.session.scalars(
            select(Tender)
            .join(Organisation, Organisation.id == Tender.organisation_id)
            .where(Tender.call_off_id == call_off.id, Tender.status.in_(READABLE))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def declines_for_buyer(
    call_off: CallOff, at: datetime, *, actor: User | None = None
) -> list[TenderDecline]:
    """Who declined to bid, and why; nothing while the tenders are sealed (a decline would tell
    the buyer who is not tendering)."""
    open_tenders(call_off.id, at, actor=actor)
    db.session.refresh(call_off)
    if not is_opened(call_off):
        return []
    return list(
        db.session.scalars(
            select(TenderDecline)
            .where(TenderDecline.call_off_id == call_off.id)
            .order_by(TenderDecline.declined_at, TenderDecline.id)
        )
    )


def summary_for_buyer(
    call_off: CallOff, at: datetime, *, actor: User | None = None
) -> BuyerSummary:
    """The counts a buyer's page may show; the tender counts only once the tenders are open."""
    open_tenders(call_off.id, at, actor=actor)
    db.session.refresh(call_off)
    opened = is_opened(call_off)

    def count(statement: object) -> int:
        return int(db.session.scalar(statement) or 0)  # type: ignore[call-overload]

    return BuyerSummary(
        invited=count(
            select(func.count())
            .select_from(CallOffInvitation)
            .where(CallOffInvitation.call_off_id == call_off.id)
        ),
        questions=count(
            select(func.count())
            .select_from(CallOffClarification)
            .where(CallOffClarification.call_off_id == call_off.id)
        ),
        unanswered_questions=count(
            select(func.count())
            .select_from(CallOffClarification)
            .where(
                CallOffClarification.call_off_id == call_off.id,
                CallOffClarification.answered_at.is_(None),
            )
        ),
        addenda=count(
            select(func.count())
            .select_from(CallOffAddendum)
            .where(CallOffAddendum.call_off_id == call_off.id)
        ),
        opened=opened,
        tenders=count(
            select(func.count())
            .select_from(Tender)
            .where(Tender.call_off_id == call_off.id, Tender.status.in_(READABLE))
        )
        if opened
        else None,
        declined=count(
            select(func.count())
            .select_from(TenderDecline)
            .where(TenderDecline.call_off_id == call_off.id)
        )
        if opened
        else None,
    )
