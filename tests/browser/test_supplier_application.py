"""A new supplier applies, in Chromium: it registers and confirms its email address, chooses
both lots, fills in its organisation's details, every section of the questionnaire for both
lots and its documents (small real PDFs, built here), meets errors and puts them right without
retyping, makes the declaration, sends the application and follows it on its status page.
axe-core (every rule) checks every page on the way, under the production CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.extensions import db
from dps.models import Application, Organisation, OutboxMessage
from dps.services.suppliers import documents, profiles, questionnaire
from tests.browser.conftest import LiveServer
from tests.fixtures.questionnaire_world import COMPLETE_INPUT

pytestmark = pytest.mark.browser

ORGANISATION = "Greenacres Co-operative Learning CIC"
EMAIL = "grace.applicant@greenacres.example.org"
PASSWORD = "meadow lantern orchard thursday"
RENEWAL = date.today() + timedelta(days=300)


def pdf(text: str) -> bytes:
    """A small but real one-page PDF that says ``text``, with a correct cross-reference table."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def heading(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


# --- filling in the questionnaire's pages ----------------------------------------------------


def fill_box(page: Any, name: str, value: Any) -> None:
    """Type or choose ``value`` in the question named ``name``, as a person would."""
    if isinstance(value, list) and page.locator(f"#{name}-day").count():
        for part, typed in zip(("day", "month", "year"), value, strict=True):
            if typed:
                page.locator(f"#{name}-{part}").fill(typed)
    elif isinstance(value, list):
        for choice in value:
            page.locator(f"input[name='{name}'][value='{choice}']").check()
    elif page.locator(f"input[name='{name}'][type=radio]").count():
        page.locator(f"input[name='{name}'][value='{value}']").check()
    else:
        page.locator(f"#{name}").fill(value)


def fill_section(page: Any, raw: dict[str, Any]) -> None:
    for name, value in raw.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                for sub, typed in item.items():
                    fill_box(page, f"{name}-{index}-{sub}", typed)
        else:
            fill_box(page, name, value)


def section_input() -> dict[str, dict[str, Any]]:
    """What the supplier types in each section: the complete answers, with insurance that
    runs well past today."""
    typed = dict(COMPLETE_INPUT)
    renewal = [str(RENEWAL.day), str(RENEWAL.month), str(RENEWAL.year)]
    typed["insurance"] = {
        key: renewal if key.endswith("_expiry") else value
        for key, value in COMPLETE_INPUT["insurance"].items()
    }
    return typed


def task(page: Any, title: str) -> Any:
    return page.locator(".govuk-task-list").get_by_role("link", name=title, exact=True)


def status_of(page: Any, title: str) -> str:
    item = page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name=title, exact=True)
    )
    return str(item.locator(".govuk-task-list__status").inner_text()).strip()


# --- the journey -----------------------------------------------------------------------------


def register_and_sign_in(page: Any, server: LiveServer, check_page: Callable[[], None]) -> None:
    page.goto(server("/"))
    check_page()
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Your full name").fill("Grace Applicant")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert heading(page) == "Check your email"
    check_page()

    page.goto(server.link_in_latest_email_to(EMAIL, "/confirm-email/"))
    expect(page.locator("main")).to_contain_text("Email address confirmed")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == server("/supplier/")
    assert heading(page) == ORGANISATION
    check_page()


def fill_in_the_profile(page: Any, check_page: Callable[[], None]) -> None:
    task(page, "Organisation details").click()
    check_page()
    page.get_by_label("Legal name").fill("Greenacres Co-operative Learning CIC")
    page.get_by_label("Company", exact=True).check()
    page.locator("#company_number").fill("12345678")
    page.get_by_label("Address line 1").fill("Greenacres Road")
    page.get_by_label("Town or city").fill("Oldham")
    page.get_by_label("Postcode").fill("OL4 1HN")
    page.get_by_label("Full name").fill("Grace Applicant")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Phone number").fill("0161 496 0123")
    page.get_by_label("Small", exact=True).check()
    page.get_by_label("Number of employees").fill("12")
    page.locator("#is_vcse").check()
    page.locator("#is_cooperative_or_mutual").check()
    page.get_by_label("North West").check()
    page.get_by_role("button", name="Save and continue").click()
    assert heading(page) == "Your application"
    assert status_of(page, "Organisation details") == "Completed"


def answer_the_economic_standing_with_an_error_on_the_way(
    page: Any, check_page: Callable[[], None]
) -> None:
    task(page, "Economic and financial standing").click()
    check_page()
    typed = dict(section_input()["economic_standing"])
    fill_section(page, typed | {"annual_turnover": "about a million"})
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    check_page()
    # Everything else typed is still there; only the turnover needs typing again.
    expect(page.locator("input[name='accounts_available'][value='yes']")).to_be_checked()
    expect(page.locator("#turnover_year_end-day")).to_have_value("31")
    expect(page.locator("#turnover_year_end-month")).to_have_value("3")
    expect(page.locator("#turnover_year_end-year")).to_have_value("2026")
    expect(page.locator("#annual_turnover")).to_have_value("about a million")

    summary.get_by_role("link").first.click()
    expect(page.locator("#annual_turnover")).to_be_focused()
    page.locator("#annual_turnover").fill(typed["annual_turnover"])
    page.get_by_role("button", name="Save and continue").click()
    assert heading(page) == "Your application"
    assert status_of(page, "Economic and financial standing") == "Completed"


