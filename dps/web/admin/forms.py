"""Forms for the administrators' pages: member organisations, invitations and the DPS period."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from dps.models.organisations import Organisation
from dps.rules.enums import MembershipType, Role
from dps.services.accounts.organisations import consequence_of
from dps.web.fields import GovDateField
from dps.web.forms import PortalForm

MEMBERSHIP_TYPE_CHOICES = [SelectChoice(t.value, t.label) for t in MembershipType]
REASON_MAX_LENGTH = 2000
CONTRACTING_AUTHORITY_CHOICES = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
CONTRACTING_AUTHORITY_MISSING = "Select yes if this organisation is a contracting authority"
CONTRACTING_AUTHORITY_HINT = (
    "Only contracting authorities may buy through the DPS. A council is one; a political group "
    "(such as a minority administration or an opposition group) or a body outside the UK is not."
)


def _radio_items(hints: dict[str, str]) -> list[dict[str, Any]]:
    return [{"hint": {"text": hints[value]}} for value in hints]


class OrganisationForm(PortalForm):
    name = StringField(
        "Organisation name",
        validators=[
            DataRequired(message="Enter the organisation’s name"),
            Length(max=200, message="The organisation’s name must be 200 characters or fewer"),
        ],
        description="For example, Tameside Metropolitan Borough Council",
        widget=GovTextInput(),
    )
    membership_type = RadioField(
        "Membership type",
        choices=MEMBERSHIP_TYPE_CHOICES,
        validators=[DataRequired(message="Select the membership type")],
        invalid_choice_message="Select the membership type",
        widget=GovRadioInput(),
    )
    is_contracting_authority = RadioField(
        "Is this organisation a contracting authority?",
        choices=CONTRACTING_AUTHORITY_CHOICES,
        validators=[DataRequired(message=CONTRACTING_AUTHORITY_MISSING)],
        invalid_choice_message=CONTRACTING_AUTHORITY_MISSING,
        description=CONTRACTING_AUTHORITY_HINT,
        widget=GovRadioInput(),
    )
    submit = SubmitField("Add organisation", widget=GovSubmitInput())

    @staticmethod
    def membership_type_items() -> list[dict[str, Any]]:
        """Each type's consequence for buying, as the radio's hint."""
        return _radio_items({t.value: consequence_of(t) for t in MembershipType})


class ContractingAuthorityForm(PortalForm):
    is_contracting_authority = RadioField(
        "Is this organisation a contracting authority?",
        choices=CONTRACTING_AUTHORITY_CHOICES,
        validators=[DataRequired(message=CONTRACTING_AUTHORITY_MISSING)],
        invalid_choice_message=CONTRACTING_AUTHORITY_MISSING,
        description=CONTRACTING_AUTHORITY_HINT,
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        "Reason for the change",
        validators=[
            Length(
                max=REASON_MAX_LENGTH,
                message=f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
            )
        ],
        description="Kept in the audit trail with the change.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class MembershipTypeForm(PortalForm):
    membership_type = RadioField(
        "New membership type",
        choices=MEMBERSHIP_TYPE_CHOICES,
        validators=[DataRequired(message="Select the new membership type")],
        invalid_choice_message="Select the new membership type",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Change membership type", widget=GovSubmitInput())


class InvitationForm(PortalForm):
    email = StringField(
        "Email address",
        validators=[DataRequired(message="Enter the person’s email address")],
        description="We will send the invitation to this address.",
        widget=GovTextInput(),
    )
    role = RadioField(
        "Role",
        validators=[DataRequired(message="Select the role")],
        invalid_choice_message="Select one of the roles listed",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def offer_roles(self, roles: list[Role]) -> None:
        self.role.choices = [SelectChoice(role.value, role.label) for role in roles]

    @staticmethod
    def role_items(roles: list[Role], organisation: Organisation) -> list[dict[str, Any]]:
        """A hint per role; where the organisation may not buy, the buyer hint says so."""
        hints = {
            Role.BUYER: "Can run call-offs (mini-competitions) for the organisation.",
            Role.VIEWER: "Can read about the DPS and its call-offs, but cannot buy.",
            Role.ADMINISTRATOR: (
                "Runs the DPS: reviews applications, manages members and the period. "
                "Sets up a second factor when first signing in."
            ),
        }
        if not organisation.may_buy and organisation.membership_type is not None:
            hints[Role.BUYER] = (
                f"Not available: {organisation.membership_type.label} members may not buy."
            )
        return [{"hint": {"text": hints[role]}} for role in roles]


class PeriodForm(PortalForm):
    start_date = GovDateField("Start date", description="For example, 1 4 2020")
    end_date = GovDateField(
        "End date", description="The last day the DPS is open. For example, 23 2 2029"
    )
    reason = TextAreaField(
        "Reason for the change",
        validators=[
            DataRequired(message="Enter the reason for changing the period"),
            Length(
                max=REASON_MAX_LENGTH,
                message=f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
            ),
        ],
        description="This is published with the notice of the change on the start page.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Change the period", widget=GovSubmitInput())

    def period(self) -> tuple[date, date]:
        """The start and end dates, once the form has validated (both are then present)."""
        start, end = self.start_date.data, self.end_date.data
        if start is None or end is None:
            raise ValueError("the period form has not been validated")
        return start, end
