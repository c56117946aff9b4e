"""The base class of every form in the portal, and the check on every request for NUL.

``PortalForm`` is Flask-WTF's form with one rule added to every text field (``StringField`` and
its kinds: text areas and hidden fields, also inside repeated groups; not passwords): no control
characters (``dps.rules.typed_text``), said in the GOV.UK error summary against the question,
like "Your full name must not contain control characters". Text areas keep tabs and line breaks.
``tests/unit/web/test_typed_text.py`` holds every form in ``dps`` to deriving from it.

NUL is refused before any view runs, on every request (``refuse_nul``): PostgreSQL cannot store
it, no browser sends it from a form, and pages that read their form by hand (the call-off pages)
would otherwise pass it on to the database. The person is told on the 400 page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import Field, FieldList, FormField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from dps.rules.typed_text import control_characters_message, has_control_characters

NUL_REFUSED = (
    "What you sent has a null character in it. It cannot be typed, but can be left in text "
    "copied from another program. We have not saved what you sent: go back, type the answer "
    "again and send the form."
)


class NoControlCharacters:
    """A field's validator: its text has no control characters (line breaks where multi-line)."""

    def __init__(self, *, multi_line: bool) -> None:
        self.multi_line = multi_line

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        if isinstance(data, str) and has_control_characters(data, multi_line=self.multi_line):
            raise StopValidation(control_characters_message(field.label.text))


def _is_multi_line(field: Field) -> bool:
    return isinstance(field, TextAreaField) or "TextArea" in type(field.widget).__name__


def guard_text_fields(fields: Any) -> None:
    """Put the control-character check first on every text field, nested ones too."""
    for field in fields:
        if isinstance(field, FormField):
            guard_text_fields(field.form)
        elif isinstance(field, FieldList):
            guard_text_fields(field.entries)
        elif isinstance(field, StringField) and not isinstance(field, PasswordField):
            # A password is only ever hashed, never stored or shown as typed: it is left alone,
            # so nobody whose password holds such a character is shut out.
            check = NoControlCharacters(multi_line=_is_multi_line(field))
            # A new list on this form's field: the class's validators are shared by every form.
            field.validators = [check, *field.validators]


class PortalForm(FlaskForm):
    """Every form of the portal: Flask-WTF's (CSRF), with no control characters in its text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_text_fields(self)


class NulRefused(BadRequest):
    description = NUL_REFUSED


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul() -> None:
    """Refuse a request whose form or query has NUL anywhere, before any view reads it."""
    if _has_nul(request.args) or (request.method != "GET" and _has_nul(request.form)):
        raise NulRefused()


def _nul_refused_page(error: NulRefused) -> Any:
    return render_template("errors/400.html", error=error, reason=error.description), 400


def init_forms(app: Flask) -> None:
    app.before_request(refuse_nul)
    app.register_error_handler(NulRefused, _nul_refused_page)
