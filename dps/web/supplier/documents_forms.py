"""The form that uploads a document, or a new version of one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length

from dps.models.documents import Document
from dps.models.enums import DocumentKind
from dps.services.documents import INSURANCE_KINDS, TITLE_MAX_LENGTH
from dps.web.admin.forms import GovDateField


class ExpiryDateField(GovDateField):
    """The GOV.UK date input, asked only for insurance certificates: whether it is needed is
    the documents service's rule, so an empty one is not an error here."""

    def process(self, formdata: Any, data: Any = unset_value, **kwargs: Any) -> None:
        super().process(formdata, data, **kwargs)
        # The widget reads exactly day, month and year back: a date under a kind that was not
        # chosen (not sent at all) or a hand-made request (one box) must not break the page.
        if self.raw_data is not None:
            self.raw_data = [*self.raw_data, "", "", ""][:3]

    def pre_validate(self, form: Any) -> None:
        return None


class DocumentForm(FlaskForm):
    kind = RadioField(
        "What is the document?",
        choices=[SelectChoice(kind.value, kind.label) for kind in DocumentKind],
        validators=[InputRequired(message="Select what the document is")],
        invalid_choice_message="Select what the document is",
        widget=GovRadioInput(),
    )
    # One expiry date for each kind of certificate, each revealed under its own radio (the
    # GOV.UK conditional reveal); only the chosen kind's is read.
    expires_on_employers_liability = ExpiryDateField("Date the certificate expires")
    expires_on_public_liability = ExpiryDateField("Date the certificate expires")
    expires_on_professional_indemnity = ExpiryDateField("Date the certificate expires")
    title = StringField(
        "Title (optional)",
        description="For example, Equality policy 2026. Leave it empty to use the kind of "
        "document as its title.",
        validators=[
            Length(
                max=TITLE_MAX_LENGTH,
                message=f"The title must be {TITLE_MAX_LENGTH} characters or fewer",
            )
        ],
        widget=GovTextInput(),
    )
    file = FileField(
        "Upload a file",
        description="A PDF, DOCX, XLSX, ODT, PNG or JPEG, smaller than 10MB.",
        widget=GovFileInput(),
    )
    # The document a new version replaces: checked against the signed-in organisation.
    replaces = HiddenField()
    next = HiddenField()
    submit = SubmitField("Upload document", widget=GovSubmitInput())

    def expiry_field(self, kind: DocumentKind | str | None) -> ExpiryDateField | None:
        field = getattr(self, f"expires_on_{kind}", None) if kind else None
        return field if isinstance(field, ExpiryDateField) else None

    def expiry_fields(self) -> list[tuple[str, ExpiryDateField]]:
        return [
            (kind.value, field)
            for kind in INSURANCE_KINDS
            if (field := self.expiry_field(kind)) is not None
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        # A date typed under a kind that was not chosen is not read, so it is no error either.
        for kind, field in self.expiry_fields():
            if kind != self.kind.data:
                field.errors = []
        return not any(field.errors for field in self)

    def expires_on(self) -> date | None:
        field = self.expiry_field(self.kind.data)
        return field.data if field is not None else None

    def field_for(self, name: str) -> Field:
        """The field a refusal from the documents service belongs on."""
        if name == "expires_on":
            return self.expiry_field(self.kind.data) or self.file
        found = getattr(self, name, None)
        return found if isinstance(found, Field) else self.file

    def start_from(
        self,
        *,
        replaced: Document | None,
        kind: str | None,
        next_url: str | None,
    ) -> None:
        """Fill in what the page was asked for: a kind chosen on the documents page, or the
        document a new version replaces (its kind and title carry over)."""
        if replaced is not None:
            self.replaces.data = str(replaced.id)
            self.kind.data = replaced.kind.value
            self.title.data = replaced.title
        elif kind in {k.value for k in DocumentKind}:
            self.kind.data = kind
        self.next.data = next_url or ""

    @staticmethod
    def kind_hints() -> Sequence[str]:
        return [KIND_HINTS.get(kind, "") for kind in DocumentKind]


KIND_HINTS = {
    DocumentKind.EMPLOYERS_LIABILITY: "Only if you employ anyone.",
    DocumentKind.ACCOUNTS: "Your most recent full year’s accounts.",
    DocumentKind.OTHER: "Anything else that supports your application.",
}
