"""Publishing a call-off: the invitation list fixed as evidence, and the emailing handed over.

``publish`` refuses, with every reason at once, while the DPS is not open that day, no supplier
is admitted (and not suspended) in the lot, a required section of the task list has a problem,
the award criteria break ``dps.rules.award_criteria``, or the deadlines break
``dps.rules.pcr2015.deadline_problems`` for invitations sent at that instant. Otherwise, in one
transaction: one INSERT ... SELECT stores an invitation for every supplier admitted, and not
suspended, in the lot at that instant (never a query per supplier); the call-off moves to
published (audited); and ONE outbox row hands the emailing to the workers by task name
(``dps.services.calloffs.invitations``), so the request never sends or queues an email per
supplier. From then on the questions, criteria, weights and panel are locked (the drafting
services refuse to change them) and the invitation list is never changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, literal, select

from dps.celery_app import QUEUE_DEFAULT
from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.base import UTCDateTime
from dps.models.calloffs import CallOff, CallOffInvitation
from dps.rules import award_criteria, pcr2015
from dps.rules.enums import AdmissionStatus, CallOffStatus
from dps.rules.lifecycles import CALL_OFF
from dps.rules.refusals import Refusal
from dps.services.calloffs import task_list
from dps.services.calloffs.drafting import CallOffLocked, buying_refusal, require_buyer
from dps.services.common import statemachine
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_task
from dps.services.dps.period import current_dps, period_of

# The worker task (workers/calloffs.py) that queues the invitation emails, by name.
EMAIL_INVITATIONS_TASK = "workers.calloffs.email_invitations"
EMAIL_INVITATIONS_QUEUE = QUEUE_DEFAULT

DPS_CLOSED_MESSAGE = "The DPS is not open today, so call-offs cannot be published"
NO_SUPPLIERS_MESSAGE = (
    "No supplier is admitted to {lot} at the moment, so there is nobody to invite"
)


class PublishRefused(Refusal):
    """The call-off cannot be published now; ``problems`` lists every reason, in order."""

    def __init__(self, problems: list[Refusal]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


def invitable_count(lot_id: int) -> int:
    """How many suppliers are admitted, and not suspended, in the lot now."""
    return int(
        db.session.scalar(
            select(func.count(func.distinct(Admission.organisation_id))).where(
                Admission.lot_id == lot_id, Admission.status == AdmissionStatus.ADMITTED
            )
        )
        or 0
    )


def publish_problems(call_off: CallOff, actor: User, at: datetime) -> list[Refusal]:
    """Every reason the call-off cannot be published at ``at``; empty when it can."""
    found: list[Refusal] = []
    reason = buying_refusal(actor, call_off.organisation)
    if reason is not None:
        found.append(Refusal(reason))
    dps = current_dps()
    if dps is None or not period_of(dps).is_open(at):
        found.append(Refusal(DPS_CLOSED_MESSAGE))
    if invitable_count(call_off.lot_id) == 0:
        found.append(Refusal(NO_SUPPLIERS_MESSAGE.format(lot=call_off.lot.name), field="lot"))
    found.extend(task_list.incomplete_problems(call_off, at))
    found.extend(
        award_criteria.problems(
            task_list.weighted_questions(call_off), call_off.price_weight_percent or 0
        )
    )
    found.extend(
        pcr2015.deadline_problems(at, call_off.clarification_deadline, call_off.tender_deadline)
    )
    return _unique(found)


def publish(call_off: CallOff, actor: User, at: datetime) -> int:
    """Publish the call-off at ``at``; returns how many suppliers were invited.

    Raises PublishRefused with every reason when it cannot be published, CallOffLocked when it
    is not a draft (published already, or cancelled), NotAllowed for anyone but a buyer of
    its organisation.
    """
    require_buyer(call_off, actor)
    locked = lock_row(CallOff, call_off.id)
    assert locked is not None
    call_off = locked
    if call_off.status != CallOffStatus.DRAFT:
        db.session.rollback()
        raise CallOffLocked("This call-off has already been published or cancelled")
    problems = publish_problems(call_off, actor, at)
    if problems:
        db.session.rollback()
        raise PublishRefused(problems)
    invited = _store_invitations(call_off, at)
    if invited == 0:  # everyone was suspended between the count and the insert
        db.session.rollback()
        raise PublishRefused(
            [Refusal(NO_SUPPLIERS_MESSAGE.format(lot=call_off.lot.name), field="lot")]
        )
    call_off.published_at = at
    call_off.published_by_id = actor.id
    call_off.updated_at = at
    statemachine.move(CALL_OFF, call_off, CallOffStatus.PUBLISHED, actor=actor, invited=invited)
    enqueue_task(
        EMAIL_INVITATIONS_TASK,
        [call_off.id],
        queue=EMAIL_INVITATIONS_QUEUE,
        dedupe_key=f"call-off-{call_off.id}-invitation-emails",
    )
    db.session.commit()
    return invited


def _store_invitations(call_off: CallOff, at: datetime) -> int:
    """One INSERT ... SELECT: an invitation per supplier admitted, and not suspended, in the
    lot now (the earliest admission, should a supplier somehow hold two)."""
    admitted = (
        select(
            literal(call_off.id).label("call_off_id"),
            Admission.organisation_id,
            func.min(Admission.id).label("admission_id"),
            literal(at, UTCDateTime()).label("invited_at"),
        )
        .where(Admission.lot_id == call_off.lot_id, Admission.status == AdmissionStatus.ADMITTED)
        .group_by(Admission.organisation_id)
    )
    result = db.session.execute(
        insert(CallOffInvitation)
        .from_select(["call_off_id", "organisation_id", "admission_id", "invited_at"], admitted)
        .returning(CallOffInvitation.id)
    )
    return len(result.all())


def invitations(call_off: CallOff) -> list[CallOffInvitation]:
    """The invitation list stored when the call-off was published, by supplier name."""
    from dps.models.organisations import Organisation

    return list(
        db.session.scalars(
            select(CallOffInvitation)
            .join(Organisation, Organisation.id == CallOffInvitation.organisation_id)
            .where(CallOffInvitation.call_off_id == call_off.id)
            .order_by(Organisation.name, Organisation.id)
        )
    )


def _unique(refusals: list[Refusal]) -> list[Refusal]:
    seen: set[str] = set()
    kept = []
    for refusal in refusals:
        if refusal.message not in seen:
            seen.add(refusal.message)
            kept.append(refusal)
    return kept
