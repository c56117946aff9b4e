"""Supplier area: the organisation profile, its summary and the form that changes it.

The organisation is always the signed-in user's own: nothing in a URL or form names it, so no
request can reach another supplier's profile.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dps.models.suppliers import SupplierProfile
from dps.services.suppliers import profiles
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.auth.routes import safe_next
from dps.web.supplier import bp
from dps.web.supplier.profile_forms import ProfileForm


@bp.get("/profile")
@allow(Area.SUPPLIER)
def profile() -> str:
    return render_template(
        "supplier/profile.html", **summary_context(profiles.profile_for(organisation_id_or_404()))
    )


def summary_context(profile: SupplierProfile) -> dict[str, Any]:
    """What the summary shows: each answer, or what is still to put right, with its link."""
    return {
        "profile": profile,
        "problems": profiles.problems(profile),
        "status": profiles.profile_status(profile),
        "regions": profiles.region_labels(profile),
        "size_labels": profiles.SIZE_LABELS,
        "asked": profiles.numbers_asked(profile.legal_form),
        "anchors": ProfileForm.anchors(profile.legal_form),
        "edit_url": url_for("supplier.edit_profile"),
    }


@bp.route("/profile/edit", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def edit_profile() -> str | Response:
    organisation_id = organisation_id_or_404()
    # Where to go once saved, such as the application's task list; only a path on this site.
    next_url = safe_next(request.args.get("next"))
    found = profiles.profile_for(organisation_id)
    form = ProfileForm(data=ProfileForm.initial(found))
    if form.validate_on_submit():
        profiles.update_profile(organisation_id, form.to_data(), current_actor())
        problems = profiles.problems(profiles.profile_for(organisation_id))
        if form.save_later.data:
            flash(_saved_for_later(problems), "success")
            return redirect(next_url or url_for("supplier.profile"))
        if not problems:
            flash("Your organisation’s details have been saved", "success")
            return redirect(next_url or url_for("supplier.profile"))
        form.show_problems(problems)
    return render_template(
        "supplier/profile_edit.html",
        form=form,
        next_url=next_url,
        organisation=found.organisation,
    )


def _saved_for_later(problems: dict[str, str]) -> str:
    if not problems:
        return "Your organisation’s details have been saved"
    return (
        "Your organisation’s details have been saved. Some answers are missing or need "
        "correcting: you can finish them at any time"
    )
