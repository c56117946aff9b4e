"""The organisation profile form.

The form only carries what was typed: every rule about the values is in
``dps.services.suppliers.profiles``, which keeps what is not valid yet and says what to put
right. The
registration numbers sit in conditional reveals under the legal form they belong to, each its
own field (a page cannot hold two inputs with one id); ``to_data`` takes the numbers from the
reveal of the legal form chosen, so without JavaScript, where every reveal shows, the answer is
the same.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from dps.models.suppliers import SupplierProfile
from dps.rules.enums import LegalForm, OrganisationSize
from dps.services.suppliers import profiles
from dps.web.forms import PortalForm

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]

# The form field holding each legal form's registration numbers, by the service's name for it.
NUMBER_FIELDS: dict[LegalForm, dict[str, str]] = {
    LegalForm.COMPANY: {"companies_house_number": "company_number"},
    LegalForm.CIC: {"companies_house_number": "cic_number"},
    LegalForm.SOCIETY: {"fca_number": "society_number"},
    LegalForm.CHARITY: {
        "charity_number": "charity_number",
        "companies_house_number": "charity_company_number",
    },
}
COMPANY_NUMBER_FIELDS = ("company_number", "cic_number", "charity_company_number")
# Fields named the same in the form and in the service.
PLAIN_FIELDS = (
    "legal_name",
    "trading_name",
    "legal_form",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "contact_name",
    "contact_email",
    "contact_phone",
    "size",
    "employees",
    "is_vcse",
    "is_cooperative_or_mutual",
    "regions",
)


class ExclusiveLastCheckboxesInput(GovCheckboxesInput):
    """Checkboxes whose last option excludes the others ("Anywhere in the UK"), after "or".

    With JavaScript, ticking it unticks the rest (the GOV.UK exclusive behaviour); without,
    the service counts it as covering every region.
    """

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        items = params["items"]
        if items:
            items[-1]["behaviour"] = "exclusive"
            items.insert(len(items) - 1, {"divider": "or"})
        return params


def _text(label: str, description: str = "") -> StringField:
    return StringField(label, description=description, widget=GovTextInput())


class ProfileForm(PortalForm):
    legal_name = _text(
        "Legal name",
        "As registered, for example with Companies House, the FCA or a charity regulator.",
    )
    trading_name = _text(
        "Trading name (optional)", "If the organisation trades under another name."
    )
    legal_form = RadioField(
        "What is the organisation’s legal form?",
        choices=[SelectChoice(form.value, form.label) for form in LegalForm],
        description="This decides which registration numbers we ask for.",
        validate_choice=False,
        widget=GovRadioInput(),
    )
    company_number = _text("Companies House number", "8 characters, like 01234567 or SC123456.")
    cic_number = _text("Companies House number", "8 characters, like 01234567 or SC123456.")
    society_number = _text(
        "FCA Mutuals Public Register number", "As the register shows it, like 12345R."
    )
    charity_number = _text(
        "Charity number",
        "For example, 1234567 in England and Wales, SC012345 in Scotland or NIC100001 in "
        "Northern Ireland.",
    )
    charity_company_number = _text(
        "Companies House number (optional)",
        "If the charity is also a company, such as a charitable company limited by guarantee.",
    )
    address_line_1 = _text("Address line 1")
    address_line_2 = _text("Address line 2 (optional)")
    town = _text("Town or city")
    postcode = _text("Postcode")
    contact_name = _text("Full name")
    contact_email = _text("Email address")
    contact_phone = _text("Phone number", "For international numbers include the country code.")
    size = RadioField(
        "What size is the organisation?",
        choices=[SelectChoice(size.value, profiles.SIZE_LABELS[size]) for size in OrganisationSize],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    employees = _text(
        "Number of employees",
        "Count part-time staff as well as full-time. Enter 0 if the organisation has none.",
    )
    is_vcse = RadioField(
        "Is the organisation a voluntary, community or social enterprise (VCSE)?",
        choices=YES_NO,
        validate_choice=False,
        widget=GovRadioInput(),
    )
    is_cooperative_or_mutual = RadioField(
        "Is the organisation a co-operative or mutual?",
        choices=YES_NO,
        validate_choice=False,
        widget=GovRadioInput(),
    )
    regions = SelectMultipleField(
        "Which regions does the organisation serve?",
        choices=[SelectChoice(value, label) for value, label in profiles.REGIONS.items()],
        description="Select all that apply.",
        validate_choice=False,
        widget=ExclusiveLastCheckboxesInput(),
    )
    save = SubmitField("Save and continue", widget=GovSubmitInput())
    save_later = SubmitField("Save and come back later", widget=GovSubmitInput())

    @staticmethod
    def size_items() -> list[dict[str, Any]]:
        """The UK definition of each size, as the radio's hint."""
        return [{"hint": {"text": profiles.SIZE_HINTS[size]}} for size in OrganisationSize]

    @classmethod
    def initial(cls, profile: SupplierProfile) -> dict[str, Any]:
        """The form's starting values: what is stored, or what was typed where not valid yet."""
        typed = profiles.typed_values(profile)
        data = {name: typed[name] for name in PLAIN_FIELDS}
        data["society_number"] = typed["fca_number"]
        data["charity_number"] = typed["charity_number"]
        # Whichever company form is chosen, the number already known is there.
        for name in COMPANY_NUMBER_FIELDS:
            data[name] = typed["companies_house_number"]
        return data

    def chosen_legal_form(self) -> LegalForm | None:
        try:
            return LegalForm(self.legal_form.data or "")
        except ValueError:
            return None

    def to_data(self) -> dict[str, Any]:
        """What was typed, by the service's field names."""
        data: dict[str, Any] = {name: self[name].data or "" for name in PLAIN_FIELDS}
        data["regions"] = list(self.regions.data or [])
        legal_form = self.chosen_legal_form()
        if legal_form is not None:
            for service_name, field_name in NUMBER_FIELDS.get(legal_form, {}).items():
                data[service_name] = self[field_name].data or ""
        return data

    @staticmethod
    def anchors(legal_form: LegalForm | None) -> dict[str, str]:
        """The form field holding each of the service's fields, for links to it."""
        anchors = {name: name for name in PLAIN_FIELDS}
        anchors |= {"charity_number": "charity_number", "fca_number": "society_number"}
        numbers = NUMBER_FIELDS.get(legal_form, {}) if legal_form else {}
        anchors["companies_house_number"] = numbers.get("companies_house_number", "company_number")
        return anchors

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the service's messages on the fields they belong to."""
        anchors = self.anchors(self.chosen_legal_form())
        for service_name, message in problems.items():
            self[anchors[service_name]].errors = [message]
