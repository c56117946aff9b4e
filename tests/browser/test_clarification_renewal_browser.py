"""Clarification and a renewed declaration in Chromium, under the production Content-Security-
Policy, with axe-core on every page: the administrator asks Capacity Works CIC a question about
its application (after a reply-by date that is not in the future), the supplier answers with a
new document and the application is back for review; later, admitted to Lot 1, the supplier is
asked to renew its declaration, looks over a section, and declares again (after forgetting to
confirm), and the administrator sees the checks that ran on it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from dps.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from dps.extensions import db
from dps.models import Application, Lot, User
from dps.models.base import utcnow
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus
from dps.services.pool import admissions
from tests.browser.conftest import LiveServer, PageProblems, axe_results
from tests.browser.test_admin_review import ADMIN, SUPPLIER, sent_for_review
from tests.browser.test_admin_review import review_server as review_server  # demo data loaded
from tests.fixtures.sample_files import PDF

pytestmark = pytest.mark.browser

QUESTION = "Which of your case studies did your partner organisation deliver?"
ANSWER = "Our partner delivered the Rochdale community organisers programme."


@pytest.fixture
def supplier_page(browser: Any) -> Iterator[Any]:
    """The supplier's own browser, beside the administrator's (each keeps its own sign-in),
    failing on a Content-Security-Policy refusal or a JavaScript error as the other does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    problems = PageProblems()
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            problems.csp.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.javascript.append(str(error)))
    yield page
    context.close()
    problems.assert_none()


def check(page: Any) -> None:
    results = axe_results(page)
    assert results.violations_count == 0, f"axe-core on {page.url}:\n{results.generate_report()}"


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page: Any, legend: str, day: Any) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day) if day else "")
    group.get_by_label("Month").fill(str(day.month) if day else "")
    group.get_by_label("Year").fill(str(day.year) if day else "")


def test_a_question_answered_and_a_declaration_renewed(
    review_server: LiveServer,
    page: Any,
    supplier_page: Any,
    check_page: Callable[[], None],
    tmp_path: Path,
) -> None:
    server = review_server
    reference = sent_for_review(server)
    today = london_date(utcnow())

    # The administrator opens the application and asks a question.
    sign_in(page, server, ADMIN)
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
        pyotp.TOTP(DEMO_TOTP_SECRET).now()
    )
    page.get_by_role("button", name="Continue").click()
    page.goto(server("/admin/applications"))
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Ask the supplier for clarification").click()
    expect(page.locator("h1")).to_have_text("Ask for clarification")
    expect(page.locator("main")).to_contain_text("decision clock keeps running")
    check_page()
    page.get_by_label("Your question for the supplier").fill(QUESTION)
    fill_date(page, "Date you want a reply by", today)
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date you want a reply by must be in the future"
    )
    expect(page.get_by_label("Your question for the supplier")).to_have_value(QUESTION)
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page()
    fill_date(page, "Date you want a reply by", today + timedelta(days=5))
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator("h1")).to_have_text("Clarification")
    expect(page.locator("main")).to_contain_text("Waiting for the supplier")
    check_page()

    # The supplier sees it waiting, and answers with a new document.
    sign_in(supplier_page, server, SUPPLIER)
    expect(supplier_page.locator(".govuk-notification-banner")).to_contain_text(
        f"Answer our question about application {reference}"
    )
    check(supplier_page)
    supplier_page.get_by_role("link", name=re.compile("Answer our question")).click()
    expect(supplier_page.locator("main")).to_contain_text(QUESTION)
    check(supplier_page)
    supplier_page.get_by_role("link", name=re.compile("^Answer the question")).click()
    expect(supplier_page.locator("h1")).to_have_text("Answer our question")
    check(supplier_page)
    supplier_page.get_by_label("Your answer").fill(ANSWER)
    supplier_page.get_by_label("Title (optional)").fill("Programme report")
    report = tmp_path / "programme-report.pdf"
    report.write_bytes(PDF)
    supplier_page.get_by_label("Upload a file").set_input_files(str(report))
    supplier_page.get_by_role("button", name="Send your answer").click()
    expect(supplier_page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answer has been sent"
    )
    check(supplier_page)

    # Back in the administrators' queue; the review page shows the answer and the document.
    page.goto(server("/admin/applications"))
    expect(page.locator("tbody tr", has_text=reference)).to_contain_text("Ready for review")
    page.get_by_role("link", name=reference).click()
    clarification = page.locator("#clarification ~ dl").first
    expect(clarification).to_contain_text(ANSWER)
    expect(clarification).to_contain_text("Programme report")
    check_page()

    # Admitted to Lot 1 (as the review would leave it), then asked to renew its declaration.
    with server.database() as session:
        application = session.scalars(
            db.select(Application).where(Application.reference == reference)
        ).one()
        assert application.status == ApplicationStatus.READY_FOR_REVIEW
        officer = session.scalars(db.select(User).where(User.email == ADMIN)).one()
        lot = session.scalars(db.select(Lot).where(Lot.number == 1)).one()
        admissions.admit(application, lot, actor=officer, at=utcnow())
        session.commit()
    page.goto(server("/admin/"))
    page.get_by_role("link", name="Renewed declarations").click()
    expect(page.locator("h1")).to_have_text("Renewed declarations")
    check_page()
    page.get_by_role("button", name="Ask one supplier").click()
    check_page()
    page.get_by_label("Supplier").select_option(label="Capacity Works CIC")
    page.get_by_role("button", name="Ask for a renewed declaration").click()
    expect(page.locator("h1")).to_contain_text("Renewed declaration")
    expect(page.locator("main")).to_contain_text("Waiting for the supplier")
    check_page()

    # The supplier looks over a section and declares again.
    supplier_page.goto(server("/supplier/"))
    supplier_page.get_by_role("link", name="Renew your declaration").click()
    expect(supplier_page.locator("h1")).to_have_text("Renew your declaration")
    check(supplier_page)
    supplier_page.get_by_role("link", name="Mandatory exclusion grounds").click()
    expect(supplier_page.locator(".govuk-back-link")).to_have_text(
        "Back to your renewed declaration"
    )
    check(supplier_page)
    supplier_page.get_by_role("button", name="Save and continue").click()
    expect(supplier_page.locator("h1")).to_have_text("Renew your declaration")
    supplier_page.get_by_role("button", name="Check your answers and declare").click()
    expect(supplier_page.locator("h1")).to_have_text("Check your answers and declare")
    check(supplier_page)
    supplier_page.get_by_label("Full name").fill("Priya Shah")
    supplier_page.get_by_label("Role in your organisation").fill("Director")
    supplier_page.get_by_role("button", name="Renew declaration").click()
    expect(supplier_page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the information you have given is true and complete"
    )
    expect(supplier_page.get_by_label("Full name")).to_have_value("Priya Shah")
    check(supplier_page)
    supplier_page.get_by_label("I confirm that I am authorised").check()
    supplier_page.get_by_role("button", name="Renew declaration").click()
    expect(supplier_page.locator(".govuk-panel")).to_contain_text("Declaration renewed")
    check(supplier_page)

    # The administrator sees the renewed declaration and the checks that ran on it.
    page.reload()
    expect(page.locator("main")).to_contain_text("Renewed")
    expect(page.locator("main")).to_contain_text("Mandatory exclusion grounds")
    check_page()
    page.goto(server("/admin/lots"))
    page.get_by_role("link", name="Lot 1 – Policy Development & Testing").click()
    page.get_by_role("link", name="Capacity Works CIC").first.click()
    expect(page.locator("#renewal")).to_be_visible()
    check_page()
