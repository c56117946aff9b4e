"""A call-off from start to finish in Chromium, on the demo data, every page checked by axe-core:
the demo Tameside buyer drafts and publishes a call-off to Lot 1 (three suppliers admitted), a
supplier asks a question, the buyer answers it, two suppliers send tenders and the third
declines, the tender deadline passes, and the buyer finds the tenders opened.

The test holds the server's clock (``tests.fixtures.clock``: the live server runs in this
process) and moves it past the deadline. No scheduled job runs here: the buyer's first read
after the deadline opens the tenders, recorded as one audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import AuditEvent, CallOff, Tender
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.timefmt import london
from dps.services.calloffs.sealing import OPENED_ACTION
from tests.browser import calloff_steps as steps
from tests.browser.calloff_steps import BUYER
from tests.browser.conftest import LiveServer
from tests.fixtures.clock import Clock, moved_clock

pytestmark = pytest.mark.browser

TITLE = "Co-designing a tenancy policy with residents"
ASKER = "community-catalyst@example.org"  # Community Catalyst CIC
SECOND = "northern-coop@example.org"  # Northern Co-operative Consultancy CIC
DECLINER = "participation-partners@example.org"  # Participation Partners CIC
QUESTION = "May we pay residents for their time in the workshops?"
ANSWER = "Yes: price it as part of the total."


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with steps.demo_server(tmp_path_factory.mktemp("journey")) as server:
        yield server


@pytest.fixture
def clock() -> Iterator[Clock]:
    with moved_clock() as moved:
        yield moved


def as_person(page: Any, server: LiveServer, email: str) -> None:
    """The next person at the same browser: signed in afresh, nothing kept from the last."""
    page.context.clear_cookies()
    steps.sign_in(page, server, email)


def our_call_off(server: LiveServer) -> tuple[int, Any]:
    with server.database() as session:
        call_off = session.scalars(db.select(CallOff).where(CallOff.title == TITLE)).one()
        return call_off.id, call_off.tender_deadline


def send_tender(
    page: Any, server: LiveServer, email: str, answers: list[str], price: str, check: Any
) -> None:
    as_person(page, server, email)
    steps.open_invitation(page, server, TITLE, check)
    steps.fill_tender(page, answers, price)
    check()
    page.get_by_role("button", name="Send tender").click()
    expect(page.locator("h1")).to_contain_text("Tender received")
    check()


def test_a_call_off_from_drafting_to_its_tenders_opened_after_the_deadline(
    journey_server: LiveServer, clock: Clock, page: Any, check_page: Callable[[], None]
) -> None:
    server, check = journey_server, check_page

    # The buyer drafts the call-off and publishes it to the three suppliers in Lot 1.
    as_person(page, server, BUYER)
    steps.start_call_off_in_lot_1(page, server, check)
    steps.fill_details(page, TITLE, check)
    today = london(clock.now()).date()
    steps.fill_value_and_dates(page, today, check)
    steps.fill_questions(page, check)
    steps.fill_price_criteria_and_panel(page, check)
    steps.fill_deadlines(page, today, check)
    steps.publish(page, 3, check)
    call_off_id, deadline = our_call_off(server)
    call_off_page = server(f"/buyer/call-offs/{call_off_id}")
    page.goto(call_off_page)
    expect(page.locator("#tenders")).to_contain_text("Tenders are sealed until")
    check()

    # A supplier asks a question; the buyer sees its text (never who asked) and answers it.
    as_person(page, server, ASKER)
    steps.open_invitation(page, server, TITLE, check)
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator("#asked")).to_contain_text(QUESTION)
    check()

    as_person(page, server, BUYER)
    page.goto(call_off_page)
    expect(page.locator("#questions")).to_contain_text(QUESTION)
    expect(page.locator("#questions")).not_to_contain_text("Community Catalyst")
    check()
    page.locator("#questions").get_by_role("link", name="Answer").click()
    expect(page.locator("h1")).to_have_text("Answer a supplier’s question")
    check()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answer has been published to every invited supplier"
    )
    expect(page.locator("#questions")).to_contain_text(ANSWER)
    check()

    # Two suppliers send tenders (the second reads the published answer first); one declines.
    send_tender(
        page, server, ASKER,
        ["Three workshops with tenants, then a pilot.", "Local hiring"], "4800", check,
    )  # fmt: skip
    as_person(page, server, SECOND)
    steps.open_invitation(page, server, TITLE, check)
    expect(page.locator("main")).to_contain_text(ANSWER)
    send_tender(
        page, server, SECOND,
        ["A residents' panel meeting monthly.", "Apprentices from Tameside"], "5200", check,
    )  # fmt: skip
    as_person(page, server, DECLINER)
    steps.open_invitation(page, server, TITLE, check)
    page.get_by_role("link", name="Decline to bid").click()
    check()
    page.get_by_label("Why are you not bidding? (optional)").fill("We are fully booked")
    page.get_by_role("button", name="Decline to bid").click()
    expect(page.locator("#status")).to_contain_text("Declined")
    check()

    # Still sealed a minute before the deadline, even to the buyer.
    clock.jump_to(deadline - timedelta(seconds=60))
    as_person(page, server, BUYER)
    page.goto(call_off_page)
    expect(page.locator("#tenders")).to_contain_text("Tenders are sealed until")
    expect(page.locator("#tenders")).not_to_contain_text("Community Catalyst")
    check()

    # The deadline passes; no job closes the call-off, the buyer's first read opens it.
    clock.jump_to(deadline + timedelta(minutes=1))
    with server.database() as session:
        assert session.get(CallOff, call_off_id).status == CallOffStatus.PUBLISHED  # type: ignore[union-attr]
    page.goto(server("/buyer/"))
    check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    tenders = page.locator("#tenders")
    expect(tenders).to_contain_text("2 tenders received, 1 supplier declined to bid")
    # The buyer is the panel: they declare no conflict of interest before reading any tender.
    tenders.get_by_role("link", name="Declare whether you have a conflict of interest").click()
    check()
    page.get_by_label("No, I have no conflict of interest with any of these bidders").check()
    page.get_by_role("button", name="Make the declaration").click()
    expect(page.locator("h1")).to_have_text("Evaluation")
    check()
    page.goto(call_off_page)
    names = [
        t.strip() for t in page.locator("#tender-list tbody tr td:first-child").all_inner_texts()
    ]
    assert sorted(names) == ["Community Catalyst CIC", "Northern Co-operative Consultancy CIC"]
    expect(page.locator("#declines")).to_contain_text("Participation Partners CIC")
    expect(page.locator("#declines")).to_contain_text("We are fully booked")
    check()
    page.locator("#tender-list").get_by_role(
        "link", name="Northern Co-operative Consultancy CIC"
    ).click()
    expect(page.locator("main")).to_contain_text("A residents' panel meeting monthly.")
    check()
    page.goto(call_off_page)  # a second read opens nothing again
    check()

    # A supplier's invitation after the deadline still draws, and nothing can be sent.
    as_person(page, server, ASKER)
    steps.open_invitation(page, server, TITLE, check)
    expect(page.locator("main")).to_contain_text("nothing can be sent or changed")
    expect(page.get_by_role("button", name="Withdraw your tender")).to_have_count(0)

    with server.database() as session:
        call_off = session.get(CallOff, call_off_id)
        assert call_off is not None
        assert call_off.status == CallOffStatus.CLOSED
        assert call_off.opened_at is not None and call_off.opened_at > deadline
        statuses = session.scalars(
            db.select(Tender.status).where(Tender.call_off_id == call_off_id)
        )
        assert sorted(statuses) == [TenderStatus.OPENED, TenderStatus.OPENED]
        openings = session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == OPENED_ACTION, AuditEvent.object_id == str(call_off_id)
            )
        ).all()
        assert len(openings) == 1
        assert openings[0].occurred_at > deadline  # the audit trail reads the moved clock too
