"""Forms for the administrators' pages: member organisations, invitations and the DPS period."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation

from dps.models.enums import MembershipType, Role
from dps.models.organisations import Organisation
from dps.services.organisations import consequence_of

MEMBERSHIP_TYPE_CHOICES = [SelectChoice(t.value, t.label) for t in MembershipType]
REASON_MAX_LENGTH = 2000


class DayFirstDateInput(GovDateInput):
    """The GOV.UK date input, its group named after the field.

    The field's own id is that of the day box, so the error summary links to the first box, as
    the GOV.UK pattern asks.
    """

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params["id"] = field.name
        if field.raw_data is None and field.data:
            # A stored date is shown as people type it: 1 4 2020, not 01 04 2020.
            for item, number in zip(
                params["items"], (field.data.day, field.data.month), strict=False
            ):
                item["value"] = str(number)
        return params


class GovDateField(DateField):
    """A date typed as day, month and year, with the GOV.UK date input's error messages."""

    widget = DayFirstDateInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        if kwargs.get("name"):
            kwargs.setdefault("id", f"{kwargs.get('_prefix') or ''}{kwargs['name']}-day")
        super().__init__(label, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        parts = ([str(value).strip() for value in valuelist] + ["", "", ""])[:3]
        # The widget shows the three boxes from raw_data: a tampered post with fewer or more
        # values must still give three, or rendering the error page fails.
        self.raw_data = parts
        day, month, year = parts
        self.data = None
        if not (day or month or year):
            return  # pre_validate says it is missing
        missing = [
            name for name, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError(f"{self.label.text} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date") from error

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(f"Enter the {self.label.text.lower()}")


def _radio_items(hints: dict[str, str]) -> list[dict[str, Any]]:
    return [{"hint": {"text": hints[value]}} for value in hints]


class OrganisationForm(FlaskForm):
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
    submit = SubmitField("Add organisation", widget=GovSubmitInput())

    @staticmethod
    def membership_type_items() -> list[dict[str, Any]]:
        """Each type's consequence for buying, as the radio's hint."""
        return _radio_items({t.value: consequence_of(t) for t in MembershipType})


class MembershipTypeForm(FlaskForm):
    membership_type = RadioField(
        "New membership type",
        choices=MEMBERSHIP_TYPE_CHOICES,
        validators=[DataRequired(message="Select the new membership type")],
        invalid_choice_message="Select the new membership type",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Change membership type", widget=GovSubmitInput())


class InvitationForm(FlaskForm):
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


class PeriodForm(FlaskForm):
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
