"""Passwords forgotten and changed: the emailed reset link, which works once, and a change made
when signed in. Either ends every other session of the account.

Asking for a reset looks the same whether or not the address is registered.
"""

from __future__ import annotations

import hashlib

from flask import current_app

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.outside.tokens import TokenInvalid, email_link, lifetime_in_words, make_token, read_token
from dps.services.accounts import passwords
from dps.services.accounts.users import AccountError, find_by_email
from dps.services.common import audit
from dps.services.common.emails import send_email

RESET_PURPOSE = "reset-password"


class WrongPassword(AccountError):
    """The current password given to confirm a change is not the account's password."""


class ResetLinkUsed(TokenInvalid):
    """A reset link whose password has since changed: each link works once."""


def _fingerprint(password_hash: str) -> str:
    # Changes whenever the password does, so a reset link dies once used. A digest of the hash,
    # not the hash itself, because the token's payload is readable by whoever holds the link.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def _set_password(user: User, new_password: str) -> None:
    problem = passwords.problem_with(new_password, email=user.email)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(new_password)
    # Every session made before this stops working (the session id carries the version).
    user.session_version += 1


def _tell_password_changed(user: User) -> None:
    send_email(user.email, "Your password has been changed", "account_password_changed", user=user)


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; do nothing visible otherwise."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    token = make_token(RESET_PURPOSE, {"user": user.id, "fp": _fingerprint(user.password_hash)})
    send_email(
        user.email,
        "Reset your password",
        "account_reset_password",
        user=user,
        link=email_link("auth.reset_password", token=token),
        expires_in=lifetime_in_words(current_app.config["RESET_TOKEN_MAX_AGE_SECONDS"]),
    )
    audit.record("user.password_reset_requested", user, actor=None)
    db.session.commit()


def user_for_reset_link(token: str) -> User:
    """The account a reset link is for. Raises TokenExpired, ResetLinkUsed or TokenInvalid."""
    payload = read_token(
        RESET_PURPOSE, token, max_age=current_app.config["RESET_TOKEN_MAX_AGE_SECONDS"]
    )
    user = db.session.get(User, payload.get("user"))
    if user is None or not user.active:
        raise TokenInvalid("the reset link is not for a current account")
    if payload.get("fp") != _fingerprint(user.password_hash):
        raise ResetLinkUsed("the reset link has already been used")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link and every other session then end."""
    user = user_for_reset_link(token)
    _set_password(user, new_password)
    if user.email_confirmed_at is None:
        # Opening the link proves they read mail at this address.
        user.email_confirmed_at = utcnow()
    audit.record("user.password_reset", user, actor=user)
    _tell_password_changed(user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a signed-in person's password.

    Their other sessions end; the caller signs this session in again with the new version.
    """
    if not passwords.verify_password(user.password_hash, current_password):
        audit.record("user.password_change_refused", user, actor=user)
        db.session.commit()
        raise WrongPassword("Your current password is not correct", field="current_password")
    _set_password(user, new_password)
    audit.record("user.password_changed", user, actor=user)
    _tell_password_changed(user)
    db.session.commit()
