"""Putting a service's refusal on the form that asked, in the GOV.UK error-summary style."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_wtf import FlaskForm

from dps.rules.refusals import Refusal


def show_refusal(
    form: FlaskForm, refusal: Refusal, *, field: str, renamed: Mapping[str, str] | None = None
) -> None:
    """Show ``refusal`` against its own field, or ``field`` when it names none on this form.

    ``renamed`` maps a service's field names to this form's, where the form asks the same
    question under another name (an upload inside a larger form).

    The message then appears in the error summary and beside the question, linked to it, and
    the form keeps what was typed (it is drawn again from the same request).
    """
    own = (renamed or {}).get(refusal.field or "", refusal.field)
    name = own if own and hasattr(form, own) else field
    errors = getattr(form, name).errors
    if isinstance(errors, tuple):  # WTForms leaves a tuple on a field it has not validated
        errors = list(errors)
        getattr(form, name).errors = errors
    if refusal.message not in errors:
        errors.append(refusal.message)


@dataclass
class Shown:
    """Problems as a page drawn with GOV.UK macros (not WTForms) shows them: the error
    summary's list and each question's message."""

    summary: list[dict[str, str]] = field(default_factory=list)
    by_field: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.summary)

    def error(self, name: str) -> dict[str, str] | None:
        """The errorMessage parameter of a GOV.UK macro for the question ``name``."""
        message = self.by_field.get(name)
        return {"text": message} if message else None
