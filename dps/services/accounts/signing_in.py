"""Signing in and out: the password, an administrator's second factor, and the audit of each.

A wrong password, an unknown address and a closed account get one answer, so a visitor cannot
tell which addresses are registered; each failure is audited with its real reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.services.accounts import passwords, totp
from dps.services.accounts.users import AccountError, find_by_email, is_administrator
from dps.services.common import audit


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


# --- the password ---------------------------------------------------------------------------


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
    """Sign out: every cookie for this account stops working, copies included.

    The session cookie carries the account's session version (``User.get_id``); moving it on
    ends this session and any copy of it, and signs the person out on their other devices too.
    """
    user.session_version += 1
    audit.record("user.signed_out", user, actor=user)
    db.session.commit()


def pending_administrator(user_id: int, session_version: int) -> User | None:
    """The administrator part-way through signing in, if that sign-in is still good."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != session_version:
        return None
    return user if is_administrator(user) else None


# --- the second factor ----------------------------------------------------------------------


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
    if step is None or not _claim_step(user, step):
        _record_failure(user, user.email, "wrong code during set-up")
        return False
    user.totp_confirmed_at = utcnow()
    audit.record("user.totp_confirmed", user, actor=user)
    complete_sign_in(user, second_factor=True)
    return True


def sign_in_with_code(user: User, code: str) -> bool:
    """Check a code from the administrator's app; on success the sign-in completes."""
    if user.totp_confirmed_at is None or not user.totp_secret:
        return False
    step = totp.accepted_step(user.totp_secret, code, last_step=user.totp_last_step)
    if step is None or not _claim_step(user, step):
        _record_failure(user, user.email, "wrong or reused code")
        return False
    complete_sign_in(user, second_factor=True)
    return True


def _claim_step(user: User, step: int) -> bool:
    """Mark ``step`` used, in one conditional UPDATE, unless another request already has.

    Several sign-ins posting the same code at once all find it unused when they read it; the
    database lets only one of them move ``totp_last_step`` forward (the others wait for its
    commit, then find the condition no longer holds), so a code signs in once.
    """
    claimed = db.session.execute(
        db.update(User)
        .where(
            User.id == user.id,
            db.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return False
    db.session.expire(user, ["totp_last_step"])
    return True
