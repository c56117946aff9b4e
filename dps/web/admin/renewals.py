"""Administration: asking admitted suppliers to renew their self-declaration (one, or all at
once), following the renewals (overdue ones flagged), their new snapshots and check results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from werkzeug.wrappers import Response
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.models.renewals import DeclarationRenewal
from dps.rules import digits
from dps.services.pool import renewal_declarations, renewals
from dps.services.qualification import registry
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.admin.forms import REASON_MAX_LENGTH
from dps.web.forms import PortalForm
from dps.web.numbers import id_argument
from dps.web.refusals import show_refusal


class NewRenewalForm(PortalForm):
    organisation = SelectField(
        "Supplier",
        coerce=digits.an_id,
        validators=[DataRequired(message="Select the supplier")],
        widget=GovSelect(),
    )
    submit = SubmitField("Ask for a renewed declaration", widget=GovSubmitInput())

    def offer(self, suppliers: list[Organisation]) -> None:
        self.organisation.choices = [("", "Select a supplier")] + [
            (str(s.id), s.name) for s in suppliers
        ]


class AskEveryoneForm(PortalForm):
    submit = SubmitField("Ask every admitted supplier", widget=GovSubmitInput())


class CancelRenewalForm(PortalForm):
    reason = TextAreaField(
        "Why are you cancelling the request?",
        description="The supplier is told the request has been cancelled; the reason is kept "
        "in the audit trail.",
        validators=[
            DataRequired(message="Enter why you are cancelling the request"),
            Length(
                max=REASON_MAX_LENGTH,
                message=f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
            ),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Cancel the request", widget=GovSubmitInput())


def _renewal_or_404(renewal_id: int) -> DeclarationRenewal:
    found = renewals.get_renewal(renewal_id)
    if found is None:
        abort(404)
    return found


@bp.get("/renewals")
@allow(Area.ADMIN)
def renewals_list() -> str:
    return render_template(
        "admin/renewals.html",
        renewals=renewals.all_renewals(),
        suppliers=len(renewals.admitted_organisations()),
        now=utcnow(),
        reference=renewals.reference,
        is_overdue=renewals.is_overdue,
    )


@bp.route("/renewals/new", methods=["GET", "POST"])
@allow(Area.ADMIN)
def new_renewal() -> str | Response:
    suppliers = renewals.admitted_organisations()
    form = NewRenewalForm()
    form.offer(suppliers)
    if request.method == "GET":
        form.organisation.data = id_argument("organisation_id")
    if form.validate_on_submit():
        try:
            renewal = renewals.request_renewal(
                form.organisation.data, actor=current_actor(), at=utcnow()
            )
        except renewals.RenewalError as error:
            show_refusal(form, error, field="organisation")
        else:
            flash(
                f"{renewal.organisation.name} has been asked to renew its declaration by "
                f"{renewal.due_at:%-d %B %Y}",
                "success",
            )
            return redirect(url_for("admin.renewal", renewal_id=renewal.id))
    return render_template("admin/renewals_new.html", form=form, suppliers=suppliers)


@bp.route("/renewals/everyone", methods=["GET", "POST"])
@allow(Area.ADMIN)
def renew_everyone() -> str | Response:
    form = AskEveryoneForm()
    if form.validate_on_submit():
        batch = renewals.request_all(actor=current_actor(), at=utcnow())
        asked = len(batch.asked)
        message = f"{asked} supplier{'' if asked == 1 else 's'} asked to renew their declaration"
        if batch.already_waiting:
            message += f"; {len(batch.already_waiting)} already had a request waiting"
        flash(message, "success")
        return redirect(url_for("admin.renewals_list"))
    suppliers = renewals.admitted_organisations()
    waiting = {s.id: renewals.waiting_for(s.id) for s in suppliers}
    return render_template(
        "admin/renewals_everyone.html",
        form=form,
        suppliers=suppliers,
        waiting=waiting,
        to_ask=sum(1 for found in waiting.values() if found is None),
        due_at=renewals.due_if_asked(utcnow()),
    )


@bp.get("/renewals/<int:renewal_id>")
@allow(Area.ADMIN)
def renewal(renewal_id: int) -> str:
    found = _renewal_or_404(renewal_id)
    return render_template(
        "admin/renewals_renewal.html",
        renewal=found,
        reference=renewals.reference(found),
        overdue=renewals.is_overdue(found, utcnow()),
        intact=renewal_declarations.is_intact(found),
        runs=renewal_declarations.check_runs(found),
        admissions=renewals.admissions_of(found.organisation_id),
        check_label=registry.label_of,
    )


@bp.route("/renewals/<int:renewal_id>/cancel", methods=["GET", "POST"])
@allow(Area.ADMIN)
def cancel_renewal(renewal_id: int) -> str | Response:
    found = _renewal_or_404(renewal_id)
    form = CancelRenewalForm()
    if form.validate_on_submit():
        try:
            renewals.cancel(found, reason=form.reason.data or "", actor=current_actor())
        except renewals.RenewalError as error:
            show_refusal(form, error, field="reason")
        else:
            flash("The request has been cancelled", "success")
            return redirect(url_for("admin.renewal", renewal_id=found.id))
    return render_template(
        "admin/renewals_cancel.html", form=form, renewal=found, reference=renewals.reference(found)
    )
