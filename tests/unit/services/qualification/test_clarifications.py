"""Clarification requests: an administrator asks about an application under review, the supplier
answers (with documents), and the application comes back to the queue. The decision clock keeps
running throughout; another supplier's request or document is not found; every move audited."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Application, AuditEvent, Document
from dps.models.base import utcnow
from dps.models.clarifications import ClarificationRequest
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus, DocumentKind
from dps.services.qualification import clarifications
from dps.services.suppliers import documents
from tests.fixtures.documents_world import uploaded
from tests.fixtures.helpers import sign_in
from tests.fixtures.reminders_world import Office, emails, make_office, sent_application
from tests.fixtures.sample_files import PDF

S = ApplicationStatus
NOW = utcnow()
TODAY = london_date(NOW)
NEXT_WEEK = TODAY + timedelta(days=7)


@pytest.fixture
def office(app: Flask) -> Office:
    return make_office()


@pytest.fixture
def application(office: Office) -> Application:
    return sent_application(
        office.world, office.world.supplier, received_at=NOW - timedelta(days=3)
    )


def ask(office: Office, application: Application, **changes: Any) -> ClarificationRequest:
    arguments: dict[str, Any] = {
        "question": "Which case study did your consortium member work on?",
        "reply_by": NEXT_WEEK,
        "actor": office.officer,
        "at": NOW,
    } | changes
    return clarifications.ask(application, **arguments)


def date_fields(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def answer_url(application: Application, request: ClarificationRequest) -> str:
    return f"/supplier/applications/{application.id}/clarifications/{request.id}"


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.soup.main.get_text(" ")).strip()


def audit_actions(object_type: str, object_id: int) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


# --- asking ------------------------------------------------------------------------------------


def test_asking_emails_the_supplier_and_waits_for_its_answer_with_the_clock_running(
    office: Office, application: Application
) -> None:
    due = application.decision_due_at

    request = ask(office, application)

    db.session.refresh(application)
    assert application.status == S.CLARIFICATION_REQUESTED
    assert application.decision_due_at == due  # the legal clock does not stop
    assert request.reply_by == NEXT_WEEK and request.requested_by_id == office.officer.id
    [message] = emails(office.world.owner.email)
    assert application.reference in message.payload["subject"]
    body = message.payload["body"]
    assert "Which case study did your consortium member work on?" in body
    assert f"{NEXT_WEEK.day} {NEXT_WEEK:%B %Y}" in body
    assert answer_url(application, request) in body
    assert "application.clarification_requested" in audit_actions("applications", application.id)
    assert audit_actions("clarification_requests", request.id) == ["clarification.requested"]


@pytest.mark.parametrize("reply_by", [TODAY, TODAY - timedelta(days=1), None])
def test_the_reply_by_date_must_be_in_the_future(
    office: Office, application: Application, reply_by: date | None
) -> None:
    with pytest.raises(clarifications.ClarificationError) as refused:
        ask(office, application, reply_by=reply_by)
    assert refused.value.field == "reply_by"
    db.session.refresh(application)
    assert application.status == S.READY_FOR_REVIEW
    assert db.session.scalars(db.select(ClarificationRequest)).all() == []
    assert emails() == []


@pytest.mark.parametrize(
    "status", [S.SUBMITTED, S.CHECKING, S.CLARIFICATION_REQUESTED, S.DECIDED, S.WITHDRAWN]
)
def test_only_an_application_ready_for_review_can_be_asked_about(
    office: Office, status: ApplicationStatus
) -> None:
    application = sent_application(
        office.world, office.world.supplier, received_at=NOW, status=status
    )
    with pytest.raises(clarifications.ClarificationError):
        ask(office, application)
    db.session.refresh(application)
    assert application.status == status


def test_the_ask_page_keeps_the_question_when_the_date_is_wrong_and_says_the_clock_runs(
    client: FlaskClient, office: Office, application: Application
) -> None:
    sign_in(client, office.officer)
    url = f"/admin/applications/{application.id}/clarification"

    page = client.get(url)
    assert "decision clock keeps running" in text_of(page)

    typed = {"question": "Is your insurance certificate the renewed one?"}
    refused = client.post(url, data=typed | date_fields("reply_by", TODAY))
    assert refused.status_code == 200
    assert "The date you want a reply by must be in the future" in text_of(refused)
    assert refused.soup.find("textarea", {"name": "question"}).get_text() == typed["question"]
    assert refused.soup.title.get_text().startswith("Error: ")

    sent = client.post(url, data=typed | date_fields("reply_by", NEXT_WEEK))
    assert sent.status_code == 302
    db.session.refresh(application)
    assert application.status == S.CLARIFICATION_REQUESTED


def test_the_ask_page_sends_an_application_in_the_wrong_state_back(
    client: FlaskClient, office: Office
) -> None:
    checking = sent_application(
        office.world, office.world.supplier, received_at=NOW, status=S.CHECKING
    )
    sign_in(client, office.officer)
    response = client.post(
        f"/admin/applications/{checking.id}/clarification",
        data={"question": "Anything?"} | date_fields("reply_by", NEXT_WEEK),
    )
    assert response.status_code == 302
    db.session.refresh(checking)
    assert checking.status == S.CHECKING


# --- answering ---------------------------------------------------------------------------------


def test_the_supplier_sees_the_question_on_its_application_and_its_home_page(
    client: FlaskClient, office: Office, application: Application
) -> None:
    request = ask(office, application)
    sign_in(client, office.world.owner)

    status_page = text_of(client.get(f"/supplier/applications/{application.id}"))
    assert "Which case study did your consortium member work on?" in status_page
    assert f"Reply by {NEXT_WEEK.day} {NEXT_WEEK:%B %Y}" in status_page
    assert client.get(f"/supplier/applications/{application.id}").soup.find(
        "a", href=answer_url(application, request)
    )

    home = text_of(client.get("/supplier/"))
    assert f"Answer our question about application {application.reference}" in home
    assert f"by {NEXT_WEEK.day} {NEXT_WEEK:%B %Y}" in home


def test_an_answer_with_documents_sends_the_application_back_for_review(
    client: FlaskClient, office: Office, application: Application
) -> None:
    world = office.world
    due = application.decision_due_at
    application.assigned_officer_id = office.officer.id
    db.session.commit()
    request = ask(office, application)
    held = documents.upload(
        world.supplier.id, DocumentKind.EQUALITY, "Equality policy", uploaded("eq.pdf", PDF), None,
        world.owner,
    )  # fmt: skip
    sign_in(client, world.owner)

    response = client.post(
        answer_url(application, request),
        data={
            "answer": "Kirklees Community Works ran the workshops in the Rochdale case study.",
            "documents": [str(held.id)],
            "new_kind": "other",
            "new_title": "Workshop report",
            "new_file": (io.BytesIO(PDF), "report.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    db.session.refresh(application)
    db.session.refresh(request)
    assert application.status == S.READY_FOR_REVIEW  # back in the administrators' queue
    assert application.decision_due_at == due
    assert request.answer.startswith("Kirklees Community Works")
    assert request.answered_by_id == world.owner.id
    report = db.session.scalars(
        db.select(Document).where(Document.title == "Workshop report")
    ).one()
    assert report.organisation_id == world.supplier.id  # one of the organisation's documents
    assert request.document_ids == [held.id, report.id]
    assert [d.id for d in clarifications.attached_documents(request)] == [held.id, report.id]
    assert "application.ready_for_review" in audit_actions("applications", application.id)
    assert audit_actions("clarification_requests", request.id)[-1] == "clarification.answered"
    # The officer reviewing it hears; the other administrator does not.
    [told] = emails(office.officer.email)
    assert "has answered" in told.payload["subject"]
    assert emails(office.colleague.email) == []

    # The administrator reads the answer on the review page, and downloads what was sent.
    sign_in(client, office.officer)
    review = text_of(client.get(f"/admin/applications/{application.id}"))
    assert "Which case study did your consortium member work on?" in review
    assert "Kirklees Community Works ran the workshops" in review
    assert "Workshop report" in review
    page = client.get(f"/admin/clarifications/{request.id}")
    assert "Kirklees Community Works ran the workshops" in text_of(page)
    download = client.get(f"/admin/clarifications/{request.id}/documents/{report.id}")
    assert download.status_code == 200 and download.data == PDF


def test_an_answer_without_text_keeps_the_ticked_documents_and_changes_nothing(
    client: FlaskClient, office: Office, application: Application
) -> None:
    world = office.world
    request = ask(office, application)
    held = documents.upload(
        world.supplier.id, DocumentKind.EQUALITY, "Equality policy", uploaded("eq.pdf", PDF), None,
        world.owner,
    )  # fmt: skip
    sign_in(client, world.owner)

    response = client.post(
        answer_url(application, request), data={"answer": "  ", "documents": [str(held.id)]}
    )

    assert response.status_code == 200
    assert "Enter your answer" in text_of(response)
    assert response.soup.find("input", {"name": "documents", "value": str(held.id)}).has_attr(
        "checked"
    )
    db.session.refresh(application)
    assert application.status == S.CLARIFICATION_REQUESTED


def test_a_refused_upload_keeps_the_answer_typed_and_records_nothing(
    client: FlaskClient, office: Office, application: Application
) -> None:
    request = ask(office, application)
    sign_in(client, office.world.owner)

    response = client.post(
        answer_url(application, request),
        data={
            "answer": "See the attached certificate.",
            "new_kind": "public_liability",
            "new_file": (io.BytesIO(b"not really a pdf"), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert response.soup.find("textarea", {"name": "answer"}).get_text() == (
        "See the attached certificate."
    )
    assert response.soup.select_one(".govuk-error-summary")
    db.session.refresh(request)
    assert request.answered_at is None
    assert db.session.scalars(db.select(Document)).all() == []


def test_another_suppliers_request_is_not_found_by_url(
    client: FlaskClient, office: Office, application: Application
) -> None:
    request = ask(office, application)
    sign_in(client, office.world.rival_owner)

    assert client.get(answer_url(application, request)).status_code == 404
    posted = client.post(answer_url(application, request), data={"answer": "Ours now"})
    assert posted.status_code == 404
    db.session.refresh(request)
    assert request.answered_at is None


def test_a_request_is_found_only_under_its_own_application(
    client: FlaskClient, office: Office, application: Application
) -> None:
    request = ask(office, application)
    other = sent_application(office.world, office.world.supplier, received_at=NOW, lot_numbers=(2,))
    sign_in(client, office.world.owner)

    assert client.get(answer_url(other, request)).status_code == 404


def test_another_suppliers_document_is_not_found_by_form_field(
    client: FlaskClient, office: Office
) -> None:
    world = office.world
    rivals = sent_application(world, world.rival, received_at=NOW - timedelta(days=1))
    request = ask(office, rivals)
    ours = documents.upload(
        world.supplier.id, DocumentKind.EQUALITY, "Our equality policy", uploaded("eq.pdf", PDF),
        None, world.owner,
    )  # fmt: skip
    sign_in(client, world.rival_owner)

    response = client.post(
        answer_url(rivals, request),
        data={"answer": "Here is a policy.", "documents": [str(ours.id)]},
    )

    assert response.status_code == 404
    db.session.refresh(request)
    assert request.answered_at is None and request.document_ids == []
    db.session.refresh(rivals)
    assert rivals.status == S.CLARIFICATION_REQUESTED


def test_a_question_is_answered_once_and_not_after_the_application_is_withdrawn(
    office: Office, application: Application
) -> None:
    owner = office.world.owner
    request = ask(office, application)
    clarifications.answer(request, text="The first answer.", actor=owner, at=NOW)
    with pytest.raises(clarifications.ClarificationError):
        clarifications.answer(request, text="A second answer.", actor=owner, at=NOW)
    db.session.refresh(request)
    assert request.answer == "The first answer."

    again = ask(office, application)
    application.status = S.WITHDRAWN  # as withdrawing leaves it
    db.session.commit()
    with pytest.raises(clarifications.ClarificationError):
        clarifications.answer(again, text="Too late.", actor=owner, at=NOW)
    db.session.refresh(application)
    assert application.status == S.WITHDRAWN


def test_the_answer_page_after_answering_shows_the_answer_and_takes_no_other(
    client: FlaskClient, office: Office, application: Application
) -> None:
    request = ask(office, application)
    clarifications.answer(request, text="The first answer.", actor=office.world.owner, at=NOW)
    sign_in(client, office.world.owner)

    page = client.post(answer_url(application, request), data={"answer": "Changed my mind."})

    assert page.status_code == 200
    assert "The first answer." in text_of(page)
    assert page.soup.find("textarea") is None
    db.session.refresh(request)
    assert request.answer == "The first answer."
