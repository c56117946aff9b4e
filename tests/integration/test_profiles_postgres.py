"""The organisation profile and the team on PostgreSQL, as the application's own role."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from dps.extensions import db
from dps.models import AuditEvent, SupplierProfile
from dps.rules.enums import Role, SectionStatus
from dps.services.accounts import team
from dps.services.suppliers import profiles
from tests.conftest import HTMLClient
from tests.fixtures.helpers import add_person, make_supplier, sign_in
from tests.unit.web.test_profile_pages import FILLED_IN


@pytest.mark.postgres
def test_a_profile_saved_through_the_pages_round_trips_on_postgres(
    pg_client: FlaskClient,
) -> None:
    supplier = make_supplier("Co-operative Futures Ltd")
    owner = add_person(supplier, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER)
    sign_in(pg_client, owner)

    later = pg_client.post(
        "/supplier/profile/edit",
        data=FILLED_IN | {"postcode": "OL1 XYZ", "employees": "0", "save_later": "y"},
    )
    assert later.status_code == 302
    db.session.expire_all()
    profile = profiles.profile_for(supplier.id)
    assert profile.pending_input == {"postcode": "OL1 XYZ"}
    assert profile.regions == ["north_west", "london"]
    assert profile.employees == 0
    assert profiles.profile_status(profile) == SectionStatus.IN_PROGRESS

    done = pg_client.post(
        "/supplier/profile/edit", data=FILLED_IN | {"postcode": "ol1 1ut", "save": "y"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    profile = profiles.profile_for(supplier.id)
    assert profile.pending_input is None and profile.postcode == "OL1 1UT"
    assert profiles.profile_status(profile) == SectionStatus.COMPLETED
    assert supplier.companies_house_number == "09345678"
    trail = list(
        db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.object_type == "supplier_profiles")
        )
    )
    assert trail == ["supplier_profile.created", "supplier_profile.updated"]


@pytest.mark.postgres
def test_two_first_saves_at_once_make_one_profile_with_both_changes(pg_app: Flask) -> None:
    """Another request stores the organisation's first profile between this one's read and its
    write: the unique organisation id refuses the second row, and the change goes onto the
    first one instead of failing."""
    supplier = make_supplier("Co-operative Futures Ltd")
    db.session.commit()
    supplier_id = supplier.id
    raced = False

    def other_request_saves_first(session: Session, *_: Any) -> None:
        nonlocal raced
        if raced or not any(isinstance(o, SupplierProfile) for o in session.new):
            return
        raced = True
        with db.engine.connect() as other:
            other.execute(
                sa.insert(SupplierProfile.__table__).values(
                    organisation_id=supplier_id,
                    legal_name="Co-operative Futures Ltd",
                    trading_name="",
                    address_line_1="",
                    address_line_2="",
                    town="Oldham",
                    postcode="",
                    contact_name="",
                    contact_email="",
                    contact_phone="",
                    regions=[],
                    updated_at=sa.func.now(),
                )
            )
            other.commit()

    event.listen(db.session.registry(), "before_flush", other_request_saves_first)
    try:
        errors = profiles.update_profile(supplier_id, {"postcode": "OL1 1UT"}, None)
    finally:
        event.remove(db.session.registry(), "before_flush", other_request_saves_first)

    assert raced and errors == {}
    db.session.expire_all()
    [profile] = db.session.scalars(db.select(SupplierProfile)).all()
    assert (profile.town, profile.postcode) == ("Oldham", "OL1 1UT")


@pytest.mark.postgres
def test_the_team_on_postgres(pg_app: Flask) -> None:
    ours = make_supplier("Co-operative Futures Ltd")
    rival = make_supplier("Capacity Works CIC")
    owner = add_person(ours, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER, name="Zed")
    colleague = add_person(ours, "ash@coop-futures.example.org", Role.SUPPLIER_USER, name="Ash")
    rival_user = add_person(rival, "user@capacity-works.example.org", Role.SUPPLIER_USER)

    # The owner first, whatever the names.
    assert [m.user.name for m in team.members(ours.id)] == ["Zed", "Ash"]
    with pytest.raises(team.NotInTeam):
        team.remove_colleague(ours.id, rival_user.id, actor=owner)

    pg_app.test_client_class = HTMLClient  # each request loads its user from its cookie
    colleague_session = sign_in(pg_app.test_client(), colleague)
    assert colleague_session.get("/supplier/team").status_code == 200
    team.remove_colleague(ours.id, colleague.id, actor=owner)
    assert colleague_session.get("/supplier/team").status_code == 302  # to sign in
    db.session.expire_all()
    assert [m.user.name for m in team.members(ours.id)] == ["Zed"]
    removed_by = db.session.scalar(
        db.select(AuditEvent.actor_user_id).where(AuditEvent.action == "team.colleague_removed")
    )
    assert removed_by == owner.id
