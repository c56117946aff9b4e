"""The shared GOV.UK date field (dps/web/fields.py): its messages, and every page with a date
input answering a hand-made post with none, one, two or four values for a date with the error
summary and three boxes, never a server error."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from dps.extensions import db
from dps.models import Application
from dps.models.base import utcnow
from dps.services.pool import renewals
from dps.services.qualification import clarifications
from dps.services.suppliers import documents
from dps.web.fields import GovDateField
from tests.fixtures import sample_files
from tests.fixtures.documents_world import build_world
from tests.fixtures.helpers import sign_in
from tests.fixtures.questionnaire_world import draft_application, make_world
from tests.fixtures.reminders_world import admitted, make_office, sent_application
from tests.unit.services.accounts.test_organisations import administrator

NEXT_YEAR = documents.today() + timedelta(days=365)
VALID = [str(NEXT_YEAR.day), str(NEXT_YEAR.month), str(NEXT_YEAR.year)]
# What a hand-made request may send for one date: nothing, too few boxes, or one too many (the
# first three a real date, so only refusing the fourth makes it an error).
TAMPERED = {"none": [], "one": ["5"], "two": ["5", "4"], "four": [*VALID, "7"]}
# Numbers no box can hold, and digits of other scripts (int() reads them; a date may not).
HOSTILE = {
    "twenty-digit day": ["9" * 20, VALID[1], VALID[2]],
    "twenty-digit month": [VALID[0], "9" * 20, VALID[2]],
    "thousands of digits": ["1" * 5000, VALID[1], VALID[2]],
    "full-width": ["１", "４", "２０２７"],
    "arabic-indic": ["١", "٤", "٢٠٢٧"],
    "full-width year": [VALID[0], VALID[1], "２０２７"],
    "three-digit day": ["001", VALID[1], VALID[2]],
}
EVERY = {**TAMPERED, **HOSTILE}


class PeriodLikeForm(FlaskForm):
    start_date = GovDateField("Start date")


def bound(app: Flask, values: list[str] | None) -> PeriodLikeForm:
    formdata = MultiDict() if values is None else MultiDict([("start_date", v) for v in values])
    with app.test_request_context():
        form = PeriodLikeForm(formdata=formdata)
        form.validate()
        return form


def boxes(page: Any, name: str) -> list[str]:
    """The values the page shows in the day, month and year boxes of the date called ``name``."""
    inputs = page.soup.select(f"main input[name='{name}']")
    assert [box["id"] for box in inputs] == [f"{name}-day", f"{name}-month", f"{name}-year"]
    return [box.get("value", "") for box in inputs]


def summary(page: Any) -> dict[str, str]:
    """The error summary: each link's target and text."""
    assert page.status_code == 200
    links = page.soup.select(".govuk-error-summary a")
    assert links, "no error summary on the page"
    assert page.soup.title.get_text().startswith("Error: ")
    return {a["href"]: a.get_text(strip=True) for a in links}


def with_date(data: dict[str, Any], name: str, values: list[str]) -> dict[str, Any]:
    return {**data, name: values} if values else data


# --- the field itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (None, "Enter the start date"),
        (["", "", ""], "Enter the start date"),
        (["1", "", "2020"], "Start date must include a month"),
        (["", "", "2020"], "Start date must include a day and month"),
        (["5"], "Start date must include a month and year"),
        (["5", "4"], "Start date must include a year"),
        (["31", "2", "2027"], "Start date must be a real date"),
        (["1", "one", "2027"], "Start date must be a real date"),
        (["1", "4", "20"], "Year must include 4 numbers"),
        (["1", "4", "2020", "7"], "Start date must be a real date"),
        (["9" * 20, "4", "2027"], "Start date must be a real date"),
        (["1", "9" * 20, "2027"], "Start date must be a real date"),
        (["1" * 5000, "4", "2027"], "Start date must be a real date"),
        (["１", "４", "２０２７"], "Start date must be a real date"),
        (["١", "٤", "٢٠٢٧"], "Start date must be a real date"),
        (["1", "4", "２０２７"], "Start date must be a real date"),
        (["1²", "4", "2027"], "Start date must be a real date"),
        (["001", "4", "2027"], "Start date must be a real date"),
        (["1", "004", "2027"], "Start date must be a real date"),
        (["1", "4", "20270"], "Year must include 4 numbers"),
    ],
)
def test_the_gov_uk_messages(app: Flask, values: list[str] | None, message: str) -> None:
    form = bound(app, values)
    assert form.start_date.data is None
    assert form.errors == {"start_date": [message]}


def test_a_real_date_is_read_with_spaces_around_the_numbers(app: Flask) -> None:
    form = bound(app, [" 1 ", "4", "2020 "])
    assert form.errors == {}
    assert form.start_date.data == date(2020, 4, 1)


@pytest.mark.parametrize("values", list(TAMPERED.values()), ids=list(TAMPERED))
def test_any_number_of_values_is_drawn_as_three_boxes(app: Flask, values: list[str]) -> None:
    with app.test_request_context():
        form = PeriodLikeForm(formdata=MultiDict([("start_date", v) for v in values]))
        form.validate()
        html = str(form.start_date())
    inputs = BeautifulSoup(html, "html.parser").select("input[name=start_date]")
    assert [box["id"] for box in inputs] == [
        "start_date-day",
        "start_date-month",
        "start_date-year",
    ]
    assert [box.get("value", "") for box in inputs] == [*values[:3], "", "", ""][:3]
    # The message is on the group, so the summary's link to the day box explains it.
    assert form.start_date.errors[0] in BeautifulSoup(html, "html.parser").get_text()


