"""The organisation profile: the numbers each legal form is asked for, nothing typed lost, the
status and gaps, and the facts the questionnaire needs (reading each value is tested in
tests/unit/rules/test_profile_values.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, Organisation, SupplierProfile
from dps.rules.enums import LegalForm, OrganisationSize, Role, SectionStatus
from dps.services.suppliers import profiles
from tests.fixtures.helpers import add_person, make_supplier

COMPLETE: dict[str, Any] = {
    "legal_name": "Co-operative Futures Limited",
    "trading_name": "Co-operative Futures",
    "legal_form": "company",
    "companies_house_number": "09345678",
    "address_line_1": "1 Union Street",
    "address_line_2": "",
    "town": "Oldham",
    "postcode": "OL1 1UT",
    "contact_name": "Sam Patel",
    "contact_email": "sam@coop-futures.example.org",
    "contact_phone": "0161 770 3000",
    "size": "small",
    "employees": "12",
    "is_vcse": "no",
    "is_cooperative_or_mutual": "yes",
    "regions": ["north_west", "yorkshire_and_the_humber"],
}


@pytest.fixture
def supplier(app: Flask) -> Organisation:
    organisation = make_supplier("Co-operative Futures Ltd")
    db.session.commit()
    return organisation


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


# --- saving -------------------------------------------------------------------------------


def test_a_new_profile_starts_from_the_organisation_and_is_not_saved_by_reading(
    supplier: Organisation,
) -> None:
    supplier.companies_house_number = "09345678"
    db.session.commit()
    profile = profiles.profile_for(supplier.id)
    assert profile.legal_name == "Co-operative Futures Ltd"
    assert profile.companies_house_number == "09345678"
    assert profiles.profile_status(profile) == SectionStatus.NOT_STARTED
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(SupplierProfile)) == 0


def test_a_complete_profile_is_stored_normalised_and_audited(supplier: Organisation) -> None:
    owner = add_person(supplier, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER)
    typed = COMPLETE | {"companies_house_number": " 0934 5678", "postcode": "ol1 1ut"}
    assert profiles.update_profile(supplier.id, typed, owner) == {}

    profile = profiles.profile_for(supplier.id)
    assert profile.id is not None
    assert profile.legal_form == LegalForm.COMPANY
    assert profile.companies_house_number == "09345678"
    assert profile.postcode == "OL1 1UT"
    assert profile.size == OrganisationSize.SMALL
    assert profile.employees == 12
    assert profile.is_vcse is False and profile.is_cooperative_or_mutual is True
    assert profile.regions == ["north_west", "yorkshire_and_the_humber"]
    assert profile.updated_by_id == owner.id
    assert profiles.profile_gaps(profile) == []
    assert profiles.profile_status(profile) == SectionStatus.COMPLETED
    # The organisation's own number follows the profile's.
    assert supplier.companies_house_number == "09345678"

    [created] = events("supplier_profile.created")
    assert created.actor_user_id == owner.id
    assert created.after is not None and created.after["postcode"] == "OL1 1UT"


def test_a_change_records_what_it_was_and_what_it_became(supplier: Organisation) -> None:
    owner = add_person(supplier, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER)
    profiles.update_profile(supplier.id, COMPLETE, owner)
    profiles.update_profile(supplier.id, {"town": "Rochdale", "employees": "14"}, owner)
    [updated] = events("supplier_profile.updated")
    assert updated.before == {"town": "Oldham", "employees": 12}
    assert updated.after == {"town": "Rochdale", "employees": 14}
    # Saving the same again changes nothing and records nothing.
    profiles.update_profile(supplier.id, {"town": "Rochdale"}, owner)
    assert len(events("supplier_profile.updated")) == 1


def test_what_is_not_valid_is_kept_as_typed_and_counted_as_a_gap(supplier: Organisation) -> None:
    errors = profiles.update_profile(
        supplier.id,
        COMPLETE | {"postcode": "OL1 XYZ", "employees": "about twelve", "town": "Oldham"},
        None,
    )
    assert errors == {
        "postcode": "Enter a real UK postcode, like OL1 1UT",
        "employees": "Enter the number of employees as a whole number, like 12 or 0",
    }
    profile = profiles.profile_for(supplier.id)
    assert profile.pending_input == {"postcode": "OL1 XYZ", "employees": "about twelve"}
    assert profile.postcode == "" and profile.employees is None
    assert profile.town == "Oldham"  # what was valid is saved
    # The form shows what was typed, not the empty stored value.
    typed = profiles.typed_values(profile)
    assert typed["postcode"] == "OL1 XYZ" and typed["employees"] == "about twelve"
    assert profiles.profile_status(profile) == SectionStatus.IN_PROGRESS
    assert profiles.profile_gaps(profile) == [
        "Enter a real UK postcode, like OL1 1UT",
        "Enter the number of employees as a whole number, like 12 or 0",
    ]

    # Putting it right clears what was pending.
    assert (
        profiles.update_profile(supplier.id, {"postcode": "OL1 1UT", "employees": "0"}, None) == {}
    )
    profile = profiles.profile_for(supplier.id)
    assert profile.pending_input is None
    assert profile.employees == 0
    assert profiles.profile_status(profile) == SectionStatus.COMPLETED


def test_an_incomplete_profile_lists_each_gap_in_the_order_of_the_form(
    supplier: Organisation,
) -> None:
    profiles.update_profile(supplier.id, {"trading_name": "Futures"}, None)
    profile = profiles.profile_for(supplier.id)
    assert profiles.profile_status(profile) == SectionStatus.IN_PROGRESS
    assert profiles.profile_gaps(profile) == [
        "Select the organisation’s legal form",
        "Enter the first line of the registered address",
        "Enter the town or city",
        "Enter the postcode",
        "Enter the main contact’s name",
        "Enter the main contact’s email address",
        "Enter the main contact’s phone number",
        "Select the organisation’s size",
        "Enter the number of employees",
        "Select yes if the organisation is a VCSE",
        "Select yes if the organisation is a co-operative or mutual",
        "Select the regions the organisation serves, or Anywhere in the UK",
    ]


# --- the numbers each legal form is asked for ---------------------------------------------


@pytest.mark.parametrize(
    ("legal_form", "numbers", "gaps"),
    [
        ("company", {}, ["Enter the Companies House number"]),
        ("community_interest_company", {}, ["Enter the Companies House number"]),
        (
            "cooperative_or_community_benefit_society",
            {},
            ["Enter the society’s FCA register number"],
        ),
        ("charity", {}, ["Enter the charity number"]),
        ("charity", {"charity_number": "1234567"}, []),  # a company number is optional
        ("partnership", {}, []),
        ("sole_trader", {}, []),
        ("other", {}, []),
    ],
)
def test_each_legal_form_is_asked_for_its_own_numbers(
    supplier: Organisation, legal_form: str, numbers: dict[str, str], gaps: list[str]
) -> None:
    without_number = {k: v for k, v in COMPLETE.items() if k != "companies_house_number"}
    profiles.update_profile(
        supplier.id, without_number | {"legal_form": legal_form} | numbers, None
    )
    assert profiles.profile_gaps(profiles.profile_for(supplier.id)) == gaps


def test_a_number_the_legal_form_does_not_ask_for_is_not_kept(supplier: Organisation) -> None:
    profiles.update_profile(
        supplier.id,
        COMPLETE | {"legal_form": "charity", "charity_number": "SC012345"},
        None,
    )
    profile = profiles.profile_for(supplier.id)
    assert (profile.charity_number, profile.companies_house_number) == ("SC012345", "09345678")

    errors = profiles.update_profile(
        supplier.id,
        # The society's number box was left with something invalid in it: not asked, not kept.
        {"legal_form": "partnership", "fca_number": "not a number"},
        None,
    )
    assert errors == {}
    profile = profiles.profile_for(supplier.id)
    assert profile.charity_number is None and profile.companies_house_number is None
    assert profile.fca_number is None and profile.pending_input is None
    assert supplier.companies_house_number is None
    assert profiles.profile_status(profile) == SectionStatus.COMPLETED


def test_numbers_are_kept_until_a_legal_form_is_chosen(supplier: Organisation) -> None:
    supplier.companies_house_number = "09345678"
    db.session.commit()
    profiles.update_profile(supplier.id, {"town": "Oldham"}, None)
    assert profiles.profile_for(supplier.id).companies_house_number == "09345678"
    assert supplier.companies_house_number == "09345678"


def test_an_invalid_companies_house_number_is_kept_and_the_organisation_has_none(
    supplier: Organisation,
) -> None:
    errors = profiles.update_profile(
        supplier.id, COMPLETE | {"companies_house_number": "12345"}, None
    )
    assert errors == {
        "companies_house_number": (
            "Enter the Companies House number as 8 characters, like 01234567 or SC123456"
        )
    }
    profile = profiles.profile_for(supplier.id)
    assert profile.pending_input == {"companies_house_number": "12345"}
    assert profile.companies_house_number is None
    assert supplier.companies_house_number is None


# --- other answers ------------------------------------------------------------------------


def test_anywhere_in_the_uk_covers_every_region(supplier: Organisation) -> None:
    profiles.update_profile(
        supplier.id, {"regions": ["london", "anywhere_in_the_uk", "wales"]}, None
    )
    profile = profiles.profile_for(supplier.id)
    assert profile.regions == ["anywhere_in_the_uk"]
    assert profiles.region_labels(profile) == ["Anywhere in the UK"]


def test_regions_are_kept_in_the_list_order_and_unknown_ones_refused(
    supplier: Organisation,
) -> None:
    profiles.update_profile(supplier.id, {"regions": ["wales", "north_west"]}, None)
    assert profiles.profile_for(supplier.id).regions == ["north_west", "wales"]
    errors = profiles.update_profile(supplier.id, {"regions": ["atlantis"]}, None)
    assert errors == {"regions": "Select the regions from the list"}


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("contact_email", "sam at example", "email address in the correct format"),
        ("contact_phone", "call me", "Enter a phone number"),
        ("contact_phone", "0161 77", "Enter a phone number"),
        ("employees", "-3", "whole number"),
        ("employees", "2.5", "whole number"),
        ("is_vcse", "maybe", "Select yes if the organisation is a VCSE, or no"),
        ("size", "huge", "size from the list"),
        ("legal_form", "trust", "legal form from the list"),
        ("legal_name", "x" * 201, "200 characters or fewer"),
    ],
)
def test_each_kind_of_answer_is_checked(
    supplier: Organisation, field: str, typed: str, message: str
) -> None:
    errors = profiles.update_profile(supplier.id, {field: typed}, None)
    assert message in errors[field]
    assert profiles.profile_for(supplier.id).pending_input == {field: typed}


def test_employees_may_be_written_with_commas(supplier: Organisation) -> None:
    profiles.update_profile(supplier.id, {"employees": "1,250"}, None)
    assert profiles.profile_for(supplier.id).employees == 1250


# --- what the questionnaire needs ---------------------------------------------------------


def test_questionnaire_context_gives_the_facts_that_decide_which_questions_apply(
    supplier: Organisation,
) -> None:
    profile = profiles.profile_for(supplier.id)
    context = profiles.questionnaire_context(profile)
    assert context["employees"] is None and context["legal_form"] is None

    profiles.update_profile(supplier.id, COMPLETE | {"employees": "0"}, None)
    context = profiles.questionnaire_context(profiles.profile_for(supplier.id))
    # No employees: employer's liability is not asked. 0 is an answer, not a gap.
    assert context["employees"] == 0
    assert context["legal_form"] == "company"
    assert context["companies_house_number"] == "09345678"
    assert context["size"] == "small"
    assert context["is_cooperative_or_mutual"] is True
    assert context["regions"] == ["north_west", "yorkshire_and_the_humber"]


def test_only_supplier_organisations_have_profiles(app: Flask) -> None:
    council = Organisation(name="Oldham Council", kind="member")
    db.session.add(council)
    db.session.commit()
    with pytest.raises(profiles.ProfileNotFound):
        profiles.profile_for(council.id)
    with pytest.raises(profiles.ProfileNotFound):
        profiles.profile_for(424242)
