"""Administration: the work queue of applications, the review page and its actions (assign,
run a check again, extend the clock, decide each lot after previewing the letter), and the
documents an application sent."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from dps.models.accounts import User
from dps.models.applications import Application, ApplicationLot
from dps.models.base import utcnow
from dps.rules.timefmt import format_date
from dps.services.applications import snapshot
from dps.services.common import trails as trails_service
from dps.services.qualification import (
    clarifications,
    decisions,
    registry,
    results,
    runs,
    work_queue,
)
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.admin.review_forms import (
    ActionForm,
    AssignForm,
    AssignToMeForm,
    DecisionForm,
    ExtendClockForm,
    QueueFilterForm,
)
from dps.web.downloads import document_download
from dps.web.numbers import within_pages
from dps.web.refusals import show_refusal


def _application_or_404(application_id: int) -> Application:
    application = work_queue.get_application(application_id)
    if application is None:
        abort(404)
    return application


def _lot_or_404(application: Application, lot_id: int) -> ApplicationLot:
    al = decisions.lot_of(application, lot_id)
    if al is None:
        abort(404)
    return al


def _to_review(application: Application, anchor: str | None = None) -> Response:
    return redirect(url_for("admin.application", application_id=application.id, _anchor=anchor))


# --- The queue --------------------------------------------------------------------------------


@bp.get("/applications")
@allow(Area.ADMIN)
def applications() -> str:
    filters_form = QueueFilterForm(formdata=request.args)
    filters_form.offer(work_queue.queue_lots(), work_queue.administrators())
    filters = filters_form.filters()
    queue = within_pages(
        lambda page: work_queue.work_queue(
            filters,
            viewer_id=current_actor().id,
            at=utcnow(),
            page=page,
            per_page=current_app.config["REVIEW_PAGE_SIZE"],
        ),
        lambda shown: shown.pagination.pages,
    )
    return render_template("admin/applications_queue.html", filters_form=filters_form, queue=queue)


# --- The review page --------------------------------------------------------------------------


@bp.get("/applications/<int:application_id>")
@allow(Area.ADMIN)
def application(application_id: int) -> str:
    application = _application_or_404(application_id)
    return render_template(
        "admin/applications_review.html", **review_context(application, actor=current_actor())
    )


def review_context(application: Application, *, actor: User) -> dict[str, Any]:
    """Everything the review page shows (also used by the render-every-template test)."""
    officers = work_queue.administrators()
    assign_form = AssignForm()
    assign_form.offer(officers)
    assign_to_me = AssignToMeForm(data={"officer": str(actor.id)})
    return {
        "application": application,
        "now": utcnow(),
        "working_days_left": work_queue.working_days_left(application, utcnow()),
        "overdue": work_queue.is_overdue(application, utcnow()),
        "copy": snapshot.submitted_copy(application),
        "runs": results.results_by_run(application.id),
        "recommendations": work_queue.recommendations(application),
        "clarifications": clarifications.history(application),
        "can_ask": clarifications.can_ask(application),
        "trail": trails_service.application_trail(application),
        "assign_form": assign_form,
        "assign_to_me": assign_to_me,
        "is_mine": application.assigned_officer_id == actor.id,
        "can_extend": decisions.can_extend(application),
        "check_labels": _check_labels(),
        "reason_labels": decisions.REASON_CODES,
    }


def _check_labels() -> dict[str, str]:
    return {check.name: check.label for check in registry.registered()}


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@allow(Area.ADMIN)
def application_document(application_id: int, document_id: int) -> Response:
    found = work_queue.application_document(_application_or_404(application_id), document_id)
    if found is None:
        abort(404)
    return document_download(found)


# --- Actions ----------------------------------------------------------------------------------


@bp.post("/applications/<int:application_id>/assign")
@allow(Area.ADMIN)
def assign_application(application_id: int) -> Response:
    application = _application_or_404(application_id)
    form = AssignForm()
    form.offer(work_queue.administrators())
    if not form.validate_on_submit():
        flash("Select an administrator from the list")
        return _to_review(application, "assign")
    try:
        officer = work_queue.assign(application, int(form.officer.data or 0), actor=current_actor())
    except work_queue.ReviewError as refused:
        flash(refused.message)
    else:
        who = "you" if officer.id == current_actor().id else officer.name
        flash(f"Application {application.reference} is assigned to {who}", "success")
    return _to_review(application)


@bp.post("/applications/<int:application_id>/checks/<check>/run-again")
@allow(Area.ADMIN)
def rerun_check(application_id: int, check: str) -> Response:
    application = _application_or_404(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        runs.rerun_check(application.id, check, actor=current_actor())
    except runs.CheckError as refused:
        flash(str(refused))
    else:
        flash(f"The check “{_check_labels().get(check, check)}” is running again", "success")
    return _to_review(application, "checks")


@bp.route("/applications/<int:application_id>/extend", methods=["GET", "POST"])
@allow(Area.ADMIN)
def extend_clock(application_id: int) -> str | Response:
    application = _application_or_404(application_id)
    form = ExtendClockForm()
    if form.validate_on_submit():
        try:
            decisions.extend_clock(
                application, form.justification.data or "", actor=current_actor()
            )
        except decisions.DecisionRefused as refused:
            if refused.field is None:
                flash(refused.message)
                return _to_review(application)
            show_refusal(form, refused, field="justification")
        else:
            flash(
                "The time to decide is extended. The decision is now due by 11:59pm on "
                f"{_due(application)}",
                "success",
            )
            return _to_review(application)
    return render_template(
        "admin/applications_extend.html",
        form=form,
        application=application,
        extended_due=decisions.extended_due_at(application),
    )


def _due(application: Application) -> str:
    return format_date(application.decision_due_at)


@bp.route("/applications/<int:application_id>/lots/<int:lot_id>/decide", methods=["GET", "POST"])
@allow(Area.ADMIN)
def decide_lot(application_id: int, lot_id: int) -> str | Response:
    application = _application_or_404(application_id)
    al = _lot_or_404(application, lot_id)
    form = DecisionForm()
    if form.validate_on_submit() and not form.change.data:
        try:
            if form.confirm.data:
                decisions.decide_lot(
                    application.id,
                    lot_id,
                    form.outcome.data,
                    form.reasons.data,
                    form.codes.data or [],
                    current_actor(),
                )
            else:
                letter = decisions.letter(application, lot_id, form.decision())
                return render_template(
                    "admin/applications_preview.html",
                    application=application,
                    al=al,
                    letter=letter,
                    decision=form.decision(),
                    kept=form.kept(),
                    confirm_form=form,
                )
        except decisions.DecisionRefused as refused:
            if refused.field is None:
                flash(refused.message)
                return _to_review(application, "decisions")
            show_refusal(form, refused, field="outcome")
        else:
            flash(_decided_message(al), "success")
            return _to_review(application, "decisions")
    elif request.method == "GET" and (problem := _cannot_decide(application, al)):
        flash(problem)
        return _to_review(application, "decisions")
    return render_template(
        "admin/applications_decide.html",
        form=form,
        application=application,
        al=al,
        recommendation=work_queue.recommendations(application).get(lot_id),
    )


def _cannot_decide(application: Application, al: ApplicationLot) -> str | None:
    try:
        decisions.check(application, al.lot_id, decisions.Decision.of("admitted", "", []))
    except decisions.DecisionRefused as refused:
        return refused.message
    return None


def _decided_message(al: ApplicationLot) -> str:
    done = "admitted to" if al.outcome.value == "admitted" else "not admitted to"
    return f"Decision sent: the supplier is {done} {al.lot.name}"
