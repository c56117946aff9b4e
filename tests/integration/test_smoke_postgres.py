"""The application runs on PostgreSQL as a role that is not a superuser."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import Organisation
from dps.rules.enums import MembershipType, OrganisationKind


def test_app_role_is_not_a_superuser_and_can_write(pg_app: Flask) -> None:
    is_super = db.session.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    assert is_super is False
    db.session.add(
        Organisation(
            name="Tameside", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
        )
    )
    db.session.commit()
    org = db.session.scalars(sa.select(Organisation)).one()
    assert org.created_at.tzinfo is not None
