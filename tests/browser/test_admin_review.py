"""An administrator reviews an application in Chromium: signs in with the demo account's TOTP
code, opens the work queue, reviews Capacity Works CIC's application (the checks having run
in-process, as on the embedded default), takes it, admits Lot 1 and rejects Lot 2 with reasons
(after an error that keeps what was typed), reading each letter before sending it; then the
supplier signs in and sees both outcomes. axe-core checks every page on the way, under the
production Content-Security-Policy."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyotp
import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from dps import create_app
from dps.demo import load_demo_data
from dps.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from dps.extensions import db
from dps.models import Application, Organisation, OutboxMessage
from dps.rules.enums import ApplicationStatus
from dps.services.common import outbox
from tests.browser.conftest import LiveServer, serve

pytestmark = pytest.mark.browser

ADMIN = "oldham.admin@example.org"
SUPPLIER = "capacity-works@example.org"
REASONS = "Your case studies do not show capacity building that carried on after the funding."


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, as `make run` leaves it: migrated, with the demo data loaded (the
    demo accounts, the DPS and its lots, Capacity Works CIC's profile, answers, documents and
    submitted application)."""
    tmp_path = tmp_path_factory.mktemp("review")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'review.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "record",
        },
        env={"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    with app.app_context():
        upgrade()
        load_demo_data()
        db.session.remove()
    with serve(app) as server:
        yield server


def sent_for_review(server: LiveServer) -> str:
    """The demo data sent Capacity Works CIC's application for both lots; the checks ran
    in-process after the commit and leave it ready for review. Returns its reference."""
    with server.database() as session:
        [application_id] = session.scalars(
            db.select(Application.id)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(Organisation.name == "Capacity Works CIC")
        ).all()
    deadline = time.monotonic() + 60
    while True:
        with server.database() as session:
            found = session.get(Application, application_id)
            assert found is not None
            if found.status == ApplicationStatus.READY_FOR_REVIEW:
                return str(found.reference)
            outbox.relay_pending()  # anything a check left to retry
        assert time.monotonic() < deadline, f"the checks did not finish: {found.status}"
        time.sleep(0.5)


def heading(page: Any) -> str:
    return re.sub(r"\s+", " ", str(page.locator("h1").inner_text())).strip()


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_admits_one_lot_and_rejects_the_other(
    review_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    server = review_server
    reference = sent_for_review(server)

    # The administrator signs in with the second factor.
    sign_in(page, server, ADMIN)
    expect(page.locator("h1")).to_have_text("Enter the 6-digit code from your authenticator app")
    check_page()
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
        pyotp.TOTP(DEMO_TOTP_SECRET).now()
    )
    page.get_by_role("button", name="Continue").click()

    # The work queue, from the administration home page.
    page.goto(server("/admin/"))
    check_page()
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.locator("h1")).to_have_text("Applications")
    row = page.locator("tbody tr", has_text=reference)
    expect(row).to_contain_text("Capacity Works CIC")
    expect(row).to_contain_text("Ready for review")
    expect(row).to_contain_text("10 working days left")
    check_page()
    page.get_by_label("Status").select_option("ready_for_review")
    page.get_by_role("button", name="Show applications").click()
    expect(page.locator("tbody tr", has_text=reference)).to_have_count(1)
    check_page()

    # The review page: the checks, the answers, the history; the officer takes it.
    page.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(f"Application {reference}")
    expect(page.locator("#checks ~ table").first).to_contain_text("Mandatory exclusion grounds")
    expect(page.locator("main")).to_contain_text("Organisation details")
    check_page()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is assigned to you")
    check_page()

    # Lot 1: admit, read the letter, send it.
    page.get_by_role("button", name="Decide Lot 1 – Policy Development & Testing").click()
    expect(page.locator("h1")).to_have_text("Decide Lot 1 – Policy Development & Testing")
    check_page()
    page.get_by_label("Admit").check()
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator("h1")).to_have_text("Check the letter before you send it")
    expect(page.locator(".dps-letter")).to_contain_text("you are admitted to Lot 1")
    check_page()
    page.get_by_role("button", name="Confirm and send").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "the supplier is admitted to Lot 1"
    )
    check_page()

    # Lot 2: reject, first forgetting the reason codes; what was typed stays.
    page.get_by_role("button", name="Decide Lot 2 – Capacity Building").click()
    page.get_by_label("Reject").check()
    page.get_by_label("Explain the reasons, for the supplier").fill(REASONS)
    check_page()  # with the reasons revealed under "Reject"
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select at least one reason for rejecting"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Explain the reasons, for the supplier")).to_have_value(REASONS)
    check_page()
    page.locator(".govuk-error-summary a").first.click()
    page.get_by_label("Technical and professional ability").check()
    page.get_by_role("button", name="Preview the letter").click()
    letter = page.locator(".dps-letter")
    expect(letter).to_contain_text("we have not admitted you to Lot 2")
    expect(letter).to_contain_text("Technical and professional ability")
    expect(letter).to_contain_text(REASONS)
    expect(letter).to_contain_text("This completes our decision on your application.")
    check_page()
    page.get_by_role("button", name="Confirm and send").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "the supplier is not admitted to Lot 2"
    )
    expect(page.locator("dl").first).to_contain_text("Decided")
    expect(page.locator("#history ~ table")).to_contain_text("Application decided")
    check_page()

    # The supplier's page and the lot's pool show the admission.
    page.get_by_role("link", name="Capacity Works CIC").first.click()
    expect(page.locator("h1")).to_have_text("Capacity Works CIC")
    expect(page.locator("main")).to_contain_text("Lot 1 – Policy Development & Testing")
    check_page()
    page.goto(server("/admin/lots"))
    check_page()
    page.get_by_role("link", name="Lot 1 – Policy Development & Testing").click()
    expect(page.locator("tbody")).to_contain_text("Capacity Works CIC")
    check_page()

    # Two letters went to the supplier, one per lot.
    with server.database() as session:
        letters = [
            m.subject
            for m in session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
            if m.recipient == SUPPLIER and m.subject.startswith(f"Application {reference}:")
        ]
    assert letters == [
        f"Application {reference}: admitted to Lot 1",
        f"Application {reference}: not admitted to Lot 2",
    ]

    # The supplier signs in and sees both outcomes.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, SUPPLIER)
    check_page()
    with server.database() as session:
        application_id = session.scalars(
            db.select(Application.id).where(Application.reference == reference)
        ).one()
    page.goto(server(f"/supplier/applications/{application_id}"))
    main = page.locator("main")
    expect(main).to_contain_text("Lot 1 – Policy Development & Testing Admitted")
    expect(main).to_contain_text("Lot 2 – Capacity Building Not admitted")
    expect(main).to_contain_text(REASONS)
    check_page()
