"""The accounts service: registration, confirmation links, signing in, resets and changes."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from itsdangerous.timed import TimestampSigner

from dps.extensions import db
from dps.models import AuditEvent, Membership, Organisation, OutboxMessage, User
from dps.models.base import utcnow
from dps.outside import tokens
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.services.accounts import passwords, users

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


# --- helpers shared with the page tests ---------------------------------------------------------


def make_user(
    email: str = "ann@example.org",
    *,
    role: Role = Role.SUPPLIER_OWNER,
    password: str = PASSWORD,
    confirmed: bool = True,
    totp_secret: str | None = None,
) -> User:
    """An account as registration or the demo loader would leave it."""
    if role == Role.SUPPLIER_OWNER:
        organisation = Organisation(name="Co-op Futures", kind=OrganisationKind.SUPPLIER)
    else:
        organisation = Organisation(
            name="Oldham Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
        )
    user = User(
        email=email,
        name="Ann Lee",
        password_hash=passwords.hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
        totp_secret=totp_secret,
        totp_confirmed_at=utcnow() if totp_secret else None,
    )
    db.session.add_all(
        [organisation, user, Membership(user=user, organisation=organisation, role=role)]
    )
    db.session.commit()
    return user


def emails_to(address: str) -> list[OutboxMessage]:
    return [
        message
        for message in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        if message.payload.get("to", "").lower() == address.lower()
    ]


def link_in(message: OutboxMessage, path: str) -> str:
    """The path (with token) of the link to ``path`` in an e-mail's body."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", message.payload["body"])
    assert found, message.payload["body"]
    return found.group(1)


def actions(**filters: Any) -> list[str]:
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    for name, value in filters.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return [event.action for event in db.session.scalars(query)]


@contextmanager
def clock_moved_on(seconds: int) -> Iterator[None]:
    """Tokens read as if ``seconds`` had passed since they were made."""
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) + seconds  # type: ignore[method-assign]
    try:
        yield
    finally:
        TimestampSigner.get_timestamp = original  # type: ignore[method-assign]


def registration(email: str = "ann@example.org", organisation: str = "Co-op Futures") -> Any:
    return users.Registration(
        organisation_name=organisation, name="Ann Lee", email=email, password=PASSWORD
    )


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_round_trip_and_refuse_tampering_other_purposes_and_age(app: Flask) -> None:
    token = tokens.make_token("confirm-email", {"user": 7})
    assert tokens.read_token("confirm-email", token, max_age=60) == {"user": 7}
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token("reset-password", token, max_age=60)
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token(
            "confirm-email", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], 60
        )
    with clock_moved_on(61), pytest.raises(tokens.TokenExpired):
        tokens.read_token("confirm-email", token, max_age=60)


def test_email_links_use_the_configured_base_url_not_the_request_host(app: Flask) -> None:
    app.config["BASE_URL"] = "https://dps.oldham.example.org/portal"
    with app.test_request_context("/", base_url="http://attacker.example"):
        link = tokens.email_link("auth.confirm_email", token="abc")
    assert link == "https://dps.oldham.example.org/portal/confirm-email/abc"


# --- registration ---------------------------------------------------------------------------------


def test_registration_creates_a_supplier_and_its_owner_and_asks_to_confirm(app: Flask) -> None:
    users.register_supplier(registration("Ann.Lee@Example.org"))

    user = db.session.scalars(db.select(User)).one()
    assert user.email == "Ann.Lee@Example.org"  # kept as typed
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert user.membership is not None
    assert user.membership.role == Role.SUPPLIER_OWNER
    assert user.membership.organisation.name == "Co-op Futures"
    assert user.membership.organisation.kind == OrganisationKind.SUPPLIER
    [message] = emails_to("ann.lee@example.org")
    assert message.payload["subject"] == "Confirm your email address"
    assert "/confirm-email/" in message.payload["body"]
    assert actions() == ["organisation.registered", "user.registered"]


def test_registering_a_known_address_in_any_case_creates_nothing(app: Flask) -> None:
    users.register_supplier(registration("ann@example.org"))
    users.register_supplier(registration("ANN@EXAMPLE.ORG", organisation="Someone Else Ltd"))

    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1
    subjects = [message.payload["subject"] for message in emails_to("ann@example.org")]
    assert subjects == [
        "Confirm your email address",
        "Someone tried to register with your email address",
    ]


def test_registration_refuses_a_weak_password(app: Flask) -> None:
    weak = users.Registration(
        organisation_name="Co-op Futures",
        name="Ann",
        email="ann@example.org",
        password="password1234",
    )
    with pytest.raises(users.AccountError, match="too common"):
        users.register_supplier(weak)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_confirming_sets_the_address_confirmed_once(app: Flask) -> None:
    users.register_supplier(registration())
    token = link_in(emails_to("ann@example.org")[0], "/confirm-email/").rsplit("/", 1)[1]
    user = users.confirm_email(token)
    confirmed_at = user.email_confirmed_at
    assert confirmed_at is not None
    assert users.confirm_email(token).email_confirmed_at == confirmed_at  # a second click is fine
    assert actions().count("user.email_confirmed") == 1


