"""The demo Tameside buyer drafts a call-off in Chromium, section by section (one mistake put
right without typing anything again), publishes it to Lot 1 and reads the invitation list.
axe-core checks every page on the way, error pages included.

The demo data admits three suppliers to each lot; the server's fixture adds one suspended
supplier to Lot 1, who must not be invited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import Lot
from dps.models.base import utcnow
from dps.rules.enums import AdmissionStatus
from dps.rules.timefmt import london
from tests.browser import calloff_steps as steps
from tests.browser.calloff_steps import BUYER, Check, save
from tests.browser.conftest import LiveServer
from tests.fixtures.pool_world import admitted_supplier

pytestmark = pytest.mark.browser


def _suspend_one_in_lot_1() -> None:
    lot1 = db.session.scalars(db.select(Lot).where(Lot.number == 1)).one()
    admitted_supplier(lot1, "Suspended Supplies Ltd", status=AdmissionStatus.SUSPENDED)


@pytest.fixture(scope="module")
def calloff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with steps.demo_server(tmp_path_factory.mktemp("calloff"), _suspend_one_in_lot_1) as server:
        yield server


def test_a_buyer_drafts_and_publishes_a_call_off_to_lot_1(
    calloff_server: LiveServer, page: Any, check_page: Check
) -> None:
    server, check = calloff_server, check_page
    steps.sign_in(page, server, BUYER)
    steps.start_call_off_in_lot_1(page, server, check)

    page.get_by_role("link", name="Title, description and where it is delivered").click()
    page.get_by_label("Title").fill("Testing a new tenancy policy")
    page.get_by_label("Where it is delivered").fill("Tameside")
    save(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a description of the requirement")
    expect(page.get_by_label("Title")).to_have_value("Testing a new tenancy policy")
    check()
    summary.get_by_role("link", name="Enter a description of the requirement").click()
    expect(page.locator("#description")).to_be_focused()
    page.locator("#description").fill("Co-design the draft tenancy policy with residents.")
    save(page)
    expect(page.locator("h1")).to_have_text("Testing a new tenancy policy")

    today = london(utcnow()).date()
    steps.fill_value_and_dates(page, today, check)
    steps.fill_questions(page, check)
    steps.fill_price_criteria_and_panel(page, check)
    steps.fill_deadlines(page, today, check)
    steps.publish(page, 3, check)
    page.get_by_role("link", name="See the call-off and its invitation list").click()
    names = [
        t.strip() for t in page.locator("#invitations tbody tr td:first-child").all_inner_texts()
    ]
    assert names == [
        "Community Catalyst CIC",
        "Northern Co-operative Consultancy CIC",
        "Participation Partners CIC",
    ]
    check_page()
