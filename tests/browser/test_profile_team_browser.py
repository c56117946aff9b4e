"""The organisation profile and the team in Chromium: the Companies House number revealed under
the legal form that asks for it, "Anywhere in the UK" unticking the regions, an error put right
without retyping, and the owner inviting and removing a colleague. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import Membership, Organisation, User
from dps.rules.enums import Role
from dps.services.accounts.passwords import hash_password
from tests.browser.conftest import PASSWORD, LiveServer, add_user

pytestmark = pytest.mark.browser

OWNER = "profile.owner@example.org"
ORGANISATION = "Hollinwood Co-operative Ventures"


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_supplier_fills_in_its_profile_meeting_an_error_on_the_way(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    add_user(live_server, OWNER, organisation=ORGANISATION)
    sign_in(page, live_server, OWNER)

    page.goto(live_server("/supplier/profile"))
    expect(page.locator("h1")).to_have_text("Your organisation’s details")
    check_page()

    page.get_by_role("button", name="Continue").click()
    number = page.locator("#company_number")
    expect(number).to_be_hidden()  # revealed only under the legal form that asks for it
    check_page()

    page.get_by_label("Legal name").fill("Hollinwood Co-operative Ventures Ltd")
    page.get_by_label("Company", exact=True).check()
    expect(number).to_be_visible()
    number.fill("12345")  # too short
    page.get_by_label("Address line 1").fill("3 Hollins Road")
    page.get_by_label("Town or city").fill("Oldham")
    page.get_by_label("Postcode").fill("ol8 3ab")
    page.get_by_label("Full name").fill("Jo Brown")
    page.get_by_label("Email address").fill("jo@hollinwood.example.org")
    page.get_by_label("Phone number").fill("0161 496 0789")
    page.get_by_label("Small", exact=True).check()
    page.get_by_label("Number of employees").fill("0")
    page.locator("#is_vcse").check()  # Yes
    page.locator("#is_cooperative_or_mutual").check()  # Yes
    page.get_by_label("North West").check()
    anywhere = page.get_by_label("Anywhere in the UK")
    anywhere.check()
    expect(page.get_by_label("North West")).not_to_be_checked()  # exclusive

    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("8 characters, like 01234567 or SC123456")
    # Everything typed is still there, and the reveal with the error stays open.
    expect(page.get_by_label("Legal name")).to_have_value("Hollinwood Co-operative Ventures Ltd")
    expect(number).to_be_visible()
    expect(number).to_have_value("12345")
    expect(anywhere).to_be_checked()
    check_page()

    summary.get_by_role("link").click()
    expect(number).to_be_focused()
    number.fill("08123456")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.locator("h1")).to_have_text("Your organisation’s details")
    expect(page.locator(".govuk-tag").filter(has_text="Completed")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("OL8 3AB")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Anywhere in the UK")
    check_page()


def test_the_owner_invites_and_removes_a_colleague(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    owner = "team.owner@example.org"
    add_user(live_server, owner, organisation="Werneth Community Works")
    with live_server.database() as session:
        organisation = session.scalars(
            db.select(Organisation).where(Organisation.name == "Werneth Community Works")
        ).one()
        colleague = User(
            email="team.colleague@example.org",
            name="Kit Colleague",
            password_hash=hash_password(PASSWORD),
            email_confirmed_at=datetime.now(UTC),
        )
        membership = Membership(user=colleague, organisation=organisation, role=Role.SUPPLIER_USER)
        session.add_all([colleague, membership])
        session.commit()
    sign_in(page, live_server, owner)

    page.goto(live_server("/supplier/team"))
    expect(page.locator("h1")).to_have_text("Your team")
    check_page()

    page.get_by_role("button", name="Invite a colleague").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter your colleague’s email address"
    )
    check_page()
    page.get_by_label("Email address").fill("new.colleague@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to new.colleague@example.org"
    )
    check_page()

    page.get_by_role("link", name="Remove Kit Colleague").click()
    expect(page.locator("h1")).to_have_text("Remove Kit Colleague from your team?")
    check_page()
    page.get_by_role("button", name="Remove Kit Colleague").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Kit Colleague has been removed from your team"
    )
    expect(page.locator("table").first).not_to_contain_text("team.colleague@example.org")
