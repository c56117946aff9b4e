"""Administration: asking a supplier to clarify its application, and reading the answer.

The request and its answer also show on the application's review page, through the macros in
templates/admin/clarifications_macros.html.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from werkzeug.wrappers import Response
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from dps.extensions import db
from dps.models.applications import Application
from dps.models.base import utcnow
from dps.models.clarifications import ClarificationRequest
from dps.services.pool.reminders import REVIEW_ENDPOINT
from dps.services.qualification import clarifications
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.downloads import document_download
from dps.web.fields import GovDateField
from dps.web.forms import PortalForm
from dps.web.refusals import show_refusal


class ClarificationForm(PortalForm):
    question = TextAreaField(
        "Your question for the supplier",
        description="Say what you need to know, and which answer or document it is about. "
        "The supplier sees exactly what you write.",
        validators=[
            DataRequired(message="Enter your question for the supplier"),
            Length(
                max=clarifications.QUESTION_MAX_LENGTH,
                message=f"The question must be {clarifications.QUESTION_MAX_LENGTH:,} "
                "characters or fewer",
            ),
        ],
        widget=GovTextArea(),
    )
    reply_by = GovDateField("Date you want a reply by")
    submit = SubmitField("Send the question", widget=GovSubmitInput())

    def reply_by_date(self) -> date | None:
        value: date | None = self.reply_by.data
        return value


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


def _request_or_404(request_id: int) -> ClarificationRequest:
    request = clarifications.get_request(request_id)
    if request is None:
        abort(404)
    return request


def review_url(application: Application) -> str:
    return url_for(REVIEW_ENDPOINT, application_id=application.id)


@bp.route("/applications/<int:application_id>/clarification", methods=["GET", "POST"])
@allow(Area.ADMIN)
def ask_clarification(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if not clarifications.can_ask(application):
        flash("You can only ask for clarification on an application that is ready for review.")
        return redirect(review_url(application))
    form = ClarificationForm()
    if form.validate_on_submit():
        try:
            request = clarifications.ask(
                application,
                question=form.question.data or "",
                reply_by=form.reply_by_date(),
                actor=current_actor(),
                at=utcnow(),
            )
        except clarifications.ClarificationError as error:
            show_refusal(form, error, field="question")
        else:
            flash(
                f"Your question has been sent to {application.organisation.name}. "
                "The decision is still due on the same date.",
                "success",
            )
            return redirect(url_for("admin.clarification", request_id=request.id))
    return render_template(
        "admin/clarifications_new.html",
        form=form,
        application=application,
        back_url=review_url(application),
    )


@bp.get("/clarifications/<int:request_id>")
@allow(Area.ADMIN)
def clarification(request_id: int) -> str:
    request = _request_or_404(request_id)
    return render_template(
        "admin/clarifications_request.html",
        clarification=clarifications.Clarification(
            request, clarifications.attached_documents(request)
        ),
        application=request.application,
        back_url=review_url(request.application),
    )


@bp.get("/clarifications/<int:request_id>/documents/<int:document_id>")
@allow(Area.ADMIN)
def clarification_document(request_id: int, document_id: int) -> Response:
    document = clarifications.attached_document(_request_or_404(request_id), document_id)
    if document is None:
        abort(404)
    return document_download(document)
