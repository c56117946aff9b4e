"""Clarification requests: an administrator asks the supplier about an application under review.

Asking moves the application from "ready for review" to "clarification requested"; the
supplier's answer (text, and any of its documents) moves it back, so it returns to the
administrators' queue. The decision clock keeps running throughout (reg. 34(15) has no pause):
nothing here touches ``decision_due_at``. Every move goes through ``lifecycles.APPLICATION``
and is audited; the emails go through the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application
from dps.models.clarifications import ClarificationRequest
from dps.models.documents import Document
from dps.outside.tokens import email_link
from dps.rules.calendar import london_date
from dps.rules.enums import ApplicationStatus
from dps.rules.lifecycles import APPLICATION
from dps.rules.refusals import NotFound, Refusal
from dps.services.common import audit
from dps.services.common.emails import render_email
from dps.services.common.outbox import enqueue_email
from dps.services.common.statemachine import move
from dps.services.qualification import work_queue
from dps.services.qualification.letters import supplier_people
from dps.services.suppliers import documents

S = ApplicationStatus

QUESTION_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10000


class ClarificationError(Refusal):
    """What was asked cannot be done; the message says why, ``field`` where it belongs."""


class ClarificationNotFound(NotFound):
    """No such request, or document, for this organisation (another's is not found either)."""


@dataclass(frozen=True)
class NewDocument:
    """A file the supplier uploads with its answer: it becomes one of the organisation's
    documents, through the documents service, like any other upload."""

    kind: str
    title: str | None
    file: documents.UploadedFile
    expires_on: date | None


# --- reading -----------------------------------------------------------------------------------


def requests_for(application: Application) -> list[ClarificationRequest]:
    """Every request about the application, oldest first."""
    return list(
        db.session.scalars(
            select(ClarificationRequest)
            .where(ClarificationRequest.application_id == application.id)
            .order_by(ClarificationRequest.requested_at, ClarificationRequest.id)
        )
    )


def outstanding(application: Application) -> ClarificationRequest | None:
    """The request still waiting for the supplier's answer, if there is one."""
    waiting = [r for r in requests_for(application) if r.answered_at is None]
    return waiting[-1] if waiting else None


def get_request(request_id: int) -> ClarificationRequest | None:
    """Any request (administrators)."""
    return db.session.get(ClarificationRequest, request_id)


def get_for_supplier(
    application_id: int, request_id: int, organisation_id: int
) -> ClarificationRequest | None:
    """The request if it is about this application of this organisation; otherwise None."""
    return db.session.scalars(
        select(ClarificationRequest)
        .join(Application)
        .where(
            ClarificationRequest.id == request_id,
            ClarificationRequest.application_id == application_id,
            Application.organisation_id == organisation_id,
        )
    ).first()


def attached_documents(request: ClarificationRequest) -> list[Document]:
    """The documents sent with the answer, as the organisation's own (never anyone else's)."""
    ids = [int(i) for i in request.document_ids or []]
    if not ids:
        return []
    found = db.session.scalars(
        select(Document).where(
            Document.id.in_(ids),
            Document.organisation_id == request.application.organisation_id,
        )
    )
    by_id = {document.id: document for document in found}
    return [by_id[i] for i in ids if i in by_id]


def attached_document(request: ClarificationRequest, document_id: int) -> Document | None:
    """One of the documents sent with the answer; any other document is None."""
    return next((d for d in attached_documents(request) if d.id == document_id), None)


@dataclass(frozen=True)
class Clarification:
    """A request, as the pages show it: with the documents sent with the answer."""

    request: ClarificationRequest
    documents: list[Document]

    @property
    def waiting(self) -> bool:
        return self.request.answered_at is None


def history(application: Application) -> list[Clarification]:
    """Every request about the application with its answer and documents, oldest first."""
    return [Clarification(r, attached_documents(r)) for r in requests_for(application)]


def can_ask(application: Application) -> bool:
    return APPLICATION.allowed(application.status, S.CLARIFICATION_REQUESTED)


# --- asking ------------------------------------------------------------------------------------


def ask(
    application: Application, *, question: str, reply_by: date | None, actor: User, at: datetime
) -> ClarificationRequest:
    """Ask the supplier to clarify something, with the day a reply is wanted by.

    Only an application ready for review can be asked about; the reply-by date must be after
    today (London). The decision-due date does not move.
    """
    question = question.strip()
    if not question:
        raise ClarificationError("Enter your question for the supplier", field="question")
    if len(question) > QUESTION_MAX_LENGTH:
        raise ClarificationError(
            f"The question must be {QUESTION_MAX_LENGTH:,} characters or fewer", field="question"
        )
    if reply_by is None:
        raise ClarificationError("Enter the date you want a reply by", field="reply_by")
    if reply_by <= london_date(at):
        raise ClarificationError(
            "The date you want a reply by must be in the future", field="reply_by"
        )
    work_queue.lock(application)  # two officers at once: the second finds it already asked
    if not can_ask(application):
        raise ClarificationError(
            "You can only ask for clarification on an application that is ready for review."
        )

    request = ClarificationRequest(
        application_id=application.id,
        question=question,
        reply_by=reply_by,
        requested_at=at,
        requested_by_id=actor.id,
        document_ids=[],
    )
    db.session.add(request)
    db.session.flush()
    move(
        APPLICATION,
        application,
        S.CLARIFICATION_REQUESTED,
        actor=actor,
        clarification_id=request.id,
        reply_by=reply_by.isoformat(),
    )
    audit.record(
        "clarification.requested",
        request,
        actor=actor,
        after={
            "application_id": application.id,
            "question": question,
            "reply_by": reply_by.isoformat(),
        },
    )
    link = email_link(
        "supplier.answer_clarification", application_id=application.id, request_id=request.id
    )
    body = render_email(
        "clarification_requested", application=application, request=request, link=link
    )
    for person in supplier_people(application.organisation_id):
        enqueue_email(
            person.email,
            f"We have a question about your application {application.reference}",
            body,
            dedupe_key=f"clarification-requested:{request.id}:{person.id}",
        )
    db.session.commit()
    return request


# --- answering ---------------------------------------------------------------------------------


def answer(
    request: ClarificationRequest,
    *,
    text: str,
    document_ids: Iterable[int] = (),
    new_document: NewDocument | None = None,
    actor: User,
    at: datetime,
) -> None:
    """The supplier's answer, with any of its documents and perhaps a new one.

    Every document named must be the organisation's own (ClarificationNotFound otherwise, as if
    it did not exist). A new file is checked and stored by the documents service (which refuses
    it with ``documents.DocumentRefused``) before the answer is recorded; then the application
    goes back to "ready for review" for the administrators.
    """
    application = request.application
    organisation_id = application.organisation_id
    text = text.strip()
    if not text:
        raise ClarificationError("Enter your answer", field="answer")
    if len(text) > ANSWER_MAX_LENGTH:
        raise ClarificationError(
            f"Your answer must be {ANSWER_MAX_LENGTH:,} characters or fewer", field="answer"
        )
    chosen = []
    for document_id in document_ids:
        document = documents.get_document(int(document_id), organisation_id)
        if document is None:
            raise ClarificationNotFound(document_id)
        chosen.append(document.id)
    _require_waiting(request)

    if new_document is not None:
        # Committed with the answer, or not at all: an answer that fails and is sent again
        # keeps one copy of its document, not two.
        uploaded = documents.upload(
            organisation_id,
            new_document.kind,
            new_document.title,
            new_document.file,
            new_document.expires_on,
            actor,
            commit=False,
        )
        chosen.append(uploaded.id)

    work_queue.lock(application)  # two colleagues answering at once: the second is refused
    db.session.refresh(request)
    _require_waiting(request)
    request.answer = text
    request.answered_at = at
    request.answered_by_id = actor.id
    request.document_ids = list(dict.fromkeys(chosen))
    move(APPLICATION, application, S.READY_FOR_REVIEW, actor=actor, clarification_id=request.id)
    audit.record(
        "clarification.answered",
        request,
        actor=actor,
        before={"answer": None},
        after={"answer": text, "document_ids": request.document_ids},
    )
    _tell_administrators(request)
    db.session.commit()


def _require_waiting(request: ClarificationRequest) -> None:
    if request.answered_at is not None:
        raise ClarificationError("This question has already been answered.")
    if request.application.status != S.CLARIFICATION_REQUESTED:
        raise ClarificationError(
            "This application is no longer waiting for your answer, so it cannot be changed."
        )


def _tell_administrators(request: ClarificationRequest) -> None:
    """The officer reviewing the application (or, with none assigned, every administrator)."""
    application = request.application
    officer = db.session.get(User, application.assigned_officer_id or 0)
    people = [officer] if officer is not None and officer.active else work_queue.administrators()
    link = email_link("admin.clarification", request_id=request.id)
    body = render_email(
        "clarification_answered", application=application, request=request, link=link
    )
    for person in people:
        enqueue_email(
            person.email,
            f"The supplier has answered your question about {application.reference}",
            body,
            dedupe_key=f"clarification-answered:{request.id}:{person.id}",
        )
