"""Finding an account by its address, telling an administrator, and the account refusal."""

from __future__ import annotations

from flask import Flask

from dps.rules.enums import Role
from dps.rules.refusals import Refusal
from dps.services.accounts import users
from dps.services.accounts.password_reset import WrongPassword
from tests.fixtures.accounts_world import make_user


def test_an_account_is_found_by_its_address_in_any_case_and_spacing(app: Flask) -> None:
    ann = make_user("Ann.Lee@Example.org")
    assert users.find_by_email("ann.lee@example.org") is ann
    assert users.find_by_email("  ANN.LEE@EXAMPLE.ORG ") is ann
    assert users.find_by_email("bob@example.org") is None
    assert users.find_by_email("   ") is None


def test_only_an_administrator_is_an_administrator(app: Flask) -> None:
    assert users.is_administrator(make_user("admin@example.org", role=Role.ADMINISTRATOR))
    assert not users.is_administrator(make_user("buyer@example.org", role=Role.BUYER))
    assert not users.is_administrator(make_user("owner@example.org"))


def test_account_refusals_carry_their_message_and_field() -> None:
    refused = WrongPassword("Your current password is not correct", field="current_password")
    assert isinstance(refused, users.AccountError)
    assert isinstance(refused, Refusal)
    assert (refused.message, refused.field) == (
        "Your current password is not correct",
        "current_password",
    )
