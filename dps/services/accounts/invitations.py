"""Inviting people by email to a member organisation, the network, or the DPS's own team.

An invitation is a row plus an email (through the outbox) carrying a signed link that expires.
Accepting it creates the account, with the email address confirmed (the link proves it), and
the membership with the invited role.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import Invitation, Membership, User
from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.outside import tokens
from dps.rules.enums import Role
from dps.rules.refusals import Refusal
from dps.services.accounts import organisations as organisations_service
from dps.services.accounts import passwords, unconfirmed_accounts
from dps.services.common import audit
from dps.services.common.emails import send_email

LINK_PURPOSE = "invitation"
NAME_MAX_LENGTH = 200


class InvitationRefused(Refusal):
    """An invitation, or an acceptance, the rules do not allow; ``field`` is where it belongs."""


class Unusable(enum.StrEnum):
    """Why an invitation link cannot be used."""

    INVALID = "invalid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    USED = "used"
    HAS_ACCOUNT = "has_account"


UNUSABLE_MESSAGES = {
    Unusable.INVALID: "This invitation link is not valid",
    Unusable.EXPIRED: "This invitation has expired",
    Unusable.CANCELLED: "This invitation has been cancelled",
    Unusable.USED: "This invitation has already been used",
    Unusable.HAS_ACCOUNT: "You already have an account",
}


class InvitationUnusable(Refusal):
    """An invitation link that cannot be used, and why (``reason``), for the page that says so."""

    def __init__(self, reason: Unusable, invitation: Invitation | None = None) -> None:
        super().__init__(UNUSABLE_MESSAGES[reason])
        self.reason = reason
        self.invitation = invitation


def max_age_seconds() -> int:
    return int(current_app.config["INVITATION_MAX_AGE_SECONDS"])


def is_pending(invitation: Invitation, at: datetime | None = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.cancelled_at is None
        and (at or utcnow()) < invitation.expires_at
    )


def account_for(email: str) -> User | None:
    return db.session.scalars(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()


def confirmed_account_for(email: str) -> User | None:
    """The account with this address if its holder has confirmed it. An account not yet
    confirmed may be anyone's (registering needs no proof of the address), so it blocks no
    invitation: accepting one takes it over."""
    account = account_for(email)
    return account if account is not None and account.email_confirmed_at is not None else None


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    now = utcnow()
    invitations = db.session.scalars(
        db.select(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return [invitation for invitation in invitations if is_pending(invitation, now)]


def _pending_for(email: str, organisation: Organisation | None = None) -> Invitation | None:
    """A pending invitation for the address (to ``organisation`` only, when given)."""
    now = utcnow()
    query = db.select(Invitation).where(
        func.lower(Invitation.email) == email.lower(),
        Invitation.accepted_at.is_(None),
        Invitation.cancelled_at.is_(None),
    )
    if organisation is not None:
        query = query.where(Invitation.organisation_id == organisation.id)
    return next((i for i in db.session.scalars(query) if is_pending(i, now)), None)


def clean_email(email: str) -> str:
    """The address trimmed, if it is shaped like one; else InvitationRefused on ``email``."""
    email = email.strip()
    if not email:
        raise InvitationRefused("Enter the person’s email address", field="email")
    try:
        # No DNS look-up: the check is about the address's shape, not the network.
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvitationRefused(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from error
    return email


def invite(
    organisation: Organisation,
    email: str,
    role: Role,
    *,
    actor: User | None,
    keep_accounts_private: bool = False,
) -> Invitation:
    """Invite a person to ``organisation`` with ``role``, and queue the email with the link.

    With ``keep_accounts_private`` (a supplier's owner inviting: anyone can register a supplier)
    the inviter learns nothing about other people's accounts and invitations. An address with
    an account gets an invitation like any other, but its holder is told by email instead of
    being sent a link; only a waiting invitation to this same organisation is refused.
    Administrators, who see every account anyway, are told plainly.
    """
    email = clean_email(email)
    if role not in organisations_service.invitable_roles(organisation):
        raise InvitationRefused(_why_role_refused(organisation, role), field="role")
    existing = confirmed_account_for(email)
    if existing is not None and not keep_accounts_private:
        raise InvitationRefused(
            f"{email} already has an account, so cannot be invited. A person can belong to "
            "one organisation only",
            field="email",
        )
    if _pending_for(email, organisation if keep_accounts_private else None) is not None:
        raise InvitationRefused(
            f"{email} already has an invitation waiting. Cancel it first to send a new one",
            field="email",
        )
    now = utcnow()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by_id=actor.id if actor else None,
        created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds()),
    )
    audit.record_new(
        invitation,
        "invitation.sent",
        actor=actor,
        after={
            "email": email,
            "organisation_id": organisation.id,
            "role": str(role),
            "expires_at": invitation.expires_at.isoformat(),
            **({"holder_told_instead": True} if existing is not None else {}),
        },
    )
    if existing is not None:
        _tell_holder_of_invitation(existing, invitation)
        db.session.commit()
        return invitation
    send_email(
        email,
        f"You are invited to the CCIN dynamic purchasing system as {_article(role)}",
        "invitation",
        invitation=invitation,
        link=accept_link(invitation),
        inviter=actor,
        expires_at=invitation.expires_at,
    )
    db.session.commit()
    return invitation


def _tell_holder_of_invitation(holder: User, invitation: Invitation) -> None:
    """The holder of an address invited again learns of it; the inviter does not learn of them.

    No link (it could not be used: a person belongs to one organisation only) and no name the
    inviter typed.
    """
    send_email(
        holder.email,
        "Someone invited your email address to the CCIN dynamic purchasing system",
        "invitation_has_account",
        user=holder,
        invitation=invitation,
        sign_in_link=tokens.email_link("auth.sign_in"),
    )


def _article(role: Role) -> str:
    label = role.label.lower()
    return f"an {label}" if label[0] in "aeiou" else f"a {label}"


def _why_role_refused(organisation: Organisation, role: Role) -> str:
    if role == Role.BUYER and organisation.membership_type is not None:
        return (
            f"{organisation.name} is {_article_for_type(organisation)} member, and "
            f"{organisation.membership_type.label} members may not buy from the DPS. "
            "Invite this person as a viewer instead"
        )
    if role == Role.ADMINISTRATOR:
        return "Administrators can only be invited to the organisation that runs the DPS"
    return f"{role.label} is not a role people can be invited to in {organisation.name}"


def _article_for_type(organisation: Organisation) -> str:
    label = organisation.membership_type.label if organisation.membership_type else ""
    return f"an {label}" if label[:1] in "AEIOU" else f"a {label}"


def token_for(invitation: Invitation) -> str:
    return tokens.make_token(LINK_PURPOSE, {"invitation_id": invitation.id})


def accept_link(invitation: Invitation) -> str:
    return tokens.email_link("auth.accept_invitation", token=token_for(invitation))


def get(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


def cancel(invitation: Invitation, *, actor: User | None) -> None:
    """Cancel a pending invitation; its link then shows that it was cancelled."""
    if invitation.accepted_at is not None:
        raise InvitationRefused("This invitation has already been accepted, so cannot be cancelled")
    if invitation.cancelled_at is not None:
        return
    invitation.cancelled_at = utcnow()
    audit.record(
        "invitation.cancelled",
        invitation,
        actor=actor,
        before={"status": "pending"},
        after={"status": "cancelled", "email": invitation.email},
    )
    db.session.commit()


def open_invitation(token: str) -> Invitation:
    """The invitation a link points at, if it can still be accepted; else InvitationUnusable."""
    try:
        payload = tokens.read_token(LINK_PURPOSE, token, max_age_seconds())
    except tokens.TokenExpired as error:
        raise InvitationUnusable(Unusable.EXPIRED) from error
    except tokens.TokenInvalid as error:
        raise InvitationUnusable(Unusable.INVALID) from error
    invitation_id = payload.get("invitation_id")
    invitation = (
        db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    )
    if invitation is None:
        raise InvitationUnusable(Unusable.INVALID)
    if invitation.accepted_at is not None:
        raise InvitationUnusable(Unusable.USED, invitation)
    if invitation.cancelled_at is not None:
        raise InvitationUnusable(Unusable.CANCELLED, invitation)
    if utcnow() >= invitation.expires_at:
        raise InvitationUnusable(Unusable.EXPIRED, invitation)
    if confirmed_account_for(invitation.email) is not None:
        raise InvitationUnusable(Unusable.HAS_ACCOUNT, invitation)
    return invitation


def accept(invitation: Invitation, *, name: str, password: str) -> User:
    """Create the invited person's account and membership. The caller signs them in."""
    name = " ".join(name.split())
    if not name:
        raise InvitationRefused("Enter your full name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvitationRefused(
            f"Your name must be {NAME_MAX_LENGTH} characters or fewer", field="name"
        )
    problem = passwords.problem_with(password, email=invitation.email)
    if problem:
        raise InvitationRefused(problem, field="password")
    password_hash = passwords.hash_password(password)
    try:
        user = _join(invitation, name, password_hash)
        db.session.commit()
    except IntegrityError as error:
        # The address registered, or this link was used, a moment ago in another request.
        db.session.rollback()
        raise InvitationUnusable(Unusable.HAS_ACCOUNT, invitation) from error
    return user


def _join(invitation: Invitation, name: str, password_hash: str) -> User:
    """The account (address confirmed by the link) and membership, in the session."""
    # The role as invited, even if the organisation has since stopped buying: the membership
    # records it and Membership.effective_role limits a buyer there to viewing.
    role = invitation.role
    now = utcnow()
    unconfirmed = account_for(invitation.email)
    if unconfirmed is not None and unconfirmed.email_confirmed_at is None:
        user = unconfirmed_accounts.take_over(unconfirmed, invitation, name, password_hash)
    else:
        user = User(
            email=invitation.email,
            name=name,
            password_hash=password_hash,
            email_confirmed_at=now,
            created_at=now,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(
            Membership(user=user, organisation=invitation.organisation, role=role, created_at=now)
        )
    invitation.accepted_at = now
    audit.record(
        "invitation.accepted",
        invitation,
        actor=user,
        before={"status": "pending"},
        after={"status": "accepted", "user_id": user.id},
    )
    audit.record(
        "user.created",
        user,
        actor=user,
        after={
            "email": user.email,
            "organisation_id": invitation.organisation_id,
            "role": str(role),
            "through": "invitation",
        },
    )
    return user
