"""Member organisations: who may buy, and what changing a membership type does to people."""

from __future__ import annotations

import time
from datetime import date

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import DPS, AuditEvent, Membership, Organisation, User
from dps.models.base import utcnow
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.rules.refusals import Refusal
from dps.services.accounts import organisations
from dps.services.accounts.passwords import hash_password
from dps.web.access import Area, role_may_enter

PASSWORD = "correct horse battery staple"
# Hashed once: argon2 is slow on purpose, and these tests make many people.
PASSWORD_HASH = hash_password(PASSWORD)

# --- helpers the other member-organisation tests share ----------------------------------------


def member(name: str, membership_type: MembershipType = MembershipType.FULL) -> Organisation:
    organisation = Organisation(
        name=name, kind=OrganisationKind.MEMBER, membership_type=membership_type
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def person(email: str, organisation: Organisation, role: Role) -> User:
    user = User(
        email=email,
        name=email.split("@")[0],
        password_hash=PASSWORD_HASH,
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.commit()
    return user


def owned_dps(owner: Organisation) -> DPS:
    """A DPS run by ``owner``, open from 2020 to the transitional cap."""
    dps = DPS(
        reference="CCIN-DPS-TEST",
        title="CCIN Dynamic Purchasing System",
        description="Test DPS",
        owner=owner,
        period_start=date(2020, 4, 1),
        period_end=date(2029, 2, 23),
    )
    db.session.add(dps)
    db.session.commit()
    return dps


def administrator() -> User:
    """An administrator of Oldham Council, which runs the DPS."""
    oldham = member("Oldham Council")
    owned_dps(oldham)
    return person("admin@oldham.example.org", oldham, Role.ADMINISTRATOR)


def sign_in(client: FlaskClient, user: User) -> None:
    """Sign ``user`` in on ``client`` without the password and second-factor pages."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = time.time()
    # The test's app context outlives requests, so Flask-Login's per-request cache in g would
    # otherwise keep whoever the previous request saw.
    g.pop("_login_user", None)


def audit_actions(object_type: str) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        )
    )


# --- the tests --------------------------------------------------------------------------------


def test_full_and_associate_members_and_the_network_may_buy_others_may_not(app: Flask) -> None:
    assert member("Tameside", MembershipType.FULL).may_buy
    assert member("Burntwood", MembershipType.ASSOCIATE).may_buy
    assert not member("Housing co-op federation", MembershipType.AFFILIATE).may_buy
    assert not member("Friends of co-ops", MembershipType.SUPPORTER).may_buy
    assert organisations.create_network_organisation("CCIN", actor=None).may_buy


def test_creating_a_member_is_audited_and_names_are_unique_ignoring_case(app: Flask) -> None:
    admin = administrator()
    created = organisations.create_member_organisation(
        "  Kirklees   Council ", MembershipType.FULL, actor=admin
    )
    assert created.name == "Kirklees Council"
    assert created.kind == OrganisationKind.MEMBER
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "organisation.created", AuditEvent.object_id == str(created.id)
        )
    ).one()
    assert event.actor_user_id == admin.id
    assert event.after == {
        "name": "Kirklees Council",
        "kind": "member",
        "membership_type": "full",
        "is_contracting_authority": True,
    }

    with pytest.raises(organisations.OrganisationRefused, match="already an organisation") as e:
        organisations.create_member_organisation(
            "KIRKLEES COUNCIL", MembershipType.FULL, actor=admin
        )
    assert e.value.field == "name"
    with pytest.raises(organisations.OrganisationRefused, match="Enter the organisation"):
        organisations.create_member_organisation("   ", MembershipType.FULL, actor=admin)


def test_becoming_an_affiliate_takes_buying_away_at_once_and_keeps_viewing(app: Flask) -> None:
    admin = administrator()
    tameside = member("Tameside Metropolitan Borough Council")
    buyer = person("buyer@tameside.example.org", tameside, Role.BUYER)
    assert buyer.membership is not None
    assert role_may_enter(buyer.membership.effective_role, Area.BUYER)

    change = organisations.change_membership_type(tameside, MembershipType.AFFILIATE, actor=admin)

    db.session.refresh(buyer)
    assert buyer.membership is not None
    assert buyer.membership.role == Role.BUYER  # nothing destroyed
    assert buyer.membership.effective_role == Role.VIEWER
    assert not role_may_enter(buyer.membership.effective_role, Area.BUYER)
    assert role_may_enter(buyer.membership.effective_role, Area.MEMBER)
    assert change.buyers_affected == 1
    assert "can no longer buy" in change.message
    assert "keep viewer access" in change.message

    back = organisations.change_membership_type(tameside, MembershipType.FULL, actor=admin)
    db.session.refresh(buyer)
    assert buyer.membership is not None
    assert buyer.membership.effective_role == Role.BUYER
    assert "can buy again" in back.message


def test_a_membership_type_change_is_audited_with_before_and_after(app: Flask) -> None:
    admin = administrator()
    rochdale = member("Rochdale Borough Council", MembershipType.ASSOCIATE)
    organisations.change_membership_type(rochdale, MembershipType.SUPPORTER, actor=admin)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "organisation.membership_type_changed")
    ).one()
    assert event.actor_user_id == admin.id
    assert event.object_id == str(rochdale.id)
    assert event.before == {"membership_type": "associate", "may_buy": True}
    assert event.after == {"membership_type": "supporter", "may_buy": False, "buyers_affected": 0}


def test_changing_to_the_same_type_changes_and_records_nothing(app: Flask) -> None:
    admin = administrator()
    oxford = member("Oxford City Council")
    change = organisations.change_membership_type(oxford, MembershipType.FULL, actor=admin)
    assert "already a Full member" in change.message
    assert "organisation.membership_type_changed" not in audit_actions("organisations")


def test_the_network_has_no_membership_type_to_change(app: Flask) -> None:
    network = organisations.create_network_organisation("CCIN", actor=None)
    with pytest.raises(organisations.OrganisationRefused, match="network itself"):
        organisations.change_membership_type(network, MembershipType.AFFILIATE, actor=None)
    assert network.membership_type is None
    assert network.may_buy


def test_the_list_counts_buyers_and_viewers_by_what_they_may_do(app: Flask) -> None:
    administrator()
    tameside = member("Tameside")
    person("b1@tameside.example.org", tameside, Role.BUYER)
    person("b2@tameside.example.org", tameside, Role.BUYER)
    person("v1@tameside.example.org", tameside, Role.VIEWER)
    federation = member("Housing federation", MembershipType.AFFILIATE)
    person("b@federation.example.org", federation, Role.BUYER)
    supplier = Organisation(name="Co-operative Futures Ltd", kind=OrganisationKind.SUPPLIER)
    db.session.add(supplier)
    db.session.commit()

    summaries = {s.organisation.name: s for s in organisations.managed_organisations()}

    assert "Co-operative Futures Ltd" not in summaries  # suppliers manage themselves
    assert (summaries["Tameside"].buyers, summaries["Tameside"].viewers) == (2, 1)
    assert summaries["Tameside"].may_buy
    # A buyer of an Affiliate counts as the viewer they effectively are.
    assert (summaries["Housing federation"].buyers, summaries["Housing federation"].viewers) == (
        0,
        1,
    )
    assert summaries["Oldham Council"].administrators == 1
    assert list(summaries) == sorted(summaries, key=str.lower)


def test_roles_people_may_be_invited_to(app: Flask) -> None:
    oldham = member("Oldham Council")
    owned_dps(oldham)
    tameside = member("Tameside")
    federation = member("Housing federation", MembershipType.AFFILIATE)
    assert organisations.invitable_roles(oldham) == [Role.BUYER, Role.VIEWER, Role.ADMINISTRATOR]
    assert organisations.invitable_roles(tameside) == [Role.BUYER, Role.VIEWER]
    assert organisations.invitable_roles(federation) == [Role.VIEWER]


def test_suppliers_and_unknown_ids_are_not_managed_here(app: Flask) -> None:
    supplier = Organisation(name="Capacity Works CIC", kind=OrganisationKind.SUPPLIER)
    db.session.add(supplier)
    db.session.commit()
    assert organisations.get_managed(supplier.id) is None
    assert organisations.get_managed(99999) is None


def test_an_organisation_refusal_is_a_refusal_with_its_field(app: Flask) -> None:
    with pytest.raises(organisations.OrganisationRefused) as refused:
        organisations.create_member_organisation("   ", MembershipType.FULL, actor=None)
    assert isinstance(refused.value, Refusal)
    assert (refused.value.message, refused.value.field) == ("Enter the organisation’s name", "name")


def test_a_supplier_organisation_set_up_by_the_service_is_audited_and_unique(app: Flask) -> None:
    made = organisations.create_supplier_organisation(
        "Co-operative Futures Ltd", companies_house_number="09345678", actor=None
    )
    assert made.kind == OrganisationKind.SUPPLIER
    assert made.companies_house_number == "09345678"
    assert made.membership_type is None
    [event] = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "organisation.created", AuditEvent.object_id == str(made.id)
        )
    )
    assert event.after == {
        "name": "Co-operative Futures Ltd",
        "kind": "supplier",
        "companies_house_number": "09345678",
    }
    with pytest.raises(organisations.OrganisationRefused) as refused:
        organisations.create_supplier_organisation(
            "co-operative futures ltd", companies_house_number=None, actor=None
        )
    assert refused.value.field == "name"


def test_a_member_that_is_not_a_contracting_authority_may_not_buy(app: Flask) -> None:
    group = member("Opposition Group, Anytown Council", MembershipType.ASSOCIATE)
    assert group.may_buy
    group.is_contracting_authority = False
    db.session.commit()
    assert not group.may_buy
    buyer = person("leader@group.example.org", group, Role.BUYER)
    assert buyer.membership is not None
    assert buyer.membership.effective_role == Role.VIEWER


def test_a_member_added_as_not_a_contracting_authority_may_not_buy(app: Flask) -> None:
    group = organisations.create_member_organisation(
        "Minority Administration, Anytown",
        MembershipType.FULL,
        actor=administrator(),
        is_contracting_authority=False,
    )
    assert not group.is_contracting_authority and not group.may_buy
    [event] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_id == str(group.id))
    ).all()
    assert event.after is not None and event.after["is_contracting_authority"] is False


def _authority_events(organisation: Organisation) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == "organisation.contracting_authority_changed",
                AuditEvent.object_id == str(organisation.id),
            )
        )
    )


def test_setting_contracting_authority_is_audited_with_the_reason(app: Flask) -> None:
    admin = administrator()
    group = member("Opposition Group, Anytown Council", MembershipType.FULL)
    buyer = person("leader@group.example.org", group, Role.BUYER)

    message = organisations.set_contracting_authority(
        group, False, "  A political group,\n not a council ", actor=admin
    )
    assert message == (
        "Opposition Group, Anytown Council is now recorded as not a contracting authority. "
        "Its 1 buyer can no longer buy. They keep viewer access."
    )
    assert not group.may_buy
    assert buyer.membership is not None and buyer.membership.effective_role == Role.VIEWER
    [event] = _authority_events(group)
    assert event.actor_user_id == admin.id
    assert event.before == {"is_contracting_authority": True, "may_buy": True}
    assert event.after == {
        "is_contracting_authority": False,
        "may_buy": False,
        "buyers_affected": 1,
        "reason": "A political group, not a council",
    }

    message = organisations.set_contracting_authority(group, True, "Recorded wrongly", actor=admin)
    assert message.endswith("Its 1 buyer can buy again.")
    assert buyer.membership.effective_role == Role.BUYER
    assert len(_authority_events(group)) == 2


def test_no_change_records_nothing_and_needs_no_reason(app: Flask) -> None:
    admin = administrator()
    council = member("Tameside")
    message = organisations.set_contracting_authority(council, True, "", actor=admin)
    assert message == "Tameside is already recorded as a contracting authority."
    assert _authority_events(council) == []


def test_a_change_needs_a_reason_and_only_members_have_one(app: Flask) -> None:
    admin = administrator()
    council = member("Tameside")
    with pytest.raises(organisations.OrganisationRefused, match="Enter the reason") as refused:
        organisations.set_contracting_authority(council, False, "   ", actor=admin)
    assert refused.value.field == "reason"
    with pytest.raises(organisations.OrganisationRefused, match="2000 characters"):
        organisations.set_contracting_authority(council, False, "x" * 2001, actor=admin)
    assert council.is_contracting_authority and _authority_events(council) == []
    network = organisations.create_network_organisation("CCIN", actor=None)
    with pytest.raises(organisations.OrganisationRefused, match="network itself"):
        organisations.set_contracting_authority(network, False, "Why not", actor=admin)


def test_why_a_member_cannot_buy_and_who_to_ask(app: Flask) -> None:
    council = member("Tameside")
    affiliate = member("Co-operative Party Councillors", MembershipType.AFFILIATE)
    group = member("Opposition Group", MembershipType.FULL)
    group.is_contracting_authority = False
    db.session.commit()
    assert organisations.why_cannot_buy(council) is None
    assert organisations.why_cannot_buy(affiliate) == (
        "Co-operative Party Councillors is an Affiliate member, so its people cannot run call-offs."
    )
    assert organisations.why_cannot_buy(member("Friends", MembershipType.SUPPORTER)) == (
        "Friends is a Supporter member, so its people cannot run call-offs."
    )
    assert organisations.why_cannot_buy(group) == (
        "Opposition Group is not a contracting authority, so its people cannot run call-offs."
    )
    refusal = organisations.buying_refusal(
        person("leader@group.example.org", group, Role.BUYER).membership  # type: ignore[arg-type]
    )
    assert refusal.startswith("Opposition Group is not a contracting authority")
    assert "ask Oldham Council procurement" in refusal
    viewer = person("viewer@tameside.example.org", council, Role.VIEWER)
    assert organisations.buying_refusal(viewer.membership).startswith(  # type: ignore[arg-type]
        "You were invited as a viewer"
    )


def test_a_new_type_promises_no_buying_to_a_member_that_is_no_contracting_authority(
    app: Flask,
) -> None:
    group = member("Opposition Group", MembershipType.AFFILIATE)
    group.is_contracting_authority = False
    db.session.commit()
    person("leader@group.example.org", group, Role.BUYER)
    change = organisations.change_membership_type(group, MembershipType.FULL, actor=None)
    assert change.message == "Opposition Group is now a Full member."
    assert not group.may_buy
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "organisation.membership_type_changed")
    ).one()
    assert event.before is not None and event.before["may_buy"] is False
    assert event.after is not None and event.after["may_buy"] is False
