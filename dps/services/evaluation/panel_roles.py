"""Who on a call-off's panel may do what once its tenders are opened.

A panel member reads and scores tenders only after declaring no conflict of interest (reg. 24);
one who declared a conflict is off the panel for this call-off. The lead, having declared no
conflict too, moderates, reviews low prices, awards, sends the letters and confirms the contract.
Anyone else (another buyer of the organisation, a viewer) is refused with the reason; another
organisation never reaches here (its call-offs are "not found" by the scoped query).

Once opened, a call-off is not cancelled: it ends in an award or a decision not to award, with
reasons and a letter to every bidder (reg. 55). When nobody on the panel can evaluate it (every
member declared a conflict, or the lead did and nobody could take over), any buyer of the
organisation who has not declared a conflict may decide not to award, send the letters and
answer the requests for more reasons (``require_decider``, ``require_letters_reader``).
"""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, PanelMember
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.calloffs.drafting import buying_refusal
from dps.services.common.locking import lock_row

NOT_ON_PANEL = (
    "Only the call-off’s evaluation panel can do this. Ask the panel lead if you should be on it"
)
NOT_DECLARED = "Declare whether you have a conflict of interest before you see any tender"
CONFLICTED = "You declared a conflict of interest, so you are not on this call-off’s panel"
NOT_LEAD = "Only the panel lead can do this"
NOT_OPENED = "The tenders have not been opened yet"
EVALUATION_OVER = (
    "The evaluation of this call-off has finished, so declarations and scores can no longer "
    "be made or changed"
)
NOT_A_FREE_BUYER = (
    "Nobody on the panel can evaluate this call-off: a buyer of the organisation who has not "
    "declared a conflict of interest decides not to award it"
)

# Past the deadline with tenders opened: from evaluation to the end of the award.
OPENED_STATES = frozenset(
    {
        CallOffStatus.CLOSED,
        CallOffStatus.EVALUATED,
        CallOffStatus.AWARDED,
        CallOffStatus.NOT_AWARDED,
    }
)


def member_for(call_off: CallOff, user: User) -> PanelMember | None:
    """The user's place on the call-off's panel, declared or not, conflicted or not."""
    return next((m for m in call_off.panel if m.user_id == user.id), None)


def require_opened(call_off: CallOff) -> None:
    if call_off.status not in OPENED_STATES or call_off.opened_at is None:
        raise NotAllowed(NOT_OPENED)


def require_evaluating(call_off: CallOff, refusal: str = EVALUATION_OVER) -> None:
    """The call-off is still being evaluated (closed, no decision yet); NotAllowed after."""
    if call_off.status != CallOffStatus.CLOSED:
        raise NotAllowed(refusal)


def lock_evaluating(call_off: CallOff, refusal: str = EVALUATION_OVER) -> CallOff:
    """The call-off and its panel, re-read from the database and locked until the commit, while
    it is still being evaluated: NotAllowed (with ``refusal``, the lock let go) once it is not.

    Every change made during the evaluation takes this lock first (then any row of its own), so
    two changes, or a change and the end of the evaluation, happen one after the other."""
    locked = lock_row(CallOff, call_off.id)
    if locked is None:
        db.session.rollback()
        raise NotFound(call_off.id)
    db.session.scalars(
        select(PanelMember)
        .where(PanelMember.call_off_id == locked.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if locked.status != CallOffStatus.CLOSED:
        db.session.rollback()
        raise NotAllowed(refusal)
    return locked


def require_member(call_off: CallOff, user: User) -> PanelMember:
    """The user's panel place, if they are on the panel (declared or not); NotAllowed if not."""
    member = member_for(call_off, user)
    if member is None:
        raise NotAllowed(NOT_ON_PANEL)
    return member


def require_evaluator(call_off: CallOff, user: User) -> PanelMember:
    """A panel member who has declared no conflict: the only people who read and score."""
    require_opened(call_off)
    member = require_member(call_off, user)
    if member.declared_at is None:
        raise NotAllowed(NOT_DECLARED)
    if member.has_conflict:
        raise NotAllowed(CONFLICTED)
    return member


def require_lead(call_off: CallOff, user: User) -> PanelMember:
    """The panel lead, declared with no conflict."""
    member = require_evaluator(call_off, user)
    if not member.is_lead:
        raise NotAllowed(NOT_LEAD)
    return member


def nobody_can_evaluate(call_off: CallOff) -> bool:
    """Nobody on the panel can lead the evaluation: every member declared a conflict, or the
    lead did and nobody could take over (the lead stays the lead only then)."""
    panel = list(call_off.panel)
    return bool(panel) and (
        all(m.has_conflict is True for m in panel)
        or any(m.is_lead and m.has_conflict is True for m in panel)
    )


def require_decider(call_off: CallOff, user: User) -> None:
    """Who decides not to award, sends the letters and answers requests for more reasons: the
    panel lead; when nobody on the panel can evaluate, any buyer of the organisation who has
    not declared a conflict of interest."""
    if not nobody_can_evaluate(call_off):
        require_lead(call_off, user)
        return
    require_opened(call_off)
    member = member_for(call_off, user)
    conflicted = member is not None and member.has_conflict is True
    if conflicted or buying_refusal(user, call_off.organisation) is not None:
        raise NotAllowed(CONFLICTED if conflicted else NOT_A_FREE_BUYER)


def require_letters_reader(call_off: CallOff, user: User) -> None:
    """Who reads the letters and the requests for more reasons: the panel's members with no
    conflict; when nobody on the panel can evaluate, whoever may decide (``require_decider``)."""
    if nobody_can_evaluate(call_off):
        require_decider(call_off, user)
    else:
        require_evaluator(call_off, user)
