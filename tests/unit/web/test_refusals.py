"""One way to refuse: a Refusal lands on the form's question; NotFound and NotAllowed get the
404 and 403 pages wherever they are raised."""

from __future__ import annotations

from flask import Flask
from flask_wtf import FlaskForm
from wtforms import StringField

from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.web.access import Area, allow
from dps.web.refusals import show_refusal


class UploadForm(FlaskForm):
    title = StringField("Title")
    new_file = StringField("File")


def _form(app: Flask, **data: str) -> UploadForm:
    form = UploadForm(data=data, meta={"csrf": False})
    form.validate()
    return form


def test_a_refusal_goes_on_its_own_question(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _form(app, title="Insurance")
        show_refusal(form, Refusal("Enter a shorter title", field="title"), field="new_file")
        assert form.title.errors == ["Enter a shorter title"]
        assert form.new_file.errors == []
        assert form.title.data == "Insurance"  # what was typed is kept


def test_a_refusal_naming_no_question_of_this_form_goes_on_the_default(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _form(app)
        show_refusal(form, Refusal("Something is wrong"), field="title")
        show_refusal(form, Refusal("Wrong place", field="elsewhere"), field="title")
        assert form.title.errors == ["Something is wrong", "Wrong place"]


def test_a_renamed_question_and_no_message_twice(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _form(app)
        refused = Refusal("The selected file must be a PDF", field="file")
        show_refusal(form, refused, field="title", renamed={"file": "new_file"})
        show_refusal(form, refused, field="title", renamed={"file": "new_file"})
        assert form.new_file.errors == ["The selected file must be a PDF"]
        assert form.title.errors == []


def test_not_found_and_not_allowed_draw_the_404_and_403_pages(app: Flask) -> None:
    @app.get("/test-not-found")
    @allow(Area.PUBLIC)
    def not_found() -> str:
        raise NotFound("application 7 of another organisation")

    @app.get("/test-not-allowed")
    @allow(Area.PUBLIC)
    def not_allowed() -> str:
        raise NotAllowed("a colleague cannot manage the team")

    client = app.test_client()
    missing = client.get("/test-not-found")
    refused = client.get("/test-not-allowed")
    assert missing.status_code == 404
    assert refused.status_code == 403
    assert "application 7" not in missing.get_data(as_text=True)
    assert "Page not found" in missing.get_data(as_text=True)
    assert "You do not have permission to see this page" in refused.get_data(as_text=True)
