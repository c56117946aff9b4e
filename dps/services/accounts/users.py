"""Accounts: supplier registration, e-mail confirmation, signing in, second factor, passwords.

Nothing here tells a visitor whether an address is registered: the callers show the same page
either way, and the account holder is told by e-mail instead. Every change is audited and
committed with the e-mail it causes (through the outbox).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.outside.tokens import TokenInvalid, email_link, make_token, read_token
from dps.rules.enums import OrganisationKind, Role
from dps.services.accounts import passwords, totp
from dps.services.common import audit
from dps.services.common.outbox import enqueue_email

CONFIRM_PURPOSE = "confirm-email"
RESET_PURPOSE = "reset-password"
SERVICE_NAME = "CCIN Dynamic Purchasing System"


class AccountError(Exception):
    """A request that breaks an account rule; the message is written for the person."""


class WrongPassword(AccountError):
    """The current password given to confirm a change is not the account's password."""


class ResetLinkUsed(TokenInvalid):
    """A reset link whose password has since changed: each link works once."""


# --- finding people -------------------------------------------------------------------------


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


# --- e-mails ----------------------------------------------------------------------------------


def _send(to: str, subject: str, template: str, **context: Any) -> None:
    # Rendered straight from the Jinja environment: no request, so it works in a worker too.
    body = (
        current_app.jinja_env.get_template(f"emails/{template}.txt")
        .render(service_name=SERVICE_NAME, **context)
        .strip()
    )
    enqueue_email(to, subject, body + "\n")


def _hours(seconds: int) -> str:
    hours = max(1, round(seconds / 3600))
    return "1 hour" if hours == 1 else f"{hours} hours"


