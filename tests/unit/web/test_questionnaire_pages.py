"""The questionnaire's section pages: what they show, saving, errors that keep everything typed,
repeating groups, and who may reach which section."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Application
from dps.rules.enums import ApplicationStatus, Role
from dps.services.suppliers import questionnaire
from tests.conftest import page_text
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.questionnaire_world import World, draft_application, make_world


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


@pytest.fixture
def lot_one(world: World) -> Application:
    return draft_application(world, world.supplier, [1])


@pytest.fixture
def signed_in(client: FlaskClient, world: World) -> FlaskClient:
    return sign_in(client, world.owner)


def url(application: Application, section_id: str) -> str:
    return f"/supplier/applications/{application.id}/sections/{section_id}"


def task_list(application: Application) -> str:
    return f"/supplier/applications/{application.id}"


def answers(world: World) -> dict[str, Any]:
    return dict(questionnaire.answers_for(world.supplier.id).answers)


def values(page: Any) -> dict[str, Any]:
    """Every box's value as the page shows it (dates as their three boxes, radios as chosen)."""
    shown: dict[str, Any] = {}
    for box in page.soup.select("main form input, main form textarea"):
        name = box.get("name")
        if not name or name in ("csrf_token", "action"):
            continue
        if box.name == "textarea":
            shown[name] = box.get_text()
        elif box.get("type") in ("radio", "checkbox"):
            if box.has_attr("checked"):
                shown.setdefault(name, []).append(box["value"])
        elif box.get("id", "").endswith(("-day", "-month", "-year")):
            shown.setdefault(name, []).append(box.get("value", ""))
        else:
            shown[name] = box.get("value", "")
    return shown


def error_summary(page: Any) -> list[tuple[str, str]]:
    return [(a.get_text(strip=True), a["href"]) for a in page.soup.select(".govuk-error-summary a")]


def test_the_page_says_which_section_of_how_many_and_links_to_the_task_list(
    signed_in: FlaskClient, lot_one: Application
) -> None:
    page = signed_in.get(url(lot_one, "economic_standing"))
    assert page.status_code == 200
    assert page.soup.h1.get_text(strip=True) == "Economic and financial standing"
    caption = page.soup.select_one(".govuk-caption-l").get_text(" ", strip=True)
    # Ten sections for every lot and two for Lot 1; economic standing is the fourth.
    assert caption.startswith("Section 4 of 12")
    assert "Part 3: Selection questions" in caption
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("a")}
    assert links["Back to your application"] == task_list(lot_one)
    assert links["Return to your application"] == task_list(lot_one)
    buttons = [b.get_text(strip=True) for b in page.soup.select("main form button")]
    assert buttons == ["Save and continue", "Save and come back later"]
    assert page.soup.title.get_text().startswith("Economic and financial standing – ")


def test_questions_revealed_by_a_radio_sit_inside_that_choice(
    signed_in: FlaskClient, lot_one: Application
) -> None:
    page = signed_in.get(url(lot_one, "economic_standing"))
    yes, too_new = page.soup.select("input[name=accounts_available]")
    revealed_by_yes = page.soup.find(id=yes["data-aria-controls"])
    assert revealed_by_yes.find(attrs={"name": "annual_turnover"}) is not None
    revealed_by_too_new = page.soup.find(id=too_new["data-aria-controls"])
    assert revealed_by_too_new.find(attrs={"name": "alternative_evidence"}) is not None
    # A word limit is a GOV.UK character count that counts words.
    count = page.soup.select_one("[data-module=govuk-character-count]")
    assert count["data-maxwords"] == "250"


