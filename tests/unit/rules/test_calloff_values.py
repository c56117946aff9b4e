"""Reading what a buyer types into a call-off: money in pounds as pence, whole numbers, dates,
24-hour times and deadlines in London time; each refusal names its question."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from dps.rules import calloff_values as values
from dps.rules.calloff_values import ValueRefused


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("12500", 1_250_000), ("£12,500.50", 1_250_050), (" 1 000 ", 100_000), (7, 700)],
)
def test_money_is_read_in_pounds_as_pence(typed: object, pence: int) -> None:
    assert values.pounds_to_pence(typed, field="value", name="The value") == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twelve", "The value must be an amount of money, like 12500 or 12500.50"),
        ("12.345", "The value must be in pounds and pence, like 12500.50"),
        ("0", "The value must be more than £0"),
        ("-5", "The value must be more than £0"),
        ("1000000001", "The value must be £1,000,000,000 or less"),
    ],
)
def test_money_that_cannot_be_read_is_refused_on_its_question(typed: str, message: str) -> None:
    with pytest.raises(ValueRefused) as refused:
        values.pounds_to_pence(typed, field="value", name="The value")
    assert (refused.value.message, refused.value.field) == (message, "value")


def test_whole_numbers_within_their_bounds() -> None:
    assert values.whole_number("1,000", field="n", name="The limit", low=1, high=5000) == 1000
    assert values.whole_number("30%", field="n", name="The weighting", low=0, high=100) == 30
    with pytest.raises(ValueRefused, match="must be a whole number, like 1"):
        values.whole_number("2.5", field="n", name="The limit", low=1, high=5000)
    with pytest.raises(ValueRefused, match="must be between 0 and 100"):
        values.whole_number("101", field="n", name="The weighting", low=0, high=100)


@pytest.mark.parametrize("typed", ["2027-03-01", "1 3 2027", "1/3/2027", " 01  03 2027 "])
def test_a_date_may_be_typed_several_ways(typed: str) -> None:
    assert values.a_date(typed, field="start", name="The start date") == date(2027, 3, 1)


def test_an_impossible_date_is_refused() -> None:
    with pytest.raises(ValueRefused, match="The start date must be a real date"):
        values.a_date("31 2 2027", field="start", name="The start date")


@pytest.mark.parametrize(("typed", "read"), [("17:00", time(17, 0)), ("9.30", time(9, 30))])
def test_times_on_the_24_hour_clock(typed: str, read: time) -> None:
    assert values.a_time(typed, field="t", name="The time") == read


@pytest.mark.parametrize("typed", ["24:00", "5pm", "12:60", ""])
def test_other_times_are_refused(typed: str) -> None:
    with pytest.raises(ValueRefused, match="24-hour clock, like 17:00"):
        values.a_time(typed, field="t", name="The time")


def test_a_deadline_is_london_time_on_either_side_of_the_clock_change() -> None:
    winter = values.deadline(
        {"date": "20 1 2027", "time": "12:00"}, field="d", name="the tender deadline"
    )
    summer = values.deadline(
        {"date": "20 6 2027", "time": "12:00"}, field="d", name="the tender deadline"
    )
    assert winter == datetime(2027, 1, 20, 12, 0, tzinfo=UTC)
    assert summer == datetime(2027, 6, 20, 11, 0, tzinfo=UTC)
    with pytest.raises(ValueRefused, match="The time of the tender deadline"):
        values.deadline({"date": "20 6 2027", "time": ""}, field="d", name="the tender deadline")


def test_text_is_trimmed_and_bounded() -> None:
    assert values.text("  A title ") == "A title"
    assert values.is_blank("   ") and values.is_blank(None) and not values.is_blank("x")
    with pytest.raises(ValueRefused, match="The title must be 5 characters or fewer"):
        values.bounded_text("Too long", field="title", name="The title", maximum=5)


# --- digits of other scripts, and numbers of any length (issue 11) -------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("١٢٥٠٠", "The value must be an amount of money, like 12500 or 12500.50"),
        ("１２５００", "The value must be an amount of money, like 12500 or 12500.50"),
        ("12500.５0", "The value must be an amount of money, like 12500 or 12500.50"),
        ("1e5", "The value must be an amount of money, like 12500 or 12500.50"),
        ("1e999999999", "The value must be an amount of money, like 12500 or 12500.50"),
        ("1_000", "The value must be an amount of money, like 12500 or 12500.50"),
        ("NaN", "The value must be an amount of money, like 12500 or 12500.50"),
        ("9" * 5000, "The value must be £1,000,000,000 or less"),
        ("1." + "5" * 5000, "The value must be in pounds and pence, like 12500.50"),
    ],
)
def test_money_is_typed_in_the_digits_0_to_9(typed: str, message: str) -> None:
    with pytest.raises(ValueRefused) as refused:
        values.pounds_to_pence(typed, field="value", name="The value")
    assert refused.value.message == message


def test_pence_typed_with_trailing_noughts_are_still_pence() -> None:
    assert values.pounds_to_pence("12.500", field="value", name="The value") == 1250


@pytest.mark.parametrize("typed", ["١٠", "１０", "1²", "-１"])
def test_whole_numbers_are_typed_in_the_digits_0_to_9(typed: str) -> None:
    with pytest.raises(ValueRefused) as refused:
        values.whole_number(typed, field="n", name="The limit", low=1, high=5000)
    assert refused.value.message == "The limit must be a whole number, like 1"


def test_a_whole_number_of_thousands_of_digits_is_out_of_range() -> None:
    with pytest.raises(ValueRefused) as refused:
        values.whole_number("9" * 5000, field="n", name="The limit", low=1, high=5000)
    assert refused.value.message == "The limit must be between 1 and 5,000"


@pytest.mark.parametrize("typed", ["１ ３ ２０２７", "2027-03-٠١", "1/3/２０２７"])
def test_dates_are_typed_in_the_digits_0_to_9(typed: str) -> None:
    with pytest.raises(ValueRefused) as refused:
        values.a_date(typed, field="d", name="The start date")
    assert refused.value.message == "The start date must be a real date"


@pytest.mark.parametrize("typed", ["１７:００", "17:٠٠"])
def test_times_are_typed_in_the_digits_0_to_9(typed: str) -> None:
    with pytest.raises(ValueRefused):
        values.a_time(typed, field="t", name="The time")
