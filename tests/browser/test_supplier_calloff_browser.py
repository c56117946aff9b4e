"""An admitted supplier, in Chromium, opens its invitation to a call-off the demo Tameside buyer
published to Lot 1, asks a question, saves a draft tender with one answer over its word limit,
puts it right without typing anything else again, sends the tender and reads its receipt (the
time of receipt and the checksum). axe-core checks every page on the way, error pages included.

The server's fixture admits the supplier and publishes the call-off through the services (the
buyer's pages have their own browser test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import CallOff, Lot, Membership, Tender, User
from dps.models.base import utcnow
from dps.rules.enums import Role
from dps.services.accounts.passwords import hash_password
from dps.services.calloffs import drafting, panel, publishing, questions
from tests.browser import calloff_steps as steps
from tests.browser.calloff_steps import BUYER
from tests.browser.conftest import PASSWORD, LiveServer
from tests.fixtures.calloffs_world import QUALITY, SOCIAL
from tests.fixtures.pool_world import admitted_supplier

pytestmark = pytest.mark.browser

SUPPLIER = "bid.writer@cooperative-futures.example.org"
TITLE = "Testing a new tenancy policy with residents"


def _publish_to_a_new_supplier() -> None:
    """Co-operative Futures Ltd (with a person of its own) admitted to Lot 1, and the demo
    Tameside buyer's call-off published to it through the services."""
    lot1 = db.session.scalars(db.select(Lot).where(Lot.number == 1)).one()
    supplier = admitted_supplier(lot1, "Co-operative Futures Ltd")
    person = User(
        email=SUPPLIER,
        name="Bid Writer",
        password_hash=hash_password(PASSWORD),
        email_confirmed_at=datetime.now(UTC),
    )
    db.session.add_all(
        [person, Membership(user=person, organisation=supplier, role=Role.SUPPLIER_OWNER)]
    )
    db.session.commit()
    buyer = db.session.scalars(db.select(User).where(User.email == BUYER)).one()
    assert buyer.membership is not None
    call_off = drafting.start_draft(buyer.membership.organisation_id, lot1.id, actor=buyer)
    drafting.save_details(
        call_off,
        {"title": TITLE, "description": "Co-design it with residents.",
         "delivery_location": "Tameside"},
        actor=buyer,
    )  # fmt: skip
    now = utcnow()
    start, end = (now + timedelta(days=60)).date(), (now + timedelta(days=200)).date()
    drafting.save_value_and_dates(
        call_off,
        {"estimated_value": "45000", "contract_start": start.isoformat(),
         "contract_end": end.isoformat()},
        actor=buyer,
    )  # fmt: skip
    questions.save_questions(call_off, [QUALITY, {**SOCIAL, "word_limit": "5"}], actor=buyer)
    questions.save_price(call_off, "total", [], actor=buyer)
    questions.save_criteria(call_off, "30", {1: "50", 2: "20"}, actor=buyer)
    panel.save_panel(call_off, [buyer.id], buyer.id, actor=buyer)
    drafting.save_deadlines(
        call_off,
        {"clarification_deadline": now + timedelta(days=5),
         "tender_deadline": now + timedelta(days=20)},
        actor=buyer,
    )  # fmt: skip
    publishing.publish(call_off, buyer, utcnow())


@pytest.fixture(scope="module")
def tender_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with steps.demo_server(tmp_path_factory.mktemp("tender"), _publish_to_a_new_supplier) as server:
        yield server


def test_a_supplier_asks_a_question_drafts_and_sends_its_tender(
    tender_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    server = tender_server
    steps.sign_in(page, server, SUPPLIER, PASSWORD)
    page.goto(server("/supplier/"))
    check_page()
    page.get_by_role("navigation", name="Service menu").get_by_role(
        "link", name="Invitations"
    ).click()
    expect(page.locator("h1")).to_have_text("Invitations")
    expect(page.locator("#invitations tbody tr")).to_contain_text("Invited")
    check_page()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#criteria")).to_contain_text("Weighting 50%, scored out of 5")
    check_page()

    page.get_by_role("button", name="Send your question").click()  # empty: refused
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question")
    check_page()
    page.get_by_label("Your question").fill("Can we work with a residents' panel?")
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator("#asked")).to_contain_text("Can we work with a residents' panel?")
    check_page()

    steps.fill_tender(
        page,
        ["Three workshops with tenants, then a pilot.",
         "Local hiring across the borough for every session"],
        "4800",
    )  # fmt: skip
    check_page()
    page.get_by_role("button", name="Save and come back later").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your answer to question 2 must be 5 words or fewer")
    expect(page.locator("textarea").nth(0)).to_have_value(
        "Three workshops with tenants, then a pilot."
    )
    expect(page.get_by_label("Total price, excluding VAT")).to_have_value("4800")
    check_page()
    summary.get_by_role("link").first.click()
    expect(page.locator("textarea").nth(1)).to_be_focused()
    page.locator("textarea").nth(1).fill("Local hiring across the borough")
    page.get_by_role("button", name="Send tender").click()

    expect(page.locator("h1")).to_contain_text("Tender received")
    check_page()
    with server.database() as session:
        tender = session.scalars(
            db.select(Tender).join(CallOff).where(CallOff.title == TITLE)
        ).one()
        checksum, received = tender.snapshot_sha256, tender.submitted_at
    expect(page.locator("#receipt")).to_contain_text(checksum)
    expect(page.locator("#receipt")).to_contain_text(f"{received:%Y}")
    receipt = server.latest_email_to(SUPPLIER)
    assert checksum in str(receipt)


def test_the_supplier_withdraws_its_tender_and_declines_to_bid(
    tender_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    """After the first test: the tender is sent. (Runs after it in the same module.)"""
    server = tender_server
    steps.sign_in(page, server, SUPPLIER, PASSWORD)
    page.goto(server("/supplier/call-offs"))
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#status")).to_contain_text("Tender sent")
    check_page()
    page.get_by_role("button", name="Withdraw your tender").click()
    expect(page.locator("#status")).to_contain_text("Draft tender")
    check_page()
    page.get_by_role("link", name="Decline to bid").click()
    expect(page.locator("h1")).to_have_text("Decline to bid")
    check_page()
    page.get_by_label("Why are you not bidding? (optional)").fill("x" * 2001)
    page.get_by_role("button", name="Decline to bid").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("2000 characters or fewer")
    check_page()
    page.get_by_label("Why are you not bidding? (optional)").fill("We are fully booked")
    page.get_by_role("button", name="Decline to bid").click()
    expect(page.locator("#status")).to_contain_text("Declined")
    check_page()
