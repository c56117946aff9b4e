"""Registration: a supplier and its owner, confirmation links, and an address already known."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Organisation, User
from dps.outside import tokens
from dps.rules.enums import OrganisationKind, Role
from dps.services.accounts.passwords import verify_password
from dps.services.accounts.registration import (
    NewPasswordNeeded,
    Registration,
    confirm_email,
    confirm_email_with_password,
    register_supplier,
    resend_confirmation,
)
from dps.services.accounts.users import AccountError
from tests.fixtures.accounts_world import (
    NEW_PASSWORD,
    PASSWORD,
    actions,
    clock_moved_on,
    emails_to,
    link_in,
    make_user,
)

BROWSER = "the registering browser's secret"


def registration(email: str = "ann@example.org", organisation: str = "Co-op Futures") -> Any:
    return Registration(
        organisation_name=organisation,
        name="Ann Lee",
        email=email,
        password=PASSWORD,
        browser=BROWSER,
    )


def test_registration_creates_a_supplier_and_its_owner_and_asks_to_confirm(app: Flask) -> None:
    register_supplier(registration("Ann.Lee@Example.org"))

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
    register_supplier(registration("ann@example.org"))
    register_supplier(registration("ANN@EXAMPLE.ORG", organisation="Someone Else Ltd"))

    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1
    subjects = [message.payload["subject"] for message in emails_to("ann@example.org")]
    assert subjects == [
        "Confirm your email address",
        "Someone tried to register with your email address",
    ]


def test_registration_refuses_a_weak_password(app: Flask) -> None:
    weak = Registration(
        organisation_name="Co-op Futures",
        name="Ann",
        email="ann@example.org",
        password="password1234",
    )
    with pytest.raises(AccountError, match="too common"):
        register_supplier(weak)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_confirming_sets_the_address_confirmed_once(app: Flask) -> None:
    register_supplier(registration())
    token = link_in(emails_to("ann@example.org")[0], "/confirm-email/").rsplit("/", 1)[1]
    user = confirm_email(token, browser=BROWSER)
    confirmed_at = user.email_confirmed_at
    assert confirmed_at is not None
    # A second click is fine, anywhere.
    assert confirm_email(token).email_confirmed_at == confirmed_at
    assert actions().count("user.email_confirmed") == 1


def test_a_confirmation_link_expires(app: Flask) -> None:
    register_supplier(registration())
    token = link_in(emails_to("ann@example.org")[0], "/confirm-email/").rsplit("/", 1)[1]
    with (
        clock_moved_on(app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"] + 1),
        pytest.raises(tokens.TokenExpired),
    ):
        confirm_email(token, browser=BROWSER)


def test_resending_confirmation_only_mails_unconfirmed_accounts(app: Flask) -> None:
    make_user("confirmed@example.org")
    make_user("waiting@example.org", confirmed=False)
    for address in ["confirmed@example.org", "WAITING@example.org", "nobody@example.org"]:
        resend_confirmation(address)
    assert emails_to("confirmed@example.org") == []
    assert emails_to("nobody@example.org") == []
    [message] = emails_to("waiting@example.org")
    assert message.payload["subject"] == "Confirm your email address"


HOSTILE_NAME = "Ann Lee\n\nYour account is locked. Unlock it at https://evil.example/unlock\r\n"


def test_names_are_kept_on_one_line_and_trimmed(app: Flask) -> None:
    register_supplier(
        Registration(
            organisation_name="  Co-op\r\nFutures\u2028Ltd\t ",
            name=HOSTILE_NAME,
            email="ann@example.org",
            password=PASSWORD,
        )
    )

    user = db.session.scalars(db.select(User)).one()
    assert user.name == "Ann Lee Your account is locked. Unlock it at https://evil.example/unlock"
    assert user.membership is not None
    assert user.membership.organisation.name == "Co-op Futures Ltd"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " \n\t ", "Enter your full name"),
        ("organisation_name", "\r\n", "Enter the name of your organisation"),
        ("name", "A" * 201, "Your full name must be 200 characters or fewer"),
        ("organisation_name", "B" * 201, "Organisation name must be 200 characters or fewer"),
    ],
)
def test_a_name_empty_or_too_long_is_refused(
    app: Flask, field: str, value: str, message: str
) -> None:
    values = {"organisation_name": "Co-op Futures", "name": "Ann Lee"} | {field: value}
    with pytest.raises(AccountError) as refused:
        register_supplier(Registration(email="ann@example.org", password=PASSWORD, **values))
    assert (refused.value.field, refused.value.message) == (field, message)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_no_typed_name_goes_to_an_address_not_yet_confirmed(app: Flask) -> None:
    """Anyone can register any address: the emails it is sent carry none of what they typed."""
    hostile = Registration(
        organisation_name="Prize Draw Ltd https://evil.example",
        name=HOSTILE_NAME,
        email="victim@example.org",
        password=PASSWORD,
    )
    register_supplier(hostile)  # the confirmation email
    register_supplier(hostile)  # someone tried again: the holder is told
    resend_confirmation("victim@example.org")
    from dps.services.accounts.password_reset import request_password_reset

    request_password_reset("victim@example.org")

    messages = emails_to("victim@example.org")
    assert len(messages) == 4
    for message in messages:
        body = message.payload["body"]
        assert "evil.example" not in body and "Ann Lee" not in body, body
        assert body.startswith("Hello,\n")


# --- someone else's address ------------------------------------------------------------------


def test_a_link_opened_away_from_the_registering_browser_needs_a_new_password(app: Flask) -> None:
    """A squatter registers someone else's address: its owner, confirming, sets the password."""
    register_supplier(registration("victim@example.org"))
    token = link_in(emails_to("victim@example.org")[0], "/confirm-email/").rsplit("/", 1)[1]

    for browser in ("", "another browser's secret"):
        with pytest.raises(NewPasswordNeeded):
            confirm_email(token, browser=browser)
    user = db.session.scalars(db.select(User)).one()
    assert user.email_confirmed_at is None
    version = user.session_version

    with pytest.raises(AccountError, match="12 characters"):
        confirm_email_with_password(token, "short")
    confirm_email_with_password(token, NEW_PASSWORD)

    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD)  # the squatter's is gone
    assert user.session_version == version + 1
    assert actions()[-1] == "user.email_confirmed"
    # Done once: the link does not change the password again.
    confirm_email_with_password(token, "yet another long passphrase")
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


@pytest.mark.parametrize("how", ["resent", "registered again"])
def test_links_not_sent_on_registering_need_a_new_password(app: Flask, how: str) -> None:
    register_supplier(registration("victim@example.org"))
    if how == "resent":
        resend_confirmation("victim@example.org")
    else:
        register_supplier(registration("victim@example.org"))
    message = emails_to("victim@example.org")[-1]
    token = link_in(message, "/confirm-email/").rsplit("/", 1)[1]
    with pytest.raises(NewPasswordNeeded):
        confirm_email(token, browser=BROWSER)