def upload_the_documents(page: Any, server: LiveServer, check_page: Callable[[], None]) -> None:
    with server.database() as session:
        organisation = session.scalars(
            db.select(Organisation).where(Organisation.name == ORGANISATION)
        ).one()
        answers = questionnaire.answers_for(organisation.id).answers
        context = profiles.questionnaire_context(profiles.profile_for(organisation.id))
        needed = documents.required_kinds(answers, [1, 2], context)
    assert needed, "the application asks for documents"
    for kind in needed:
        task(page, "Documents").click()
        assert heading(page) == "Your documents"
        check_page()
        page.get_by_role("button", name="Upload a document").click()
        page.get_by_label(kind.label, exact=True).check()
        page.get_by_role("button", name="Continue").click()
        check_page()
        if kind.is_insurance:
            page.get_by_label("Day").fill(str(RENEWAL.day))
            page.get_by_label("Month").fill(str(RENEWAL.month))
            page.get_by_label("Year").fill(str(RENEWAL.year))
        page.get_by_label("Upload a file").set_input_files(
            {
                "name": f"{kind.value}.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf(f"{ORGANISATION}: {kind.label}"),
            }
        )
        page.get_by_role("button", name="Upload document").click()
        assert heading(page) == "Your application", f"after uploading {kind}"
    assert status_of(page, "Documents") == "Completed"


@pytest.mark.timeout(300)
def test_a_new_supplier_applies_for_both_lots_and_follows_its_application(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    register_and_sign_in(page, live_server, check_page)

    # Both lots, after first forgetting to choose one.
    page.get_by_role("button", name="Apply to join").click()
    assert heading(page) == "Which lots are you applying for?"
    check_page()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the lots you are applying for"
    )
    check_page()
    page.get_by_label("Lot 1 – Policy Development & Testing").check()
    page.get_by_label("Lot 2 – Capacity Building").check()
    page.get_by_role("button", name="Save and continue").click()
    assert heading(page) == "Your application"
    check_page()
    for lot_section in ("Case studies for Lot 1", "Case studies for Lot 2"):
        assert status_of(page, lot_section) == "Not started"

    fill_in_the_profile(page, check_page)
    answer_the_economic_standing_with_an_error_on_the_way(page, check_page)

    # Every other section of the questionnaire, for both lots, through its page.
    typed = section_input()
    for section_id, title in _sections(live_server):
        if section_id == "economic_standing":
            continue
        task(page, title).click()
        assert heading(page) == title
        check_page()
        fill_section(page, typed[section_id])
        page.get_by_role("button", name="Save and continue").click()
        assert heading(page) == "Your application", f"{section_id}: {page.url}"
        assert status_of(page, title) == "Completed", section_id

    upload_the_documents(page, live_server, check_page)
    expect(page.locator("main")).to_contain_text("Application ready to send")
    check_page()

    task(page, "Check your answers and send").click()
    assert heading(page) == "Check your answers before sending your application"
    expect(page.locator("main")).to_contain_text("£1,250,000")
    expect(page.locator("#gaps")).to_have_count(0)
    check_page()

    page.get_by_role("button", name="Continue to the declaration").click()
    assert heading(page) == "Declaration"
    check_page()
    # The name typed, the role and the tick forgotten: the name stays.
    page.get_by_label("Full name").fill("Grace Applicant")
    page.get_by_role("button", name="Accept and send application").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Full name")).to_have_value("Grace Applicant")
    check_page()
    page.get_by_label("Role in your organisation").fill("Director")
    page.get_by_label("I confirm that I am authorised").check()
    page.get_by_role("button", name="Accept and send application").click()

    expect(page.locator(".govuk-panel")).to_contain_text("Application sent")
    reference = _sent_reference(live_server)
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    check_page()
    assert (
        _subjects_to(live_server, EMAIL).count(f"We have received your application {reference}")
        == 1
    )

    # Received, then (once the qualification checks exist, which may already have run) checked
    # and reviewed: the status page says where it stands and when the decision is due.
    page.get_by_role("link", name="Follow the progress of your application").click()
    assert heading(page) == reference
    main = page.locator("main")
    expect(main).to_contain_text(re.compile(r"We (have )?received your application\."))
    expect(main.locator(".govuk-tag", has_text="Now")).to_have_count(1)
    expect(main).to_contain_text("By 11:59pm on")
    expect(main).to_contain_text("Lot 2 – Capacity Building")
    check_page()

    page.get_by_role("link", name="View or print a copy of the application you sent").click()
    assert heading(page) == reference
    expect(page.locator("main")).to_contain_text("Kirklees Community Works CIC")
    check_page()

    page.get_by_role("navigation", name="Service menu").get_by_role("link", name="Home").click()
    expect(page.locator("main table").first).to_contain_text(reference)
    check_page()


def _sections(server: LiveServer) -> list[tuple[str, str]]:
    """Each section asked of an application for both lots: its id and title."""
    with server.database():
        version = questionnaire.current_version()
        return [(s.id, s.title) for s in questionnaire.sections_for(version, [1, 2])]


def _subjects_to(server: LiveServer, address: str) -> list[str]:
    with server.database() as session:
        messages = session.scalars(db.select(OutboxMessage)).all()
        return [m.payload["subject"] for m in messages if m.recipient.lower() == address.lower()]


def _sent_reference(server: LiveServer) -> str:
    with server.database() as session:
        application = session.scalars(
            db.select(Application)
            .join(Organisation)
            .where(
                Organisation.name == ORGANISATION,
                Application.submitted_at.is_not(None),
            )
        ).one()
        return str(application.reference)