def test_a_stored_date_is_shown_as_people_type_it(app: Flask) -> None:
    with app.test_request_context():
        html = str(PeriodLikeForm(data={"start_date": date(2020, 4, 1)}).start_date())
    inputs = BeautifulSoup(html, "html.parser").select("input[name=start_date]")
    assert [box.get("value") for box in inputs] == ["1", "4", "2020"]


# --- every page with a date input --------------------------------------------------------------


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
def test_the_period_page(client: FlaskClient, values: list[str]) -> None:
    sign_in(client, administrator())
    data = with_date(
        {"end_date": ["1", "1", "2027"], "reason": "Extended so suppliers can keep joining"},
        "start_date",
        values,
    )
    page = client.post("/admin/period", data=data)
    assert "#start_date-day" in summary(page)
    assert boxes(page, "start_date") == [*values[:3], "", "", ""][:3]


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
def test_the_documents_upload_page(client: FlaskClient, app: Flask, values: list[str]) -> None:
    world = build_world()
    sign_in(client, world.owner)
    data = with_date(
        {"file": (io.BytesIO(sample_files.PDF), "certificate.pdf")}, "expires_on", values
    )
    page = client.post(
        "/supplier/documents/upload?kind=public_liability",
        data=data,
        content_type="multipart/form-data",
    )
    assert "#expires_on-day" in summary(page)
    assert boxes(page, "expires_on") == [*values[:3], "", "", ""][:3]
    assert documents.current_documents(world.supplier.id) == []


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
def test_the_clarification_request_page(client: FlaskClient, app: Flask, values: list[str]) -> None:
    office = make_office()
    application = sent_application(office.world, office.world.supplier, received_at=utcnow())
    sign_in(client, office.officer)
    page: Any = client.post(
        f"/admin/applications/{application.id}/clarification",
        data=with_date({"question": "Is this the renewed certificate?"}, "reply_by", values),
    )
    assert "#reply_by-day" in summary(page)
    assert boxes(page, "reply_by") == [*values[:3], "", "", ""][:3]
    assert page.soup.find("textarea", {"name": "question"}).get_text() == (
        "Is this the renewed certificate?"
    )


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
def test_the_clarification_answer_page(client: FlaskClient, app: Flask, values: list[str]) -> None:
    office = make_office()
    application = sent_application(office.world, office.world.supplier, received_at=utcnow())
    request = clarifications.ask(
        application,
        question="Please send your renewed public liability certificate.",
        reply_by=NEXT_YEAR,
        actor=office.officer,
        at=utcnow(),
    )
    sign_in(client, office.world.owner)
    data = with_date(
        {
            "answer": "Here it is.",
            "new_kind": "public_liability",
            "new_file": (io.BytesIO(sample_files.PDF), "certificate.pdf"),
        },
        "new_expires_on",
        values,
    )
    page = client.post(
        f"/supplier/applications/{application.id}/clarifications/{request.id}",
        data=data,
        content_type="multipart/form-data",
    )
    assert "#new_expires_on-day" in summary(page)
    assert boxes(page, "new_expires_on") == [*values[:3], "", "", ""][:3]
    db.session.refresh(request)
    assert request.answered_at is None


QUESTIONNAIRE_DATES = [
    ("economic_standing", "turnover_year_end", {"accounts_available": "yes"}),
    ("insurance", "public_liability_expiry", {}),
    ("lot1_case_studies", "lot1_case_studies-0-start_date", {"lot1_case_studies-0-client": "X"}),
    ("lot2_case_studies", "lot2_case_studies-0-end_date", {"lot2_case_studies-0-client": "X"}),
]


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
@pytest.mark.parametrize(
    ("section", "name", "typed"), QUESTIONNAIRE_DATES, ids=[s for s, _, _ in QUESTIONNAIRE_DATES]
)
def test_the_questionnaire_sections_with_dates(
    client: FlaskClient,
    app: Flask,
    section: str,
    name: str,
    typed: dict[str, str],
    values: list[str],
) -> None:
    world = make_world()
    application: Application = draft_application(world, world.supplier, [1, 2])
    sign_in(client, world.owner)
    page = client.post(
        f"/supplier/applications/{application.id}/sections/{section}",
        data=with_date({**typed, "action": "continue"}, name, values),
    )
    errors = summary(page)
    assert boxes(page, name) == [*values[:3], "", "", ""][:3]
    if name.endswith("end_date") and not values:
        return  # a case study's end date may be left empty (it may still be running)
    assert f"#{name}-day" in errors


@pytest.mark.parametrize("values", list(EVERY.values()), ids=list(EVERY))
def test_a_renewal_section_with_dates(client: FlaskClient, app: Flask, values: list[str]) -> None:
    office = make_office()
    admitted(office.world, office.world.supplier, 1)
    renewal = renewals.request_renewal(office.world.supplier.id, actor=office.officer, at=utcnow())
    sign_in(client, office.world.owner)
    name = "public_liability_expiry"
    page = client.post(
        f"/supplier/renewals/{renewal.id}/sections/insurance",
        data=with_date({"action": "continue"}, name, values),
    )
    assert f"#{name}-day" in summary(page)
    assert boxes(page, name) == [*values[:3], "", "", ""][:3]
