"""Invitations: sent by an administrator, refused where the rules say, accepted once by link."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner

from dps.extensions import db
from dps.models import AuditEvent, Invitation, OutboxMessage, User
from dps.models.base import utcnow
from dps.rules.enums import MembershipType, Role
from dps.rules.refusals import Refusal
from dps.services.accounts import invitations
from dps.services.accounts.passwords import verify_password
from tests.conftest import page_text
from tests.unit.services.accounts.test_organisations import administrator, member, person, sign_in

NEW_PASSWORD = "a long and unusual passphrase"


def invitation_email(address: str) -> OutboxMessage:
    return db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.payload["to"].as_string() == address)
    ).one()


def accept_path(message: OutboxMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/invitation/\S+)", message.payload["body"])
    assert found, message.payload["body"]
    return found.group(1)


@contextmanager
def clock_moved_on(seconds: int) -> Iterator[None]:
    """Signed links read as if ``seconds`` had passed since they were made."""
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) + seconds  # type: ignore[method-assign]
    try:
        yield
    finally:
        TimestampSigner.get_timestamp = original  # type: ignore[method-assign]


def counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Invitation, OutboxMessage, User)
    )


# --- sending ---------------------------------------------------------------------------------


def test_an_invitation_is_a_row_an_email_with_a_signed_link_and_an_audit_event(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside Metropolitan Borough Council")

    invitation = invitations.invite(tameside, " Pat@Tameside.example.org ", Role.BUYER, actor=admin)

    assert invitation.email == "Pat@Tameside.example.org"
    assert invitation.role == Role.BUYER
    assert invitation.invited_by_id == admin.id
    max_age = app.config["INVITATION_MAX_AGE_SECONDS"]
    assert abs((invitation.expires_at - utcnow()) - timedelta(seconds=max_age)) < timedelta(
        minutes=1
    )
    message = invitation_email("Pat@Tameside.example.org")
    body = message.payload["body"]
    assert "Tameside Metropolitan Borough Council" in body
    assert "buyer" in body
    assert accept_path(message).startswith("/invitation/")
    assert message.payload["body"].count("http://localhost/invitation/") == 1
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "invitation.sent")
    ).one()
    assert event.actor_user_id == admin.id
    assert event.after is not None and event.after["role"] == "buyer"


@pytest.mark.parametrize("membership_type", [MembershipType.AFFILIATE, MembershipType.SUPPORTER])
def test_a_buyer_cannot_be_invited_to_an_organisation_that_may_not_buy(
    app: Flask, membership_type: MembershipType
) -> None:
    admin = administrator()
    organisation = member("Housing co-operatives federation", membership_type)
    before = counts()
    with pytest.raises(invitations.InvitationRefused) as refused:
        invitations.invite(organisation, "sam@example.org", Role.BUYER, actor=admin)
    assert refused.value.field == "role"
    assert f"{membership_type.label} members may not buy" in str(refused.value)
    assert counts() == before
    # A viewer is fine.
    invitations.invite(organisation, "sam@example.org", Role.VIEWER, actor=admin)


def test_administrators_are_invited_only_to_the_organisation_that_runs_the_dps(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside")
    with pytest.raises(invitations.InvitationRefused, match="organisation that runs the DPS"):
        invitations.invite(tameside, "kim@example.org", Role.ADMINISTRATOR, actor=admin)
    assert admin.membership is not None
    invitations.invite(
        admin.membership.organisation, "kim@example.org", Role.ADMINISTRATOR, actor=admin
    )


def test_an_address_with_an_account_or_a_waiting_invitation_is_refused(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside")
    person("jo@tameside.example.org", tameside, Role.VIEWER)
    with pytest.raises(invitations.InvitationRefused, match="already has an account"):
        invitations.invite(tameside, "JO@tameside.example.org", Role.BUYER, actor=admin)

    first = invitations.invite(tameside, "new@tameside.example.org", Role.BUYER, actor=admin)
    with pytest.raises(invitations.InvitationRefused, match="already has an invitation waiting"):
        invitations.invite(tameside, "New@Tameside.example.org", Role.VIEWER, actor=admin)
    invitations.cancel(first, actor=admin)
    invitations.invite(tameside, "new@tameside.example.org", Role.VIEWER, actor=admin)


def test_a_badly_formed_address_is_refused(app: Flask) -> None:
    admin = administrator()
    with pytest.raises(invitations.InvitationRefused, match="correct format") as refused:
        invitations.invite(member("Tameside"), "not an address", Role.VIEWER, actor=admin)
    assert refused.value.field == "email"


# --- accepting -------------------------------------------------------------------------------


def test_accepting_creates_a_confirmed_account_signs_in_and_uses_the_link(
    client: FlaskClient,
) -> None:
    admin = administrator()
    tameside = member("Tameside Metropolitan Borough Council")
    invitations.invite(tameside, "pat@tameside.example.org", Role.BUYER, actor=admin)
    path = accept_path(invitation_email("pat@tameside.example.org"))

    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account" in page_text(page)
    assert "pat@tameside.example.org" in page_text(page)

    response = client.post(
        path, data={"name": "Pat Jones", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302

    user = db.session.scalars(db.select(User).where(User.email == "pat@tameside.example.org")).one()
    assert user.name == "Pat Jones"
    assert user.email_confirmed_at is not None
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.membership is not None
    assert user.membership.organisation_id == tameside.id
    assert user.membership.role == Role.BUYER
    home = client.get("/home")
    assert home.headers["Location"].endswith("/buyer/")  # signed in, as a buyer

    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in page_text(again)
    actions = list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "invitation.accepted" in actions
    assert "user.created" in actions


def test_an_invited_administrator_is_handed_to_sign_in_for_the_second_factor(
    client: FlaskClient,
) -> None:
    admin = administrator()
    assert admin.membership is not None
    invitations.invite(
        admin.membership.organisation, "kim@oldham.example.org", Role.ADMINISTRATOR, actor=admin
    )
    path = accept_path(invitation_email("kim@oldham.example.org"))
    response = client.post(
        path, data={"name": "Kim Ng", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.headers["Location"].endswith("/sign-in")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    signed = client.post(
        "/sign-in", data={"email": "kim@oldham.example.org", "password": NEW_PASSWORD}
    )
    assert signed.headers["Location"].endswith("/sign-in/set-up-code")


def test_a_weak_password_is_refused_keeping_the_name_but_not_the_password(
    client: FlaskClient,
) -> None:
    admin = administrator()
    invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))

    response = client.post(
        path, data={"name": "Pat Jones", "password": "short", "password_confirm": "short"}
    )

    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error:")
    summary = response.soup.select_one(".govuk-error-summary").get_text()
    assert "12 characters or more" in summary
    assert response.soup.find("input", {"name": "name"})["value"] == "Pat Jones"
    assert not response.soup.find("input", {"name": "password"}).get("value")
    assert (
        db.session.scalars(db.select(User).where(User.email == "pat@example.org")).first() is None
    )


def test_passwords_that_do_not_match_are_refused(client: FlaskClient) -> None:
    admin = administrator()
    invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    response = client.post(
        path, data={"name": "Pat", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"}
    )
    assert "do not match" in response.soup.select_one(".govuk-error-summary").get_text()


def test_an_expired_invitation_shows_a_clear_page(client: FlaskClient) -> None:
    admin = administrator()
    invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    max_age = client.application.config["INVITATION_MAX_AGE_SECONDS"]

    with clock_moved_on(max_age + 60):
        response = client.get(path)

    assert response.status_code == 410
    assert "This invitation has expired" in page_text(response)
    assert "send a new invitation" in page_text(response)


def test_an_invitation_past_its_recorded_expiry_is_expired(client: FlaskClient) -> None:
    admin = administrator()
    invitation = invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(
        path, data={"name": "Pat", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert (
        db.session.scalars(db.select(User).where(User.email == "pat@example.org")).first() is None
    )


def test_a_cancelled_invitation_shows_a_clear_page_and_creates_nothing(client: FlaskClient) -> None:
    admin = administrator()
    invitation = invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    invitations.cancel(invitation, actor=admin)

    response = client.post(
        path, data={"name": "Pat", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 410
    assert "This invitation has been cancelled" in page_text(response)
    assert (
        db.session.scalars(db.select(User).where(User.email == "pat@example.org")).first() is None
    )
    cancelled = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "invitation.cancelled")
    ).one()
    assert cancelled.actor_user_id == admin.id


def test_an_altered_link_is_not_valid(client: FlaskClient) -> None:
    admin = administrator()
    invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    response = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert response.status_code == 404
    assert "This invitation link is not valid" in page_text(response)


def test_a_link_for_an_address_that_has_since_registered_is_refused(client: FlaskClient) -> None:
    admin = administrator()
    tameside = member("Tameside")
    invitations.invite(tameside, "pat@example.org", Role.VIEWER, actor=admin)
    path = accept_path(invitation_email("pat@example.org"))
    person("PAT@example.org", member("Somewhere else"), Role.VIEWER)

    response = client.get(path)

    assert response.status_code == 409
    assert "You already have an account" in page_text(response)


def test_an_accepted_invitation_cannot_be_cancelled(app: Flask) -> None:
    admin = administrator()
    invitation = invitations.invite(member("Tameside"), "pat@example.org", Role.VIEWER, actor=admin)
    invitations.accept(invitation, name="Pat", password=NEW_PASSWORD)
    with pytest.raises(invitations.InvitationRefused, match="already been accepted"):
        invitations.cancel(invitation, actor=admin)


def test_a_buyer_who_accepts_after_the_organisation_stopped_buying_can_only_view(
    app: Flask,
) -> None:
    from dps.services.accounts import organisations

    admin = administrator()
    tameside = member("Tameside")
    invitation = invitations.invite(tameside, "pat@example.org", Role.BUYER, actor=admin)
    organisations.change_membership_type(tameside, MembershipType.AFFILIATE, actor=admin)
    still_open = invitations.open_invitation(invitations.token_for(invitation))
    user = invitations.accept(still_open, name="Pat", password=NEW_PASSWORD)
    assert user.membership is not None
    assert user.membership.effective_role == Role.VIEWER


# --- the administrator's pages -----------------------------------------------------------------


def test_the_invite_page_refuses_a_buyer_for_an_affiliate_in_the_error_summary(
    client: FlaskClient,
) -> None:
    admin = administrator()
    federation = member("North West Housing Co-operatives Federation", MembershipType.AFFILIATE)
    sign_in(client, admin)
    url = f"/admin/organisations/{federation.id}/invitations/new"

    page = client.get(url)
    assert "may not buy" in page_text(page)

    response = client.post(url, data={"email": "sam@federation.example.org", "role": "buyer"})

    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error:")
    summary = response.soup.select_one(".govuk-error-summary")
    assert "Affiliate members may not buy from the DPS" in summary.get_text()
    assert summary.find("a")["href"] == "#role"
    assert response.soup.find("input", {"name": "email"})["value"] == "sam@federation.example.org"
    assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 0


def test_the_invite_page_sends_and_the_organisation_page_lists_then_cancels(
    client: FlaskClient,
) -> None:
    admin = administrator()
    tameside = member("Tameside")
    sign_in(client, admin)

    sent = client.post(
        f"/admin/organisations/{tameside.id}/invitations/new",
        data={"email": "pat@tameside.example.org", "role": "viewer"},
        follow_redirects=True,
    )
    assert "Invitation sent to pat@tameside.example.org" in page_text(sent)
    assert "pat@tameside.example.org" in page_text(sent)
    invitation = db.session.scalars(db.select(Invitation)).one()

    cancelled = client.post(f"/admin/invitations/{invitation.id}/cancel", follow_redirects=True)
    assert "has been cancelled" in page_text(cancelled)
    assert "There are no invitations waiting" in page_text(cancelled)
    db.session.refresh(invitation)
    assert invitation.cancelled_at is not None


def offered_roles(page: Any) -> list[str]:
    return [radio["value"] for radio in page.soup.find_all("input", {"name": "role"})]


def test_an_invitation_page_shows_only_the_roles_the_organisation_has(client: FlaskClient) -> None:
    admin = administrator()
    sign_in(client, admin)
    assert admin.membership is not None
    own = client.get(f"/admin/organisations/{admin.membership.organisation_id}/invitations/new")
    other = client.get(f"/admin/organisations/{member('Tameside').id}/invitations/new")
    assert offered_roles(own) == ["buyer", "viewer", "administrator"]
    assert offered_roles(other) == ["buyer", "viewer"]


def test_unknown_ids_are_not_found(client: FlaskClient) -> None:
    sign_in(client, administrator())
    assert client.post("/admin/invitations/999/cancel").status_code == 404
    assert client.get("/admin/organisations/999/invitations/new").status_code == 404


def test_only_administrators_may_invite_or_cancel(client: FlaskClient) -> None:
    admin = administrator()
    tameside = member("Tameside")
    invitation = invitations.invite(tameside, "pat@example.org", Role.VIEWER, actor=admin)
    buyer = person("buyer@tameside.example.org", tameside, Role.BUYER)
    sign_in(client, buyer)
    assert client.post(f"/admin/invitations/{invitation.id}/cancel").status_code == 403
    assert (
        client.post(
            f"/admin/organisations/{tameside.id}/invitations/new",
            data={"email": "x@example.org", "role": "buyer"},
        ).status_code
        == 403
    )
    db.session.refresh(invitation)
    assert invitation.cancelled_at is None


def test_an_address_registered_while_the_form_was_open_is_refused_cleanly(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside")
    invitation = invitations.invite(tameside, "pat@example.org", Role.VIEWER, actor=admin)
    opened = invitations.open_invitation(invitations.token_for(invitation))
    person("pat@example.org", member("Elsewhere"), Role.VIEWER)  # another request, meanwhile

    with pytest.raises(invitations.InvitationUnusable) as unusable:
        invitations.accept(opened, name="Pat", password=NEW_PASSWORD)

    assert unusable.value.reason == invitations.Unusable.HAS_ACCOUNT
    db.session.refresh(invitation)
    assert invitation.accepted_at is None
    assert "invitation.accepted" not in db.session.scalars(db.select(AuditEvent.action)).all()


def test_an_unusable_link_says_why_in_words_and_as_a_reason() -> None:
    for reason in invitations.Unusable:
        unusable = invitations.InvitationUnusable(reason)
        assert isinstance(unusable, Refusal)
        assert unusable.reason is reason
        assert unusable.message == invitations.UNUSABLE_MESSAGES[reason]
    refused = invitations.InvitationRefused("Enter your full name", field="name")
    assert isinstance(refused, Refusal)
    assert refused.field == "name"
