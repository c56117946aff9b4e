"""Finding an account by its address, telling an administrator, and the account refusal."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent
from dps.rules.enums import Role
from dps.rules.refusals import Refusal
from dps.services.accounts import organisations, users
from dps.services.accounts.password_reset import WrongPassword
from dps.services.accounts.passwords import hash_password
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


def test_an_account_set_up_by_the_service_is_confirmed_with_its_membership_and_audited(
    app: Flask,
) -> None:
    organisation = organisations.create_supplier_organisation(
        "Kind Co-op", companies_house_number=None, actor=None
    )
    user = users.add_account(
        email="owner@kind.example.org",
        name="Kim Owner",
        organisation=organisation,
        role=Role.SUPPLIER_OWNER,
        password_hash=hash_password("a long enough passphrase"),
        confirmed_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        totp_secret="CCINTESTCCINTESTCCINTESTCCINTEST",
        is_demo=True,
        actor=None,
    )
    db.session.commit()

    found = users.find_by_email("owner@kind.example.org")
    assert found is user and found.is_demo
    assert found.email_confirmed_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert found.totp_confirmed_at == found.email_confirmed_at
    assert found.membership is not None
    assert (found.membership.organisation_id, found.membership.role) == (
        organisation.id,
        Role.SUPPLIER_OWNER,
    )
    [event] = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.object_id == str(user.id)
        )
    )
    assert event.after == {
        "email": "owner@kind.example.org",
        "organisation_id": organisation.id,
        "role": "supplier_owner",
        "demo": True,
    }


def test_an_account_without_a_second_factor_has_none_set_up(app: Flask) -> None:
    organisation = organisations.create_supplier_organisation(
        "Plain Ltd", companies_house_number="01234567", actor=None
    )
    user = users.add_account(
        email="plain@example.org",
        name="Pat Plain",
        organisation=organisation,
        role=Role.SUPPLIER_USER,
        password_hash=hash_password("a long enough passphrase"),
        confirmed_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        actor=None,
    )
    db.session.commit()
    assert user.totp_secret is None and user.totp_confirmed_at is None and not user.is_demo
