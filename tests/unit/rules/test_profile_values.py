"""A profile's values read and normalised, with no database: registration numbers and postcodes
in capitals, what cannot be used refused with the fix, the numbers each legal form is asked for
and the regions."""

from __future__ import annotations

from typing import Any

import pytest

from dps.rules import profile_values
from dps.rules.enums import LegalForm
from dps.rules.profile_values import InvalidValue
from dps.rules.refusals import Refusal

# --- numbers and postcodes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09345678", "09345678"),
        ("sc123456", "SC123456"),
        (" SC 12 34 56 ", "SC123456"),
        ("ni012345", "NI012345"),
        ("OC301234", "OC301234"),
        ("", None),
    ],
)
def test_companies_house_numbers_are_8_characters_in_capitals(typed: str, stored: str) -> None:
    assert profile_values.normalise_company_number(typed) == stored


@pytest.mark.parametrize("typed", ["9345678", "123456789", "S1234567", "SCX12345", "0934567A"])
def test_other_companies_house_numbers_are_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InvalidValue, match="8 characters, like 01234567 or SC123456"):
        profile_values.normalise_company_number(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ol11ut", "OL1 1UT"),
        ("OL1 1UT", "OL1 1UT"),
        ("  m1   1ae ", "M1 1AE"),
        ("SW1A2AA", "SW1A 2AA"),
        ("cf10 1ep", "CF10 1EP"),
        ("BT1 5GS", "BT1 5GS"),
        ("", ""),
    ],
)
def test_postcodes_are_normalised(typed: str, stored: str) -> None:
    assert profile_values.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["OL1", "12345", "OL1 1U", "OL11 1UTX", "1OL 1UT", "OL1-1UT"])
def test_a_postcode_that_is_not_a_uk_postcode_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue, match="real UK postcode"):
        profile_values.normalise_postcode(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1234567", "1234567"), ("sc012345", "SC012345"), ("NIC100001", "NIC100001")],
)
def test_charity_numbers_of_the_three_registers(typed: str, stored: str) -> None:
    assert profile_values.normalise_charity_number(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "SC12345", "charity"])
def test_a_charity_number_of_no_register_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue, match="charity register"):
        profile_values.normalise_charity_number(typed)


@pytest.mark.parametrize(("typed", "stored"), [("12345r", "12345R"), ("2459 RS", "2459RS")])
def test_fca_society_numbers(typed: str, stored: str) -> None:
    assert profile_values.normalise_society_number(typed) == stored


# --- other values -----------------------------------------------------------------------------


def test_a_value_that_cannot_be_used_is_a_refusal_with_its_message() -> None:
    with pytest.raises(Refusal) as refused:
        profile_values.normalise_postcode("OL1")
    assert isinstance(refused.value, InvalidValue)
    assert str(refused.value) == refused.value.message == "Enter a real UK postcode, like OL1 1UT"


def test_each_legal_form_is_asked_for_its_own_numbers_and_no_form_for_none() -> None:
    assert profile_values.numbers_asked(LegalForm.CHARITY) == {
        "charity_number": True,
        "companies_house_number": False,
    }
    assert profile_values.numbers_asked(LegalForm.SOCIETY) == {"fca_number": True}
    assert profile_values.numbers_asked(None) == {}


def test_regions_in_the_list_order_and_anywhere_covering_them_all() -> None:
    read = profile_values.FIELDS_BY_NAME["regions"].parse
    assert read(["wales", "north_west"]) == ["north_west", "wales"]
    assert read(["london", "anywhere_in_the_uk"]) == ["anywhere_in_the_uk"]
    with pytest.raises(InvalidValue, match="regions from the list"):
        read(["atlantis"])


# --- digits of other scripts (issue 11) -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("employees", "１２"),
        ("employees", "١٢"),
        ("employees", "1²"),
        ("contact_phone", "０１６１ ７７０ ３０００"),
        ("contact_phone", "٠١٦١ ٧٧٠ ٣٠٠٠"),
    ],
)
def test_numbers_are_typed_in_the_digits_0_to_9(field: str, typed: str) -> None:
    with pytest.raises(InvalidValue):
        profile_values.FIELDS_BY_NAME[field].parse(typed)


def test_a_huge_number_of_employees_is_refused_as_too_many() -> None:
    with pytest.raises(InvalidValue) as refused:
        profile_values.FIELDS_BY_NAME["employees"].parse("9" * 5000)
    assert "or fewer" in refused.value.message


@pytest.mark.parametrize(
    "normalise",
    [
        profile_values.normalise_company_number,
        profile_values.normalise_charity_number,
        profile_values.normalise_society_number,
        profile_values.normalise_postcode,
    ],
)
def test_registration_numbers_and_postcodes_in_other_digits_are_refused(normalise: Any) -> None:
    with pytest.raises(InvalidValue):
        normalise(
            "０１２３４５６７" if normalise is not profile_values.normalise_postcode else "OL１ 1UT"
        )
