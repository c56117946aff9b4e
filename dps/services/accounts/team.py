"""A supplier organisation's team: its owner and colleagues, and the invitations waiting.

Every colleague can see the team; only the owner changes it (DESIGN §4). The views say so with
their access rule, and each function here checks it again, so no other caller can bypass it.
Invitations go through the invitations service and its acceptance page, as for member
organisations. Removing a colleague closes their account: they cannot sign in, their sessions
end at once, and what they did stays in the audit trail under their name.
"""

from __future__ import annotations

from sqlalchemy import case, func

from dps.extensions import db
from dps.models.accounts import Invitation, Membership, User
from dps.models.organisations import Organisation
from dps.rules.enums import OrganisationKind, Role
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.accounts import invitation_limits, invitations
from dps.services.common import audit
from dps.services.common.emails import send_email


class TeamRefused(Refusal):
    """A change to the team the rules do not allow; ``field`` is where the message belongs."""


class NotOwner(NotAllowed):
    """Only the organisation's owner manages its team."""


class NotInTeam(NotFound):
    """No such person or invitation in this organisation (someone else's is not found either)."""


def supplier_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        raise NotInTeam(organisation_id)
    return organisation


def _require_owner(actor: User, organisation_id: int) -> None:
    membership = actor.membership
    if (
        not actor.active
        or membership is None
        or membership.organisation_id != organisation_id
        or membership.role != Role.SUPPLIER_OWNER
    ):
        raise NotOwner("Only your organisation’s owner can manage its team")


def is_owner(user: User, organisation_id: int) -> bool:
    try:
        _require_owner(user, organisation_id)
    except NotOwner:
        return False
    return True


# --- reading --------------------------------------------------------------------------------


def members(organisation_id: int) -> list[Membership]:
    """The people who can sign in for the organisation: the owner first, then by name."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(User)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(
                case((Membership.role == Role.SUPPLIER_OWNER, 0), else_=1),
                func.lower(User.name),
                User.id,
            )
        )
    )


def pending_invitations(organisation_id: int) -> list[Invitation]:
    return invitations.pending_invitations(supplier_organisation(organisation_id))


def get_colleague(organisation_id: int, user_id: int) -> Membership | None:
    """A current colleague in this organisation; None for anyone else's or a removed one."""
    return db.session.scalars(
        db.select(Membership)
        .join(User)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.user_id == user_id,
            User.active.is_(True),
        )
    ).first()


def get_pending_invitation(organisation_id: int, invitation_id: int) -> Invitation | None:
    invitation = db.session.scalars(
        db.select(Invitation).where(
            Invitation.id == invitation_id, Invitation.organisation_id == organisation_id
        )
    ).first()
    if invitation is None or not invitations.is_pending(invitation):
        return None
    return invitation


# --- changing -------------------------------------------------------------------------------


def invite_colleague(organisation_id: int, email: str, *, actor: User) -> Invitation:
    """Invite a colleague by email, as a user of the organisation."""
    _require_owner(actor, organisation_id)
    organisation = supplier_organisation(organisation_id)
    try:
        email = invitations.clean_email(email)
    except invitations.InvitationRefused as refused:
        raise TeamRefused(refused.message, field="email") from refused
    existing = invitations.account_for(email)
    # Only what the owner knows already is said: who is, or was, in their own team. Anyone
    # else's account is not revealed (the invitations service tells its holder instead).
    if existing is not None and existing.membership is not None:
        if existing.membership.organisation_id == organisation_id and not existing.active:
            raise TeamRefused(
                f"{existing.email} was removed from your team, so their account is closed. "
                "Contact Oldham Council procurement to have it opened again",
                field="email",
            )
        if existing.membership.organisation_id == organisation_id:
            raise TeamRefused(f"{existing.email} is already in your team", field="email")
    try:
        invitation_limits.take_slots(owner_id=actor.id, organisation_id=organisation_id)
        return invitations.invite(
            organisation, email, Role.SUPPLIER_USER, actor=actor, keep_accounts_private=True
        )
    except invitations.InvitationRefused as refused:
        raise TeamRefused(refused.message, field=refused.field or "email") from refused


def cancel_invitation(organisation_id: int, invitation_id: int, *, actor: User) -> Invitation:
    _require_owner(actor, organisation_id)
    invitation = get_pending_invitation(organisation_id, invitation_id)
    if invitation is None:
        raise NotInTeam(invitation_id)
    invitations.cancel(invitation, actor=actor)
    return invitation


def remove_colleague(organisation_id: int, user_id: int, *, actor: User) -> User:
    """Close a colleague's account: no more signing in, and every session of theirs ends."""
    _require_owner(actor, organisation_id)
    membership = get_colleague(organisation_id, user_id)
    if membership is None:
        raise NotInTeam(user_id)
    colleague = membership.user
    if colleague.id == actor.id or membership.role == Role.SUPPLIER_OWNER:
        raise TeamRefused(
            "You cannot remove yourself. Make a colleague the owner first if you are leaving"
        )
    colleague.active = False
    # The loader refuses inactive accounts anyway; a new session version also ends sessions
    # held elsewhere, as a password change does.
    colleague.session_version += 1
    audit.record(
        "team.colleague_removed",
        colleague,
        actor=actor,
        before={"active": True, "organisation_id": organisation_id, "role": str(membership.role)},
        after={"active": False},
    )
    organisation = membership.organisation
    send_email(
        colleague.email,
        f"Your access to {organisation.name} on the CCIN DPS has ended",
        "team_removed",
        colleague=colleague,
        organisation=organisation,
        owner=actor,
    )
    db.session.commit()
    return colleague


def hand_over_ownership(organisation_id: int, user_id: int, *, actor: User) -> User:
    """Make a colleague the owner; the owner who hands over stays on as a user."""
    _require_owner(actor, organisation_id)
    membership = get_colleague(organisation_id, user_id)
    if membership is None:
        raise NotInTeam(user_id)
    if membership.user_id == actor.id:
        raise TeamRefused("You are already the owner")
    own = actor.membership
    assert own is not None  # _require_owner checked it
    own.role = Role.SUPPLIER_USER
    membership.role = Role.SUPPLIER_OWNER
    audit.record(
        "team.ownership_handed_over",
        own.organisation,
        actor=actor,
        before={"owner_user_id": actor.id},
        after={"owner_user_id": membership.user_id},
    )
    send_email(
        membership.user.email,
        f"You are now the owner of {own.organisation.name} on the CCIN DPS",
        "team_new_owner",
        colleague=membership.user,
        organisation=own.organisation,
        owner=actor,
    )
    db.session.commit()
    return membership.user
