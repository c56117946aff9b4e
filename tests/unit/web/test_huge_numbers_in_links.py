"""Ids and page numbers too large for the database are "not found" or the last page, never a
server error (issue 11, item 7).

A link can carry any number: ``/supplier/applications/99999999999999999999`` overflowed SQLite's
integer, ``/supplier/documents/3000000000`` PostgreSQL's, and ``?page=99999999999999999999``
asked for an offset past both. Every route of the URL map that takes a number is tried here
with numbers past PostgreSQL's integer (2**31 - 1), as a person the route admits, on GET and
on POST; ``tests/integration/test_huge_numbers_postgres.py`` runs the same walk on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, url_for
from werkzeug.routing import IntegerConverter, Rule

from dps.extensions import db
from dps.models import OutboxMessage
from dps.rules.enums import OutboxKind
from dps.web.access import Area, area_of
from tests.conftest import HTMLClient, make_app
from tests.unit.web.test_access_rules import World, _argument, build_world, client_for

# Someone each area lets in, so the request reaches the route rather than the access rule.
ADMITTED = {
    Area.PUBLIC: "anonymous",
    Area.SIGNED_IN: "supplier_owner",
    Area.SUPPLIER: "supplier_owner",
    Area.SUPPLIER_OWNER: "supplier_owner",
    Area.MEMBER: "buyer",
    Area.BUYER: "buyer",
    Area.ADMIN: "administrator",
}
HUGE_IDS = (2**31, 3_000_000_000, 99999999999999999999, int("9" * 400))
HOSTILE_PAGES = ("99999999999999999999", "1e20", "2147483648", "-5", "0", "١", "９", "9" * 5000)
# Ids given in a link's query rather than its path.
QUERY_IDS = (
    ("supplier_owner", "/supplier/applications/new", "follows"),
    ("supplier_owner", "/supplier/documents/upload", "replaces"),
    ("administrator", "/admin/renewals/new", "organisation_id"),
)
PAGED = ("/admin/emails", "/admin/applications")


def numbered_rules(app: Flask) -> list[Rule]:
    """Every route with a number in its path."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
        ),
        key=lambda rule: rule.rule,
    )


def url_with(app: Flask, rule: Rule, world: World, huge: int) -> str:
    values = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = huge
        else:
            make = _argument(rule.endpoint, name)
            assert make is not None, f"{rule.rule}: {name}"
            values[name] = make(world)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def server_errors_for_huge_ids(app: Flask, world: World, huge_ids: tuple[int, ...]) -> list[str]:
    """Each request with a huge id that is not answered "not found"."""
    wrong = []
    rules = numbered_rules(app)
    assert len(rules) >= 14
    for rule in rules:
        persona = ADMITTED[area_of(app.view_functions[rule.endpoint]) or Area.PUBLIC]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for huge in huge_ids:
                url = url_with(app, rule, world, huge)
                response = client_for(app, world, persona).open(url, method=method)
                if response.status_code != 404:
                    wrong.append(f"{method} {url} as {persona}: {response.status_code}")
    return wrong


def server_errors_for_query_ids(app: Flask, world: World, huge_ids: tuple[int, ...]) -> list[str]:
    wrong = []
    for persona, path, name in QUERY_IDS:
        for huge in (*(str(h) for h in huge_ids), "١", "9" * 5000):
            response = client_for(app, world, persona).get(f"{path}?{name}={huge}")
            if response.status_code >= 500:
                wrong.append(f"{path}?{name}={huge[:30]}: {response.status_code}")
    return wrong


def add_emails(count: int) -> None:
    db.session.add_all(
        OutboxMessage(
            kind=OutboxKind.EMAIL,
            payload={"to": f"person{n}@example.org", "subject": f"Email {n}", "body": "Hello"},
        )
        for n in range(count)
    )
    db.session.commit()


def pages_past_the_end(app: Flask, world: World) -> list[str]:
    """Each page number that is not answered with a page of the list (the last, past the end)."""
    wrong = []
    admin = client_for(app, world, "administrator")
    for path in PAGED:
        for page in HOSTILE_PAGES:
            response = admin.get(f"{path}?page={page}")
            if response.status_code != 200:
                wrong.append(f"{path}?page={page[:30]}: {response.status_code}")
    return wrong


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    # As in production: a fault is answered with the 500 page, so the walk sees each one.
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        world = build_world()
        db.session.remove()
    yield app, world


def test_every_route_with_a_number_answers_a_huge_one_not_found(
    site: tuple[Flask, World],
) -> None:
    app, world = site
    assert server_errors_for_huge_ids(app, world, HUGE_IDS) == []


def test_ids_in_a_links_query_past_any_row_are_never_a_server_error(
    site: tuple[Flask, World],
) -> None:
    app, world = site
    assert server_errors_for_query_ids(app, world, HUGE_IDS) == []


def test_a_page_number_past_the_end_shows_the_last_page(site: tuple[Flask, World]) -> None:
    app, world = site
    assert pages_past_the_end(app, world) == []
    with app.app_context():
        add_emails(60)  # three pages of 25 (the world has one email already)
    admin = client_for(app, world, "administrator")
    last = admin.get("/admin/emails?page=3")
    for page in ("99999999999999999999", "4", "2147483648"):
        response = admin.get(f"/admin/emails?page={page}")
        assert response.status_code == 200
        shown = [row.get_text(" ", strip=True) for row in response.soup.select("tbody tr")]
        assert shown == [row.get_text(" ", strip=True) for row in last.soup.select("tbody tr")]
        assert shown, "the last page has emails on it"


def test_a_page_number_that_is_not_one_shows_the_first_page(site: tuple[Flask, World]) -> None:
    app, world = site
    with app.app_context():
        add_emails(60)
    admin = client_for(app, world, "administrator")
    first = admin.get("/admin/emails").soup.select("tbody tr")
    for page in ("0", "-5", "1e20", "١", "two"):
        response = admin.get(f"/admin/emails?page={page}")
        assert response.status_code == 200
        assert response.soup.select("tbody tr") == first, page


def test_the_id_converter_refuses_digits_of_other_scripts(site: tuple[Flask, World]) -> None:
    # int() reads "١" as 1: a link in Arabic-Indic digits names no row.
    app, world = site
    response = client_for(app, world, "administrator").get("/admin/emails/١")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("year", "quarter"),
    [("2²", "1"), ("٢٠٢٧", "1"), ("2027", "１"), ("9" * 30, "1"), ("2027", "9" * 30)],
)
def test_a_quarters_year_and_number_are_digits_a_box_can_hold(
    site: tuple[Flask, World], year: str, quarter: str
) -> None:
    app, world = site
    response = client_for(app, world, "administrator").post(
        "/admin/award-notices", data={"year": year, "quarter": quarter}
    )
    assert response.status_code == 400
