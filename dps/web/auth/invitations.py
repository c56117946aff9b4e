"""Accepting an invitation to join an organisation: choose a name and password, then sign in."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_user
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from dps.rules.enums import Role
from dps.services.accounts import invitations as invitations_service
from dps.services.accounts import signing_in
from dps.services.accounts.passwords import MIN_LENGTH
from dps.web.access import Area, allow
from dps.web.auth import bp
from dps.web.forms import PortalForm
from dps.web.refusals import show_refusal

# Each reason a link cannot be used, with the status that says so to a browser and a robot.
UNUSABLE_STATUS = {
    invitations_service.Unusable.INVALID: 404,
    invitations_service.Unusable.EXPIRED: 410,
    invitations_service.Unusable.CANCELLED: 410,
    invitations_service.Unusable.USED: 410,
    invitations_service.Unusable.HAS_ACCOUNT: 409,
}


class AcceptInvitationForm(PortalForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired(message="Enter your full name"),
            Length(max=200, message="Your name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    password = PasswordField(
        "Create a password",
        validators=[DataRequired(message="Enter a password")],
        description=f"Use {MIN_LENGTH} characters or more. A few unrelated words work well.",
        widget=GovPasswordInput(),
    )
    password_confirm = PasswordField(
        "Confirm your password",
        validators=[
            DataRequired(message="Confirm your password"),
            EqualTo("password", message="The passwords do not match. Type the same one twice"),
        ],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@allow(Area.PUBLIC)
def accept_invitation(token: str) -> Response | tuple[str, int] | str:
    try:
        invitation = invitations_service.open_invitation(token)
    except invitations_service.InvitationUnusable as unusable:
        return _unusable(unusable)

    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invitations_service.accept(
                invitation, name=form.name.data or "", password=form.password.data or ""
            )
        except invitations_service.InvitationRefused as refused:
            show_refusal(form, refused, field="name")
        except invitations_service.InvitationUnusable as unusable:
            return _unusable(unusable)
        else:
            if invitation.role == Role.ADMINISTRATOR:
                # Administrators use a second factor: the sign-in flow sets it up first.
                flash(
                    "Your account has been created. Sign in to set up your authenticator app",
                    "success",
                )
                return redirect(url_for("auth.sign_in"))
            login_user(user)
            signing_in.complete_sign_in(user, second_factor=False)
            flash(f"Your account has been created. Welcome, {user.name}", "success")
            return redirect(url_for("public.home"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)


def _unusable(unusable: invitations_service.InvitationUnusable) -> tuple[str, int]:
    page = render_template(
        "auth/invitation_unusable.html",
        reason=unusable.reason.value,
        invitation=unusable.invitation,
    )
    return page, UNUSABLE_STATUS[unusable.reason]
