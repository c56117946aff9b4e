"""Supplier registration: a new organisation and its owner, the address confirmed by a link.

Nothing here tells a visitor whether an address is registered: the callers show the same page
either way, and the account holder is told by email instead. Names are kept on one line, and no
email to an address not yet confirmed carries a name typed here: whoever registers can type
anything, and the address may be someone else's. Every change is audited and
committed with the email it causes (through the outbox).
"""

from __future__ import annotations

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


def _one_line_name(typed: str, field: str, missing: str, label: str) -> str:
    """A name as kept: one line, trimmed, no longer than NAME_MAX_LENGTH."""
    name = one_line(typed)
    if not name:
        raise AccountError(missing, field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise AccountError(f"{label} must be {NAME_MAX_LENGTH} characters or fewer", field=field)
    return name


def _confirm_link(user: User) -> str:
    token = make_token(CONFIRM_PURPOSE, {"user": user.id, "email": user.email.lower()})
    return email_link("auth.confirm_email", token=token)


def _send_confirmation(user: User) -> None:
    send_email(
        user.email,
        "Confirm your email address",
        "account_confirm",
        user=user,
        link=_confirm_link(user),
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
