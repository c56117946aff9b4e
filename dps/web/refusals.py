"""Putting a service's refusal on the form that asked, in the GOV.UK error-summary style."""

from __future__ import annotations

from flask_wtf import FlaskForm

from dps.rules.refusals import Refusal


def show_refusal(form: FlaskForm, refusal: Refusal, *, field: str) -> None:
    """Show ``refusal`` against its own field, or ``field`` when it names none on this form.

    The message then appears in the error summary and beside the question, linked to it, and
    the form keeps what was typed (it is drawn again from the same request).
    """
    name = refusal.field if refusal.field and hasattr(form, refusal.field) else field
    errors = getattr(form, name).errors
    if isinstance(errors, tuple):  # WTForms leaves a tuple on a field it has not validated
        errors = list(errors)
        getattr(form, name).errors = errors
    if refusal.message not in errors:
        errors.append(refusal.message)
