"""The role home pages, the statement pages and the error pages: what each person is told."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Organisation
from dps.rules.enums import MembershipType, OrganisationKind, Role
from tests.conftest import make_app, page_text
from tests.unit.services.accounts.test_organisations import member, person, sign_in


def supplier(name: str = "Hollinwood Co-operative Research CIC") -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.SUPPLIER)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def main_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.soup.main.get_text(" ")).strip()


def test_a_supplier_home_names_the_organisation_and_what_is_coming(
    client: FlaskClient,
) -> None:
    sign_in(client, person("ada@hollinwood.example.org", supplier(), Role.SUPPLIER_OWNER))
    page = client.get("/supplier/")
    assert page.status_code == 200
    assert page.soup.h1.get_text(strip=True) == "Hollinwood Co-operative Research CIC"
    text = main_text(page)
    assert "ada@hollinwood.example.org" in text
    # The dashboard (tests/unit/web/test_application_pages.py has the rest of it).
    assert "Your applications You have not applied yet." in text
    # Nothing that is not built yet is a link: every link on the page leads somewhere real.
    for link in page.soup.main.find_all("a"):
        href = link["href"]
        if href.startswith("/"):
            assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("membership_type", "role", "can_buy", "explanation"),
    [
        (MembershipType.FULL, Role.BUYER, True, None),
        (MembershipType.ASSOCIATE, Role.BUYER, True, None),
        (
            MembershipType.AFFILIATE,
            Role.BUYER,
            False,
            "is an Affiliate member, so its people cannot run call-offs. Only Full and "
            "Associate members that are contracting authorities",
        ),
        (
            MembershipType.SUPPORTER,
            Role.VIEWER,
            False,
            "is a Supporter member, so its people cannot run call-offs.",
        ),
        (MembershipType.FULL, Role.VIEWER, False, "You were invited as a viewer"),
    ],
)
def test_a_member_home_says_whether_they_may_buy_and_why_not(
    client: FlaskClient,
    membership_type: MembershipType,
    role: Role,
    can_buy: bool,
    explanation: str | None,
) -> None:
    council = member("Tameside Metropolitan Borough Council", membership_type)
    sign_in(client, person("officer@tameside.example.org", council, role))
    page = client.get("/buyer/")
    assert page.status_code == 200
    text = main_text(page)
    assert f"CCIN membership {membership_type.label}" in text
    if can_buy:
        assert "Your access Buyer: you can run call-offs" in text
        assert "Start a call-off" in text
        assert page.soup.select_one(".govuk-inset-text") is None
    else:
        assert "Your access Viewer: you can read, but not buy" in text
        assert explanation and explanation in page.soup.select_one(".govuk-inset-text").get_text()
        assert "Start a call-off" not in text


def test_a_buyer_of_a_member_that_is_no_contracting_authority_is_told_why(
    client: FlaskClient,
) -> None:
    group = member("Opposition Group, Anytown Council", MembershipType.FULL)
    group.is_contracting_authority = False
    db.session.commit()
    sign_in(client, person("leader@group.example.org", group, Role.BUYER))
    page = client.get("/buyer/")
    text = main_text(page)
    assert "Can buy through the DPS No" in text
    assert "Your access Viewer: you can read, but not buy" in text
    said = " ".join(page.soup.select_one("#why-not-buying").get_text().split())
    assert said.startswith(
        "Opposition Group, Anytown Council is not a contracting authority, so its people cannot "
        "run call-offs."
    )
    assert "ask Oldham Council procurement" in said
    assert "Start a call-off" not in text and "See the suppliers admitted" not in text


def test_the_network_itself_may_buy(client: FlaskClient) -> None:
    ccin = Organisation(name="CCIN", kind=OrganisationKind.NETWORK)
    db.session.add(ccin)
    sign_in(client, person("officer@ccin.example.org", ccin, Role.BUYER))
    text = main_text(client.get("/buyer/"))
    assert "CCIN membership The network itself" in text
    assert "Can buy through the DPS Yes" in text


@pytest.mark.parametrize("path", ["/accessibility", "/privacy"])
def test_statement_pages_say_how_to_contact_the_council(
    app: Flask, client: FlaskClient, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    mailto = [a["href"] for a in page.soup.main.find_all("a") if a["href"].startswith("mailto:")]
    assert any(app.config["CONTACT_EMAIL"] in href for href in mailto)


def test_the_cookies_page_names_the_only_cookie_and_why_there_is_no_banner(
    client: FlaskClient,
) -> None:
    text = main_text(client.get("/cookies"))
    assert "Name dps_session" in text
    assert "we sign you out after 30 minutes without activity" in text
    assert "Why there is no cookie banner" in text


def test_the_accessibility_statement_has_the_required_sections(client: FlaskClient) -> None:
    headings = [h.get_text(strip=True) for h in client.get("/accessibility").soup.find_all("h2")]
    for required in (
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Preparation of this accessibility statement",
    ):
        assert required in headings


def test_the_403_page_says_who_is_signed_in_and_whom_to_ask(client: FlaskClient) -> None:
    sign_in(client, person("ada@hollinwood.example.org", supplier(), Role.SUPPLIER_OWNER))
    page = client.get("/admin/")
    assert page.status_code == 403
    text = page_text(page)
    assert "You are signed in as ada@hollinwood.example.org, a supplier owner" in text
    assert "ask Oldham Council procurement" in text
    assert page.soup.title.get_text() == (
        "You do not have permission to see this page – CCIN Dynamic Purchasing System"
    )


def test_the_429_page_says_how_long_to_wait(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="1 per 10 minutes")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        form = {"email": "someone@example.org", "password": "not the right password"}
        client.post("/sign-in", data=form)
        refused = client.post("/sign-in", data=form)
        assert refused.status_code == 429
        assert "Wait 10 minutes, then try again." in refused.get_data(as_text=True)
