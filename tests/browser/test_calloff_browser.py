"""The demo Tameside buyer drafts a call-off in Chromium, section by section (one mistake put
right without typing anything again), publishes it to Lot 1 and reads the invitation list.
axe-core checks every page on the way, error pages included.

The demo data admits three suppliers to each lot; the server's fixture adds one suspended
supplier to Lot 1, who must not be invited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from dps import create_app
from dps.demo import load_demo_data
from dps.extensions import db
from dps.models import Lot
from dps.models.base import utcnow
from dps.rules.enums import AdmissionStatus
from dps.rules.timefmt import london
from tests.browser.conftest import LiveServer, serve
from tests.browser.test_pool_browser import sign_in
from tests.fixtures.pool_world import admitted_supplier

pytestmark = pytest.mark.browser

BUYER = "tameside.buyer@example.org"


@pytest.fixture(scope="module")
def calloff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp_path = tmp_path_factory.mktemp("calloff")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'calloff.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "record",
        },
        env={"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    with app.app_context():
        upgrade()
        load_demo_data()
        lot1 = db.session.scalars(db.select(Lot).where(Lot.number == 1)).one()
        admitted_supplier(lot1, "Suspended Supplies Ltd", status=AdmissionStatus.SUSPENDED)
        db.session.remove()
    with serve(app) as server:
        yield server


def fill_date(page: Any, name: str, day: Any) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def save(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()


def test_a_buyer_drafts_and_publishes_a_call_off_to_lot_1(
    calloff_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    server = calloff_server
    sign_in(page, server, BUYER)
    page.goto(server("/buyer/"))
    check_page()
    page.get_by_role("button", name="Start a call-off").click()
    check_page()
    page.get_by_label("Lot 1 – Policy Development & Testing").check()
    page.get_by_role("button", name="Start the call-off").click()
    expect(page.locator("h1")).to_have_text("Untitled call-off")
    check_page()

    page.get_by_role("link", name="Title, description and where it is delivered").click()
    page.get_by_label("Title").fill("Testing a new tenancy policy")
    page.get_by_label("Where it is delivered").fill("Tameside")
    save(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a description of the requirement")
    expect(page.get_by_label("Title")).to_have_value("Testing a new tenancy policy")
    check_page()
    summary.get_by_role("link", name="Enter a description of the requirement").click()
    expect(page.locator("#description")).to_be_focused()
    page.locator("#description").fill("Co-design the draft tenancy policy with residents.")
    save(page)
    expect(page.locator("h1")).to_have_text("Testing a new tenancy policy")

    page.get_by_role("link", name="Estimated value and contract dates").click()
    page.get_by_label("Estimated value, excluding VAT").fill("45,000")
    today = london(utcnow()).date()
    fill_date(page, "contract_start", today + timedelta(days=60))
    fill_date(page, "contract_end", today + timedelta(days=240))
    check_page()
    save(page)

    page.get_by_role("link", name="Quality and social-value questions").click()
    page.get_by_role("button", name="Add a question").click()
    page.locator("#question-1-text").fill("How will you test the policy with residents?")
    page.locator("#question-1-max_score").fill("5")
    page.locator("#question-1-scoring_scale").fill("0 none, 5 excellent")
    page.get_by_role("button", name="Add another question").click()
    expect(page.locator("#question-1-text")).to_have_value(
        "How will you test the policy with residents?"
    )
    page.locator("#question-2-kind-2").check()
    page.locator("#question-2-theme").select_option(label="Co-production")
    page.locator("#question-2-text").fill("How will this build the social economy in Tameside?")
    page.locator("#question-2-max_score").fill("5")
    page.locator("#question-2-scoring_scale").fill("0 none, 5 excellent")
    check_page()
    save(page)

    page.get_by_role("link", name="Price", exact=True).click()
    page.get_by_label("A single total price").check()
    check_page()
    save(page)

    page.get_by_role("link", name="Award criteria and weightings").click()
    page.locator("#price_weight").fill("30")
    page.locator("#weight-1").fill("50")
    page.locator("#weight-2").fill("20")
    check_page()
    save(page)

    page.get_by_role("link", name="Evaluation panel").click()
    page.locator('[name="members"]').first.check()
    page.locator('[name="lead"]').first.check()
    check_page()
    save(page)

    page.get_by_role("link", name="Deadlines").click()
    expect(page.locator("main")).to_contain_text("the earliest tender deadline is")
    fill_date(page, "clarification_deadline", today + timedelta(days=5))
    page.locator("#clarification_deadline-time").fill("12:00")
    fill_date(page, "tender_deadline", today + timedelta(days=14))
    page.locator("#tender_deadline-time").fill("17:00")
    check_page()
    save(page)

    expect(page.locator(".govuk-task-list__status").filter(has_text="Completed")).to_have_count(7)
    check_page()
    page.get_by_role("link", name="Check and publish").click()
    expect(page.locator("#invitable")).to_contain_text("3 suppliers are admitted")
    check_page()
    page.get_by_role("button", name="Publish the call-off").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Call-off published")
    expect(page.locator("#invited")).to_contain_text("3 suppliers were invited")
    check_page()
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
