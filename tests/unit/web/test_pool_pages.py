"""The pool pages: a buyer (and an administrator) reads, filters and downloads the suppliers
admitted to a lot; the page is one query however many suppliers; others are refused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.rules.enums import AdmissionStatus, MembershipType, OrganisationSize, Role
from tests.conftest import page_text
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.pool_world import admitted_supplier, many_admitted
from tests.fixtures.query_counting import counting_queries
from tests.fixtures.questionnaire_world import World, make_world
from tests.unit.services.accounts.test_organisations import member

SIZE = OrganisationSize


@pytest.fixture
def world(app: Flask) -> World:
    world = make_world()
    lot1 = world.lots[1]
    admitted_supplier(lot1, "Beta Co-op", size=SIZE.MICRO, vcse=True, cooperative=True,
                      regions=["wales", "north_west"])  # fmt: skip
    admitted_supplier(lot1, "Alpha Consulting", size=SIZE.LARGE, regions=["london"])
    admitted_supplier(lot1, "Gamma CIC", size=SIZE.SMALL, vcse=True,
                      regions=["anywhere_in_the_uk"])  # fmt: skip
    admitted_supplier(lot1, "@Suspended Ltd", status=AdmissionStatus.SUSPENDED)
    return world


@pytest.fixture
def buyer(client: FlaskClient, world: World) -> FlaskClient:
    tameside = member("Tameside Council")
    return sign_in(client, add_person(tameside, "buyer@tameside.example.org", Role.BUYER))


def table(response: Any) -> list[list[str]]:
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")]
        for row in response.soup.select("#pool tbody tr")
    ]


def heading(response: Any) -> str:
    return " ".join(response.soup.select_one("#pool-heading").get_text().split())


def test_the_buyer_home_links_to_each_lots_pool(buyer: FlaskClient, world: World) -> None:
    home = buyer.get("/buyer/")
    links = {a.get_text(strip=True): a["href"] for a in home.soup.select("main a")}
    for number in (1, 2):
        lot = world.lots[number]
        assert (
            links[f"See the suppliers admitted to {lot.name}"] == f"/buyer/lots/{lot.id}/suppliers"
        )
    # The call-offs are still promised, not linked: a page promises only what exists.
    assert "Start a call-off" in page_text(home)


def test_the_pool_shows_the_admitted_suppliers_and_not_the_suspended(
    buyer: FlaskClient, world: World
) -> None:
    page = buyer.get(f"/buyer/lots/{world.lots[1].id}/suppliers")
    assert page.status_code == 200
    assert page.soup.h1.get_text(strip=True) == "Suppliers admitted"
    assert heading(page) == "3 suppliers"
    assert table(page) == [
        ["Alpha Consulting", "Large", "No", "No", "London", "5 October 2026"],
        ["Beta Co-op", "Micro", "Yes", "Yes", "North West, Wales", "5 October 2026"],
        ["Gamma CIC", "Small", "Yes", "No", "Anywhere in the UK", "5 October 2026"],
    ]
    # The filter is a GET form of GOV.UK checkboxes.
    form = page.soup.select_one("main form")
    assert form["method"] == "get"
    assert len(form.select(".govuk-checkboxes input[type=checkbox]")) == 4 + 2 + 13


def test_filtering_says_what_it_filtered_by_and_keeps_the_boxes_ticked(
    buyer: FlaskClient, world: World
) -> None:
    url = f"/buyer/lots/{world.lots[1].id}/suppliers"
    page = buyer.get(url, query_string={"status": "vcse", "region": ["wales"]})
    assert heading(page) == "2 suppliers, filtered by VCSE; serving Wales"
    assert [row[0] for row in table(page)] == ["Beta Co-op", "Gamma CIC"]
    assert page.soup.find("input", {"name": "status", "value": "vcse"}).has_attr("checked")
    assert page.soup.find("input", {"name": "region", "value": "wales"}).has_attr("checked")
    assert page.soup.find("a", string="Clear filters")["href"] == url

    nobody = buyer.get(url, query_string={"size": "medium"})
    assert heading(nobody) == "0 suppliers, filtered by size: medium"
    assert "No admitted supplier matches these filters" in page_text(nobody)
    # A value not on offer (an edited link) is no filter.
    assert heading(buyer.get(url, query_string={"size": "huge", "region": "mars"})) == "3 suppliers"


def test_the_download_is_exactly_the_filtered_list(buyer: FlaskClient, world: World) -> None:
    lot = world.lots[1]
    page = buyer.get(f"/buyer/lots/{lot.id}/suppliers", query_string={"size": ["micro", "large"]})
    link = page.soup.find("a", string=lambda s: bool(s) and "as CSV" in s)
    assert link.get_text(strip=True) == "Download these 2 suppliers as CSV"
    response = buyer.get(link["href"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="lot-1-suppliers.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8"))))
    assert rows == [
        ["Supplier", "Size", "VCSE", "Co-operative or mutual", "Regions served", "Date admitted"],
        ["Alpha Consulting", "Large", "No", "No", "London", "5 October 2026"],
        ["Beta Co-op", "Micro", "Yes", "Yes", "North West; Wales", "5 October 2026"],
    ]


def test_a_name_that_could_be_a_formula_is_text_in_the_download(
    buyer: FlaskClient, world: World
) -> None:
    admitted_supplier(world.lots[2], '=HYPERLINK("http://x")', regions=["wales"])
    body = buyer.get(f"/buyer/lots/{world.lots[2].id}/suppliers.csv").get_data().decode("utf-8")
    assert list(csv.reader(io.StringIO(body)))[1][0] == '\'=HYPERLINK("http://x")'


def test_an_unknown_lot_is_not_found(buyer: FlaskClient) -> None:
    assert buyer.get("/buyer/lots/999/suppliers").status_code == 404
    assert buyer.get("/buyer/lots/999/suppliers.csv").status_code == 404


def test_an_empty_lot_says_so(buyer: FlaskClient, world: World) -> None:
    page = buyer.get(f"/buyer/lots/{world.lots[2].id}/suppliers")
    assert heading(page) == "0 suppliers"
    assert "No supplier is admitted to this lot yet" in page_text(page)


@pytest.mark.parametrize(
    ("membership_type", "contracting_authority", "role"),
    [
        (MembershipType.FULL, True, Role.VIEWER),
        (MembershipType.AFFILIATE, True, Role.BUYER),
        (MembershipType.FULL, False, Role.BUYER),
    ],
)
def test_members_who_may_not_buy_are_refused_with_the_reason(
    client: FlaskClient,
    world: World,
    membership_type: MembershipType,
    contracting_authority: bool,
    role: Role,
) -> None:
    organisation = member("Anytown Group", membership_type)
    organisation.is_contracting_authority = contracting_authority
    db.session.commit()
    sign_in(client, add_person(organisation, "someone@anytown.example.org", role))
    for url in (
        f"/buyer/lots/{world.lots[1].id}/suppliers",
        f"/buyer/lots/{world.lots[1].id}/suppliers.csv",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Beta Co-op" not in response.get_data(as_text=True)
        assert (
            "Oldham Council procurement" in response.soup.select_one("#refusal-reason").get_text()
        )


def test_suppliers_are_refused(client: FlaskClient, world: World) -> None:
    sign_in(client, world.owner)
    assert client.get(f"/buyer/lots/{world.lots[1].id}/suppliers").status_code == 403
    assert client.get(f"/admin/lots/{world.lots[1].id}/admitted.csv").status_code == 403


def test_an_administrator_sees_filters_and_downloads_the_same_pool(
    client: FlaskClient, world: World
) -> None:
    lot = world.lots[1]
    admin = add_person(world.dps.owner, "admin@oldham.example.org", Role.ADMINISTRATOR)
    sign_in(client, admin)
    everyone = client.get(f"/admin/lots/{lot.id}")
    assert everyone.soup.find("a", href=f"/admin/lots/{lot.id}/admitted") is not None
    page = client.get(f"/admin/lots/{lot.id}/admitted", query_string={"status": "cooperative"})
    assert heading(page) == "1 supplier, filtered by co-operative or mutual"
    assert [row[0] for row in table(page)] == ["Beta Co-op"]
    link = page.soup.find("a", string=lambda s: bool(s) and "as CSV" in s)
    assert link.get_text(strip=True) == "Download this supplier as CSV"
    assert link["href"].startswith(f"/admin/lots/{lot.id}/admitted.csv?")
    rows = list(csv.reader(io.StringIO(client.get(link["href"]).get_data().decode("utf-8"))))
    assert [row[0] for row in rows] == ["Supplier", "Beta Co-op"]


def queries_for_page(client: FlaskClient, url: str) -> int:
    db.session.expire_all()
    with counting_queries() as counted:
        response: Any = client.get(url)
        assert response.status_code == 200
        assert response.soup.select("#pool tbody tr")
        return counted()


def test_the_page_makes_the_same_queries_for_3_or_1000_suppliers(
    buyer: FlaskClient, world: World
) -> None:
    lot = world.lots[1]
    url = f"/buyer/lots/{lot.id}/suppliers?status=vcse&region=wales"
    counts = {3: queries_for_page(buyer, url)}
    many_admitted(lot, 997)
    counts[1000] = queries_for_page(buyer, url)
    assert counts[3] == counts[1000], counts
