"""A supplier organisation's profile: who it is, as Part 1 of the selection questionnaire asks.

The profile belongs to the organisation and every application reuses it. Saving keeps what was
typed even when it is not valid yet (``pending_input``), so "Save and come back later" never
loses anything; the gaps, and so the task-list status, count such a value as something to fix.
Which registration numbers are asked depends on the legal form, and a number the chosen legal
form does not ask for is not kept. Reading and checking each value is
``dps.rules.profile_values``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.organisations import Organisation
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import LegalForm, OrganisationKind, OrganisationSize, SectionStatus
from dps.rules.profile_values import (
    FIELDS,
    FIELDS_BY_NAME,
    NUMBER_FIELDS,
    REGIONS,
    TEXT_FIELDS,
    InvalidValue,
    is_empty,
    numbers_asked,
)
from dps.rules.refusals import NotFound
from dps.services.common import audit


class ProfileNotFound(NotFound):
    """There is no supplier organisation with this id."""


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
        if required and is_empty(getattr(profile, field.name)):
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
