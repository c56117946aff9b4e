"""Accounts whose address nobody has confirmed: an invitation takes one over, and one left
unconfirmed too long is closed and its address released, by a job on the workers' beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Organisation, User
from dps.models.base import utcnow
from dps.rules.enums import Role
from dps.services.accounts import invitations, team, unconfirmed_accounts
from dps.services.accounts.passwords import verify_password
from dps.services.accounts.registration import Registration, register_supplier
from tests.fixtures.accounts_world import NEW_PASSWORD, PASSWORD, actions, emails_to
from tests.fixtures.helpers import add_person, make_supplier
from tests.unit.services.accounts.test_invitations import accept_path
from tests.unit.services.accounts.test_organisations import administrator, member


def squat(email: str = "pat@tameside.example.org") -> User:
    """Someone registers an address that is not theirs and never confirms it."""
    register_supplier(
        Registration(
            organisation_name="Squatters Ltd", name="Not Pat", email=email, password=PASSWORD
        )
    )
    return db.session.scalars(db.select(User).where(User.email == email)).one()


def test_an_unconfirmed_account_does_not_block_an_administrators_invitation(
    client: FlaskClient,
) -> None:
    squatter = squat()
    squatter_version = squatter.session_version
    admin = administrator()
    tameside = member("Tameside Metropolitan Borough Council")

    invitations.invite(tameside, "Pat@Tameside.example.org", Role.BUYER, actor=admin)
    [message] = [
        m for m in emails_to("pat@tameside.example.org") if "/invitation/" in str(m.payload)
    ]
    path = accept_path(message)
    assert "Create your account" in client.get(path).soup.get_text()
    response = client.post(
        path, data={"name": "Pat Jones", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302

    # The same account, now Pat's: their name, password and place; the address confirmed.
    db.session.expire_all()
    pat = db.session.get(User, squatter.id)
    assert pat is not None
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # Pat and the administrator
    assert (pat.name, pat.email_confirmed_at is not None) == ("Pat Jones", True)
    assert pat.membership is not None
    assert (pat.membership.organisation_id, pat.membership.role) == (tameside.id, Role.BUYER)
    assert verify_password(pat.password_hash, NEW_PASSWORD)
    assert not verify_password(pat.password_hash, PASSWORD)
    assert pat.session_version == squatter_version + 1
    assert "user.taken_over_by_invitation" in actions()
    assert client.get("/home").headers["Location"].endswith("/buyer/")


def test_a_confirmed_account_still_blocks_an_administrators_invitation(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside")
    add_person(tameside, "jo@tameside.example.org", Role.VIEWER)
    with pytest.raises(invitations.InvitationRefused, match="already has an account"):
        invitations.invite(tameside, "jo@tameside.example.org", Role.BUYER, actor=admin)


def test_a_suppliers_owner_invites_a_squatted_address_with_a_real_link(app: Flask) -> None:
    squat("ash@example.org")
    ours = make_supplier("Co-operative Futures Ltd")
    owner = add_person(ours, "owner@coop.example.org", Role.SUPPLIER_OWNER)
    team.invite_colleague(ours.id, "ash@example.org", actor=owner)
    assert "/invitation/" in emails_to("ash@example.org")[-1].payload["body"]


def _age(user: User, days: float) -> None:
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_accounts_left_unconfirmed_too_long_are_closed_and_their_address_released(
    app: Flask,
) -> None:
    stale = squat("old@example.org")
    young = squat("young@example.org")
    confirmed = add_person(make_supplier("Real Ltd"), "real@example.org", Role.SUPPLIER_OWNER)
    _age(stale, 8)
    _age(young, 6)
    _age(confirmed, 30)

    assert unconfirmed_accounts.expire(utcnow()) == 1
    assert unconfirmed_accounts.expire(utcnow()) == 0  # once

    db.session.expire_all()
    stale = db.session.get(User, stale.id)
    assert stale is not None and not stale.active
    assert stale.email == f"expired-{stale.id}@unconfirmed.invalid"
    assert db.session.get(User, young.id).email == "young@example.org"  # type: ignore[union-attr]
    assert db.session.get(User, confirmed.id).active  # type: ignore[union-attr]
    assert actions().count("user.unconfirmed_expired") == 1
    # The address is free for its owner.
    register_supplier(
        Registration(
            organisation_name="Old Hands Ltd",
            name="Olive",
            email="old@example.org",
            password=PASSWORD,
        )
    )
    assert (
        db.session.scalar(
            db.select(db.func.count(Organisation.id)).where(Organisation.name == "Old Hands Ltd")
        )
        == 1
    )


def test_the_time_allowed_is_a_setting(app: Flask) -> None:
    stale = squat("old@example.org")
    _age(stale, 2)
    app.config["UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS"] = 24 * 3600
    assert unconfirmed_accounts.expire(utcnow()) == 1


def test_the_job_runs_on_the_workers_beat(app: Flask) -> None:
    from dps.celery_app import celery
    from workers import scheduled

    entry = celery.conf.beat_schedule["expire-unconfirmed-accounts"]
    assert entry["task"] == scheduled.EXPIRE_UNCONFIRMED_TASK
    stale = squat("old@example.org")
    _age(stale, 8)
    assert scheduled.expire_unconfirmed_accounts.apply().get() == 1
