"""Moving a published call-off's tender deadline: later, never earlier, audited, everyone told.

Only a buyer of the call-off's organisation may move it, only while the call-off is published
and before the current deadline has passed (once the tenders may be opened the deadline is
history). The new deadline must be later than the current one; the move is audited with both,
and every invited supplier is emailed (the fan-out runs on the workers through
``dps.services.calloffs.notices``).
"""

from __future__ import annotations

from datetime import datetime

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import Refusal
from dps.rules.timefmt import format_datetime
from dps.services.calloffs import notices
from dps.services.calloffs.drafting import require_buyer
from dps.services.calloffs.sealing import deadline_passed
from dps.services.common import audit
from dps.services.common.locking import lock_row

FIELD = "tender_deadline"


class DeadlineRefused(Refusal):
    """The tender deadline cannot be moved like that, and why."""


def move_tender_deadline(
    call_off: CallOff, new_deadline: datetime, *, actor: User, at: datetime
) -> CallOff:
    """Move the tender deadline to ``new_deadline``; raises DeadlineRefused with the reason,
    NotAllowed for anyone but a buyer of the call-off's organisation."""
    require_buyer(call_off, actor)
    locked = lock_row(CallOff, call_off.id)
    assert locked is not None and locked.tender_deadline is not None
    current = locked.tender_deadline
    reason = None
    if locked.status != CallOffStatus.PUBLISHED or deadline_passed(locked, at):
        reason = "The tender deadline can only be moved while the call-off is open for tenders"
    elif new_deadline <= current:
        reason = (
            "The new tender deadline must be later than the current one, "
            f"{format_datetime(current)}"
        )
    if reason is not None:
        db.session.rollback()
        raise DeadlineRefused(reason, field=FIELD)
    locked.tender_deadline = new_deadline
    locked.updated_at = at
    audit.record(
        "call_off.tender_deadline_moved",
        locked,
        actor=actor,
        before={FIELD: current.isoformat()},
        after={FIELD: new_deadline.isoformat()},
    )
    notices.hand_over(locked.id, notices.DEADLINE, int(new_deadline.timestamp()))
    db.session.commit()
    return locked
