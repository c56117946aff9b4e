"""Forms for applying: choosing lots, the declaration, withdrawing."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from dps.rules import digits
from dps.services.applications.drafting import LotAvailability
from dps.web.forms import PortalForm

REASON_MAX = 2000


class LotsForm(PortalForm):
    lots = SelectMultipleField(
        "Which lots are you applying for?",
        coerce=int,
        description="Select all that apply. You can apply for both lots in one application.",
        validators=[DataRequired(message="Select the lots you are applying for")],
        invalid_choice_message="Select Lot 1, Lot 2 or both",
        widget=GovCheckboxesInput(),
    )
    # The application this one follows (applying again after a decision), if any.
    follows = HiddenField(filters=[digits.an_id])
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def offer(self, availability: list[LotAvailability]) -> None:
        self.lots.choices = [(a.lot.number, a.lot.name) for a in availability]

    @staticmethod
    def items(availability: list[LotAvailability]) -> list[dict[str, Any]]:
        """Each lot's description as its hint; a lot that cannot be chosen says why."""
        items: list[dict[str, Any]] = []
        for a in availability:
            if a.admitted:
                items.append(
                    {"hint": {"text": "You are already admitted to this lot."}, "disabled": True}
                )
            elif a.pending_reference:
                items.append(
                    {
                        "hint": {
                            "text": f"We are still deciding your application "
                            f"{a.pending_reference} for this lot."
                        },
                        "disabled": True,
                    }
                )
            else:
                items.append({"hint": {"text": a.lot.description}})
        return items


class DeclarationForm(PortalForm):
    declaration_name = StringField(
        "Full name",
        validators=[
            DataRequired(message="Enter the full name of the person making the declaration"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    declaration_role = StringField(
        "Role in your organisation",
        description="For example, director, chief executive or company secretary.",
        validators=[
            DataRequired(message="Enter their role in your organisation"),
            Length(max=200, message="The role must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    confirm = BooleanField(
        "I confirm that I am authorised to make this declaration for my organisation, and "
        "that the information in this application is true and complete",
        validators=[
            DataRequired(message="Confirm that the information you have given is true and complete")
        ],
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Accept and send application", widget=GovSubmitInput())


class WithdrawForm(PortalForm):
    reason = StringField(
        "Why are you withdrawing? (optional)",
        description="This helps us improve the service. You do not have to tell us.",
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Withdraw application", widget=GovSubmitInput())
