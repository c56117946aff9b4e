"""A new supplier's first visit, in Chromium: register, confirm the email from the outbox, sign
in, see its home page, meet the 403 and 404 pages, sign out. axe-core (every rule) checks each
page on the way, under the production Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SERVICE_NAME, LiveServer

pytestmark = pytest.mark.browser

ORGANISATION = "Hollinwood Co-operative Research CIC"
EMAIL = "ada.journey@hollinwood.example.org"
PASSWORD = "riverside allotment tuesday lantern"


def heading(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


def test_a_new_supplier_registers_confirms_signs_in_and_out(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    page.goto(live_server("/"))
    check_page()

    page.get_by_role("button", name="Start now").click()
    assert heading(page) == "Create a supplier account"
    check_page()

    # A mistake first: the error summary takes focus, and what was typed is kept.
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Your full name").fill("Ada Journey")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD + " typo")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Organisation name")).to_have_value(ORGANISATION)
    check_page()

    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert heading(page) == "Check your email"
    assert EMAIL in page.locator("main").inner_text()
    check_page()

    link = live_server.link_in_latest_email_to(EMAIL, "/confirm-email/")
    page.goto(link)
    expect(page.locator("main")).to_contain_text("Email address confirmed")
    check_page()

    page.get_by_role("button", name="Sign in").click()
    assert heading(page) == "Sign in"
    check_page()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    assert page.url == live_server("/supplier/")
    assert heading(page) == ORGANISATION
    assert page.title() == f"{ORGANISATION} – {SERVICE_NAME}"
    navigation = page.get_by_role("navigation", name="Service menu")
    expect(navigation.get_by_role("link", name="Home")).to_have_attribute("aria-current", "true")
    expect(navigation.get_by_role("link", name="Administration")).to_have_count(0)
    check_page()

    navigation.get_by_role("link", name="Your account").click()
    assert heading(page) == "Your account"
    expect(page.locator("main")).to_contain_text(EMAIL)
    check_page()

    # A supplier may not see the administration pages, and is told so in plain words.
    response = page.goto(live_server("/admin/"))
    assert response.status == 403
    assert heading(page) == "You do not have permission to see this page"
    expect(page.locator("main")).to_contain_text(EMAIL)
    check_page()

    response = page.goto(live_server("/supplier/no-such-page"))
    assert response.status == 404
    assert heading(page) == "Page not found"
    check_page()

    page.goto(live_server("/supplier/"))
    page.get_by_role("navigation", name="Service menu").get_by_role(
        "button", name="Sign out"
    ).click()
    assert heading(page) == "Sign in"
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    check_page()

    # The session has really ended: the supplier's pages ask for a sign-in again.
    page.goto(live_server("/supplier/"))
    assert page.url.startswith(live_server("/sign-in"))
