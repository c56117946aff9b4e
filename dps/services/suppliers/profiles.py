"""A supplier organisation's profile: who it is, as Part 1 of the selection questionnaire asks.

The profile belongs to the organisation and every application reuses it. Saving keeps what was
typed even when it is not valid yet (``pending_input``), so "Save and come back later" never
loses anything; the gaps, and so the task-list status, count such a value as something to fix.
Which registration numbers are asked depends on the legal form, and a number the chosen legal
form does not ask for is not kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.organisations import Organisation
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import LegalForm, OrganisationKind, OrganisationSize, SectionStatus
from dps.services.common import audit

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

SIZE_LABELS: dict[OrganisationSize, str] = {
    OrganisationSize.MICRO: "Micro",
    OrganisationSize.SMALL: "Small",
    OrganisationSize.MEDIUM: "Medium",
    OrganisationSize.LARGE: "Large",
}
# Companies Act 2006 ss.382, 384A and 465 with the limits for years from 6 April 2025: a size
# applies when the organisation is within two of its three limits.
SIZE_HINTS: dict[OrganisationSize, str] = {
    OrganisationSize.MICRO: (
        "Within 2 of these: no more than 10 staff, a turnover of no more than £1 million, "
        "a balance sheet total of no more than £500,000."
    ),
    OrganisationSize.SMALL: (
        "Within 2 of these: no more than 50 staff, a turnover of no more than £15 million, "
        "a balance sheet total of no more than £7.5 million."
    ),
    OrganisationSize.MEDIUM: (
        "Within 2 of these: no more than 250 staff, a turnover of no more than £54 million, "
        "a balance sheet total of no more than £27 million."
    ),
    OrganisationSize.LARGE: "Bigger than a medium-sized organisation.",
}

COMPANY_NUMBER = re.compile(r"\d{8}|[A-Z]{2}\d{6}")
# England and Wales: 6 to 8 digits; Scotland: SC and 6 digits; Northern Ireland: NIC and 6.
CHARITY_NUMBER = re.compile(r"\d{6,8}|SC\d{6}|NIC\d{6}")
# The FCA Mutuals Public Register numbers societies like 1234R, 2459RS or IP12345R.
SOCIETY_NUMBER = re.compile(r"(?:IP)?\d{1,6}(?:R|RS)?")
# A UK postcode without its space: the outward code, then the inward code (a digit, 2 letters).
POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})")
PHONE = re.compile(r"\+?[\d\s()\-]+")
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


class InvalidValue(ValueError):
    """What was typed cannot be used; the message says how to put it right."""


class ProfileNotFound(LookupError):
    """There is no supplier organisation with this id."""


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
    digits = sum(char.isdigit() for char in value)
    if not PHONE.fullmatch(value) or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
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
    if not value.isdigit():
        raise InvalidValue("Enter the number of employees as a whole number, like 12 or 0")
    number = int(value)
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


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


# --- reading a profile ----------------------------------------------------------------------


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        raise ProfileNotFound(organisation_id)
    return organisation


def profile_for(organisation_id: int) -> SupplierProfile:
    """The organisation's profile; a new one, named after the organisation, when it has none.

    A new profile is not saved here: reading a page changes nothing, and the first save stores
    it (with its audit event).
    """
    profile = db.session.scalars(
        db.select(SupplierProfile).where(SupplierProfile.organisation_id == organisation_id)
    ).first()
    if profile is not None:
        return profile
    organisation = _organisation(organisation_id)
    return SupplierProfile(
        organisation_id=organisation.id,
        organisation=organisation,
        legal_name=organisation.name,
        trading_name="",
        companies_house_number=organisation.companies_house_number,
        address_line_1="",
        address_line_2="",
        town="",
        postcode="",
        contact_name="",
        contact_email="",
        contact_phone="",
        regions=[],
        pending_input=None,
    )


def problems(profile: SupplierProfile) -> dict[str, str]:
    """Each field still to put right, with the message saying how, in the order of the form."""
    pending = profile.pending_input or {}
    asked = numbers_asked(profile.legal_form)
    found: dict[str, str] = {}
    for field in FIELDS:
        if field.name in NUMBER_FIELDS and field.name not in asked:
            continue
        if field.name in pending:
            try:
                field.parse(pending[field.name])
            except InvalidValue as invalid:
                found[field.name] = str(invalid)
                continue
        required = asked[field.name] if field.name in NUMBER_FIELDS else field.missing is not None
        if required and _is_empty(getattr(profile, field.name)):
            found[field.name] = field.missing or f"Enter the {field.name}"
    return found


def profile_gaps(profile: SupplierProfile) -> list[str]:
    """What is missing or not valid, as messages for the check-your-answers page."""
    return list(problems(profile).values())


def profile_status(profile: SupplierProfile) -> SectionStatus:
    if not problems(profile):
        return SectionStatus.COMPLETED
    if profile.id is None:
        return SectionStatus.NOT_STARTED
    return SectionStatus.IN_PROGRESS


def questionnaire_context(profile: SupplierProfile) -> dict[str, Any]:
    """The facts about the organisation that decide which questions apply to it."""
    return {
        "employees": profile.employees,
        "legal_form": profile.legal_form.value if profile.legal_form else None,
        "companies_house_number": profile.companies_house_number,
        "size": profile.size.value if profile.size else None,
        "is_vcse": profile.is_vcse,
        "is_cooperative_or_mutual": profile.is_cooperative_or_mutual,
        "regions": list(profile.regions or []),
    }


def region_labels(profile: SupplierProfile) -> list[str]:
    return [REGIONS[value] for value in profile.regions or [] if value in REGIONS]


def typed_values(profile: SupplierProfile) -> dict[str, Any]:
    """Each field as it should appear in the form: what was typed where it is not valid yet."""
    values = {field.name: _as_typed(getattr(profile, field.name)) for field in FIELDS}
    values.update(profile.pending_input or {})
    return values


def _as_typed(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, OrganisationSize | LegalForm):
        return value.value
    if isinstance(value, int):
        return str(value)
    return value


# --- saving ---------------------------------------------------------------------------------


def update_profile(
    organisation_id: int, data: Mapping[str, Any], actor: User | None, *, _retried: bool = False
) -> dict[str, str]:
    """Save the fields given in ``data`` (field name -> what was typed); return their errors.

    Valid values are stored normalised; a value that is not valid is kept as typed, and its
    message returned, so nothing is lost. Fields not in ``data`` are left as they are. The
    organisation's own Companies House number follows the profile's.
    """
    profile = profile_for(organisation_id)
    is_new = profile.id is None
    before = {} if is_new else _snapshot(profile)
    pending = dict(profile.pending_input or {})
    errors: dict[str, str] = {}
    for name, raw in data.items():
        field = FIELDS_BY_NAME.get(name)
        if field is None:
            continue
        try:
            value = field.parse(raw)
        except InvalidValue as invalid:
            errors[name] = str(invalid)
            pending[name] = list(raw) if isinstance(raw, list | tuple) else str(raw)
            value = "" if name in TEXT_FIELDS else [] if name == "regions" else None
        else:
            pending.pop(name, None)
        setattr(profile, name, value)
    _drop_numbers_not_asked(profile, pending, errors)
    profile.pending_input = pending or None
    after = _snapshot(profile)
    changed = sorted(key for key in after if before.get(key) != after[key])
    if not changed:
        return errors
    profile.updated_by_id = actor.id if actor else None
    profile.organisation.companies_house_number = profile.companies_house_number
    db.session.add(profile)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request saved this organisation's first profile a moment ago: save onto it.
        db.session.rollback()
        if _retried:
            raise
        return update_profile(organisation_id, data, actor, _retried=True)
    audit.record(
        "supplier_profile.created" if is_new else "supplier_profile.updated",
        profile,
        actor=actor,
        before={key: before.get(key) for key in changed} if before else None,
        after={key: after[key] for key in changed},
    )
    db.session.commit()
    return errors


def _drop_numbers_not_asked(
    profile: SupplierProfile, pending: dict[str, Any], errors: dict[str, str]
) -> None:
    """Forget the numbers the chosen legal form does not ask for (until a form is chosen, keep
    them: the supplier has not decided yet)."""
    if profile.legal_form is None:
        return
    asked = numbers_asked(profile.legal_form)
    for name in NUMBER_FIELDS:
        if name not in asked:
            setattr(profile, name, None)
            pending.pop(name, None)
            errors.pop(name, None)


def _snapshot(profile: SupplierProfile) -> dict[str, Any]:
    """The profile as plain values, for the audit trail's before and after."""
    snapshot = {field.name: _plain(getattr(profile, field.name)) for field in FIELDS}
    snapshot["pending_input"] = dict(profile.pending_input or {})
    return snapshot


def _plain(value: Any) -> Any:
    if isinstance(value, LegalForm | OrganisationSize):
        return value.value
    if isinstance(value, list):
        return list(value)
    return value
