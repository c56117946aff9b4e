"""Administration: each lot's pool of admitted suppliers, a page per supplier (its places,
applications and history), and suspending, reinstating or removing a supplier from a lot."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from werkzeug.wrappers import Response
from wtforms import SubmitField, TextAreaField

from dps.models.admissions import Admission
from dps.models.base import utcnow
from dps.services.applications import drafting
from dps.services.common import trails as trails_service
from dps.services.pool import admissions, renewal_declarations
from dps.web import pool_pages
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.forms import PortalForm
from dps.web.refusals import show_refusal


class ChangeAdmissionForm(PortalForm):
    reason = TextAreaField(
        "Reason",
        description="The supplier reads this in the email we send, and it is kept in the history.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


def _admission_or_404(admission_id: int) -> Admission:
    admission = admissions.get_admission(admission_id)
    if admission is None:
        abort(404)
    return admission


@bp.get("/lots")
@allow(Area.ADMIN)
def lots() -> str:
    return render_template("admin/admissions_lots.html", pools=admissions.pools())


@bp.get("/lots/<int:lot_id>")
@allow(Area.ADMIN)
def lot_pool(lot_id: int) -> str:
    lot = admissions.get_lot(lot_id)
    if lot is None:
        abort(404)
    return render_template("admin/admissions_pool.html", lot=lot, pool=admissions.pool(lot_id))


@bp.get("/lots/<int:lot_id>/admitted")
@allow(Area.ADMIN)
def lot_admitted(lot_id: int) -> str:
    """The pool as buyers see it (admitted, not suspended), to filter and download."""
    return pool_pages.pool_page(
        lot_id,
        page_endpoint="admin.lot_admitted",
        csv_endpoint="admin.lot_admitted_csv",
        back={"href": url_for("admin.lot_pool", lot_id=lot_id), "text": "Every place in the lot"},
    )


@bp.get("/lots/<int:lot_id>/admitted.csv")
@allow(Area.ADMIN)
def lot_admitted_csv(lot_id: int) -> Response:
    return pool_pages.pool_csv(lot_id)


@bp.get("/suppliers/<int:organisation_id>")
@allow(Area.ADMIN)
def supplier(organisation_id: int) -> str:
    organisation = admissions.get_supplier(organisation_id)
    if organisation is None:
        abort(404)
    return render_template(
        "admin/admissions_supplier.html",
        organisation=organisation,
        places=admissions.admissions_of(organisation_id),
        applications=drafting.applications_for(organisation_id),
        trail=trails_service.supplier_trail(organisation_id),
        changes_allowed=admissions.changes_allowed,
        renewal_summary=renewal_declarations.summary_for(organisation_id),
        now=utcnow(),
    )


@bp.route(
    "/admissions/<int:admission_id>/<any(suspend, reinstate, remove):action>",
    methods=["GET", "POST"],
)
@allow(Area.ADMIN)
def change_admission(admission_id: int, action: str) -> str | Response:
    admission = _admission_or_404(admission_id)
    move = admissions.CHANGES[action]
    form = ChangeAdmissionForm()
    if form.validate_on_submit():
        try:
            admissions.change(
                admission, action, form.reason.data or "", actor=current_actor(), at=utcnow()
            )
        except admissions.AdmissionRefused as refused:
            if refused.field is None:
                flash(refused.message)
                return redirect(
                    url_for("admin.supplier", organisation_id=admission.organisation_id)
                )
            show_refusal(form, refused, field="reason")
        else:
            flash(
                f"{admission.organisation.name} is {move.done} in {admission.lot.name}. "
                "We have told the supplier by email.",
                "success",
            )
            return redirect(url_for("admin.supplier", organisation_id=admission.organisation_id))
    elif action not in admissions.changes_allowed(admission):
        flash(admissions.refusal(admission, action))
        return redirect(url_for("admin.supplier", organisation_id=admission.organisation_id))
    return render_template(
        "admin/admissions_change.html", form=form, admission=admission, action=action, move=move
    )
