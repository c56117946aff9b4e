"""With the database unreachable, the 500 page still shows, styled, with every security header.

The error page must not need the database: with it down, loading the signed-in user fails, and
a handler that loads the user again to draw the page's header fails too, so the server's bare
error went out instead, with none of the headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Organisation
from dps.web.access import Area, allow
from tests.conftest import HTMLClient, make_app
from tests.fixtures.smtp_sink import free_port
from tests.unit.web.test_security_headers import (
    check_headers,
    check_page_obeys_its_csp,
    check_styled_page,
)

HEADING = "Sorry, there is a problem with the service"


@pytest.fixture
def app_without_database(tmp_path: Path) -> Flask:
    """An app whose database is a closed port on this machine: every connection is refused."""
    unreachable = f"postgresql+psycopg://dps:dps@127.0.0.1:{free_port()}/dps"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=unreachable, PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/reads-the-database")
    @allow(Area.PUBLIC)
    def reads_the_database() -> str:
        return str(db.session.scalar(db.select(db.func.count(Organisation.id))))

    app.test_client_class = HTMLClient
    return app


def test_a_signed_in_person_gets_the_500_page_with_every_header(
    app_without_database: Flask,
) -> None:
    client = app_without_database.test_client()
    with client.session_transaction() as session:
        # Loading this user needs the database, which is down.
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    response = client.get("/account")
    assert response.status_code == 500
    check_headers(response)
    check_styled_page(response, HEADING)
    check_page_obeys_its_csp(response)


def test_a_visitor_gets_the_500_page_with_every_header(app_without_database: Flask) -> None:
    response = app_without_database.test_client().get("/test-only/reads-the-database")
    assert response.status_code == 500
    check_headers(response)
    check_styled_page(response, HEADING)
    check_page_obeys_its_csp(response)
    assert "Try again later" in response.soup.main.get_text()
