"""Numbers typed by people: the digits 0 to 9 and nothing else.

Python is generous with digits: ``str.isdigit()``, ``int()``, ``Decimal()`` and the regular
expression ``\\d`` all take the digits of every script ("١٢٣٤٥٦", full-width "１２３４５６"), and
``isdigit()`` also takes "²", which ``int()`` then refuses. A form would store a number nobody
typed as such, or fail with a server error. Every code, id, amount, quantity and date typed into
the portal is read through these helpers instead, so only ASCII digits are numbers, and a number
of any length is read without a long or failing conversion.
"""

from __future__ import annotations

ASCII_DIGITS = frozenset("0123456789")
# Ids are PostgreSQL's integer: a larger one can name no row (and would fail the query).
MAX_ID = 2**31 - 1
# More digits than this is past every limit the portal has: read as this many nines' worth.
MOST_DIGITS = 18
TOO_LONG = 10**MOST_DIGITS


def is_digits(text: str, *, most: int | None = None) -> bool:
    """Whether ``text`` is one or more of the digits 0 to 9 (and, given ``most``, no more than
    ``most`` of them), with nothing else: no sign, space, point or digit of another script."""
    if not text or (most is not None and len(text) > most):
        return False
    return all(char in ASCII_DIGITS for char in text)


def has_other_digits(text: str) -> bool:
    """Whether ``text`` holds a digit of another script (Arabic-Indic, full-width, "²")."""
    return any(char not in ASCII_DIGITS and char.isdigit() for char in text)


def whole(text: str, *, signed: bool = False) -> int | None:
    """``text`` as a whole number if it is only the digits 0 to 9 (after a minus sign, where
    ``signed``), else None. A number of more than 18 digits is read as 10**18 (or its
    negative), beyond every limit here, so the caller's range check refuses it."""
    negative = signed and text.startswith("-")
    body = text[1:] if negative else text
    if not is_digits(body):
        return None
    significant = body.lstrip("0")
    number = TOO_LONG if len(significant) > MOST_DIGITS else int(significant or "0")
    return -number if negative else number


def date_boxes_are_numbers(day: str, month: str, year: str) -> bool:
    """Whether a date typed in the GOV.UK date input's three boxes is numbers each box can hold:
    a day and a month of 1 or 2 digits, and a year of digits (its length the caller checks, to
    say "Year must include 4 numbers"). A day of twenty digits would overflow ``date()``."""
    return is_digits(day, most=2) and is_digits(month, most=2) and is_digits(year)


def an_id(raw: object) -> int | None:
    """An id given in a link or a form (a row's number), or None if it cannot name a row."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        number: int | None = raw
    else:
        number = whole(str(raw if raw is not None else "").strip())
    if number is None or not 1 <= number <= MAX_ID:
        return None
    return number
