"""Small helpers shared by the tests: organisations, people, and a test client signed in.

Signing in here sets the session exactly as the sign-in pages leave it (Flask-Login keeps
``User.get_id()``, "id:session version", in ``_user_id``), without the slow password hash.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Membership, Organisation, User
from dps.models.enums import OrganisationKind, Role


def make_supplier(name: str, companies_house_number: str | None = None) -> Organisation:
    organisation = Organisation(
        name=name, kind=OrganisationKind.SUPPLIER, companies_house_number=companies_house_number
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def add_person(
    organisation: Organisation,
    email: str,
    role: Role,
    *,
    name: str | None = None,
    password_hash: str = "unused",  # noqa: S107 (not a password: nobody signs in with it)
) -> User:
    """An active account in ``organisation`` with ``role``; committed."""
    user = User(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        password_hash=password_hash,
    )
    db.session.add_all([user, Membership(user=user, organisation=organisation, role=role)])
    db.session.commit()
    return user


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client