def _send_confirmation(user: User) -> None:
    token = make_token(CONFIRM_PURPOSE, {"user": user.id, "email": user.email.lower()})
    _send(
        user.email,
        "Confirm your email address",
        "account_confirm",
        user=user,
        link=email_link("auth.confirm_email", token=token),
        expires_in=_hours(current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"]),
    )


# --- registration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    organisation_name: str
    name: str
    email: str
    password: str


def register_supplier(registration: Registration) -> None:
    """Create a supplier organisation and its owner, and ask them to confirm their address.

    If the address is already registered nothing is created; its holder is told by e-mail that
    someone tried. The caller shows the same page either way.
    """
    email = registration.email.strip()
    problem = passwords.problem_with(registration.password, email=email)
    if problem:
        raise AccountError(problem)
    # Hashed even when the address is known, so both paths take the same time.
    password_hash = passwords.hash_password(registration.password)
    existing = find_by_email(email)
    if existing is not None:
        _tell_holder_of_attempt(existing)
        return

    organisation = Organisation(
        name=registration.organisation_name.strip(), kind=OrganisationKind.SUPPLIER
    )
    user = User(email=email, name=registration.name.strip(), password_hash=password_hash)
    db.session.add_all(
        [
            organisation,
            user,
            Membership(user=user, organisation=organisation, role=Role.SUPPLIER_OWNER),
        ]
    )
    db.session.flush()
    audit.record(
        "organisation.registered",
        organisation,
        actor=user,
        after={"name": organisation.name, "kind": str(organisation.kind)},
    )
    audit.record(
        "user.registered",
        user,
        actor=user,
        after={
            "email": user.email,
            "name": user.name,
            "organisation_id": organisation.id,
            "role": str(Role.SUPPLIER_OWNER),
        },
    )
    _send_confirmation(user)
    try:
        db.session.commit()
    except IntegrityError:
        # The same address registered a moment ago by another request: treat it as taken.
        db.session.rollback()
        existing = find_by_email(email)
        if existing is None:
            raise
        _tell_holder_of_attempt(existing)


def _tell_holder_of_attempt(user: User) -> None:
    confirm_link = None
    if user.email_confirmed_at is None:
        token = make_token(CONFIRM_PURPOSE, {"user": user.id, "email": user.email.lower()})
        confirm_link = email_link("auth.confirm_email", token=token)
    _send(
        user.email,
        "Someone tried to register with your email address",
        "account_already_registered",
        user=user,
        sign_in_link=email_link("auth.sign_in"),
        reset_link=email_link("auth.forgotten_password"),
        confirm_link=confirm_link,
    )
    audit.record("user.registration_attempted", user, actor=None)
    db.session.commit()


def resend_confirmation(email: str) -> None:
    """Send a new confirmation link if the address has an account still to be confirmed."""
    user = find_by_email(email)
    if user is None or not user.active or user.email_confirmed_at is not None:
        return
    _send_confirmation(user)
    audit.record("user.confirmation_resent", user, actor=None)
    db.session.commit()


def confirm_email(token: str) -> User:
    """Confirm the address a confirmation link was sent to. Raises TokenInvalid/TokenExpired."""
    payload = read_token(
        CONFIRM_PURPOSE, token, max_age=current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"]
    )
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email.lower() != payload.get("email"):
        raise TokenInvalid("the confirmation link is not for a current account")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record("user.email_confirmed", user, actor=user, after={"email": user.email})
        db.session.commit()
    return user


# --- signing in -------------------------------------------------------------------------------


class Outcome(enum.Enum):
    SIGNED_IN = "signed in"
    REFUSED = "refused"  # unknown address, wrong password or closed account: one answer for all
    UNCONFIRMED = "unconfirmed"  # right password, address not yet confirmed
    NEEDS_CODE = "needs code"  # administrator: password right, second factor next
    NEEDS_CODE_SET_UP = "needs code set-up"  # administrator without an authenticator yet


@dataclass(frozen=True)
class SignInStep:
    outcome: Outcome
    user: User | None = None


def sign_in_with_password(email: str, password: str) -> SignInStep:
    """Check an address and password; sign in, or say what must happen next."""
    user = find_by_email(email)
    if user is None:
        # Verify against a dummy hash so an unknown address takes as long as a wrong password.
        passwords.verify_password(passwords.DUMMY_HASH, password)
        _record_failure(None, email, "unknown address")
        return SignInStep(Outcome.REFUSED)
    if not passwords.verify_password(user.password_hash, password):
        _record_failure(user, email, "wrong password")
        return SignInStep(Outcome.REFUSED)
    if passwords.needs_rehash(user.password_hash):
        # The hashing parameters have been strengthened since this hash was made.
        user.password_hash = passwords.hash_password(password)
        audit.record("user.password_rehashed", user, actor=None)
        db.session.commit()
    if not user.active:
        _record_failure(user, email, "account closed")
        return SignInStep(Outcome.REFUSED)
    if user.email_confirmed_at is None:
        _record_failure(user, email, "email not confirmed")
        return SignInStep(Outcome.UNCONFIRMED, user)
    if is_administrator(user):
        if user.totp_secret and user.totp_confirmed_at:
            return SignInStep(Outcome.NEEDS_CODE, user)
        return SignInStep(Outcome.NEEDS_CODE_SET_UP, user)
    complete_sign_in(user, second_factor=False)
    return SignInStep(Outcome.SIGNED_IN, user)


def _record_failure(user: User | None, email: str, reason: str) -> None:
    audit.record(
        "user.sign_in_failed",
        user,
        actor=None,
        object_type="users",
        object_id="" if user is None else None,
        after={"email": email.strip()[:320], "reason": reason},
    )
    db.session.commit()


def complete_sign_in(user: User, *, second_factor: bool) -> None:
    user.last_signed_in_at = utcnow()
    audit.record("user.signed_in", user, actor=user, after={"second_factor": second_factor})
    db.session.commit()


def record_sign_out(user: User) -> None:
    audit.record("user.signed_out", user, actor=user)
    db.session.commit()


def pending_administrator(user_id: int, session_version: int) -> User | None:
    """The administrator part-way through signing in, if that sign-in is still good."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != session_version:
        return None
    return user if is_administrator(user) else None


# --- second factor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSetUp:
    secret_grouped: str
    qr_code_data_uri: str


def code_set_up(user: User) -> CodeSetUp:
    """The secret to put in an authenticator app, made on first use and kept until confirmed."""
    if user.totp_confirmed_at is not None:
        raise AccountError("An authenticator app is already set up for this account")
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        audit.record("user.totp_set_up_started", user, actor=user)
        db.session.commit()
    uri = totp.provisioning_uri(user.totp_secret, user.email)
    return CodeSetUp(totp.grouped(user.totp_secret), totp.qr_code_data_uri(uri))


def confirm_code_set_up(user: User, code: str) -> bool:
    """Confirm the authenticator app with a code from it; on success the sign-in completes."""
    if user.totp_confirmed_at is not None or not user.totp_secret:
        return False
    step = totp.accepted_step(user.totp_secret, code, last_step=user.totp_last_step)
    if step is None:
        _record_failure(user, user.email, "wrong code during set-up")
        return False
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    audit.record("user.totp_confirmed", user, actor=user)
    complete_sign_in(user, second_factor=True)
    return True


def sign_in_with_code(user: User, code: str) -> bool:
    """Check a code from the administrator's app; on success the sign-in completes."""
    if user.totp_confirmed_at is None or not user.totp_secret:
        return False
    step = totp.accepted_step(user.totp_secret, code, last_step=user.totp_last_step)
    if step is None:
        _record_failure(user, user.email, "wrong or reused code")
        return False
    user.totp_last_step = step
    complete_sign_in(user, second_factor=True)
    return True


# --- passwords --------------------------------------------------------------------------------


def _fingerprint(password_hash: str) -> str:
    # Changes whenever the password does, so a reset link dies once used. A digest of the hash,
    # not the hash itself, because the token's payload is readable by whoever holds the link.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def _set_password(user: User, new_password: str) -> None:
    problem = passwords.problem_with(new_password, email=user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new_password)
    # Every session made before this stops working (the session id carries the version).
    user.session_version += 1


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address has an account; do nothing visible otherwise."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    token = make_token(RESET_PURPOSE, {"user": user.id, "fp": _fingerprint(user.password_hash)})
    _send(
        user.email,
        "Reset your password",
        "account_reset_password",
        user=user,
        link=email_link("auth.reset_password", token=token),
        expires_in=_hours(current_app.config["RESET_TOKEN_MAX_AGE_SECONDS"]),
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
    _send(user.email, "Your password has been changed", "account_password_changed", user=user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a signed-in person's password.

    Their other sessions end; the caller signs this session in again with the new version.
    """
    if not passwords.verify_password(user.password_hash, current_password):
        audit.record("user.password_change_refused", user, actor=user)
        db.session.commit()
        raise WrongPassword("Your current password is not correct")
    _set_password(user, new_password)
    audit.record("user.password_changed", user, actor=user)
    _send(user.email, "Your password has been changed", "account_password_changed", user=user)
    db.session.commit()
