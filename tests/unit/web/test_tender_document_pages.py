"""A tender's documents through the pages: the supplier adds and removes them on the tender page
(refusals in the error summary, an over-large file gets the page with the reason), nothing for
another supplier or one not invited, nothing at the deadline; the buyer downloads what was sent
only once the tenders are opened and they have declared no conflict of interest, a viewer
never. The pages' clock (``utcnow``) is the test's."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Organisation, Tender, TenderDocument
from dps.rules.enums import Role
from dps.services.calloffs import tender_documents, tendering
from dps.services.evaluation import conflicts
from dps.web.buyer import calloff_changes
from dps.web.buyer import calloffs as buyer_calloffs
from dps.web.supplier import calloffs as supplier_calloffs
from dps.web.supplier import tender_documents as supplier_documents
from tests.conftest import page_text
from tests.fixtures import sample_files
from tests.fixtures.calloffs_world import SENT_AT, TENDER_DEADLINE, make_calloff_world
from tests.fixtures.documents_world import uploaded
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.tenders_world import TenderWorld, published
from tests.unit.services.accounts.test_organisations import member

AT = SENT_AT + timedelta(days=1)


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(AT)
    for module in (supplier_calloffs, supplier_documents, buyer_calloffs, calloff_changes):
        monkeypatch.setattr(module, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def tw(app: Flask) -> TenderWorld:
    return published(make_calloff_world())


@pytest.fixture
def supplier(client: FlaskClient, tw: TenderWorld, clock: Clock) -> FlaskClient:
    return sign_in(client, tw.people[0])


def url(tw: TenderWorld, tail: str = "") -> str:
    return f"/supplier/call-offs/{tw.call_off.id}/tender{tail}"


def add(client: FlaskClient, tw: TenderWorld, data: bytes = sample_files.PDF, **form: Any) -> Any:
    return client.post(
        url(tw, "/documents"),
        data={
            "document-title": "Method",
            "document-file": (io.BytesIO(data), "method.pdf"),
            **form,
        },
        content_type="multipart/form-data",
    )


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a.get("href", ""))
        for a in response.soup.select(".govuk-error-summary__list li")
        for a in [a.select_one("a") or a]
    ]


def listed(response: Any) -> list[str]:
    return [" ".join(a.get_text().split()) for a in response.soup.select("#document-list a")]


def stored() -> list[TenderDocument]:
    return list(db.session.scalars(db.select(TenderDocument)))


def test_a_supplier_adds_a_document_sees_it_downloads_it_and_removes_it(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    empty = supplier.get(url(tw))
    assert "You have not added any documents." in empty.soup.select_one("#document-list").text
    assert empty.soup.select_one("#document-file")["type"] == "file"

    added = add(supplier, tw)
    assert added.status_code == 302
    assert added.headers["Location"].endswith("/tender#documents")
    page = supplier.get(url(tw))
    assert listed(page) == ["Method"]
    [document] = stored()
    download = supplier.get(url(tw, f"/documents/{document.id}"))
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == document.sha256

    remove = page.soup.select_one(f"form[action$='/documents/{document.id}/remove']")
    assert remove is not None
    assert " ".join(remove.select_one("button").get_text().split()) == "Remove Method"
    assert supplier.post(remove["action"]).status_code == 302
    assert listed(supplier.get(url(tw))) == []
    assert stored()[0].removed_at == AT


def test_a_refused_upload_is_shown_in_the_error_summary_with_the_title_kept(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    refused = add(supplier, tw, data=b"MZ not a pdf at all", **{"document-title": "My plan"})
    assert refused.status_code == 400
    assert refused.soup.title.get_text().startswith("Error: ")
    assert summary(refused) == [
        (
            "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG",
            "#document-file",
        )
    ]
    assert refused.soup.select_one("#document-title")["value"] == "My plan"
    long_title = add(supplier, tw, **{"document-title": "x" * 201})
    assert summary(long_title) == [("The title must be 200 characters or fewer", "#document-title")]
    assert stored() == []


def test_a_too_large_upload_gets_the_tender_page_with_the_reason(
    app: Flask, supplier: FlaskClient, tw: TenderWorld
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["DOCUMENT_MAX_BYTES"] = 32 * 1024
    response = add(supplier, tw, data=sample_files.PDF + b"0" * (100 * 1024))
    assert response.status_code == 413
    assert summary(response) == [("The selected file must be smaller than 32KB", "#document-file")]
    assert stored() == []


def test_another_supplier_can_neither_read_nor_remove_a_document(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    document = tender_documents.upload(
        tw.call_off.id,
        tw.suppliers[0],
        "Mine",
        uploaded("a.pdf", sample_files.PDF),
        actor=tw.people[0],
        at=AT,
    )
    sign_in(client, tw.people[1])
    assert listed(client.get(url(tw))) == []
    assert client.get(url(tw, f"/documents/{document.id}")).status_code == 404
    assert client.post(url(tw, f"/documents/{document.id}/remove")).status_code == 404
    assert stored()[0].removed_at is None


def test_a_supplier_not_invited_gets_404_and_nothing_is_kept(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    [outsider] = db.session.get(Organisation, tw.outsider).memberships  # type: ignore[union-attr]
    sign_in(client, outsider.user)
    assert add(client, tw).status_code == 404
    assert client.post(url(tw, "/documents/1/remove")).status_code == 404
    assert client.get(url(tw, "/documents/1")).status_code == 404
    assert stored() == []
    assert db.session.scalars(db.select(Tender)).all() == []


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1)])
def test_at_and_after_the_deadline_no_document_is_added_or_removed(
    supplier: FlaskClient, tw: TenderWorld, clock: Clock, after: timedelta
) -> None:
    clock.now = TENDER_DEADLINE - timedelta(seconds=1)
    assert add(supplier, tw).status_code == 302
    [document] = stored()
    clock.now = TENDER_DEADLINE + after
    page = supplier.get(url(tw))
    assert page.soup.select("main form") == []
    assert listed(page) == ["Method"]  # still its own to read
    for response in (
        add(supplier, tw),
        supplier.post(url(tw, f"/documents/{document.id}/remove")),
    ):
        assert response.status_code == 400
        assert summary(response) == [(tendering.CLOSED_MESSAGE, "")]
    [kept] = stored()
    assert kept.removed_at is None


# --- the buyer -----------------------------------------------------------------------------


def send_with_document(tw: TenderWorld) -> tuple[Tender, TenderDocument]:
    document = tender_documents.upload(
        tw.call_off.id,
        tw.suppliers[0],
        "Method statement",
        uploaded("method.pdf", sample_files.PDF),
        actor=tw.people[0],
        at=AT,
    )
    q1, q2 = tw.call_off.questions
    tendering.save_draft(
        tw.call_off.id,
        tw.suppliers[0],
        {q1.id: "Workshops.", q2.id: "Local hires."},
        _prices(tw),
        actor=tw.people[0],
        at=AT,
    )
    return tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=AT), document


def _prices(tw: TenderWorld) -> dict[str, str]:
    if tw.call_off.price_lines:
        return {str(line.id): "100" for line in tw.call_off.price_lines}
    return {"total": "1000"}


def buyer_url(tw: TenderWorld, tender: Tender, document: TenderDocument) -> str:
    return f"/buyer/call-offs/{tw.call_off.id}/tenders/{tender.id}/documents/{document.id}"


def test_the_buyer_downloads_a_document_sent_only_once_the_tenders_are_opened(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    tender, document = send_with_document(tw)
    sign_in(client, tw.cw.buyer)
    clock.now = TENDER_DEADLINE - timedelta(seconds=1)
    assert client.get(buyer_url(tw, tender, document)).status_code == 404
    assert db.session.scalars(db.select(Tender.opened_at)).all() == [None]

    clock.now = TENDER_DEADLINE
    refused = client.get(buyer_url(tw, tender, document))  # opens them, for the panel only
    assert refused.status_code == 403 and "Declare whether" in page_text(refused)
    assert conflicts.declare(tw.call_off, tw.cw.buyer, False, "", TENDER_DEADLINE) == []
    page = client.get(f"/buyer/call-offs/{tw.call_off.id}/tenders/{tender.id}")
    link = page.soup.select_one("#documents a")
    assert link is not None and link.get_text(strip=True) == "Method statement"
    assert link["href"] == buyer_url(tw, tender, document)
    download = client.get(link["href"])
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == document.sha256
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_viewer_is_refused_and_another_organisations_buyer_finds_nothing(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    tender, document = send_with_document(tw)
    clock.now = TENDER_DEADLINE + timedelta(days=1)
    sign_in(client, tw.cw.viewer)
    assert client.get(buyer_url(tw, tender, document)).status_code == 403
    other = member("Tameside Council")
    sign_in(client, add_person(other, "buyer@tameside.example.org", Role.BUYER))
    assert client.get(buyer_url(tw, tender, document)).status_code == 404
