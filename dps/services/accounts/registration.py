"""Supplier registration: a new organisation and its owner, the address confirmed by a link.

Nothing here tells a visitor whether an address is registered: the callers show the same page
either way, and the account holder is told by email instead. Names are kept on one line, and no
email to an address not yet confirmed carries a name typed here: whoever registers can type
anything, and the address may be someone else's. Every change is audited and
committed with the email it causes (through the outbox).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.outside.tokens import TokenInvalid, email_link, lifetime_in_words, make_token, read_token
from dps.rules.enums import OrganisationKind, Role
from dps.rules.names import NAME_MAX_LENGTH, one_line
from dps.services.accounts import passwords
from dps.services.accounts.users import AccountError, find_by_email
from dps.services.common import audit
from dps.services.common.emails import send_email

CONFIRM_PURPOSE = "confirm-email"


@dataclass(frozen=True)
class Registration:
    organisation_name: str
    name: str
    email: str
    password: str
    # A secret the registering browser keeps (in its session): the confirmation link opened
    # there confirms at once; anywhere else it asks for a new password (see confirm_email).
    browser: str = ""


class NewPasswordNeeded(Exception):
    """The account was not registered in the browser that opened the link, so whoever chose its
    password may not be whoever reads this mail: a new password confirms the address."""

    def __init__(self, user: User) -> None:
        super().__init__("a new password is needed to confirm this address")
        self.user = user


def register_supplier(registration: Registration) -> None:
    """Create a supplier organisation and its owner, and ask them to confirm their address.

    If the address is already registered nothing is created; its holder is told by email that
    someone tried. The caller shows the same page either way.
    """
    email = registration.email.strip()
    organisation_name = _one_line_name(
        registration.organisation_name,
        "organisation_name",
        "Enter the name of your organisation",
        "Organisation name",
    )
    name = _one_line_name(registration.name, "name", "Enter your full name", "Your full name")
    problem = passwords.problem_with(registration.password, email=email)
    if problem:
        raise AccountError(problem, field="password")
    # Hashed even when the address is known, so both paths take the same time.
    password_hash = passwords.hash_password(registration.password)
    existing = find_by_email(email)
    if existing is not None:
        _tell_holder_of_attempt(existing)
        return

    organisation = Organisation(name=organisation_name, kind=OrganisationKind.SUPPLIER)
    user = User(email=email, name=name, password_hash=password_hash)
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
    _send_confirmation(user, browser=registration.browser)
    try:
        db.session.commit()
    except IntegrityError:
        # The same address registered a moment ago by another request: treat it as taken.
        db.session.rollback()
        existing = find_by_email(email)
        if existing is None:
            raise
        _tell_holder_of_attempt(existing)


def _one_line_name(typed: str, field: str, missing: str, label: str) -> str:
    """A name as kept: one line, trimmed, no longer than NAME_MAX_LENGTH."""
    name = one_line(typed)
    if not name:
        raise AccountError(missing, field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise AccountError(f"{label} must be {NAME_MAX_LENGTH} characters or fewer", field=field)
    return name


def _browser_mark(browser: str) -> str:
    # A digest: the link's payload is readable by whoever holds it.
    return hashlib.sha256(f"dps-registering-browser:{browser}".encode()).hexdigest()[:32]


def _confirm_link(user: User, browser: str = "") -> str:
    payload: dict[str, object] = {"user": user.id, "email": user.email.lower()}
    if browser:
        payload["by"] = _browser_mark(browser)
    return email_link("auth.confirm_email", token=make_token(CONFIRM_PURPOSE, payload))


def _send_confirmation(user: User, browser: str = "") -> None:
    send_email(
        user.email,
        "Confirm your email address",
        "account_confirm",
        user=user,
        link=_confirm_link(user, browser),
        expires_in=lifetime_in_words(current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"]),
    )


def _tell_holder_of_attempt(user: User) -> None:
    send_email(
        user.email,
        "Someone tried to register with your email address",
        "account_already_registered",
        user=user,
        sign_in_link=email_link("auth.sign_in"),
        reset_link=email_link("auth.forgotten_password"),
        confirm_link=_confirm_link(user) if user.email_confirmed_at is None else None,
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


def account_for_link(token: str) -> User:
    """The account a confirmation link is for. Raises TokenInvalid/TokenExpired."""
    return _account_for_link(token)[0]


def _account_for_link(token: str) -> tuple[User, dict[str, object]]:
    payload = read_token(
        CONFIRM_PURPOSE, token, max_age=current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"]
    )
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email.lower() != payload.get("email"):
        raise TokenInvalid("the confirmation link is not for a current account")
    return user, payload


def confirm_email(token: str, browser: str = "") -> User:
    """Confirm the address a confirmation link was sent to. Raises TokenInvalid/TokenExpired.

    Only the link sent on registering, opened in the browser that registered (``browser``, the
    secret it keeps), confirms at once. Anyone can register someone else's address, so any
    other opening raises NewPasswordNeeded: confirm_email_with_password then confirms, and
    whoever registered no longer knows the password.
    """
    user, payload = _account_for_link(token)
    if user.email_confirmed_at is None:
        mark = payload.get("by")
        if not browser or not isinstance(mark, str):
            raise NewPasswordNeeded(user)
        if not hmac.compare_digest(mark, _browser_mark(browser)):
            raise NewPasswordNeeded(user)
        user.email_confirmed_at = utcnow()
        audit.record("user.email_confirmed", user, actor=user, after={"email": user.email})
        db.session.commit()
    return user


def confirm_email_with_password(token: str, new_password: str) -> User:
    """Confirm the address with a new password chosen by whoever opened the link; every
    session made before ends. An address already confirmed is left as it is."""
    user, _ = _account_for_link(token)
    if user.email_confirmed_at is not None:
        return user
    problem = passwords.problem_with(new_password, email=user.email)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(new_password)
    user.session_version += 1
    user.email_confirmed_at = utcnow()
    audit.record(
        "user.email_confirmed",
        user,
        actor=user,
        after={"email": user.email, "new_password": True},
    )
    db.session.commit()
    return user
