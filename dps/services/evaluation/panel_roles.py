"""Who on a call-off's panel may do what once its tenders are opened.

A panel member reads and scores tenders only after declaring no conflict of interest (reg. 24);
one who declared a conflict is off the panel for this call-off. The lead, having declared no
conflict too, moderates, reviews low prices, awards, sends the letters and confirms the contract.
Anyone else (another buyer of the organisation, a viewer) is refused with the reason; another
organisation never reaches here (its call-offs are "not found" by the scoped query).
"""

from __future__ import annotations

from dps.models.accounts import User
from dps.models.calloffs import CallOff, PanelMember
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed

NOT_ON_PANEL = (
    "Only the call-off’s evaluation panel can do this. Ask the panel lead if you should be on it"
)
NOT_DECLARED = "Declare whether you have a conflict of interest before you see any tender"
CONFLICTED = "You declared a conflict of interest, so you are not on this call-off’s panel"
NOT_LEAD = "Only the panel lead can do this"
NOT_OPENED = "The tenders have not been opened yet"

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
