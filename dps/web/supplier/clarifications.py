"""Supplier area: answering Oldham Council's question about an application, with documents.

The request is looked up within the signed-in supplier's organisation, and so is every document
named in the form: another organisation's is "not found", like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from dps.models.base import utcnow
from dps.models.clarifications import ClarificationRequest
from dps.models.documents import Document
from dps.outside import filetypes
from dps.rules.enums import DocumentKind
from dps.services.qualification import clarifications
from dps.services.suppliers import documents
from dps.services.suppliers.document_checks import TITLE_MAX_LENGTH
from dps.web.access import Area, allow, current_actor, current_organisation_id
from dps.web.forms import PortalForm
from dps.web.refusals import show_refusal
from dps.web.supplier import bp
from dps.web.supplier.documents_forms import ExpiryDateField
from dps.web.supplier.uploads import too_large_page

# Where the documents service's refusals belong on this form.
UPLOAD_FIELDS = {
    "file": "new_file",
    "kind": "new_kind",
    "title": "new_title",
    "expires_on": "new_expires_on",
}


class AnswerForm(PortalForm):
    answer = TextAreaField(
        "Your answer",
        validators=[
            DataRequired(message="Enter your answer"),
            Length(
                max=clarifications.ANSWER_MAX_LENGTH,
                message=f"Your answer must be {clarifications.ANSWER_MAX_LENGTH:,} characters "
                "or fewer",
            ),
        ],
        widget=GovTextArea(),
    )
    # Checked against the organisation by the service (not by the choices), so another
    # organisation's document is "not found" rather than an error that says it exists.
    documents = SelectMultipleField(
        "Send documents you have already uploaded (optional)",
        coerce=int,
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )
    new_kind = SelectField(
        "What is it?",
        choices=[SelectChoice(kind.value, kind.label) for kind in DocumentKind],
        default=DocumentKind.OTHER.value,
        widget=GovSelect(),
    )
    new_title = StringField(
        "Title (optional)",
        validators=[
            Length(
                max=TITLE_MAX_LENGTH,
                message=f"The title must be {TITLE_MAX_LENGTH} characters or fewer",
            )
        ],
        widget=GovTextInput(),
    )
    new_expires_on = ExpiryDateField("Date the certificate expires")
    new_file = FileField("Upload a file", widget=GovFileInput())
    submit = SubmitField("Send your answer", widget=GovSubmitInput())

    def offer(self, held: list[Document]) -> None:
        self.documents.choices = [SelectChoice(d.id, d.title) for d in held]

    def new_document(self, reference: str | None) -> clarifications.NewDocument | None:
        upload = self.new_file.data
        if upload is None or not getattr(upload, "filename", None):
            return None
        kind = self.new_kind.data or DocumentKind.OTHER.value
        # A document of no particular kind needs a title: say what it was sent with.
        title = self.new_title.data or (
            f"Sent with our answer about {reference}" if kind == DocumentKind.OTHER else None
        )
        return clarifications.NewDocument(kind, title, upload, self.new_expires_on.data)


def _own_request(application_id: int, request_id: int) -> ClarificationRequest | None:
    organisation_id = current_organisation_id()
    if organisation_id is None:
        return None
    return clarifications.get_for_supplier(application_id, request_id, organisation_id)


def _request_or_404(application_id: int, request_id: int) -> ClarificationRequest:
    found = _own_request(application_id, request_id)
    if found is None:
        abort(404)
    return found


@bp.route(
    "/applications/<int:application_id>/clarifications/<int:request_id>",
    methods=["GET", "POST"],
)
@allow(Area.SUPPLIER)
def answer_clarification(application_id: int, request_id: int) -> Any:
    found = _request_or_404(application_id, request_id)
    application = found.application
    held = documents.current_documents(application.organisation_id)
    form = AnswerForm()
    form.offer(held)
    waiting = found.answered_at is None
    if waiting and form.validate_on_submit():
        try:
            clarifications.answer(
                found,
                text=form.answer.data or "",
                document_ids=form.documents.data or [],
                new_document=form.new_document(application.reference),
                actor=current_actor(),
                at=utcnow(),
            )
        except documents.DocumentRefused as refused:
            show_refusal(form, refused, field="new_file", renamed=UPLOAD_FIELDS)
        except clarifications.ClarificationError as error:
            show_refusal(form, error, field="answer")
        else:
            flash("Your answer has been sent to Oldham Council", "success")
            return redirect(url_for(".application", application_id=application.id))
    elif request.method == "POST" and not waiting:
        flash("This question has already been answered.")
    return _answer_page(form, found)


@too_large_page("supplier.answer_clarification")
def _answer_too_large(message: str, application_id: int, request_id: int) -> str | None:
    """The answer page with the reason on the file. The body was not read, so what was typed
    cannot be shown again."""
    found = _own_request(application_id, request_id)
    if found is None:
        return None
    form = AnswerForm(formdata=None)
    form.offer(documents.current_documents(found.application.organisation_id))
    form.new_file.errors = [message]
    return _answer_page(form, found)


def _answer_page(form: AnswerForm, found: ClarificationRequest) -> str:
    return render_template(
        "supplier/clarifications_answer.html",
        form=form,
        clarification=clarifications.Clarification(found, clarifications.attached_documents(found)),
        application=found.application,
        accept=filetypes.ACCEPT_ATTRIBUTE,
    )
