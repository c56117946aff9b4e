"""The documents forms: what kind of document it is, then the file (and a certificate's expiry
date), one question per page as GOV.UK asks."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from dps.models.documents import Document
from dps.rules.enums import DocumentKind
from dps.services.suppliers.document_checks import TITLE_MAX_LENGTH
from dps.web.fields import GovDateField
from dps.web.forms import PortalForm

KIND_HINTS = {
    DocumentKind.EMPLOYERS_LIABILITY: "Only if you employ anyone.",
    DocumentKind.ACCOUNTS: "Your most recent full year’s accounts.",
    DocumentKind.OTHER: "Anything else that supports your application.",
}


class KindForm(PortalForm):
    kind = RadioField(
        "What are you uploading?",
        choices=[SelectChoice(kind.value, kind.label) for kind in DocumentKind],
        validators=[InputRequired(message="Select what you are uploading")],
        invalid_choice_message="Select what you are uploading",
        widget=GovRadioInput(),
    )
    next = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())

    @staticmethod
    def kind_items() -> list[dict[str, Any]]:
        """Each kind's hint, where it needs one, for the radios."""
        return [
            {"hint": {"text": KIND_HINTS[kind]}} if kind in KIND_HINTS else {}
            for kind in DocumentKind
        ]


class ExpiryDateField(GovDateField):
    """The GOV.UK date input for a certificate's expiry. Whether the date is needed, and that it
    is in the future, are the documents service's rules, so an empty one is no error here."""

    def pre_validate(self, form: Any) -> None:
        return None


class DocumentForm(PortalForm):
    expires_on = ExpiryDateField("Date the certificate expires")
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
        description="A PDF, DOCX, XLSX, ODT, PNG or JPEG.",
        widget=GovFileInput(),
    )
    # The document a new version replaces: checked against the signed-in organisation.
    replaces = HiddenField()
    next = HiddenField()
    submit = SubmitField("Upload document", widget=GovSubmitInput())

    def ask_expiry(self, asked: bool) -> None:
        """Only certificates have an expiry date: for anything else the question is not asked,
        so nothing typed into a hand-made request can raise an error no one can see."""
        if not asked:
            del self.expires_on

    def expiry(self) -> date | None:
        field = getattr(self, "expires_on", None)
        return field.data if field is not None else None

    def start_from(self, replaced: Document | None, next_url: str | None) -> None:
        """A new version starts from the title of the one it replaces."""
        if replaced is not None:
            self.replaces.data = str(replaced.id)
            self.title.data = replaced.title
        self.next.data = next_url or ""
