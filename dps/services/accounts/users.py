"""People's accounts: finding one by email address, telling an administrator, AccountError.

``AccountError`` is the refusal every account rule gives (a weak password, a wrong one).

What people do with their accounts is beside this module: ``registration`` (register, confirm
the address, resend the link), ``signing_in`` (password, second factor, sign-out) and
``password_reset`` (forgotten and changed passwords).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.organisations import Organisation
from dps.rules.enums import Role
from dps.rules.refusals import Refusal
from dps.services.common import audit


class AccountError(Refusal):
    """A request that breaks an account rule; the message is written for the person."""


def find_by_email(email: str) -> User | None:
    """The account with this address, ignoring case (as the unique index does)."""
    email = email.strip()
    if not email:
        return None
    # lower() on both sides, in the database, so the match folds case exactly as the index does.
    return db.session.scalars(
        db.select(User).where(func.lower(User.email) == func.lower(email))
    ).first()


def is_administrator(user: User) -> bool:
    return user.membership is not None and user.membership.effective_role == Role.ADMINISTRATOR


def add_account(
    *,
    email: str,
    name: str,
    organisation: Organisation,
    role: Role,
    password_hash: str,
    confirmed_at: datetime,
    totp_secret: str | None = None,
    is_demo: bool = False,
    actor: User | None,
) -> User:
    """An account whose address is already confirmed, with its membership, in the session.

    For accounts set up by the service itself (the demonstration accounts); people register or
    accept an invitation instead. A second factor given here counts as set up.
    """
    user = User(
        email=email,
        name=name,
        password_hash=password_hash,
        email_confirmed_at=confirmed_at,
        totp_secret=totp_secret,
        totp_confirmed_at=confirmed_at if totp_secret else None,
        is_demo=is_demo,
    )
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    after: dict[str, object] = {
        "email": email,
        "organisation_id": organisation.id,
        "role": str(role),
    }
    if is_demo:
        after["demo"] = True
    audit.record_new(user, "user.created", actor=actor, after=after)
    return user
