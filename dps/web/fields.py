"""Form fields shared by every audience: the GOV.UK date input.

A date is typed into three boxes (day, month, year) posted under one name. A browser always
sends three values; a hand-made request may send none, one, two or more, and the page must still
show three boxes with a message, never a server error.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.validators import StopValidation

from dps.rules import digits

BOXES = ("day", "month", "year")


def three_boxes(typed: list[Any]) -> list[str]:
    """What the day, month and year boxes show for the values posted (missing ones empty)."""
    return [*(str(value) for value in typed[: len(BOXES)]), "", "", ""][: len(BOXES)]


class DateBoxesInput(GovDateInput):
    """The GOV.UK date input, its group named after the field.

    It shows what was typed, whatever number of values was posted, or a stored date as people
    type it (1 4 2020, not 01 04 2020). The error summary links to the day box, as the GOV.UK
    pattern asks: fields give the day box's id (``<name>-day``) as their own.
    """

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        posted = field.raw_data
        # The library's widget unpacks raw_data into exactly three boxes: lend it three.
        if posted is not None:
            field.raw_data = three_boxes(posted)
        elif isinstance(field.data, date):
            field.raw_data = [str(field.data.day), str(field.data.month), str(field.data.year)]
        try:
            params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = posted
        params["id"] = field.name
        return params


class GovDateField(DateField):
    """A date typed as day, month and year, with the GOV.UK date input's error messages.

    Required: nothing typed is "Enter the <label>". A subclass where the form does not decide
    whether the date is needed (a service does) overrides ``pre_validate``.
    """

    widget = DateBoxesInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        if kwargs.get("name"):
            kwargs.setdefault("id", f"{kwargs.get('_prefix') or ''}{kwargs['name']}-day")
        super().__init__(label, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return  # not posted at all: pre_validate says it is missing
        typed = [str(value).strip() for value in valuelist]
        self.raw_data = typed
        self.data = None
        if len(typed) > len(BOXES):
            # Only a hand-made request sends more than the three boxes: no date can be read.
            raise ValueError(f"{self.label.text} must be a real date")
        day, month, year = three_boxes(typed)
        if not (day or month or year):
            return
        missing = [name for name, value in zip(BOXES, (day, month, year), strict=True) if not value]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not digits.date_boxes_are_numbers(day, month, year):
            raise ValueError(f"{self.label.text} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date") from error

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(f"Enter the {self.label.text.lower()}")
