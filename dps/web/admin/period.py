"""Administration: the DPS period, changed with a reason and announced as a notice."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dps.rules.pcr2015 import PeriodRefused
from dps.services.dps import period as dps_service
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.admin.forms import PeriodForm
from dps.web.refusals import show_refusal

# Where each kind of refusal is shown on the form: the rules name the dates "start" and "end".
REFUSAL_FIELDS = {"start": "start_date", "end": "end_date", "reason": "reason"}


@bp.route("/period", methods=["GET", "POST"])
@allow(Area.ADMIN)
def period() -> str | Response:
    dps = dps_service.current_dps()
    if dps is None:
        return render_template(
            "admin/period.html", status=None, cap=dps_service.transitional_cap(), form=None
        )
    form = PeriodForm()
    if request.method == "GET":
        form.start_date.data, form.end_date.data = dps.period_start, dps.period_end
    if form.validate_on_submit():
        try:
            start, end = form.period()
            dps_service.change_period(
                dps,
                start=start,
                end=end,
                reason=form.reason.data or "",
                actor=current_actor(),
            )
        except PeriodRefused as refused:
            show_refusal(form, refused, field=REFUSAL_FIELDS.get(refused.field or "", "end_date"))
        else:
            flash("The period has been changed and a notice published on the start page", "success")
            return redirect(url_for("admin.period"))
    return render_template(
        "admin/period.html",
        status=dps_service.public_status(),
        cap=dps_service.transitional_cap(),
        form=form,
    )