def test_a_confirmation_link_expires(app: Flask) -> None:
    users.register_supplier(registration())
    token = link_in(emails_to("ann@example.org")[0], "/confirm-email/").rsplit("/", 1)[1]
    with (
        clock_moved_on(app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"] + 1),
        pytest.raises(tokens.TokenExpired),
    ):
        users.confirm_email(token)


def test_resending_confirmation_only_mails_unconfirmed_accounts(app: Flask) -> None:
    make_user("confirmed@example.org")
    make_user("waiting@example.org", confirmed=False)
    for address in ["confirmed@example.org", "WAITING@example.org", "nobody@example.org"]:
        users.resend_confirmation(address)
    assert emails_to("confirmed@example.org") == []
    assert emails_to("nobody@example.org") == []
    [message] = emails_to("waiting@example.org")
    assert message.payload["subject"] == "Confirm your email address"


# --- signing in -----------------------------------------------------------------------------------


def test_sign_in_outcomes(app: Flask) -> None:
    make_user("ann@example.org")
    make_user("waiting@example.org", confirmed=False)
    make_user("admin@example.org", role=Role.ADMINISTRATOR)
    make_user(
        "coded@example.org", role=Role.ADMINISTRATOR, totp_secret="CCINDEMOCCINDEMOCCINDEMOCCINDEMO"
    )
    outcome = users.Outcome

    assert users.sign_in_with_password("ANN@example.org", PASSWORD).outcome is outcome.SIGNED_IN
    assert (
        users.sign_in_with_password("ann@example.org", "wrong password!").outcome is outcome.REFUSED
    )
    assert users.sign_in_with_password("nobody@example.org", PASSWORD).outcome is outcome.REFUSED
    assert (
        users.sign_in_with_password("waiting@example.org", PASSWORD).outcome is outcome.UNCONFIRMED
    )
    # An unconfirmed address is only revealed to someone who knows the password.
    assert (
        users.sign_in_with_password("waiting@example.org", "wrong password!").outcome
        is outcome.REFUSED
    )
    assert (
        users.sign_in_with_password("admin@example.org", PASSWORD).outcome
        is outcome.NEEDS_CODE_SET_UP
    )
    assert users.sign_in_with_password("coded@example.org", PASSWORD).outcome is outcome.NEEDS_CODE


def test_sign_ins_and_failures_are_recorded(app: Flask) -> None:
    user = make_user()
    users.sign_in_with_password("ann@example.org", "wrong password!")
    users.sign_in_with_password("nobody@example.org", "wrong password!")
    users.sign_in_with_password("ann@example.org", PASSWORD)
    users.record_sign_out(user)

    assert user.last_signed_in_at is not None
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id) for e in events] == [
        ("user.sign_in_failed", str(user.id)),
        ("user.sign_in_failed", ""),
        ("user.signed_in", str(user.id)),
        ("user.signed_out", str(user.id)),
    ]
    assert events[0].after == {"email": "ann@example.org", "reason": "wrong password"}
    assert events[1].after == {"email": "nobody@example.org", "reason": "unknown address"}


def test_an_unknown_address_takes_as_long_as_a_wrong_password(app: Flask) -> None:
    make_user()

    def median_seconds(email: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            users.sign_in_with_password(email, "wrong password!")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = median_seconds("ann@example.org"), median_seconds("nobody@example.org")
    # Both verify an argon2 hash; skipping it for unknown addresses would be ~20 times faster.
    assert unknown > known * 0.5, (known, unknown)


def test_a_hash_made_with_old_parameters_is_replaced_on_sign_in(app: Flask) -> None:
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
        PASSWORD
    )
    db.session.commit()
    assert (
        users.sign_in_with_password("ann@example.org", PASSWORD).outcome is users.Outcome.SIGNED_IN
    )
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_a_closed_account_cannot_sign_in(app: Flask) -> None:
    user = make_user()
    user.active = False
    db.session.commit()
    assert users.sign_in_with_password("ann@example.org", PASSWORD).outcome is users.Outcome.REFUSED


# --- passwords ------------------------------------------------------------------------------------


def reset_token_for(address: str) -> str:
    users.request_password_reset(address)
    return link_in(emails_to(address)[-1], "/reset-password/").rsplit("/", 1)[1]


def test_a_reset_is_mailed_only_to_known_addresses(app: Flask) -> None:
    make_user("ann@example.org", confirmed=False)
    users.request_password_reset("nobody@example.org")
    users.request_password_reset("ANN@example.org")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    assert emails_to("ann@example.org")[0].payload["subject"] == "Reset your password"


def test_a_reset_link_works_once_and_ends_every_session(app: Flask) -> None:
    user = make_user(confirmed=False)
    version = user.session_version
    token = reset_token_for("ann@example.org")

    assert users.user_for_reset_link(token) is user
    users.reset_password(token, NEW_PASSWORD)

    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert user.session_version == version + 1
    assert user.email_confirmed_at is not None  # the link proved the address
    with pytest.raises(users.ResetLinkUsed):
        users.reset_password(token, "yet another passphrase")
    assert emails_to("ann@example.org")[-1].payload["subject"] == "Your password has been changed"


def test_a_reset_link_expires(app: Flask) -> None:
    make_user()
    token = reset_token_for("ann@example.org")
    with (
        clock_moved_on(app.config["RESET_TOKEN_MAX_AGE_SECONDS"] + 1),
        pytest.raises(tokens.TokenExpired),
    ):
        users.user_for_reset_link(token)


def test_a_reset_refuses_a_weak_password_and_the_link_still_works(app: Flask) -> None:
    make_user()
    token = reset_token_for("ann@example.org")
    with pytest.raises(users.AccountError):
        users.reset_password(token, "ann@example.org")
    db.session.rollback()
    users.reset_password(token, NEW_PASSWORD)


def test_changing_a_password_needs_the_current_one(app: Flask) -> None:
    user = make_user()
    with pytest.raises(users.WrongPassword):
        users.change_password(user, "not my password", NEW_PASSWORD)
    assert user.session_version == 1
    users.change_password(user, PASSWORD, NEW_PASSWORD)
    assert user.session_version == 2
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert actions(action="user.password_changed") == ["user.password_changed"]