def test_save_and_come_back_later_keeps_incomplete_answers(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    response = signed_in.post(
        url(lot_one, "economic_standing"),
        data={
            "accounts_available": "yes",
            "annual_turnover": "£1,250,000",
            "turnover_year_end": ["31", "13", "2025"],  # not a real date: kept as typed
            "action": "later",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == task_list(lot_one)
    assert answers(world) == {"accounts_available": "yes", "annual_turnover": 125_000_000}

    page = signed_in.get(url(lot_one, "economic_standing"))
    assert not page.soup.select(".govuk-error-summary")  # no errors until they carry on
    shown = values(page)
    assert shown["accounts_available"] == ["yes"]
    assert shown["annual_turnover"] == "1250000"
    assert shown["turnover_year_end"] == ["31", "13", "2025"]


def test_save_and_continue_with_everything_right_returns_to_the_task_list(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    response = signed_in.post(
        url(lot_one, "equality"),
        data={"eq_policy": "yes", "eq_finding": "no", "action": "continue"},
        follow_redirects=True,
    )
    assert response.request.path == task_list(lot_one)
    assert "Your answers to ‘Equality’ have been saved" in page_text(response)
    assert answers(world) == {"eq_policy": "yes", "eq_finding": "no"}


def test_errors_keep_everything_typed_including_repeating_groups(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    typed = {
        "bid_type": "consortium",
        "consortium_members-0-name": "Kirklees Community Works CIC",
        "consortium_members-0-registered_number": "11223344",
        "consortium_members-0-role": "Runs the workshops",
        "consortium_members-1-name": "Second Steps Co-operative",
        "consortium_members-1-registered_number": "",
        "consortium_members-1-role": "Evaluation",
        "part_of_group": "yes",
        "parent_name": "",
        "parent_number": "IP00525R",
        "action": "continue",
    }
    page = signed_in.post(url(lot_one, "bidding"), data=typed)

    assert page.status_code == 200
    assert page.soup.title.get_text().startswith("Error: How you are bidding")
    assert error_summary(page) == [
        ("Enter the member’s registered number", "#consortium_members-1-registered_number"),
        ("Enter the parent company’s name", "#parent_name"),
    ]
    box = page.soup.find(id="consortium_members-1-registered_number")
    assert "govuk-input--error" in box["class"]
    shown = values(page)
    for name, value in typed.items():
        if name == "action":
            continue
        expected = [value] if name in ("bid_type", "part_of_group") else value
        assert shown[name] == expected, name
    # What was valid is saved meanwhile.
    assert answers(world)["consortium_members"][0]["name"] == "Kirklees Community Works CIC"


def test_date_errors_link_to_the_day_box(signed_in: FlaskClient, lot_one: Application) -> None:
    page = signed_in.post(
        url(lot_one, "economic_standing"),
        data={
            "accounts_available": "yes",
            "annual_turnover": "-3",
            "turnover_year_end": ["31", "", "2025"],
        },
    )
    assert error_summary(page) == [
        ("Your latest annual turnover must be £0 or more", "#annual_turnover"),
        ("The date the financial year ended must include a month", "#turnover_year_end-day"),
    ]
    assert page.soup.find(id="turnover_year_end-day") is not None
    assert values(page)["annual_turnover"] == "-3"


def test_add_another_and_remove_keep_what_was_typed(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    first = {
        "consortium_members-0-name": "Kirklees Community Works CIC",
        "consortium_members-0-registered_number": "11223344",
        "consortium_members-0-role": "Workshops",
    }
    page = signed_in.post(
        url(lot_one, "bidding"),
        data={"bid_type": "consortium", **first, "action": "add:consortium_members"},
    )
    assert page.status_code == 200
    assert not page.soup.select(".govuk-error-summary")
    shown = values(page)
    assert shown["consortium_members-0-name"] == "Kirklees Community Works CIC"
    assert shown["consortium_members-1-name"] == ""
    legends = [legend.get_text(strip=True) for legend in page.soup.select(".dps-group-item legend")]
    assert "Consortium member 2" in legends

    page = signed_in.post(
        url(lot_one, "bidding"),
        data={
            "bid_type": "consortium",
            **first,
            "consortium_members-1-name": "Second Steps Co-operative",
            "consortium_members-1-registered_number": "RS007",
            "consortium_members-1-role": "Evaluation",
            "action": "remove:consortium_members:0",
        },
    )
    shown = values(page)
    assert shown["consortium_members-0-name"] == "Second Steps Co-operative"
    assert "consortium_members-1-name" not in shown
    remove = page.soup.find("button", attrs={"value": "remove:consortium_members:0"})
    assert remove is None  # the last item left cannot be removed
    assert [m["name"] for m in answers(world)["consortium_members"]] == [
        "Second Steps Co-operative"
    ]


def test_answers_hidden_under_another_choice_are_ignored_without_javascript(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    response = signed_in.post(
        url(lot_one, "bidding"),
        data={
            "bid_type": "alone",
            "consortium_members-0-name": "Typed before changing my mind",
            "consortium_members-0-registered_number": "",
            "part_of_group": "no",
            "parent_name": "Also hidden",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    assert answers(world) == {"bid_type": "alone", "part_of_group": "no"}


def test_another_organisations_application_is_not_found(
    client: FlaskClient, world: World, lot_one: Application
) -> None:
    sign_in(client, world.rival_owner)
    assert client.get(url(lot_one, "bidding")).status_code == 404
    response = client.post(url(lot_one, "equality"), data={"eq_policy": "yes", "eq_finding": "no"})
    assert response.status_code == 404
    assert questionnaire.answers_for(world.rival.id).answers == {}
    assert questionnaire.answers_for(world.supplier.id).answers == {}


def test_a_colleague_who_is_not_the_owner_may_answer(
    client: FlaskClient, world: World, lot_one: Application
) -> None:
    colleague = add_person(world.supplier, "colleague@coop-futures.example.org", Role.SUPPLIER_USER)
    sign_in(client, colleague)
    response = client.post(url(lot_one, "equality"), data={"eq_policy": "no", "eq_finding": "no"})
    assert response.status_code == 302
    assert answers(world)["eq_policy"] == "no"


def test_a_buyer_may_not_reach_a_section(
    client: FlaskClient, world: World, lot_one: Application
) -> None:
    buyer = add_person(world.dps.owner, "buyer@oldham.example.org", Role.BUYER)
    sign_in(client, buyer)
    assert client.get(url(lot_one, "bidding")).status_code == 403


@pytest.mark.parametrize("section_id", ["lot2_case_studies", "lot2_questions", "no_such_section"])
def test_a_section_of_a_lot_not_chosen_is_not_found(
    signed_in: FlaskClient, world: World, lot_one: Application, section_id: str
) -> None:
    assert signed_in.get(url(lot_one, section_id)).status_code == 404
    response = signed_in.post(url(lot_one, section_id), data={"lot2_legacy": "Typed anyway"})
    assert response.status_code == 404
    assert answers(world) == {}


def test_both_lots_reach_both_lots_sections(signed_in: FlaskClient, world: World) -> None:
    both = draft_application(world, world.supplier, [1, 2])
    page = signed_in.get(url(both, "lot2_questions"))
    assert page.status_code == 200
    assert "Section 14 of 14" in page_text(page)


def test_a_sent_application_cannot_be_changed_here(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    lot_one.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    response = signed_in.post(url(lot_one, "equality"), data={"eq_policy": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"] == task_list(lot_one)
    assert answers(world) == {}


def test_every_section_page_draws_for_both_lots(signed_in: FlaskClient, world: World) -> None:
    both = draft_application(world, world.supplier, [1, 2])
    version = questionnaire.current_version()
    for section in questionnaire.sections_for(version, [1, 2]):
        page = signed_in.get(url(both, section.id))
        assert page.status_code == 200, section.id
        ids = [tag["id"] for tag in page.soup.select("[id]")]
        assert len(ids) == len(set(ids)), section.id  # every label points at one box


def test_no_more_items_than_a_group_allows_are_read(
    signed_in: FlaskClient, world: World, lot_one: Application
) -> None:
    posted: dict[str, str] = {"bid_type": "consortium", "part_of_group": "no"}
    for index in range(12):
        posted |= {
            f"consortium_members-{index}-name": f"Member {index + 1}",
            f"consortium_members-{index}-registered_number": f"RS{index:04d}",
            f"consortium_members-{index}-role": "Delivery",
        }
    page = signed_in.post(
        url(lot_one, "bidding"), data={**posted, "action": "add:consortium_members"}
    )
    assert len(answers(world)["consortium_members"]) == 10
    assert page.soup.find("button", attrs={"value": "add:consortium_members"}) is None
    assert "You can add up to 10 consortium members" in page_text(page)


@pytest.mark.parametrize("index", ["²", "١", "９", "9" * 5000])
def test_removing_an_item_by_a_number_that_is_not_one_changes_nothing(
    signed_in: FlaskClient, lot_one: Application, index: str
) -> None:
    page = signed_in.post(
        url(lot_one, "bidding"),
        data={
            "bid_type": "consortium",
            "consortium_members-0-name": "Kirklees Community Works CIC",
            "consortium_members-1-name": "Second Steps Co-operative",
            "action": f"remove:consortium_members:{index}",
        },
    )
    assert page.status_code == 200
    shown = values(page)
    assert shown["consortium_members-0-name"] == "Kirklees Community Works CIC"
    assert shown["consortium_members-1-name"] == "Second Steps Co-operative"
