"""Accounts whose address is not yet confirmed: taken over by an invitation, or expired.

Registering needs no proof of the address, so an account not yet confirmed may have been made
by anyone with someone else's address. It must not keep that address from its owner: an
invitation to the address takes the account over when accepted (``take_over``), and an account
left unconfirmed for UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS is closed and its address released
(``expire``, run on the workers' beat by workers/scheduled.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from dps.extensions import db
from dps.models.accounts import Invitation, Membership, User
from dps.models.base import utcnow
from dps.services.common import audit

# An expired account's address becomes this (the .invalid domain never receives mail), so the
# real address is free again; the audit trail keeps the one it had.
RELEASED_DOMAIN = "unconfirmed.invalid"


def take_over(user: User, invitation: Invitation, name: str, password_hash: str) -> User:
    """An account registered with the invited address but never confirmed becomes the invited
    person's: their name and password, the address confirmed (the link proves it), and the
    invited place instead of the one registered. Whoever registered it can no longer sign in.
    """
    membership = user.membership
    before = {
        "name": user.name,
        "email_confirmed": False,
        "organisation_id": membership.organisation_id if membership else None,
        "role": str(membership.role) if membership else None,
    }
    user.name = name
    user.password_hash = password_hash
    user.email_confirmed_at = utcnow()
    user.active = True
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    user.session_version += 1
    if membership is None:
        membership = Membership(user=user, organisation=invitation.organisation)
        db.session.add(membership)
    membership.organisation = invitation.organisation
    membership.role = invitation.role
    db.session.flush()
    audit.record(
        "user.taken_over_by_invitation",
        user,
        actor=user,
        before=before,
        after={
            "name": name,
            "email_confirmed": True,
            "organisation_id": invitation.organisation_id,
            "role": str(invitation.role),
            "invitation_id": invitation.id,
        },
    )
    return user


def expire(at: datetime) -> int:
    """Close every account left unconfirmed longer than the setting allows, releasing its
    address for its owner to register or be invited with. Returns how many were closed."""
    max_age = timedelta(seconds=int(current_app.config["UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS"]))
    stale = db.session.scalars(
        db.select(User)
        .where(
            User.email_confirmed_at.is_(None),
            User.created_at < at - max_age,
            ~User.email.endswith(f"@{RELEASED_DOMAIN}"),
        )
        .order_by(User.id)
        .with_for_update(skip_locked=True)
    ).all()
    for user in stale:
        before = {"email": user.email, "active": user.active}
        user.email = f"expired-{user.id}@{RELEASED_DOMAIN}"
        user.active = False
        user.session_version += 1
        audit.record(
            "user.unconfirmed_expired",
            user,
            actor=None,
            before=before,
            after={"email": user.email, "active": False},
        )
    db.session.commit()
    return len(stale)
