"""An upload over the request limit on any supplier page that takes a file gets that page again
with the reason on its file field (413), never Flask's bare error page; the documents upload
page's own tests are in test_documents_pages.py."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Application, Document
from dps.models.base import utcnow
from dps.models.clarifications import ClarificationRequest
from dps.rules.enums import Role
from dps.services.qualification import clarifications
from tests.conftest import page_text
from tests.fixtures import sample_files
from tests.fixtures.helpers import add_person, make_supplier, sign_in
from tests.fixtures.reminders_world import Office, make_office, sent_application

TOO_LARGE = sample_files.PDF + b"0" * (4 * 1024)


@pytest.fixture
def office(app: Flask) -> Office:
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024
    app.config["DOCUMENT_MAX_BYTES"] = 1024
    return make_office()


@pytest.fixture
def asked(office: Office) -> ClarificationRequest:
    application = sent_application(office.world, office.world.supplier, received_at=utcnow())
    return clarifications.ask(
        application,
        question="Please send your renewed public liability certificate.",
        reply_by=utcnow().date() + timedelta(days=7),
        actor=office.officer,
        at=utcnow(),
    )


def post_answer(client: FlaskClient, asked: ClarificationRequest) -> Any:
    application: Application = asked.application
    return client.post(
        f"/supplier/applications/{application.id}/clarifications/{asked.id}",
        data={
            "answer": "Here it is.",
            "new_kind": "public_liability",
            "new_file": (io.BytesIO(TOO_LARGE), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_a_too_large_answer_upload_gets_the_answer_page_with_the_reason(
    client: FlaskClient, office: Office, asked: ClarificationRequest
) -> None:
    sign_in(client, office.world.owner)

    response = post_answer(client, asked)

    assert response.status_code == 413
    assert response.soup.title.get_text().startswith("Error: Answer our question")
    summary = [
        (a.get_text(strip=True), a["href"]) for a in response.soup.select(".govuk-error-summary a")
    ]
    assert summary == [("The selected file must be smaller than 1KB", "#new_file")]
    assert asked.question in page_text(response)
    db.session.refresh(asked)
    assert asked.answered_at is None
    assert db.session.scalars(db.select(Document)).all() == []


def test_with_csrf_on_only_the_supplier_who_was_asked_gets_the_page(
    app: Flask, client: FlaskClient, office: Office, asked: ClarificationRequest
) -> None:
    # With CSRF on, as in production, the body is read (and the limit met) before the access
    # rule and the view: the page, which shows the question, must not reach anyone else.
    app.config["WTF_CSRF_ENABLED"] = True
    rival = add_person(make_supplier("Rival Co-op"), "rival@example.org", Role.SUPPLIER_OWNER)
    for who in (None, office.officer, rival):
        if who is not None:
            sign_in(client, who)
        response = post_answer(client, asked)
        assert response.status_code == 413
        assert asked.question not in page_text(response)

    sign_in(client, office.world.owner)
    response = post_answer(client, asked)
    assert response.status_code == 413
    assert "The selected file must be smaller than 1KB" in page_text(response)
