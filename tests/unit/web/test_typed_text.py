"""No control characters in anything typed (issue 11, item 8).

NUL in a text field failed the request on PostgreSQL (registration, team invitation, profile,
new organisation, extension reason); other control characters were stored and sent on. Every
form derives from ``PortalForm``, which refuses them in the error summary against the question;
NUL is refused on every request before any view reads it (the 400 page says why).
tests/integration/test_typed_text_postgres.py posts NUL on PostgreSQL.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm

import dps.web
from dps.extensions import db
from dps.models import Invitation, Organisation, User
from dps.models.base import utcnow
from dps.web.forms import PortalForm
from tests.conftest import HTMLClient, make_app
from tests.fixtures.reminders_world import make_office, sent_application
from tests.unit.web.test_access_rules import World, build_world, client_for

PASSWORD = "correct horse battery staple"
HOSTILE = {
    "escape": "Ann\x1b[31m Lee",
    "backspace": "Ann\x08 Lee",
    "bell": "Ann\x07",
    "C1": "Ann\x85Lee",
    "line break": "Ann\nLee",
    "line separator": "Ann\u2028Lee",
}


def error_summary(response: Any) -> list[tuple[str, str]]:
    return [
        (a["href"], a.get_text(strip=True)) for a in response.soup.select(".govuk-error-summary a")
    ]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        world = build_world()
        db.session.remove()
    yield app, world


def registration(**fields: str) -> dict[str, str]:
    return {
        "organisation_name": "Co-op Futures",
        "name": "Ann Lee",
        "email": "ann@example.org",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **fields,
    }


# --- every form ---------------------------------------------------------------------------------


def test_every_form_in_the_portal_derives_from_the_portal_form() -> None:
    for module in pkgutil.walk_packages(dps.web.__path__, "dps.web."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [form for form in subclasses(FlaskForm) if form.__module__.startswith("dps.")]
    assert len(ours) >= 30
    outside = [f"{f.__module__}.{f.__name__}" for f in ours if not issubclass(f, PortalForm)]
    assert outside == [], "derive these from dps.web.forms.PortalForm"


# --- the error summary names the question -------------------------------------------------------


@pytest.mark.parametrize("typed", list(HOSTILE.values()), ids=list(HOSTILE))
def test_registration_refuses_control_characters_naming_each_question(
    site: tuple[Flask, World], typed: str
) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").post(
        "/register", data=registration(name=typed, organisation_name=f"Co-op{typed}")
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("#organisation_name", "Organisation name must not contain control characters"),
        ("#name", "Your full name must not contain control characters"),
    ]
    # What was typed is kept in its box.
    assert response.soup.find("input", {"name": "name"})["value"] == typed
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "ann@example.org")) is None


def test_a_supplier_owners_invitation_refuses_them(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "supplier_owner").post(
        "/supplier/team/invite", data={"email": "colleague@example.org\x1b"}
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("#email", "Email address must not contain control characters")
    ]
    with app.app_context():
        assert (
            db.session.scalar(db.select(Invitation).where(Invitation.email.like("colleague%")))
            is None
        )


def test_the_profile_refuses_them(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "supplier_owner").post(
        "/supplier/profile/edit", data={"legal_name": "Co-operative\x07 Futures Ltd", "save": "1"}
    )
    assert response.status_code == 200
    assert ("#legal_name", "Legal name must not contain control characters") in error_summary(
        response
    )


def test_a_new_organisation_refuses_them(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "administrator").post(
        "/admin/organisations/new",
        data={
            "name": "Bury\x1b Council",
            "membership_type": "full",
            "is_contracting_authority": "yes",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("#name", "Organisation name must not contain control characters")
    ]
    with app.app_context():
        assert (
            db.session.scalar(db.select(Organisation).where(Organisation.name.like("Bury%")))
            is None
        )


def test_a_long_answer_keeps_its_line_breaks_but_not_other_control_characters(
    app: Flask, client: FlaskClient
) -> None:
    from tests.fixtures.helpers import sign_in

    office = make_office()
    application = sent_application(office.world, office.world.supplier, received_at=utcnow())
    sign_in(client, office.officer)
    url = f"/admin/applications/{application.id}/extend"
    refused = client.post(url, data={"justification": "The insurer\x1b is slow"})
    assert refused.status_code == 200
    assert error_summary(refused) == [
        ("#justification", "Your answer must not contain control characters")
    ]
    accepted = client.post(url, data={"justification": "The insurer is slow.\r\n\tThey said so."})
    assert accepted.status_code == 302


# --- NUL, on every request ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "data"),
    [
        ("anonymous", "/register", registration(name="Ann\x00Lee")),
        ("anonymous", "/sign-in", {"email": "ann@example.org\x00", "password": "x"}),
        ("supplier_owner", "/supplier/team/invite", {"email": "a\x00@example.org"}),
        ("supplier_owner", "/supplier/profile/edit", {"legal_name": "\x00", "save": "1"}),
        (
            "administrator",
            "/admin/organisations/new",
            {"name": "Bury\x00", "membership_type": "full"},
        ),
        # A page that reads its form by hand (the call-off pages) is covered the same way.
        ("supplier_owner", "/supplier/call-offs/1/questions", {"question": "Why\x00?"}),
        ("buyer", "/buyer/call-offs/new", {"title": "Evaluation\x00", "lot": "1"}),
    ],
)
def test_nul_is_refused_on_every_request_with_a_reason(
    site: tuple[Flask, World], persona: str, url: str, data: dict[str, str]
) -> None:
    app, world = site
    response = client_for(app, world, persona).post(url, data=data)
    assert response.status_code == 400
    assert "null character" in response.soup.select_one("#refusal-reason").get_text()
    assert "We have not saved what you sent" in response.soup.main.get_text()


def test_nul_in_a_links_query_is_refused(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").get("/register?email=a%00@example.org")
    assert response.status_code == 400


def test_a_password_is_left_alone(site: tuple[Flask, World]) -> None:
    # Only ever hashed: nobody whose password holds such a character is shut out by the check.
    app, world = site
    response = client_for(app, world, "anonymous").post(
        "/sign-in", data={"email": "ann@example.org", "password": "correct\x1bhorse"}
    )
    assert response.status_code == 200
    assert "control characters" not in response.soup.main.get_text()
