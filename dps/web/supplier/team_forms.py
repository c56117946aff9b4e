"""Forms for the supplier's team pages."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

from dps.web.forms import PortalForm


class InviteColleagueForm(PortalForm):
    email = StringField(
        "Email address",
        validators=[DataRequired(message="Enter your colleague’s email address")],
        description="We will email your colleague a link to create their account.",
        widget=GovTextInput(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ConfirmForm(PortalForm):
    """A confirmation that carries nothing but its CSRF token; the URL names the person."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
