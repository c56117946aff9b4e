"""Questionnaire sections in Chromium: a radio reveals its questions, a repeating group grows,
an error keeps everything typed (the group's items too), word counts count, and axe-core finds
nothing wrong on any section page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import DPS, Application, ApplicationLot, Organisation
from dps.services.suppliers import questionnaire
from tests.browser.conftest import PASSWORD, LiveServer, add_user

pytestmark = pytest.mark.browser

EMAIL = "questionnaire.owner@example.org"
ORGANISATION = "Saddleworth Civic Co-operative"


def draft_for_both_lots(server: LiveServer) -> int:
    with server.database() as session:
        organisation = session.scalars(
            db.select(Organisation).where(Organisation.name == ORGANISATION)
        ).one()
        dps = session.scalars(db.select(DPS)).first()
        application = Application(
            organisation_id=organisation.id,
            dps=dps,
            questionnaire_version=questionnaire.current_version(),
            lots=[ApplicationLot(lot=lot) for lot in dps.lots],
        )
        session.add(application)
        session.commit()
        return application.id


def test_a_supplier_answers_a_section_with_a_repeating_group(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    add_user(live_server, EMAIL, organisation=ORGANISATION)
    application_id = draft_for_both_lots(live_server)
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    sections = f"/supplier/applications/{application_id}/sections"
    page.goto(live_server(f"{sections}/bidding"))
    expect(page.locator("h1")).to_have_text("How you are bidding")
    member_name = page.locator("#consortium_members-0-name")
    expect(member_name).to_be_hidden()  # revealed only for a consortium
    check_page()

    page.get_by_label("As the lead of a consortium").check()
    expect(member_name).to_be_visible()
    member_name.fill("Kirklees Community Works CIC")
    page.locator("#consortium_members-0-registered_number").fill("11223344")
    page.locator("#consortium_members-0-role").fill("Runs the community workshops")
    count = page.locator(".govuk-character-count__status", has_text="96 words remaining")
    expect(count).to_be_visible()
    page.get_by_role("button", name="Add another consortium member").click()

    second = page.locator("#consortium_members-1-name")
    expect(second).to_be_visible()
    expect(member_name).to_have_value("Kirklees Community Works CIC")
    second.fill("Pennine Evaluation Co-operative")
    page.locator("#consortium_members-1-role").fill("Evaluation")
    page.locator("fieldset", has_text="parent company").get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the member’s registered number")
    expect(second).to_have_value("Pennine Evaluation Co-operative")
    expect(member_name).to_have_value("Kirklees Community Works CIC")
    expect(page.get_by_label("As the lead of a consortium")).to_be_checked()
    check_page()

    summary.get_by_role("link", name="Enter the member’s registered number").click()
    expect(page.locator("#consortium_members-1-registered_number")).to_be_focused()
    page.locator("#consortium_members-1-registered_number").fill("RS007712")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(live_server(f"/supplier/applications/{application_id}"))

    for section_id in ("economic_standing", "insurance", "lot1_case_studies", "ccin_principles"):
        page.goto(live_server(f"{sections}/{section_id}"))
        check_page()
