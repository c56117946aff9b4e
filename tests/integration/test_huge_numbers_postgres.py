"""On PostgreSQL, ids past its integer and page numbers past the end are "not found" or the last
page, never a server error (issue 11, item 7): ``/supplier/documents/3000000000`` failed the
query ("integer out of range") before ids were bounded in the URL converter.

The walk is the one in tests/unit/web/test_huge_numbers_in_links.py, here on the database that
production runs.
"""

from __future__ import annotations

from flask import Flask

from dps.extensions import db
from tests.conftest import HTMLClient
from tests.unit.web.test_access_rules import build_world, client_for
from tests.unit.web.test_huge_numbers_in_links import (
    HUGE_IDS,
    add_emails,
    pages_past_the_end,
    server_errors_for_huge_ids,
    server_errors_for_query_ids,
)


def production_like(pg_app: Flask) -> Flask:
    # As in production: a fault is answered with the 500 page, so the walk sees each one.
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    pg_app.test_client_class = HTMLClient
    return pg_app


def test_every_route_with_a_number_answers_a_huge_one_not_found(pg_app: Flask) -> None:
    app = production_like(pg_app)
    world = build_world()
    assert server_errors_for_huge_ids(app, world, HUGE_IDS) == []
    # The id just inside PostgreSQL's integer reaches the query, and is simply not found.
    response = client_for(app, world, "supplier_owner").get(f"/supplier/documents/{2**31 - 1}")
    assert response.status_code == 404


def test_ids_in_a_links_query_past_any_row_are_never_a_server_error(pg_app: Flask) -> None:
    app = production_like(pg_app)
    world = build_world()
    assert server_errors_for_query_ids(app, world, HUGE_IDS) == []


def test_page_numbers_past_the_end_show_the_last_page(pg_app: Flask) -> None:
    app = production_like(pg_app)
    world = build_world()
    add_emails(30)
    assert pages_past_the_end(app, world) == []
    db.session.rollback()
