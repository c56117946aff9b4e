"""Conflicts of interest (reg. 24): before seeing any tender, each panel member declares that
they have no conflict with any bidder, or declares one, with the reason.

A declaration is made once the tenders are opened (the bidders are known only then) and is
final: a second one is refused. A declared conflict takes the member off the panel for this
call-off; the row stays with the reason, as the record. When the lead declares a conflict,
they choose another member of the panel (one who has not declared a conflict) to lead in the
same declaration, recorded in its audit event; when nobody else could lead, the conflict is
still recorded (it must be) and the call-off cannot be evaluated by this panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, PanelMember
from dps.rules import calloff_values
from dps.rules.refusals import NotAllowed, Refusal
from dps.services.calloffs import sealing
from dps.services.common import audit
from dps.services.evaluation import panel_roles, reading

DECLARED_ACTION = "call_off.conflict_declared"
REASON_MAX = 2000
ALREADY_DECLARED = "You have already declared. A declaration cannot be changed"


class DeclarationRefused(Refusal):
    """A declaration the rules do not take, and why."""


@dataclass(frozen=True)
class Declaration:
    """One panel member's place in the declarations, for the hub and the lead."""

    member_id: int
    name: str
    is_lead: bool
    declared_at: datetime | None
    has_conflict: bool | None
    scores_submitted_at: datetime | None

    @property
    def state(self) -> str:
        if self.declared_at is None:
            return "Not declared yet"
        return "Declared a conflict of interest" if self.has_conflict else "No conflict"


def bidders(call_off: CallOff, at: datetime, *, actor: User) -> list[str]:
    """The names of the suppliers who tendered: what a member needs to judge a conflict.
    Only for members of the panel, once the tenders are opened."""
    panel_roles.require_member(call_off, actor)
    tenders = sealing.tenders_for_buyer(call_off, at, actor=actor)
    panel_roles.require_opened(call_off)
    return sorted({reading.bidder_name(t) for t in tenders}, key=str.casefold)


def possible_leads(call_off: CallOff, actor: User) -> list[PanelMember]:
    """The other members who could take over as lead: any not conflicted."""
    return [m for m in call_off.panel if m.user_id != actor.id and m.has_conflict is not True]


def _problems(
    call_off: CallOff,
    actor: User,
    member: PanelMember,
    has_conflict: bool | None,
    typed: str,
    new_lead_id: int | None,
) -> tuple[list[Refusal], PanelMember | None]:
    """Every problem with a declaration, and the member chosen to lead instead (if any)."""
    problems: list[Refusal] = []
    if has_conflict is None:
        problems.append(
            DeclarationRefused(
                "Select whether you have a conflict of interest", field="has_conflict"
            )
        )
    new_lead: PanelMember | None = None
    if has_conflict:
        if not typed:
            problems.append(
                DeclarationRefused("Enter what your conflict of interest is", field="reason")
            )
        elif len(typed) > REASON_MAX:
            problems.append(
                DeclarationRefused(
                    f"The conflict of interest must be {REASON_MAX} characters or fewer",
                    field="reason",
                )
            )
        candidates = possible_leads(call_off, actor)
        chosen = next((m for m in call_off.panel if m.id == new_lead_id), None)
        if member.is_lead and chosen is not None and chosen.has_conflict is True:
            # They declared a conflict since the form was shown: they cannot lead.
            problems.append(
                DeclarationRefused(
                    f"{chosen.user.name} has declared a conflict of interest, so cannot lead "
                    + ("the panel: select who will lead instead" if candidates else "the panel"),
                    field="new_lead" if candidates else "has_conflict",
                )
            )
        elif member.is_lead and candidates:
            new_lead = next((m for m in candidates if m.id == new_lead_id), None)
            if new_lead is None:
                problems.append(
                    DeclarationRefused("Select who will lead the panel instead", field="new_lead")
                )
    return problems, new_lead


def declare(
    call_off: CallOff,
    actor: User,
    has_conflict: bool | None,
    reason: str,
    at: datetime,
    *,
    new_lead_id: int | None = None,
) -> list[Refusal]:
    """Record ``actor``'s declaration, or return every problem with it, at once (nothing is
    recorded then). A second declaration is NotAllowed, and so is one once the evaluation has
    finished (the call-off is no longer closed).

    Checked again under the lock of the call-off and its panel: a member who chose to lead
    instead cannot have declared a conflict meanwhile."""
    panel_roles.require_opened(call_off)
    member = panel_roles.require_member(call_off, actor)
    panel_roles.require_evaluating(call_off)
    if member.declared_at is not None:
        raise NotAllowed(ALREADY_DECLARED)
    typed = calloff_values.text(reason or "")
    problems, _ = _problems(call_off, actor, member, has_conflict, typed, new_lead_id)
    if problems:
        return problems
    call_off = panel_roles.lock_evaluating(call_off)
    member = panel_roles.require_member(call_off, actor)
    if member.declared_at is not None:
        db.session.rollback()
        raise NotAllowed(ALREADY_DECLARED)
    problems, new_lead = _problems(call_off, actor, member, has_conflict, typed, new_lead_id)
    if problems:
        db.session.rollback()
        return problems
    member.declared_at = at
    member.has_conflict = bool(has_conflict)
    member.conflict_reason = typed if has_conflict else None
    details: dict[str, object] = {
        "panel_member_id": member.id,
        "user_id": actor.id,
        "has_conflict": bool(has_conflict),
        "reason": member.conflict_reason,
        "declared_at": at.isoformat(),
    }
    if new_lead is not None:
        member.is_lead = False
        new_lead.is_lead = True
        details["lead_handed_to_user_id"] = new_lead.user_id
    # Recorded against the call-off, so its trail holds every step of the evaluation.
    audit.record(DECLARED_ACTION, call_off, actor=actor, after=details)
    db.session.commit()
    return []


def declarations(call_off: CallOff) -> list[Declaration]:
    """Every panel member's declaration state, lead first, then by name."""
    members = sorted(call_off.panel, key=lambda m: (not m.is_lead, m.user.name.casefold()))
    return [
        Declaration(
            m.id, m.user.name, m.is_lead, m.declared_at, m.has_conflict, m.scores_submitted_at
        )
        for m in members
    ]


def scorers(call_off: CallOff) -> list[PanelMember]:
    """The members who may score: declared, with no conflict."""
    return [m for m in call_off.panel if m.may_score]


def nobody_can_evaluate(call_off: CallOff) -> bool:
    """Every member has declared a conflict, or the lead has and nobody could take over: this
    panel cannot evaluate the call-off (``panel_roles.nobody_can_evaluate``)."""
    return panel_roles.nobody_can_evaluate(call_off)
