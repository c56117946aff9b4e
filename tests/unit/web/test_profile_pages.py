"""The organisation profile pages: the summary, the form with its conditional numbers, the two
ways to save, nothing typed lost, the safe way back, and one supplier never reaching another's
profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Organisation, SupplierProfile, User
from dps.rules.enums import Role, SectionStatus
from dps.services.suppliers import profiles
from tests.conftest import page_text
from tests.fixtures.helpers import add_person, make_supplier, sign_in

EDIT = "/supplier/profile/edit"

FILLED_IN: dict[str, Any] = {
    "legal_name": "Co-operative Futures Limited",
    "trading_name": "",
    "legal_form": "company",
    "company_number": "09345678",
    "address_line_1": "1 Union Street",
    "address_line_2": "",
    "town": "Oldham",
    "postcode": "ol1 1ut",
    "contact_name": "Sam Patel",
    "contact_email": "sam@coop-futures.example.org",
    "contact_phone": "0161 770 3000",
    "size": "small",
    "employees": "12",
    "is_vcse": "no",
    "is_cooperative_or_mutual": "yes",
    "regions": ["north_west", "london"],
}


@dataclass
class Suppliers:
    ours: Organisation
    owner: User
    colleague: User
    rival: Organisation
    rival_owner: User


@pytest.fixture
def suppliers(app: Flask) -> Suppliers:
    ours = make_supplier("Co-operative Futures Ltd")
    rival = make_supplier("Capacity Works CIC", "12456789")
    return Suppliers(
        ours=ours,
        owner=add_person(ours, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER),
        colleague=add_person(ours, "colleague@coop-futures.example.org", Role.SUPPLIER_USER),
        rival=rival,
        rival_owner=add_person(rival, "owner@capacity-works.example.org", Role.SUPPLIER_OWNER),
    )


@pytest.fixture
def owner(client: FlaskClient, suppliers: Suppliers) -> FlaskClient:
    return sign_in(client, suppliers.owner)


def form_values(soup: BeautifulSoup) -> dict[str, Any]:
    """What a browser would send from the profile form as it stands (buttons aside)."""
    form = soup.find("form", action=lambda a: a and a.startswith(EDIT))
    assert form is not None
    values: dict[str, Any] = {}
    for field in form.find_all("input"):
        kind, name = field.get("type", "text"), field.get("name")
        if kind == "checkbox":
            if field.has_attr("checked"):
                values.setdefault(name, []).append(field["value"])
        elif kind == "radio":
            if field.has_attr("checked"):
                values[name] = field["value"]
        else:
            values[name] = field.get("value", "")
    return values


def error_summary(response: Any) -> list[tuple[str, str]]:
    summary = response.soup.find(class_="govuk-error-summary")
    if summary is None:
        return []
    return [(a.get_text(strip=True), a["href"]) for a in summary.find_all("a")]


def stored(organisation: Organisation) -> SupplierProfile | None:
    db.session.expire_all()
    return db.session.scalars(
        db.select(SupplierProfile).where(SupplierProfile.organisation_id == organisation.id)
    ).first()


# --- the summary --------------------------------------------------------------------------


def test_a_new_profile_shows_what_is_missing_with_links_to_each_question(
    owner: FlaskClient,
) -> None:
    response = owner.get("/supplier/profile")
    assert response.status_code == 200
    text = page_text(response)
    assert "Not started" in text
    assert "Co-operative Futures Ltd" in text  # the legal name starts as the organisation's
    links = {a.get_text(strip=True): a["href"] for a in response.soup.select("dd a")}
    assert links["Select the organisation’s legal form"] == f"{EDIT}#legal_form"
    assert links["Enter the postcode"] == f"{EDIT}#postcode"
    assert links["Select the regions the organisation serves, or Anywhere in the UK"] == (
        f"{EDIT}#regions"
    )


def test_a_complete_profile_is_summarised_with_change_links(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    profiles.update_profile(
        suppliers.ours.id, FILLED_IN | {"companies_house_number": "09345678"}, None
    )
    response = owner.get("/supplier/profile")
    rows = {
        row.dt.get_text(strip=True): row.select_one(".govuk-summary-list__value").get_text(
            " ", strip=True
        )
        for row in response.soup.select(".govuk-summary-list__row")
    }
    assert rows["Legal form"] == "Company"
    assert rows["Companies House number"] == "09345678"
    assert rows["Registered address"] == "1 Union Street Oldham OL1 1UT"
    assert rows["Regions served"] == "North West, London"
    assert rows["Co-operative or mutual"] == "Yes"
    assert "Charity number" not in rows  # not asked of a company
    assert "Completed" in page_text(response)
    changes = response.soup.select(".govuk-summary-list__actions a")
    assert len(changes) == len(rows)
    assert changes[0].get_text(" ", strip=True) == "Change legal name"
    assert changes[0]["href"] == f"{EDIT}#legal_name"


# --- the form -----------------------------------------------------------------------------


def test_each_number_sits_under_its_legal_form_and_is_shown_without_javascript(
    owner: FlaskClient,
) -> None:
    soup = owner.get(EDIT).soup
    reveals = {}
    for reveal in soup.select(".govuk-radios__conditional"):
        radio = soup.find("input", attrs={"data-aria-controls": reveal["id"]})
        reveals[radio["value"]] = [field["name"] for field in reveal.find_all("input")]
    assert reveals == {
        "company": ["company_number"],
        "community_interest_company": ["cic_number"],
        "cooperative_or_community_benefit_society": ["society_number"],
        "charity": ["charity_number", "charity_company_number"],
    }
    # They are in the page whatever is chosen: GOV.UK Frontend hides the ones not chosen only
    # where its JavaScript runs, so without it every reveal shows.
    assert soup.find("input", attrs={"name": "company_number"}) is not None


def test_anywhere_in_the_uk_is_the_exclusive_option_after_or(owner: FlaskClient) -> None:
    soup = owner.get(EDIT).soup
    anywhere = soup.find("input", attrs={"name": "regions", "value": "anywhere_in_the_uk"})
    assert anywhere["data-behaviour"] == "exclusive"
    assert soup.select_one(".govuk-checkboxes__divider").get_text(strip=True) == "or"


def test_save_and_continue_shows_each_error_and_keeps_everything_typed(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    typed = FILLED_IN | {"postcode": "OL1 XYZ", "employees": "twelve", "company_number": "123"}
    del typed["contact_phone"]
    response = owner.post(EDIT, data=typed | {"save": "y"})

    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: ")
    assert error_summary(response) == [
        (
            "Enter the Companies House number as 8 characters, like 01234567 or SC123456",
            "#company_number",
        ),
        ("Enter a real UK postcode, like OL1 1UT", "#postcode"),
        ("Enter the main contact’s phone number", "#contact_phone"),
        ("Enter the number of employees as a whole number, like 12 or 0", "#employees"),
    ]
    # The page shows exactly what was typed, nothing lost.
    again = form_values(response.soup)
    for name, value in typed.items():
        assert again[name] == value, name
    # And it is saved: the valid answers stored, the others kept as typed.
    profile = stored(suppliers.ours)
    assert profile is not None
    assert profile.town == "Oldham" and profile.postcode == ""
    assert profile.pending_input == {
        "companies_house_number": "123",
        "postcode": "OL1 XYZ",
        "employees": "twelve",
    }


def test_save_and_come_back_later_saves_without_errors_and_the_form_returns_it(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    typed = {"legal_name": "Co-operative Futures Limited", "postcode": "OL1 XYZ", "regions": []}
    response = owner.post(EDIT, data=typed | {"save_later": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/supplier/profile"

    summary = owner.get("/supplier/profile")
    assert "Your organisation’s details have been saved" in page_text(summary)
    assert "In progress" in page_text(summary)
    assert error_summary(summary) == []

    form = owner.get(EDIT)
    assert error_summary(form) == []  # errors only once the supplier says they are done
    values = form_values(form.soup)
    assert values["legal_name"] == "Co-operative Futures Limited"
    assert values["postcode"] == "OL1 XYZ"
    profile = stored(suppliers.ours)
    assert profile is not None
    assert profiles.profile_status(profile) == SectionStatus.IN_PROGRESS


def test_a_complete_profile_saves_and_continues_to_the_summary(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    response = owner.post(EDIT, data=FILLED_IN | {"cic_number": "rubbish", "save": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/supplier/profile"
    profile = stored(suppliers.ours)
    assert profile is not None
    # The number comes from the reveal of the legal form chosen; the others are ignored.
    assert profile.companies_house_number == "09345678"
    assert profile.postcode == "OL1 1UT"
    assert profiles.profile_status(profile) == SectionStatus.COMPLETED
    assert suppliers.ours.companies_house_number == "09345678"


def test_a_charity_gives_its_charity_number_and_may_give_a_company_number(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    data = FILLED_IN | {
        "legal_form": "charity",
        "charity_number": "sc012345",
        "charity_company_number": "",
        "save": "y",
    }
    assert owner.post(EDIT, data=data).status_code == 302
    profile = stored(suppliers.ours)
    assert profile is not None
    assert (profile.charity_number, profile.companies_house_number) == ("SC012345", None)

    missing = owner.post(EDIT, data=data | {"charity_number": ""})
    assert error_summary(missing) == [("Enter the charity number", "#charity_number")]


def test_a_colleague_who_is_not_the_owner_can_change_the_profile(
    client: FlaskClient, suppliers: Suppliers
) -> None:
    sign_in(client, suppliers.colleague)
    assert client.post(EDIT, data=FILLED_IN | {"save": "y"}).status_code == 302
    profile = stored(suppliers.ours)
    assert profile is not None and profile.updated_by_id == suppliers.colleague.id


# --- the way back -------------------------------------------------------------------------


def test_next_sends_the_supplier_back_where_they_came_from(owner: FlaskClient) -> None:
    task_list = "/supplier/applications/7"
    form = owner.get(f"{EDIT}?next={task_list}")
    assert form.soup.find("form", action=f"{EDIT}?next={task_list}")
    assert form.soup.select_one(".govuk-back-link")["href"] == task_list

    later = owner.post(f"{EDIT}?next={task_list}", data={"town": "Oldham", "save_later": "y"})
    assert later.headers["Location"] == task_list
    done = owner.post(f"{EDIT}?next={task_list}", data=FILLED_IN | {"save": "y"})
    assert done.headers["Location"] == task_list


@pytest.mark.parametrize(
    "target",
    ["https://evil.example.org/", "//evil.example.org/", "/\\evil.example.org", "javascript:x"],
)
def test_next_never_leads_off_the_site(owner: FlaskClient, target: str) -> None:
    response = owner.post(EDIT, query_string={"next": target}, data={"save_later": "y"})
    assert response.headers["Location"] == "/supplier/profile"


# --- another supplier's profile -----------------------------------------------------------


def test_a_supplier_can_neither_read_nor_change_another_suppliers_profile(
    owner: FlaskClient, suppliers: Suppliers
) -> None:
    rival = suppliers.rival
    profiles.update_profile(
        rival.id,
        FILLED_IN
        | {"legal_name": "Capacity Works CIC", "postcode": "M1 1AE", "legal_form": "company"}
        | {"companies_house_number": "12456789"},
        suppliers.rival_owner,
    )
    before = profiles.typed_values(profiles.profile_for(rival.id))

    # Naming the rival's organisation in the URL: there is no such page.
    for url in (f"/supplier/profile/{rival.id}", f"/supplier/organisations/{rival.id}/profile"):
        assert owner.get(url).status_code == 404
        assert owner.post(url, data={"postcode": "OL1 1UT"}).status_code == 404
    # Naming it in the form or the query string: ignored, only their own profile changes.
    owner.post(
        f"{EDIT}?organisation_id={rival.id}",
        data={"organisation_id": str(rival.id), "legal_name": "Hijacked", "save_later": "y"},
    )
    assert profiles.typed_values(profiles.profile_for(rival.id)) == before
    ours = stored(suppliers.ours)
    assert ours is not None and ours.legal_name == "Hijacked"

    # Reading: the summary and the form only ever show their own.
    for url in ("/supplier/profile", f"/supplier/profile?organisation_id={rival.id}", EDIT):
        text = page_text(owner.get(url))
        assert "Capacity Works" not in text and "M1 1AE" not in text and "12456789" not in text


def test_people_outside_suppliers_cannot_use_the_profile_pages(
    client: FlaskClient, app: Flask
) -> None:
    council = Organisation(name="Tameside Council", kind="member", membership_type="full")
    db.session.add(council)
    buyer = add_person(council, "buyer@tameside.example.org", Role.BUYER)
    sign_in(client, buyer)
    assert client.get("/supplier/profile").status_code == 403
    assert client.post(EDIT, data={"legal_name": "x", "save": "y"}).status_code == 403


def test_the_form_needs_its_csrf_token(
    app: Flask, owner: FlaskClient, suppliers: Suppliers
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = owner.post(EDIT, data={"legal_name": "Forged", "save_later": "y"})
    assert response.status_code == 400
    assert stored(suppliers.ours) is None
