"""Supplier area: applying to join (lots, task list, check answers, declaration), the
confirmation, the application's status and timeline, its printable copy, and withdrawing."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dps.models.applications import Application
from dps.models.base import utcnow
from dps.rules.enums import ApplicationStatus
from dps.services.applications import drafting, snapshot, submission, task_list, timeline
from dps.services.dps import period as dps_service
from dps.services.qualification import clarifications
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.numbers import id_argument
from dps.web.refusals import show_refusal
from dps.web.supplier import bp
from dps.web.supplier.application_forms import DeclarationForm, LotsForm, WithdrawForm


def _application_or_404(application_id: int | None) -> Application:
    """The signed-in supplier's application; anyone else's is "not found", like a missing one."""
    if application_id is None:
        abort(404)
    application = drafting.get_application(application_id, organisation_id_or_404())
    if application is None:
        abort(404)
    return application


def _draft_or_status_page(application: Application) -> Response | None:
    """Pages that change a draft send a sent-in application to its status page."""
    if application.status != ApplicationStatus.DRAFT:
        return redirect(url_for(".application", application_id=application.id))
    return None


# --- Starting and choosing lots -----------------------------------------------------------------


@bp.route("/applications/new", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def start_application() -> Any:
    organisation_id = organisation_id_or_404()
    draft = drafting.current_draft(organisation_id)
    if draft is not None:
        flash("You already have an application you have not sent. Continue it here.")
        return redirect(url_for(".application", application_id=draft.id))
    dps = dps_service.current_dps()
    if dps is None:
        abort(404)
    availability = drafting.lot_availability(organisation_id, dps)
    form = LotsForm()
    form.offer(availability)
    if request.method == "GET":
        form.follows.data = id_argument("follows")
    follows = _application_or_404(form.follows.data) if form.follows.data else None
    if form.validate_on_submit():
        try:
            application = drafting.start_application(
                organisation_id, form.lots.data or [], actor=current_actor(), follows=follows
            )
        except drafting.ApplicationError as refused:
            show_refusal(form, refused, field="lots")
        else:
            return redirect(url_for(".application", application_id=application.id))
    return _lots_page(form, availability, application=None, follows=follows)


@bp.route("/applications/<int:application_id>/lots", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def application_lots(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if (sent := _draft_or_status_page(application)) is not None:
        return sent
    availability = drafting.lot_availability(
        application.organisation_id, application.dps, excluding=application
    )
    form = LotsForm()
    form.offer(availability)
    if request.method == "GET":
        form.lots.data = application.lot_numbers
    if form.validate_on_submit():
        try:
            drafting.change_lots(application, form.lots.data or [], actor=current_actor())
        except drafting.ApplicationError as refused:
            show_refusal(form, refused, field="lots")
        else:
            return redirect(url_for(".application", application_id=application.id))
    return _lots_page(form, availability, application=application, follows=None)


def _lots_page(
    form: LotsForm,
    availability: list[drafting.LotAvailability],
    *,
    application: Application | None,
    follows: Application | None,
) -> str:
    """Choosing the lots: for a new application (maybe following a rejected one) or a draft."""
    return render_template(
        "supplier/applications_lots.html",
        form=form,
        items=LotsForm.items(availability),
        application=application,
        follows=follows,
        status=dps_service.public_status(),
    )


# --- The application: task list while a draft, status and timeline once sent ------------------


@bp.get("/applications/<int:application_id>")
@allow(Area.SUPPLIER)
def application(application_id: int) -> str:
    application = _application_or_404(application_id)
    if application.status == ApplicationStatus.DRAFT:
        return render_template(
            "supplier/applications_task_list.html",
            application=application,
            tasks=task_list.task_list(application),
            status=dps_service.public_status(),
        )
    return render_template(
        "supplier/applications_status.html",
        application=application,
        timeline=timeline.timeline(application),
        can_withdraw=submission.can_withdraw(application),
        clarifications=clarifications.history(application),
    )


@bp.get("/applications/<int:application_id>/check-answers")
@allow(Area.SUPPLIER)
def check_answers(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if (sent := _draft_or_status_page(application)) is not None:
        return sent
    return render_template(
        "supplier/applications_check.html",
        application=application,
        review=task_list.review(application),
        status=dps_service.public_status(),
    )


@bp.route("/applications/<int:application_id>/declaration", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def declaration(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if (sent := _draft_or_status_page(application)) is not None:
        return sent
    form = DeclarationForm()
    problems: list[submission.Problem] = []
    if form.validate_on_submit():
        made = submission.Declaration(
            name=form.declaration_name.data or "",
            role=form.declaration_role.data or "",
            confirmed=bool(form.confirm.data),
        )
        try:
            submission.submit(application, made, actor=current_actor(), at=utcnow())
        except submission.SubmissionRefused as refused:
            problems = refused.problems
        except drafting.ApplicationError as refused:
            show_refusal(form, refused, field="confirm")
        else:
            return redirect(url_for(".application_sent", application_id=application.id))
    return render_template(
        "supplier/applications_declaration.html",
        application=application,
        form=form,
        problems=problems,
    )


@bp.get("/applications/<int:application_id>/sent")
@allow(Area.SUPPLIER)
def application_sent(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if application.submitted_at is None:
        return redirect(url_for(".application", application_id=application.id))
    return render_template("supplier/applications_sent.html", application=application)


@bp.get("/applications/<int:application_id>/copy")
@allow(Area.SUPPLIER)
def application_copy(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if application.snapshot is None:
        return redirect(url_for(".application", application_id=application.id))
    return render_template(
        "supplier/applications_copy.html",
        application=application,
        copy=snapshot.submitted_copy(application),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def withdraw_application(application_id: int) -> Any:
    application = _application_or_404(application_id)
    if not submission.can_withdraw(application):
        flash("This application has been decided, so it can no longer be withdrawn.")
        return redirect(url_for(".application", application_id=application.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        was_draft = application.status == ApplicationStatus.DRAFT
        submission.withdraw(
            application, reason=form.reason.data or "", actor=current_actor(), at=utcnow()
        )
        if was_draft:
            flash(f"You have deleted your draft application {application.reference}.", "success")
            return redirect(url_for(".home"))
        flash(f"You have withdrawn application {application.reference}.", "success")
        return redirect(url_for(".application", application_id=application.id))
    return render_template(
        "supplier/applications_withdraw.html", application=application, form=form
    )
