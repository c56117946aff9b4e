"""Administration: member organisations, their membership types, people and invitations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dps.models.organisations import Organisation
from dps.rules.enums import MembershipType, Role
from dps.rules.timefmt import format_datetime
from dps.services.accounts import invitations as invitations_service
from dps.services.accounts import organisations as organisations_service
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.admin.forms import (
    ContractingAuthorityForm,
    InvitationForm,
    MembershipTypeForm,
    OrganisationForm,
)
from dps.web.refusals import show_refusal


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = organisations_service.get_managed(organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("/organisations")
@allow(Area.ADMIN)
def organisations() -> str:
    return render_template(
        "admin/organisations.html", summaries=organisations_service.managed_organisations()
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow(Area.ADMIN)
def new_organisation() -> str | Response:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisations_service.create_member_organisation(
                form.name.data or "",
                MembershipType(form.membership_type.data),
                actor=current_actor(),
                is_contracting_authority=form.is_contracting_authority.data == "yes",
            )
        except organisations_service.OrganisationRefused as refused:
            show_refusal(form, refused, field="name")
        else:
            flash(f"{organisation.name} has been added", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_new.html", form=form)


@bp.get("/organisations/<int:organisation_id>")
@allow(Area.ADMIN)
def organisation(organisation_id: int) -> str:
    organisation = _organisation_or_404(organisation_id)
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        people=organisations_service.people_of(organisation),
        invitations=invitations_service.pending_invitations(organisation),
        runs_the_dps=organisations_service.runs_the_dps(organisation),
    )


@bp.route("/organisations/<int:organisation_id>/membership-type", methods=["GET", "POST"])
@allow(Area.ADMIN)
def membership_type(organisation_id: int) -> str | Response:
    organisation = _organisation_or_404(organisation_id)
    form = MembershipTypeForm(
        data={"membership_type": organisation.membership_type.value}
        if organisation.membership_type
        else None
    )
    if form.validate_on_submit():
        try:
            change = organisations_service.change_membership_type(
                organisation, MembershipType(form.membership_type.data), actor=current_actor()
            )
        except organisations_service.OrganisationRefused as refused:
            show_refusal(form, refused, field="membership_type")
        else:
            flash(change.message, "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template(
        "admin/membership_type.html",
        form=form,
        organisation=organisation,
        buyers=organisations_service.recorded_buyers(organisation),
        items=OrganisationForm.membership_type_items(),
    )


@bp.route("/organisations/<int:organisation_id>/contracting-authority", methods=["GET", "POST"])
@allow(Area.ADMIN)
def contracting_authority(organisation_id: int) -> str | Response:
    organisation = _organisation_or_404(organisation_id)
    recorded = "yes" if organisation.is_contracting_authority else "no"
    form = ContractingAuthorityForm(data={"is_contracting_authority": recorded})
    if form.validate_on_submit():
        try:
            message = organisations_service.set_contracting_authority(
                organisation,
                form.is_contracting_authority.data == "yes",
                form.reason.data or "",
                actor=current_actor(),
            )
        except organisations_service.OrganisationRefused as refused:
            show_refusal(form, refused, field="is_contracting_authority")
        else:
            flash(message, "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template(
        "admin/contracting_authority.html",
        form=form,
        organisation=organisation,
        buyers=organisations_service.recorded_buyers(organisation),
    )


@bp.route("/organisations/<int:organisation_id>/invitations/new", methods=["GET", "POST"])
@allow(Area.ADMIN)
def new_invitation(organisation_id: int) -> str | Response:
    organisation = _organisation_or_404(organisation_id)
    roles = organisations_service.roles_in(organisation)
    form = InvitationForm()
    form.offer_roles(roles)
    if form.validate_on_submit():
        try:
            invitation = invitations_service.invite(
                organisation, form.email.data or "", Role(form.role.data), actor=current_actor()
            )
        except invitations_service.InvitationRefused as refused:
            show_refusal(form, refused, field="email")
        else:
            flash(
                f"Invitation sent to {invitation.email}. The link works until "
                f"{format_datetime(invitation.expires_at)}",
                "success",
            )
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template(
        "admin/invitation_new.html",
        form=form,
        organisation=organisation,
        role_items=InvitationForm.role_items(roles, organisation),
    )


@bp.post("/invitations/<int:invitation_id>/cancel")
@allow(Area.ADMIN)
def cancel_invitation(invitation_id: int) -> Response:
    invitation = invitations_service.get(invitation_id)
    if invitation is None:
        abort(404)
    try:
        invitations_service.cancel(invitation, actor=current_actor())
    except invitations_service.InvitationRefused as refused:
        flash(refused.message)
    else:
        flash(f"The invitation to {invitation.email} has been cancelled", "success")
    return redirect(url_for("admin.organisation", organisation_id=invitation.organisation_id))
