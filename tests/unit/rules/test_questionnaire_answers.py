"""Answers read from what was typed, with no database: money in pence, real dates on the right
side of today, and each format checked with the message that says how to put it right."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dps.rules.questionnaire.answers import read_value
from dps.rules.questionnaire.definition import PACKAGED_DEFINITION, parse, read_file

PACKAGED = parse(read_file(PACKAGED_DEFINITION))


def question(question_id: str) -> Any:
    found = PACKAGED.question(question_id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("250000", 25_000_000),
        ("£1,250,000.50", 125_000_050),
        ("12.5", 1250),
        (" 0 ", 0),
        ("£ 36 000 000", 3_600_000_000),
    ],
)
def test_money_is_typed_in_pounds_and_kept_in_pence(typed: str, pence: int) -> None:
    assert read_value(question("annual_turnover"), typed, date.today()) == (pence, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Your latest annual turnover must be £0 or more"),
        (
            "12.345",
            "Your latest annual turnover must be an amount in pounds, like 250000 or 250000.50",
        ),
        (
            "a lot",
            "Your latest annual turnover must be an amount in pounds, like 250000 or 250000.50",
        ),
        ("1" * 13, "Your latest annual turnover must be less than £1 trillion"),
    ],
)
def test_money_that_is_not_an_amount_is_refused(typed: str, message: str) -> None:
    assert read_value(question("annual_turnover"), typed, date.today()) == (None, message)


def test_dates_must_be_real_and_on_the_right_side_of_today() -> None:
    today = date(2026, 11, 25)
    year_end = question("turnover_year_end")
    expiry = question("public_liability_expiry")
    assert read_value(year_end, ["31", "3", "2026"], today) == ("2026-03-31", None)
    assert read_value(year_end, ["", "", ""], today) == (None, None)
    name = "The date the financial year ended"
    assert read_value(year_end, ["29", "2", "2025"], today) == (None, f"{name} must be a real date")
    assert read_value(year_end, ["31", "", ""], today) == (
        None,
        f"{name} must include a month and year",
    )
    assert read_value(year_end, ["31", "3", "26"], today) == (
        None,
        f"{name} must have a year with 4 numbers",
    )
    assert read_value(year_end, ["1", "1", "2027"], today) == (
        None,
        f"{name} must be today or in the past",
    )
    assert read_value(expiry, ["24", "11", "2026"], today)[1] == (
        "The expiry date of your public liability insurance must be today or in the future"
    )
    assert read_value(expiry, ["25", "11", "2026"], today) == ("2026-11-25", None)


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("parent_name", "x" * 201, "The parent company’s name must be 200 characters or fewer"),
        (
            "ms_statement_url",
            "not a web address",
            "Enter the web address of your modern slavery statement in the correct format, like https://www.example.org",
        ),
        ("trading_months", "seven", "How many months you have been trading must be a whole number"),
        ("trading_months", "30", "How many months you have been trading must be 24 or fewer"),
        ("bid_type", "partnership", "Select how you are bidding"),
    ],
)
def test_formats_are_checked(question_id: str, typed: str, message: str) -> None:
    assert read_value(question(question_id), typed, date.today()) == (None, message)


# --- digits of other scripts (issue 11) -----------------------------------------------------


@pytest.mark.parametrize("typed", ["２５００００", "٢٥٠٠٠٠", "250000.٥٠"])
def test_money_in_other_digits_is_refused(typed: str) -> None:
    assert read_value(question("annual_turnover"), typed, date.today()) == (
        None,
        "Your latest annual turnover must be an amount in pounds, like 250000 or 250000.50",
    )


@pytest.mark.parametrize("typed", ["１２", "١٢"])
def test_whole_numbers_in_other_digits_are_refused(typed: str) -> None:
    assert read_value(question("trading_months"), typed, date.today()) == (
        None,
        "How many months you have been trading must be a whole number",
    )


@pytest.mark.parametrize(
    "typed",
    [
        ["9" * 20, "3", "2026"],
        ["31", "9" * 20, "2026"],
        ["３１", "３", "２０２６"],
        ["٣١", "3", "2026"],
    ],
)
def test_a_date_is_numbers_its_boxes_can_hold_in_the_digits_0_to_9(typed: list[str]) -> None:
    year_end = question("turnover_year_end")
    assert read_value(year_end, typed, date(2026, 11, 25)) == (
        None,
        "The date the financial year ended must be a real date",
    )


# --- control characters (issue 11) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "typed"),
    [
        ("parent_name", "Holdings\x00Ltd"),
        ("parent_name", "Holdings\x1bLtd"),
        ("parent_name", "Holdings\nLtd"),
        ("trading_months", "1\x002"),
        ("bid_type", "single\x00"),
    ],
)
def test_control_characters_are_refused_naming_the_question(question_id: str, typed: str) -> None:
    asked = question(question_id)
    name = asked.error_name
    assert read_value(asked, typed, date.today()) == (
        None,
        f"{name[0].upper()}{name[1:]} must not contain control characters",
    )


def test_a_long_answer_keeps_its_line_breaks_and_tabs() -> None:
    textarea = next(q for _, q in PACKAGED.questions() if q.type.value == "textarea")
    assert read_value(textarea, "First line\n\tSecond line", date.today()) == (
        "First line\n\tSecond line",
        None,
    )
