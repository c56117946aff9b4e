"""A supplier profile's values: what was typed read into what is kept, or refused with the fix.

Plain values in, normalised values out, or an ``InvalidValue`` saying how to put it right:
registration numbers (Companies House, charity, FCA society), UK postcodes, email addresses,
phone numbers, the legal form, size, employees, yes/no answers and regions. ``FIELDS`` lists
the profile's fields in the order of the form, each with how it is read and the message when a
required one is left empty; ``numbers_asked`` says which registration numbers a legal form is
asked for. Saving them is ``dps.services.suppliers.profiles``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from dps.rules import digits
from dps.rules.enums import LegalForm, OrganisationSize
from dps.rules.refusals import Refusal

ANYWHERE = "anywhere_in_the_uk"
# The UK nations and England's regions, in the order people expect to read them.
REGIONS: dict[str, str] = {
    "north_east": "North East",
    "north_west": "North West",
    "yorkshire_and_the_humber": "Yorkshire and the Humber",
    "east_midlands": "East Midlands",
    "west_midlands": "West Midlands",
    "east_of_england": "East of England",
    "london": "London",
    "south_east": "South East",
    "south_west": "South West",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern_ireland": "Northern Ireland",
    ANYWHERE: "Anywhere in the UK",
}

# re.ASCII: \d is only 0 to 9 (see dps.rules.digits).
COMPANY_NUMBER = re.compile(r"\d{8}|[A-Z]{2}\d{6}", re.ASCII)
# England and Wales: 6 to 8 digits; Scotland: SC and 6 digits; Northern Ireland: NIC and 6.
CHARITY_NUMBER = re.compile(r"\d{6,8}|SC\d{6}|NIC\d{6}", re.ASCII)
# The FCA Mutuals Public Register numbers societies like 1234R, 2459RS or IP12345R.
SOCIETY_NUMBER = re.compile(r"(?:IP)?\d{1,6}(?:R|RS)?", re.ASCII)
# A UK postcode without its space: the outward code, then the inward code (a digit, 2 letters).
POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})", re.ASCII)
PHONE = re.compile(r"\+?[\d\s()\-]+", re.ASCII)
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 10, 15
MAX_EMPLOYEES = 10_000_000

NUMBER_FIELDS = ("companies_house_number", "charity_number", "fca_number")
# The registration numbers each legal form is asked for, and whether each must be given. A
# charity may also be a company limited by guarantee, so its Companies House number is optional.
NUMBERS_ASKED: dict[LegalForm, dict[str, bool]] = {
    LegalForm.COMPANY: {"companies_house_number": True},
    LegalForm.CIC: {"companies_house_number": True},
    LegalForm.SOCIETY: {"fca_number": True},
    LegalForm.CHARITY: {"charity_number": True, "companies_house_number": False},
}


class InvalidValue(Refusal):
    """What was typed cannot be used; the message says how to put it right."""


# --- reading and checking what was typed --------------------------------------------------


def _text(max_length: int, what: str) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = " ".join(str(raw or "").split())
        if len(value) > max_length:
            raise InvalidValue(f"{what} must be {max_length} characters or fewer")
        return value

    return parse


def _compact(raw: Any) -> str:
    return "".join(str(raw or "").split()).upper()


def normalise_company_number(raw: Any) -> str | None:
    value = _compact(raw)
    if not value:
        return None
    if not COMPANY_NUMBER.fullmatch(value):
        raise InvalidValue(
            "Enter the Companies House number as 8 characters, like 01234567 or SC123456"
        )
    return value


def normalise_charity_number(raw: Any) -> str | None:
    value = _compact(raw)
    if not value:
        return None
    if not CHARITY_NUMBER.fullmatch(value):
        raise InvalidValue(
            "Enter the charity number as the charity register shows it, like 1234567, "
            "SC012345 or NIC100001"
        )
    return value


def normalise_society_number(raw: Any) -> str | None:
    value = _compact(raw)
    if not value:
        return None
    if not SOCIETY_NUMBER.fullmatch(value):
        raise InvalidValue(
            "Enter the register number as the FCA Mutuals Public Register shows it, like 12345R"
        )
    return value


def normalise_postcode(raw: Any) -> str:
    """A UK postcode in capitals with one space before the inward code, like M1 1AE."""
    value = _compact(raw)
    if not value:
        return ""
    match = POSTCODE.fullmatch(value)
    if match is None:
        raise InvalidValue("Enter a real UK postcode, like OL1 1UT")
    return f"{match.group(1)} {match.group(2)}"


def _email(raw: Any) -> str:
    value = str(raw or "").strip()
    if not value:
        return ""
    try:
        # No DNS look-up: the check is about the address's shape, not the network.
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidValue(
            "Enter an email address in the correct format, like name@example.org"
        ) from error
    if len(value) > 320:
        raise InvalidValue("The email address must be 320 characters or fewer")
    return value


def _phone(raw: Any) -> str:
    value = " ".join(str(raw or "").split())
    if not value:
        return ""
    count = sum(char in digits.ASCII_DIGITS for char in value)
    if not PHONE.fullmatch(value) or not MIN_PHONE_DIGITS <= count <= MAX_PHONE_DIGITS:
        raise InvalidValue("Enter a phone number, like 0161 770 3000 or +44 161 770 3000")
    return value


def _legal_form(raw: Any) -> LegalForm | None:
    value = str(raw or "").strip()
    if not value:
        return None
    try:
        return LegalForm(value)
    except ValueError as error:
        raise InvalidValue("Select the organisation’s legal form from the list") from error


def _size(raw: Any) -> OrganisationSize | None:
    value = str(raw or "").strip()
    if not value:
        return None
    try:
        return OrganisationSize(value)
    except ValueError as error:
        raise InvalidValue("Select the organisation’s size from the list") from error


def _employees(raw: Any) -> int | None:
    value = str(raw or "").strip().replace(",", "")
    if not value:
        return None
    number = digits.whole(value)
    if number is None:
        raise InvalidValue("Enter the number of employees as a whole number, like 12 or 0")
    if number > MAX_EMPLOYEES:
        raise InvalidValue(f"The number of employees must be {MAX_EMPLOYEES:,} or fewer")
    return number


def _yes_no(what: str) -> Callable[[Any], bool | None]:
    def parse(raw: Any) -> bool | None:
        value = str(raw or "").strip().lower()
        if not value:
            return None
        if value not in {"yes", "no"}:
            raise InvalidValue(f"Select yes if {what}, or no")
        return value == "yes"

    return parse


def _regions(raw: Any) -> list[str]:
    chosen = [raw] if isinstance(raw, str) else list(raw or [])
    chosen = [str(value) for value in chosen if str(value).strip()]
    if any(value not in REGIONS for value in chosen):
        raise InvalidValue("Select the regions from the list")
    if ANYWHERE in chosen:
        # "Anywhere in the UK" covers every region (the exclusive option of the checkboxes).
        return [ANYWHERE]
    return [value for value in REGIONS if value in chosen]


@dataclass(frozen=True)
class Field:
    name: str
    parse: Callable[[Any], Any]
    # The message when the field is required and empty; None where it is optional.
    missing: str | None


FIELDS: tuple[Field, ...] = (
    Field("legal_name", _text(200, "The legal name"), "Enter the organisation’s legal name"),
    Field("trading_name", _text(200, "The trading name"), None),
    Field("legal_form", _legal_form, "Select the organisation’s legal form"),
    Field("companies_house_number", normalise_company_number, "Enter the Companies House number"),
    Field("charity_number", normalise_charity_number, "Enter the charity number"),
    Field("fca_number", normalise_society_number, "Enter the society’s FCA register number"),
    Field(
        "address_line_1",
        _text(200, "Address line 1"),
        "Enter the first line of the registered address",
    ),
    Field("address_line_2", _text(200, "Address line 2"), None),
    Field("town", _text(100, "The town or city"), "Enter the town or city"),
    Field("postcode", normalise_postcode, "Enter the postcode"),
    Field("contact_name", _text(200, "The contact’s name"), "Enter the main contact’s name"),
    Field("contact_email", _email, "Enter the main contact’s email address"),
    Field("contact_phone", _phone, "Enter the main contact’s phone number"),
    Field("size", _size, "Select the organisation’s size"),
    Field("employees", _employees, "Enter the number of employees"),
    Field(
        "is_vcse",
        _yes_no("the organisation is a VCSE"),
        "Select yes if the organisation is a VCSE",
    ),
    Field(
        "is_cooperative_or_mutual",
        _yes_no("the organisation is a co-operative or mutual"),
        "Select yes if the organisation is a co-operative or mutual",
    ),
    Field(
        "regions",
        _regions,
        "Select the regions the organisation serves, or Anywhere in the UK",
    ),
)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
TEXT_FIELDS = frozenset(
    {
        "legal_name",
        "trading_name",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "contact_name",
        "contact_email",
        "contact_phone",
    }
)


def numbers_asked(legal_form: LegalForm | None) -> dict[str, bool]:
    """The registration numbers asked of ``legal_form``, each with whether it is required."""
    return dict(NUMBERS_ASKED.get(legal_form, {})) if legal_form is not None else {}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []
