"""A draft call-off's evaluation panel: buyers of the call-off's own organisation, one of whom
leads. Fixed once the call-off is published."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff, PanelMember
from dps.rules.enums import Role
from dps.rules.refusals import Refusal
from dps.services.calloffs.drafting import finish_saving, require_editable, section_snapshot


class PanelRefused(Refusal):
    """Someone chosen cannot sit on the panel; ``field`` is "members" or "lead"."""


def candidates(organisation_id: int) -> list[User]:
    """The people who may sit on a panel: the organisation's active buyers, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.role == Role.BUYER,
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def save_panel(
    call_off: CallOff,
    member_ids: Iterable[int | str],
    lead_id: int | str | None,
    *,
    actor: User,
    at: datetime | None = None,
) -> list[Refusal]:
    """Put these buyers on the panel, ``lead_id`` leading. Anyone who is not an active buyer of
    the organisation is refused (and not kept); what was chosen is kept to show again."""
    require_editable(call_off, actor)
    member_ids = list(member_ids)
    before = section_snapshot(call_off, "panel")
    allowed = {user.id: user for user in candidates(call_off.organisation_id)}
    chosen: list[int] = []
    refused: list[Refusal] = []
    for raw in member_ids:
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            refused.append(PanelRefused("Choose people from the list", field="members"))
            continue
        if user_id not in allowed:
            refused.append(
                PanelRefused(
                    "Only buyers of your organisation can sit on the evaluation panel",
                    field="members",
                )
            )
        elif user_id not in chosen:
            chosen.append(user_id)
    try:
        lead = int(lead_id) if lead_id not in (None, "") else None
    except (TypeError, ValueError):
        lead = None
    existing = {member.user_id: member for member in call_off.panel}
    for user_id, member in list(existing.items()):
        if user_id not in chosen:
            call_off.panel.remove(member)
    for user_id in chosen:
        kept = existing.get(user_id)
        if kept is None:
            kept = PanelMember(user_id=user_id)
            call_off.panel.append(kept)
        kept.is_lead = user_id == lead
    pending = dict(call_off.pending_input or {})
    if refused:
        pending["panel"] = {"members": [str(m) for m in member_ids], "lead": str(lead_id or "")}
    else:
        pending.pop("panel", None)
    call_off.pending_input = pending or None
    problems = finish_saving(call_off, "panel", before, actor=actor, at=at or utcnow())
    return _unique([*refused, *problems])


def _unique(refusals: list[Refusal]) -> list[Refusal]:
    seen: set[str] = set()
    kept = []
    for refusal in refusals:
        if refusal.message not in seen:
            seen.add(refusal.message)
            kept.append(refusal)
    return kept
