"""Supplier area: the team. Everyone in it can see it; only the owner changes it.

People and invitations are looked up within the signed-in user's organisation, so another
organisation's are "not found", by URL as by form.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dps.models.accounts import User
from dps.rules.timefmt import format_datetime
from dps.services.accounts import team as team_service
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.refusals import show_refusal
from dps.web.supplier import bp
from dps.web.supplier.team_forms import ConfirmForm, InviteColleagueForm


def _colleague_or_404(user_id: int) -> User:
    membership = team_service.get_colleague(organisation_id_or_404(), user_id)
    if membership is None:
        abort(404)
    return membership.user


@bp.get("/team")
@allow(Area.SUPPLIER)
def team() -> str:
    organisation_id = organisation_id_or_404()
    return render_template(
        "supplier/team.html",
        organisation=team_service.supplier_organisation(organisation_id),
        members=team_service.members(organisation_id),
        invitations=team_service.pending_invitations(organisation_id),
        is_owner=team_service.is_owner(current_actor(), organisation_id),
    )


@bp.route("/team/invite", methods=["GET", "POST"])
@allow(Area.SUPPLIER_OWNER)
def invite_colleague() -> str | Response:
    form = InviteColleagueForm()
    if form.validate_on_submit():
        try:
            invitation = team_service.invite_colleague(
                organisation_id_or_404(), form.email.data or "", actor=current_actor()
            )
        except team_service.TeamRefused as refused:
            show_refusal(form, refused, field="email")
        else:
            flash(
                f"Invitation sent to {invitation.email}. The link works until "
                f"{format_datetime(invitation.expires_at)}",
                "success",
            )
            return redirect(url_for("supplier.team"))
    return render_template("supplier/team_invite.html", form=form)


@bp.post("/team/invitations/<int:invitation_id>/cancel")
@allow(Area.SUPPLIER_OWNER)
def cancel_colleague_invitation(invitation_id: int) -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        invitation = team_service.cancel_invitation(
            organisation_id_or_404(), invitation_id, actor=current_actor()
        )
        flash(f"The invitation to {invitation.email} has been cancelled", "success")
    return redirect(url_for("supplier.team"))


@bp.route("/team/<int:user_id>/remove", methods=["GET", "POST"])
@allow(Area.SUPPLIER_OWNER)
def remove_colleague(user_id: int) -> str | Response:
    colleague = _colleague_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            team_service.remove_colleague(organisation_id_or_404(), user_id, actor=current_actor())
        except team_service.TeamRefused as refused:
            flash(refused.message)
        else:
            flash(f"{colleague.name} has been removed from your team", "success")
        return redirect(url_for("supplier.team"))
    return render_template("supplier/team_remove.html", form=form, colleague=colleague)


@bp.route("/team/<int:user_id>/make-owner", methods=["GET", "POST"])
@allow(Area.SUPPLIER_OWNER)
def make_owner(user_id: int) -> str | Response:
    colleague = _colleague_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            team_service.hand_over_ownership(
                organisation_id_or_404(), user_id, actor=current_actor()
            )
        except team_service.TeamRefused as refused:
            flash(refused.message)
        else:
            flash(f"{colleague.name} is now the owner of your organisation’s account", "success")
        return redirect(url_for("supplier.team"))
    return render_template("supplier/team_make_owner.html", form=form, colleague=colleague)
