"""Numbers in links: ids in the path or the query, and page numbers.

A link can carry any number. An id past PostgreSQL's integer (2**31 - 1) can name no row, and
asking the database for it fails (SQLite overflows at 2**63); a page number past the end asks
for an offset past both. So the app's ``int`` URL converter is ``IdConverter`` (registered in
``register_web``, so no route changes): ids of the digits 0 to 9 up to 2**31 - 1, anything else
is "not found". Ids in a query are read with ``id_argument``, and page numbers with
``within_pages``: past the end is the last page, and anything that is not a page number the
first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from werkzeug.routing import IntegerConverter, Map, ValidationError

from dps.rules import digits

T = TypeVar("T")


class IdConverter(IntegerConverter):
    """``<int:name>``: the digits 0 to 9 (werkzeug's ``\\d`` takes any script's), no more than
    PostgreSQL's integer holds; a larger number does not match the route, so it is a 404."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        bounded = digits.MAX_ID if max is None else max
        super().__init__(map, fixed_digits, min, bounded, signed)

    def to_python(self, value: str) -> Any:
        if not digits.is_digits(value.removeprefix("-"), most=len(str(digits.MAX_ID))):
            # Too long to be an id: refused before int() spends time on thousands of digits.
            raise ValidationError()
        return super().to_python(value)


def id_argument(name: str) -> int | None:
    """The id in the link's query ``?name=``, or None if it is missing or can name no row."""
    return digits.an_id(request.args.get(name))


def requested_page() -> int:
    """The page number in ``?page=``: 1 for anything that is not one, bounded so that no offset
    is past what a database can count."""
    number = digits.whole((request.args.get("page") or "").strip())
    if number is None or number < 1:
        return 1
    return min(number, digits.MAX_ID)


def within_pages(load: Callable[[int], T], pages: Callable[[T], int]) -> T:
    """The page ``?page=`` asks for, loaded by ``load(page)``; past the end (``pages`` of what
    was loaded says how many there are), the last page instead."""
    page = requested_page()
    shown = load(page)
    last = pages(shown)
    if 1 <= last < page:
        shown = load(last)
    return shown
