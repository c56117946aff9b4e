"""Forgotten and changed passwords: reset links that work once and expire, and changes."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import OutboxMessage
from dps.outside import tokens
from dps.services.accounts import password_reset, passwords
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


def reset_token_for(address: str) -> str:
    password_reset.request_password_reset(address)
    return link_in(emails_to(address)[-1], "/reset-password/").rsplit("/", 1)[1]


def test_a_reset_is_mailed_only_to_known_addresses(app: Flask) -> None:
    make_user("ann@example.org", confirmed=False)
    password_reset.request_password_reset("nobody@example.org")
    password_reset.request_password_reset("ANN@example.org")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    assert emails_to("ann@example.org")[0].payload["subject"] == "Reset your password"


def test_a_reset_link_works_once_and_ends_every_session(app: Flask) -> None:
    user = make_user(confirmed=False)
    version = user.session_version
    token = reset_token_for("ann@example.org")

    assert password_reset.user_for_reset_link(token) is user
    password_reset.reset_password(token, NEW_PASSWORD)

    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert user.session_version == version + 1
    assert user.email_confirmed_at is not None  # the link proved the address
    with pytest.raises(password_reset.ResetLinkUsed):
        password_reset.reset_password(token, "yet another passphrase")
    assert emails_to("ann@example.org")[-1].payload["subject"] == "Your password has been changed"


def test_a_reset_link_expires(app: Flask) -> None:
    make_user()
    token = reset_token_for("ann@example.org")
    with (
        clock_moved_on(app.config["RESET_TOKEN_MAX_AGE_SECONDS"] + 1),
        pytest.raises(tokens.TokenExpired),
    ):
        password_reset.user_for_reset_link(token)


def test_a_reset_refuses_a_weak_password_and_the_link_still_works(app: Flask) -> None:
    make_user()
    token = reset_token_for("ann@example.org")
    with pytest.raises(AccountError):
        password_reset.reset_password(token, "ann@example.org")
    db.session.rollback()
    password_reset.reset_password(token, NEW_PASSWORD)


def test_changing_a_password_needs_the_current_one(app: Flask) -> None:
    user = make_user()
    with pytest.raises(password_reset.WrongPassword):
        password_reset.change_password(user, "not my password", NEW_PASSWORD)
    assert user.session_version == 1
    password_reset.change_password(user, PASSWORD, NEW_PASSWORD)
    assert user.session_version == 2
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert actions(action="user.password_changed") == ["user.password_changed"]
