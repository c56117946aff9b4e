"""Documents in Chromium: choose the kind, then upload with the certificate's expiry date; a
refused file that keeps what was typed; a new version and its history; a download; and a file
too large for the server that still gets the page saying why. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.services.suppliers import documents
from tests.browser.conftest import PASSWORD, LiveServer, add_user
from tests.fixtures import sample_files

pytestmark = pytest.mark.browser

EMAIL = "documents.owner@example.org"
ORGANISATION = "Failsworth Evidence Co-operative"
EXPIRY = documents.today() + timedelta(days=200)


def a_file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


def test_a_supplier_uploads_replaces_and_downloads_documents(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    add_user(live_server, EMAIL, organisation=ORGANISATION)
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server("/supplier/documents"))
    expect(page.locator("h1")).to_have_text("Your documents")
    check_page()

    page.get_by_role("button", name="Upload a document").click()
    expect(page.locator("h1")).to_have_text("What are you uploading?")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you are uploading")
    check_page()

    page.get_by_label("Public liability insurance certificate").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Upload your public liability insurance certificate")
    check_page()
    day = page.get_by_label("Day")
    day.fill(str(EXPIRY.day))
    page.get_by_label("Month").fill(str(EXPIRY.month))
    page.get_by_label("Year").fill(str(EXPIRY.year))
    page.get_by_label("Title (optional)").fill("Public liability 2026")
    # A spreadsheet renamed .docx: refused, and everything else stays as typed.
    page.get_by_label("Upload a file").set_input_files(a_file("cover.docx", sample_files.xlsx()))
    page.get_by_role("button", name="Upload document").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG")
    expect(page.get_by_label("Title (optional)")).to_have_value("Public liability 2026")
    expect(day).to_have_value(str(EXPIRY.day))
    check_page()

    page.get_by_label("Upload a file").set_input_files(a_file("cover.pdf", sample_files.PDF))
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "‘Public liability 2026’ has been uploaded"
    )
    check_page()

    page.get_by_role("link", name="Public liability 2026", exact=True).click()
    expect(page.locator("h1")).to_have_text("Public liability 2026")
    check_page()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename == "cover.pdf"

    page.get_by_role("button", name="Upload a new version").click()
    expect(page.locator("h1")).to_have_text("Upload a new version of Public liability 2026")
    check_page()
    page.get_by_label("Day").fill(str(EXPIRY.day))
    page.get_by_label("Month").fill(str(EXPIRY.month))
    page.get_by_label("Year").fill(str(EXPIRY.year + 1))
    page.get_by_label("Title (optional)").fill("Public liability 2027")
    page.get_by_label("Upload a file").set_input_files(
        a_file("renewed.pdf", sample_files.PDF + b"% renewed\n")
    )
    page.get_by_role("button", name="Upload new version").click()
    page.get_by_role("link", name="Public liability 2027", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(2)  # both versions, newest first
    check_page()


def test_a_file_too_large_for_the_server_gets_the_page_saying_why(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    add_user(live_server, "large.files@example.org", organisation="Large Files Ltd")
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill("large.files@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server("/supplier/documents/upload?kind=accounts"))
    too_large = sample_files.PDF + b"0" * (13 * 1024 * 1024)  # over the 12MB request limit
    page.get_by_label("Upload a file").set_input_files(a_file("accounts.pdf", too_large))
    page.get_by_role("button", name="Upload document").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file must be smaller than 10MB")
    expect(page.locator("h1")).to_have_text("Upload your latest annual accounts")
    check_page()
