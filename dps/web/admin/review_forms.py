"""Forms for reviewing applications: the queue's filters, assigning, the clock and decisions."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from dps.models.accounts import User
from dps.models.dps import Lot
from dps.rules.enums import ApplicationStatus, LotOutcome
from dps.services.qualification.decisions import REASON_CODES, Decision
from dps.services.qualification.work_queue import QUEUE_STATUSES, OfficerFilter, QueueFilters
from dps.web.forms import PortalForm

# How administrators read each status (the supplier's words differ: see applications_macros).
STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: "Received",
    ApplicationStatus.CHECKING: "Checks running",
    ApplicationStatus.READY_FOR_REVIEW: "Ready for review",
    ApplicationStatus.CLARIFICATION_REQUESTED: "Clarification requested",
    ApplicationStatus.DECIDED: "Decided",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}


class QueueFilterForm(PortalForm):
    """Read from the query string: a bookmarkable view of the queue, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField("Status", widget=GovSelect(), default="")
    lot = SelectField("Lot", widget=GovSelect(), default="")
    officer = SelectField("Officer", widget=GovSelect(), default="")
    submit = SubmitField("Show applications", widget=GovSubmitInput())

    def offer(self, lots: list[Lot], officers: list[User]) -> None:
        self.status.choices = [SelectChoice("", "Waiting for a decision")] + [
            SelectChoice(status.value, STATUS_LABELS[status]) for status in QUEUE_STATUSES
        ]
        self.lot.choices = [SelectChoice("", "Any lot")] + [
            SelectChoice(str(lot.id), lot.name) for lot in lots
        ]
        self.officer.choices = [
            SelectChoice(OfficerFilter.ANYONE.value, "Anyone or no one"),
            SelectChoice(OfficerFilter.ME.value, "Assigned to me"),
            SelectChoice(OfficerFilter.UNASSIGNED.value, "Not assigned"),
        ] + [SelectChoice(str(officer.id), officer.name) for officer in officers]

    def filters(self) -> QueueFilters:
        """What was asked for; anything not on offer (an edited link) counts as no filter."""
        valid = self.validate()
        status = self.status.data if valid and self.status.data else None
        lot = self.lot.data if valid and self.lot.data else None
        return QueueFilters(
            status=ApplicationStatus(status) if status else None,
            lot_id=int(lot) if lot else None,
            officer=(self.officer.data or "") if valid else OfficerFilter.ANYONE.value,
        )


class AssignForm(PortalForm):
    officer = SelectField(
        "Officer",
        validators=[InputRequired(message="Select an administrator from the list")],
        widget=GovSelect(),
    )
    submit = SubmitField("Assign", widget=GovSubmitInput())

    def offer(self, officers: list[User]) -> None:
        self.officer.choices = [SelectChoice("", "Choose an officer")] + [
            SelectChoice(str(officer.id), f"{officer.name} ({officer.email})")
            for officer in officers
        ]


class AssignToMeForm(PortalForm):
    officer = HiddenField(id="officer-me")
    take = SubmitField("Assign to me", widget=GovSubmitInput())


class ActionForm(PortalForm):
    """A button that acts (runs a check again): only the CSRF token travels."""


class ExtendClockForm(PortalForm):
    justification = TextAreaField(
        "Why is more time justified?",
        description=(
            "For example, a certificate needs checking with the insurer. The reason is kept "
            "in the application's history and sent to the supplier."
        ),
        widget=GovTextArea(),
    )
    submit = SubmitField("Extend to 15 working days", widget=GovSubmitInput())


class DecisionForm(PortalForm):
    outcome = RadioField(
        "Decision",
        choices=[
            SelectChoice(LotOutcome.ADMITTED.value, "Admit"),
            SelectChoice(LotOutcome.REJECTED.value, "Reject"),
        ],
        validators=[InputRequired(message="Select whether to admit or reject")],
        invalid_choice_message="Select whether to admit or reject",
        widget=GovRadioInput(),
    )
    codes = SelectMultipleField(
        "Reasons for rejecting",
        choices=[SelectChoice(code, label) for code, label in REASON_CODES.items()],
        description="Select all that apply.",
        widget=GovCheckboxesInput(),
    )
    reasons = TextAreaField(
        "Explain the reasons, for the supplier",
        description="The supplier reads this in the decision letter.",
        widget=GovTextArea(),
    )
    preview = SubmitField("Preview the letter", widget=GovSubmitInput())
    # On the preview page: send it, or go back to the form with everything kept.
    confirm = SubmitField("Confirm and send", widget=GovSubmitInput())
    change = SubmitField("Change the decision", widget=GovSubmitInput())

    def decision(self) -> Decision:
        return Decision.of(self.outcome.data, self.reasons.data, self.codes.data or [])

    def kept(self) -> dict[str, Any]:
        """What the preview page carries in hidden fields back to this form."""
        return {
            "outcome": self.outcome.data or "",
            "codes": list(self.codes.data or []),
            "reasons": self.reasons.data or "",
        }
