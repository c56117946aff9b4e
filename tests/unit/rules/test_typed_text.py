"""No control characters in typed text; a textarea keeps its tabs and line breaks."""

from __future__ import annotations

import pytest

from dps.rules.typed_text import control_characters_message, has_control_characters


@pytest.mark.parametrize(
    "text", ["Co-operative Futures", "Zoë O’Brien", "שלום", "مرحبا", "１２３", "\u202eevil", ""]
)
def test_ordinary_text_in_any_script_is_fine(text: str) -> None:
    assert not has_control_characters(text)
    assert not has_control_characters(text, multi_line=True)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_in_every_answer(char: str) -> None:
    assert has_control_characters(f"Name{char}")
    assert has_control_characters(f"Name{char}", multi_line=True)


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\u2028", "\u2029"])
def test_tabs_and_line_breaks_only_in_multi_line_text(char: str) -> None:
    assert has_control_characters(f"one{char}two")
    assert not has_control_characters(f"one{char}two", multi_line=True)


def test_the_message_names_the_question() -> None:
    assert control_characters_message("your full name") == (
        "Your full name must not contain control characters"
    )
    assert control_characters_message("") == "Your answer must not contain control characters"
    assert control_characters_message("Enter the 6-digit code from your app") == (
        "Your answer must not contain control characters"
    )
    assert control_characters_message("Why is more time justified?") == (
        "Your answer must not contain control characters"
    )
