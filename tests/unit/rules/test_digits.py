"""Numbers typed by people are the digits 0 to 9 only, and any length of them is read safely."""

from __future__ import annotations

import pytest

from dps.rules import digits

OTHER_SCRIPTS = ["١٢٣", "１２３", "۱۲۳", "१२३", "12²", "٣"]


@pytest.mark.parametrize("typed", ["0", "7", "123456", "0042"])
def test_ascii_digits_are_digits(typed: str) -> None:
    assert digits.is_digits(typed)


@pytest.mark.parametrize("typed", [*OTHER_SCRIPTS, "", " 1", "1.5", "-1", "+1", "1e5", "1_000"])
def test_anything_else_is_not(typed: str) -> None:
    assert not digits.is_digits(typed)


def test_at_most_so_many_digits() -> None:
    assert digits.is_digits("12", most=2)
    assert not digits.is_digits("123", most=2)


@pytest.mark.parametrize("typed", OTHER_SCRIPTS)
def test_digits_of_other_scripts_are_noticed(typed: str) -> None:
    assert digits.has_other_digits(f"1 {typed} 2")
    assert not digits.has_other_digits("1 March 2027")


def test_whole_numbers_are_read_from_ascii_digits_only() -> None:
    assert digits.whole("1000") == 1000
    assert digits.whole("-12", signed=True) == -12
    assert digits.whole("-12") is None
    for typed in OTHER_SCRIPTS:
        assert digits.whole(typed) is None


def test_a_number_of_any_length_is_read_at_once_as_past_every_limit() -> None:
    # int() refuses more than 4,300 digits, and a long one is slow: neither may reach a page.
    assert digits.whole("9" * 100_000) == digits.TOO_LONG
    assert digits.whole("-" + "9" * 5000, signed=True) == -digits.TOO_LONG
    assert digits.whole("0" * 5000 + "7") == 7


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("1", 1),
        (" 42 ", 42),
        (2**31 - 1, 2**31 - 1),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("١", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_an_id_names_a_row_only_within_postgresqls_integer(raw: object, read: int | None) -> None:
    assert digits.an_id(raw) == read


def test_date_boxes_hold_a_day_and_month_of_two_digits_and_a_year_of_digits() -> None:
    assert digits.date_boxes_are_numbers("01", "4", "2027")
    assert digits.date_boxes_are_numbers("1", "12", "20270")  # the year's length is said apart
    assert not digits.date_boxes_are_numbers("9" * 20, "4", "2027")
    assert not digits.date_boxes_are_numbers("1", "004", "2027")
    assert not digits.date_boxes_are_numbers("１", "4", "2027")
    assert not digits.date_boxes_are_numbers("1", "4", "٢٠٢٧")
