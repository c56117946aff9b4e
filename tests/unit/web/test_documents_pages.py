"""The documents pages: uploading through the form, keeping what was typed on an error,
downloading safely, and another supplier's documents answering 404 by URL and by form field."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Document, User
from dps.rules.enums import DocumentKind, Role
from dps.services.suppliers import documents
from tests.conftest import page_text
from tests.fixtures import sample_files
from tests.fixtures.documents_world import World, build_world, uploaded
from tests.fixtures.helpers import add_person, sign_in

NEXT_YEAR = documents.today() + timedelta(days=365)
UPLOAD = "/supplier/documents/upload"


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


@pytest.fixture
def owner(client: FlaskClient, world: World) -> FlaskClient:
    return sign_in(client, world.owner)


def form(
    filename: str = "certificate.pdf",
    data: bytes = sample_files.PDF,
    *,
    expires: tuple[str, str, str] | None = None,
    **fields: str,
) -> dict[str, Any]:
    day, month, year = expires or (
        str(NEXT_YEAR.day),
        str(NEXT_YEAR.month),
        str(NEXT_YEAR.year),
    )
    return {"expires_on": [day, month, year], "file": (io.BytesIO(data), filename), **fields}


def post(client: FlaskClient, data: dict[str, Any], kind: str = "public_liability") -> Any:
    """The upload form sent, as its page sends it: to the upload URL naming the kind."""
    return client.post(f"{UPLOAD}?kind={kind}", data=data, content_type="multipart/form-data")


def stored_documents() -> list[Document]:
    return list(db.session.scalars(db.select(Document).order_by(Document.id)))


def rivals_document(world: World) -> Document:
    return documents.upload(
        world.rival.id,
        DocumentKind.EQUALITY,
        "Rival's equality policy",
        uploaded("policy.pdf", sample_files.PDF),
        None,
        world.rival_owner,
    )


def error_summary(response: Any) -> list[tuple[str, str]]:
    summary = response.soup.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary on the page"
    return [(a.get_text(strip=True), a["href"]) for a in summary.select("a")]


# --- uploading --------------------------------------------------------------------------------


def test_a_supplier_chooses_the_kind_then_uploads_the_certificate(
    owner: FlaskClient, world: World
) -> None:
    assert owner.get(UPLOAD).headers["Location"].endswith("/supplier/documents/new")
    chooser = owner.get("/supplier/documents/new")
    assert len(chooser.soup.select("input[type=radio][name=kind]")) == len(DocumentKind)
    unchosen = owner.post("/supplier/documents/new", data={})
    assert error_summary(unchosen) == [("Select what you are uploading", "#kind")]
    chosen = owner.post("/supplier/documents/new", data={"kind": "public_liability"})
    assert chosen.headers["Location"].endswith(f"{UPLOAD}?kind=public_liability")

    page = owner.get(f"{UPLOAD}?kind=public_liability")
    assert page.soup.h1.get_text(strip=True) == "Upload your public liability insurance certificate"
    upload_form = page.soup.select_one("form[enctype='multipart/form-data'][method='post']")
    assert upload_form is not None
    assert upload_form.select_one("input[type=file][name=file]") is not None
    assert upload_form.select_one("#expires_on-day") is not None

    response = post(owner, form(title="Public liability 2026–27"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/supplier/documents")
    [document] = stored_documents()
    assert document.organisation_id == world.supplier.id
    assert document.kind == DocumentKind.PUBLIC_LIABILITY
    assert document.title == "Public liability 2026–27"
    assert document.expires_on == NEXT_YEAR
    assert document.uploaded_by_id == world.owner.id
    listing = owner.get("/supplier/documents")
    assert "‘Public liability 2026–27’ has been uploaded" in page_text(listing)
    row = listing.soup.select_one("table tbody tr")
    assert row is not None and "Public liability 2026–27" in row.get_text()
    assert "certificate.pdf" in row.get_text()


def test_the_upload_works_with_csrf_protection_on(
    app: Flask, owner: FlaskClient, world: World
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    refused = post(owner, form())
    assert refused.status_code == 400
    assert stored_documents() == []

    page = owner.get(f"{UPLOAD}?kind=public_liability")
    token = page.soup.select_one("form input[name=csrf_token]")["value"]
    response = post(owner, {**form(), "csrf_token": token})
    assert response.status_code == 302
    assert len(stored_documents()) == 1


def test_a_refused_file_keeps_everything_else_that_was_typed(
    owner: FlaskClient, world: World
) -> None:
    response = post(
        owner,
        form(
            "policy.docx",
            sample_files.xlsx(),  # a spreadsheet renamed .docx
            expires=("31", "3", "2031"),
            title="PI cover",
        ),
        kind="professional_indemnity",
    )

    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: ")
    assert error_summary(response) == [
        ("The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG", "#file")
    ]
    soup = response.soup
    assert soup.select_one("input[name=title]")["value"] == "PI cover"
    assert "professional indemnity" in soup.h1.get_text()
    assert soup.select_one("#expires_on-day")["value"] == "31"
    assert soup.select_one("#expires_on-month")["value"] == "3"
    assert soup.select_one("#expires_on-year")["value"] == "2031"
    assert stored_documents() == []


def test_an_insurance_certificate_without_a_future_expiry_date_is_refused_on_that_date(
    owner: FlaskClient, world: World
) -> None:
    missing = post(owner, form(expires=("", "", ""), title="Cover"))
    assert error_summary(missing) == [("Enter the date the certificate expires", "#expires_on-day")]
    # The file passed, but a browser never keeps a chosen file: the page says to choose again.
    assert "choose it again" in page_text(missing)
    assert missing.soup.select_one("input[name=title]")["value"] == "Cover"

    past = post(owner, form(expires=("1", "1", "2020")))
    assert error_summary(past) == [
        (
            "The date the certificate expires must be in the future",
            "#expires_on-day",
        )
    ]
    nonsense = post(owner, form(expires=("31", "2", "2030")))
    assert error_summary(nonsense) == [
        ("Date the certificate expires must be a real date", "#expires_on-day")
    ]
    # A hand-made request with one box of the three gets a message, not a server error.
    one_box = {**form(), "expires_on": "5"}
    assert error_summary(post(owner, one_box)) == [
        (
            "Date the certificate expires must include a month and year",
            "#expires_on-day",
        )
    ]
    assert stored_documents() == []


def test_a_policy_is_not_asked_for_an_expiry_date(owner: FlaskClient, world: World) -> None:
    page = owner.get(f"{UPLOAD}?kind=equality_policy")
    assert page.soup.select_one("#expires_on-day") is None
    # Even a hand-made request with a nonsense date: it is not read, so it is no error.
    response = post(owner, form(expires=("99", "99", "nonsense")), kind="equality_policy")
    assert response.status_code == 302
    [document] = stored_documents()
    assert document.kind == DocumentKind.EQUALITY and document.expires_on is None


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.pdf", b"", "The selected file is empty"),
        ("../../certificate.pdf", sample_files.PDF, "must not include a folder"),
        ("accounts.docx", sample_files.plain_zip(), "must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    owner: FlaskClient, world: World, filename: str, data: bytes, message: str
) -> None:
    response = post(owner, form(filename, data), kind="accounts")
    assert response.status_code == 200
    [(text, href)] = error_summary(response)
    assert message in text and href == "#file"
    assert stored_documents() == []


def test_no_file_chosen(owner: FlaskClient, world: World) -> None:
    data = form()
    del data["file"]
    response = post(owner, data, kind="accounts")
    assert error_summary(response) == [("Select a file", "#file")]


def test_a_too_large_upload_gets_the_page_with_the_reason_not_a_bare_413(
    app: Flask, owner: FlaskClient, world: World
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["DOCUMENT_MAX_BYTES"] = 32 * 1024
    big = sample_files.PDF + b"0" * (100 * 1024)

    response = post(owner, form(data=big), kind="accounts")

    assert response.status_code == 413
    assert response.soup.title.get_text().startswith("Error: Upload your latest annual accounts")
    assert error_summary(response) == [("The selected file must be smaller than 32KB", "#file")]
    assert stored_documents() == []


def test_a_file_between_the_document_and_request_limits_is_refused_by_the_form(
    app: Flask, owner: FlaskClient, world: World
) -> None:
    app.config["DOCUMENT_MAX_BYTES"] = 32 * 1024
    big = sample_files.PDF + b"0" * (40 * 1024)
    response = post(owner, form(data=big, title="Accounts 2025"), kind="accounts")
    assert response.status_code == 200
    assert error_summary(response) == [("The selected file must be smaller than 32KB", "#file")]
    assert response.soup.select_one("input[name=title]")["value"] == "Accounts 2025"


def test_a_safe_next_brings_the_supplier_back(owner: FlaskClient, world: World) -> None:
    back = "/supplier/applications/7"
    chooser = owner.get(f"/supplier/documents/new?next={back}")
    assert chooser.soup.select_one("input[name=next]")["value"] == back
    chosen = owner.post("/supplier/documents/new", data={"kind": "accounts", "next": back})
    page = owner.get(chosen.headers["Location"])
    assert page.soup.select_one("input[name=next]")["value"] == back
    response = post(owner, form(next=back))
    assert response.headers["Location"].endswith(back)

    for unsafe in ("//evil.example.org/x", "https://evil.example.org/", "/\\evil.example.org"):
        response = post(owner, form(next=unsafe))
        assert response.headers["Location"].endswith("/supplier/documents")


# --- replacing, history, downloading --------------------------------------------------------


def test_replacing_through_the_page_keeps_the_old_version_in_the_history(
    owner: FlaskClient, world: World
) -> None:
    post(owner, form(title="Cover 2026"))
    [first] = stored_documents()

    page = owner.get(f"{UPLOAD}?replaces={first.id}")
    assert page.status_code == 200
    assert "Upload a new version of Cover 2026" in page_text(page)
    assert page.soup.select_one("input[name=replaces]")["value"] == str(first.id)
    assert page.soup.select_one("input[name=title]")["value"] == "Cover 2026"
    # The kind is the old version's, whatever the URL says; a certificate's expiry is asked.
    assert page.soup.select_one("#expires_on-day") is not None

    renewed = form("renewed.pdf", sample_files.PDF + b"% renewed\n", title="Cover 2027")
    response = post(owner, {**renewed, "replaces": str(first.id)}, kind="equality_policy")
    assert response.status_code == 302
    first_again, second = stored_documents()
    assert first_again.replaced_by_id == second.id
    assert second.kind == DocumentKind.PUBLIC_LIABILITY
    assert second.title == "Cover 2027"

    listing = owner.get("/supplier/documents")
    assert "Cover 2026" not in page_text(listing)
    history = owner.get(f"/supplier/documents/{first.id}")
    assert "This is an old version" in page_text(history)
    versions = [row.get_text(" ", strip=True) for row in history.soup.select("tbody tr")]
    assert "renewed.pdf" in versions[0] and "Latest" in versions[0]
    assert "certificate.pdf" in versions[1]


def test_download_is_an_attachment_of_the_stored_type_with_a_safe_name(
    owner: FlaskClient, world: World
) -> None:
    post(owner, form("Cover <2026> final*.PDF"))
    [document] = stored_documents()

    response = owner.get(f"/supplier/documents/{document.id}/download")

    assert response.status_code == 200
    assert response.data == sample_files.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="Cover -2026- final.pdf"'
    assert response.headers["Cache-Control"] == "no-store"


def test_a_download_offers_a_non_ascii_name_safely(owner: FlaskClient, world: World) -> None:
    post(owner, form("Assurance – Équipe.pdf"))
    [document] = stored_documents()
    disposition = owner.get(f"/supplier/documents/{document.id}/download").headers[
        "Content-Disposition"
    ]
    assert disposition.startswith("attachment;")
    # The dash, outside letters and digits, becomes a hyphen; the letter keeps its accent.
    assert "filename*=UTF-8''Assurance%20-%20%C3%89quipe.pdf" in disposition
    assert re.fullmatch(r"[ -~]+", disposition)  # the header itself stays plain ASCII


def test_the_list_tags_certificates_that_expire_soon_or_have_expired(
    owner: FlaskClient, world: World
) -> None:
    today = documents.today()
    soon = today + timedelta(days=10)
    post(owner, form(title="Soon", expires=(str(soon.day), str(soon.month), str(soon.year))))
    post(owner, form(title="Lapsed"), kind="employers_liability")
    post(owner, form(title="Fine"), kind="professional_indemnity")
    lapsed = next(d for d in stored_documents() if d.title == "Lapsed")
    lapsed.expires_on = today - timedelta(days=1)
    db.session.commit()

    rows = {
        row.select_one("th a").get_text(strip=True): row
        for row in owner.get("/supplier/documents").soup.select("tbody tr")
    }
    assert rows["Soon"].select_one(".govuk-tag").get_text(strip=True) == "Expires soon"
    assert rows["Lapsed"].select_one(".govuk-tag").get_text(strip=True) == "Expired"
    assert rows["Fine"].select_one(".govuk-tag") is None


# --- another organisation's documents ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/supplier/documents/{id}",
        "/supplier/documents/{id}/download",
        "/supplier/documents/upload?replaces={id}",
    ],
)
def test_another_suppliers_document_is_not_found_by_url(
    owner: FlaskClient, world: World, path: str
) -> None:
    theirs = rivals_document(world)
    assert owner.get(path.format(id=theirs.id)).status_code == 404
    # Exactly as for a document that does not exist at all.
    assert owner.get(path.format(id=theirs.id + 1000)).status_code == 404


@pytest.mark.parametrize("replaces", ["{id}", "not-a-number", "99999"])
def test_another_suppliers_document_is_not_found_by_form_field(
    owner: FlaskClient, world: World, replaces: str
) -> None:
    theirs = rivals_document(world)
    response = post(owner, {**form(), "replaces": replaces.format(id=theirs.id)})
    assert response.status_code == 404
    assert theirs.is_current
    assert [d.organisation_id for d in stored_documents()] == [world.rival.id]


def test_the_listing_shows_only_the_suppliers_own_documents(
    owner: FlaskClient, world: World
) -> None:
    rivals_document(world)
    assert "Rival's equality policy" not in page_text(owner.get("/supplier/documents"))


def test_a_colleague_may_upload_and_people_outside_suppliers_may_not(
    client: FlaskClient, world: World
) -> None:
    colleague = add_person(world.supplier, "user@coop-futures.example.org", Role.SUPPLIER_USER)
    sign_in(client, colleague)
    assert post(client, form()).status_code == 302

    buyer_organisation = world.lot1.dps.owner
    buyer: User = add_person(buyer_organisation, "buyer@oldham.example.org", Role.BUYER)
    sign_in(client, buyer)
    assert client.get("/supplier/documents").status_code == 403
    [document] = stored_documents()
    assert client.get(f"/supplier/documents/{document.id}/download").status_code == 403


def test_an_over_large_request_from_outside_the_supplier_area_gets_the_plain_error(
    app: Flask, client: FlaskClient, world: World
) -> None:
    # With CSRF on, as in production, the form is read (and the limit met) before the access
    # rule runs: the page must still not be shown to someone outside the supplier area.
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["MAX_CONTENT_LENGTH"] = 1024
    for who in (None, add_person(world.lot1.dps.owner, "buyer@oldham.example.org", Role.BUYER)):
        if who is not None:
            sign_in(client, who)
        response = post(client, form(data=sample_files.PDF + b"0" * 4096), kind="accounts")
        assert response.status_code == 413
        assert "Upload your" not in page_text(response)
