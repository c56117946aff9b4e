"""People's accounts: finding one by email address, telling an administrator, AccountError.

``AccountError`` is the refusal every account rule gives (a weak password, a wrong one).

What people do with their accounts is beside this module: ``registration`` (register, confirm
the address, resend the link), ``signing_in`` (password, second factor, sign-out) and
``password_reset`` (forgotten and changed passwords).
"""

from __future__ import annotations

from sqlalchemy import func

from dps.extensions import db
from dps.models.accounts import User
from dps.rules.enums import Role
from dps.rules.refusals import Refusal


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
