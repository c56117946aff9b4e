"""The supplier's team: everyone sees it, only the owner invites, cancels, removes and hands over;
a removed colleague cannot sign in or use an old session; another supplier's people and
invitations are not found."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AuditEvent, Invitation, Membership, Organisation, OutboxMessage, User
from dps.rules.enums import Role
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.accounts import invitations, signing_in, team
from dps.services.accounts.passwords import hash_password
from dps.services.accounts.signing_in import Outcome
from dps.services.suppliers import profiles
from tests.conftest import HTMLClient, page_text
from tests.fixtures.helpers import add_person, make_supplier, sign_in

PASSWORD = "a long and unusual passphrase"


@dataclass
class Teams:
    ours: Organisation
    owner: User
    colleague: User
    rival: Organisation
    rival_owner: User
    rival_colleague: User


@pytest.fixture
def teams(app: Flask) -> Teams:
    ours = make_supplier("Co-operative Futures Ltd")
    rival = make_supplier("Capacity Works CIC")
    return Teams(
        ours=ours,
        owner=add_person(
            ours, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER, name="Olu Owner"
        ),
        colleague=add_person(
            ours,
            "colleague@coop-futures.example.org",
            Role.SUPPLIER_USER,
            name="Cam Colleague",
            password_hash=hash_password(PASSWORD),
        ),
        rival=rival,
        rival_owner=add_person(rival, "owner@capacity-works.example.org", Role.SUPPLIER_OWNER),
        rival_colleague=add_person(rival, "user@capacity-works.example.org", Role.SUPPLIER_USER),
    )


def browser(app: Flask, user: User) -> FlaskClient:
    """A browser of its own, signed in as ``user``."""
    app.test_client_class = HTMLClient
    return sign_in(app.test_client(), user)


def outbox_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.payload["to"].as_string() == address)
        )
    )


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def refresh(*objects: object) -> None:
    db.session.expire_all()
    for obj in objects:
        db.session.refresh(obj)


# --- seeing the team ----------------------------------------------------------------------


def test_everyone_in_the_team_sees_it_and_only_the_owner_sees_the_controls(
    app: Flask, teams: Teams
) -> None:
    team.invite_colleague(teams.ours.id, "new.person@coop-futures.example.org", actor=teams.owner)

    as_owner = browser(app, teams.owner).get("/supplier/team")
    names = [cell.get_text(strip=True) for cell in as_owner.soup.select("tbody tr td:first-child")]
    assert names[:2] == ["Olu Owner (you)", "Cam Colleague"]
    assert "new.person@coop-futures.example.org" in page_text(as_owner)
    assert as_owner.soup.find("a", href="/supplier/team/invite") is not None
    assert as_owner.soup.find("a", href=f"/supplier/team/{teams.colleague.id}/remove")
    assert as_owner.soup.find("form", action=re.compile(r"/supplier/team/invitations/\d+/cancel"))

    as_colleague = browser(app, teams.colleague).get("/supplier/team")
    assert as_colleague.status_code == 200
    text = page_text(as_colleague)
    assert "Olu Owner" in text and "new.person@coop-futures.example.org" in text
    assert "Only the owner, Olu Owner, can invite or remove people" in text
    assert as_colleague.soup.find("a", href="/supplier/team/invite") is None
    assert as_colleague.soup.find("a", href=re.compile(r"/remove$|/make-owner$")) is None
    assert as_colleague.soup.find("form", action=re.compile(r"/cancel$")) is None
    # Another supplier's people are not in the list.
    assert "capacity-works" not in text


# --- inviting -----------------------------------------------------------------------------


def test_the_owner_invites_a_colleague_who_joins_through_the_link(app: Flask, teams: Teams) -> None:
    owner = browser(app, teams.owner)
    response = owner.post("/supplier/team/invite", data={"email": "Ash@Coop-Futures.example.org"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/supplier/team"

    invitation = db.session.scalars(db.select(Invitation)).one()
    assert (invitation.organisation_id, invitation.role) == (teams.ours.id, Role.SUPPLIER_USER)
    assert invitation.invited_by_id == teams.owner.id
    [message] = outbox_to("Ash@Coop-Futures.example.org")
    body = message.payload["body"]
    # The invitee's address is not confirmed: no name the supplier typed goes to it.
    assert "A supplier registered on the CCIN Dynamic Purchasing System has invited you" in body
    assert "Olu Owner" not in body and "Co-operative Futures" not in body
    assert "invitation.sent" in actions()

    # The acceptance page every invitation uses.
    path = re.search(r"https?://[^/\s]+(/invitation/\S+)", body)
    assert path is not None
    newcomer = app.test_client()
    accepted = newcomer.post(
        path.group(1),
        data={"name": "Ash Adeyemi", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert accepted.status_code == 302
    assert newcomer.get("/home").headers["Location"].endswith("/supplier/")
    ash = invitations.account_for("ash@coop-futures.example.org")
    assert ash is not None and ash.membership is not None
    assert (ash.membership.organisation_id, ash.membership.role) == (
        teams.ours.id,
        Role.SUPPLIER_USER,
    )
    # A user, not an owner: the owner's pages are refused.
    assert newcomer.get("/supplier/team/invite").status_code == 403


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your colleague’s email address"),
        ("not an address", "Enter an email address in the correct format, like name@example.org"),
        ("colleague@coop-futures.example.org", "is already in your team"),
    ],
)
def test_an_invitation_that_cannot_be_sent_says_why(
    app: Flask, teams: Teams, email: str, message: str
) -> None:
    response = browser(app, teams.owner).post("/supplier/team/invite", data={"email": email})
    assert response.status_code == 200
    summary = response.soup.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert response.soup.find("input", attrs={"name": "email"})["value"] == email
    assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 0


def test_the_owner_cannot_tell_whether_an_address_has_an_account(app: Flask, teams: Teams) -> None:
    """The same answer for an administrator's address and a stranger's; the holder is told."""
    admin_org = make_supplier("Elsewhere Ltd")
    add_person(admin_org, "oldham.admin@oldham.example.org", Role.SUPPLIER_OWNER, name="Al")
    owner = browser(app, teams.owner)

    answers = []
    for email in ("oldham.admin@oldham.example.org", "nobody@oldham.example.org"):
        response = owner.post("/supplier/team/invite", data={"email": email}, follow_redirects=True)
        assert response.status_code == 200
        banner = response.soup.select_one(".govuk-notification-banner")
        assert banner is not None
        answers.append(banner.get_text(" ", strip=True).replace(email, "ADDRESS"))
    assert answers[0] == answers[1]
    assert "Invitation sent to ADDRESS" in answers[0]
    # Both wait on the team page alike, and a second try is refused alike.
    team_page = page_text(owner.get("/supplier/team"))
    assert "oldham.admin@oldham.example.org" in team_page and "nobody@" in team_page
    again = [
        owner.post("/supplier/team/invite", data={"email": email}).soup.select_one(
            ".govuk-error-summary"
        )
        for email in ("oldham.admin@oldham.example.org", "nobody@oldham.example.org")
    ]
    assert all(s is not None and "already has an invitation waiting" in s.get_text() for s in again)

    # The holder is told by email, with no link to accept and nothing the owner typed.
    [told] = outbox_to("oldham.admin@oldham.example.org")
    body = told.payload["body"]
    assert "You already have an account with this address" in body
    assert "/invitation/" not in body
    assert "Olu Owner" not in body and "Co-operative Futures" not in body
    [invited] = outbox_to("nobody@oldham.example.org")
    assert "/invitation/" in invited.payload["body"]
    # The audit trail (for administrators) records what happened.
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "invitation.sent").order_by(AuditEvent.id)
    ).first()
    assert event is not None and event.after["holder_told_instead"] is True


def test_member_organisations_keep_their_own_roles(app: Flask, teams: Teams) -> None:
    # Suppliers invite users only; nothing changed for councils' buyers and viewers.
    with pytest.raises(invitations.InvitationRefused):
        invitations.invite(teams.ours, "x@coop-futures.example.org", Role.VIEWER, actor=None)
    with pytest.raises(invitations.InvitationRefused):
        invitations.invite(
            teams.ours, "y@coop-futures.example.org", Role.SUPPLIER_OWNER, actor=None
        )
    council = Organisation(name="Tameside Council", kind="member", membership_type="full")
    db.session.add(council)
    db.session.commit()
    with pytest.raises(invitations.InvitationRefused):
        invitations.invite(council, "z@tameside.example.org", Role.SUPPLIER_USER, actor=None)


def test_the_owner_cancels_an_invitation_and_its_link_stops_working(
    app: Flask, teams: Teams
) -> None:
    invitation = team.invite_colleague(
        teams.ours.id, "new.person@coop-futures.example.org", actor=teams.owner
    )
    response = browser(app, teams.owner).post(f"/supplier/team/invitations/{invitation.id}/cancel")
    assert response.status_code == 302
    refresh(invitation)
    assert invitation.cancelled_at is not None
    assert "invitation.cancelled" in actions()
    link = app.test_client().get(f"/invitation/{invitations.token_for(invitation)}")
    assert link.status_code == 410


# --- removing -----------------------------------------------------------------------------


def test_a_removed_colleague_cannot_sign_in_or_use_an_old_session(app: Flask, teams: Teams) -> None:
    colleague_session = browser(app, teams.colleague)
    assert colleague_session.get("/supplier/profile").status_code == 200
    # Something they did before, which must stay in the trail under their name.
    profiles.update_profile(teams.ours.id, {"town": "Oldham"}, teams.colleague)

    owner = browser(app, teams.owner)
    confirm = owner.get(f"/supplier/team/{teams.colleague.id}/remove")
    assert "Remove Cam Colleague from your team?" in page_text(confirm)
    removed = owner.post(f"/supplier/team/{teams.colleague.id}/remove")
    assert removed.status_code == 302
    assert "Cam Colleague has been removed from your team" in page_text(owner.get("/supplier/team"))
    assert "colleague@coop-futures.example.org" not in page_text(owner.get("/supplier/team"))

    refresh(teams.colleague)
    assert teams.colleague.active is False
    # The old session now leads to the sign-in page, not to the supplier's pages.
    again = colleague_session.get("/supplier/profile")
    assert again.status_code == 302 and "/sign-in" in again.headers["Location"]
    # Signing in with the right password is refused, as for any closed account.
    assert (
        signing_in.sign_in_with_password(teams.colleague.email, PASSWORD).outcome == Outcome.REFUSED
    )
    page = app.test_client().post(
        "/sign-in", data={"email": teams.colleague.email, "password": PASSWORD}
    )
    assert page.status_code == 200 and "/supplier" not in page.headers.get("Location", "")

    # Their history stays, and the removal is recorded with who did it.
    events = list(db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)))
    assert any(
        e.action == "supplier_profile.created" and e.actor_user_id == teams.colleague.id
        for e in events
    )
    [removal] = [e for e in events if e.action == "team.colleague_removed"]
    assert removal.actor_user_id == teams.owner.id
    assert removal.object_id == str(teams.colleague.id)
    assert removal.after == {"active": False}
    [told] = outbox_to(teams.colleague.email)
    assert "has ended" in told.payload["subject"]
    # They cannot simply be invited back over the closed account.
    with pytest.raises(team.TeamRefused, match="was removed from your team"):
        team.invite_colleague(teams.ours.id, teams.colleague.email, actor=teams.owner)


def test_the_owner_cannot_remove_themselves(app: Flask, teams: Teams) -> None:
    owner = browser(app, teams.owner)
    response = owner.post(f"/supplier/team/{teams.owner.id}/remove", follow_redirects=True)
    assert "You cannot remove yourself" in page_text(response)
    refresh(teams.owner)
    assert teams.owner.active is True
    assert "team.colleague_removed" not in actions()


# --- handing over -------------------------------------------------------------------------


def test_the_owner_can_hand_ownership_to_a_colleague(app: Flask, teams: Teams) -> None:
    owner = browser(app, teams.owner)
    assert "Make Cam Colleague the owner?" in page_text(
        owner.get(f"/supplier/team/{teams.colleague.id}/make-owner")
    )
    assert owner.post(f"/supplier/team/{teams.colleague.id}/make-owner").status_code == 302

    roles = dict(
        db.session.execute(
            db.select(Membership.user_id, Membership.role).where(
                Membership.organisation_id == teams.ours.id
            )
        ).all()
    )
    assert roles == {teams.owner.id: Role.SUPPLIER_USER, teams.colleague.id: Role.SUPPLIER_OWNER}
    assert "team.ownership_handed_over" in actions()
    assert outbox_to(teams.colleague.email)
    # At once, in the same sessions: the former owner can no longer manage; the new one can.
    assert owner.get("/supplier/team/invite").status_code == 403
    assert browser(app, teams.colleague).get("/supplier/team/invite").status_code == 200


# --- refusals -----------------------------------------------------------------------------


def test_a_colleague_who_is_not_the_owner_cannot_manage_the_team(app: Flask, teams: Teams) -> None:
    invitation = team.invite_colleague(
        teams.ours.id, "new.person@coop-futures.example.org", actor=teams.owner
    )
    second = add_person(teams.ours, "second@coop-futures.example.org", Role.SUPPLIER_USER)
    colleague = browser(app, teams.colleague)
    attempts = [
        ("GET", "/supplier/team/invite", None),
        ("POST", "/supplier/team/invite", {"email": "friend@coop-futures.example.org"}),
        ("POST", f"/supplier/team/invitations/{invitation.id}/cancel", None),
        ("GET", f"/supplier/team/{second.id}/remove", None),
        ("POST", f"/supplier/team/{second.id}/remove", None),
        ("POST", f"/supplier/team/{teams.owner.id}/remove", None),
        ("POST", f"/supplier/team/{teams.colleague.id}/make-owner", None),
    ]
    for method, url, data in attempts:
        assert colleague.open(url, method=method, data=data).status_code == 403, url
    refresh(invitation, second, teams.owner)
    assert invitation.cancelled_at is None
    assert second.active and teams.owner.active
    assert teams.colleague.membership is not None
    assert teams.colleague.membership.role == Role.SUPPLIER_USER
    assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 1

    # The services refuse too, whoever calls them.
    with pytest.raises(team.NotOwner):
        team.remove_colleague(teams.ours.id, second.id, actor=teams.colleague)
    with pytest.raises(team.NotOwner):
        team.invite_colleague(teams.ours.id, "a@coop-futures.example.org", actor=teams.colleague)


def test_another_suppliers_people_and_invitations_are_not_found(app: Flask, teams: Teams) -> None:
    rival_invitation = team.invite_colleague(
        teams.rival.id, "new@capacity-works.example.org", actor=teams.rival_owner
    )
    owner = browser(app, teams.owner)
    rival_person = teams.rival_colleague.id
    for method, url in [
        ("GET", f"/supplier/team/{rival_person}/remove"),
        ("POST", f"/supplier/team/{rival_person}/remove"),
        ("GET", f"/supplier/team/{rival_person}/make-owner"),
        ("POST", f"/supplier/team/{rival_person}/make-owner"),
        ("POST", f"/supplier/team/invitations/{rival_invitation.id}/cancel"),
        ("GET", "/supplier/team/424242/remove"),
        ("POST", "/supplier/team/invitations/424242/cancel"),
    ]:
        response = owner.open(url, method=method)
        assert response.status_code == 404, url
        assert "Page not found" in page_text(response)
    refresh(teams.rival_colleague, rival_invitation)
    assert teams.rival_colleague.active is True
    assert teams.rival_colleague.membership is not None
    assert teams.rival_colleague.membership.role == Role.SUPPLIER_USER
    assert rival_invitation.cancelled_at is None
    # Nor through the services with our organisation's id.
    with pytest.raises(team.NotInTeam):
        team.remove_colleague(teams.ours.id, rival_person, actor=teams.owner)
    with pytest.raises(team.NotInTeam):
        team.cancel_invitation(teams.ours.id, rival_invitation.id, actor=teams.owner)


def test_team_refusals_are_the_kinds_the_pages_answer_centrally() -> None:
    # Not the owner: the 403 page; not in this team: the 404 page; anything else: on the form.
    assert issubclass(team.NotOwner, NotAllowed)
    assert issubclass(team.NotInTeam, NotFound)
    refused = team.TeamRefused("You are already the owner", field="email")
    assert isinstance(refused, Refusal)
    assert (refused.message, refused.field) == ("You are already the owner", "email")
