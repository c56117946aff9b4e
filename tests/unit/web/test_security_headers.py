"""Every response carries the security headers; every page, error pages too, obeys its CSP.

The Content-Security-Policy has no 'unsafe-inline': the base template's one inline script runs
because it carries this request's nonce, and nothing else inline (scripts, style attributes,
event handlers) may appear in a page, because the browser would block it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, abort
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from dps.extensions import db
from dps.models import AuditEvent, Organisation
from dps.rules.enums import OrganisationKind
from dps.services.common import audit
from dps.web.access import Area, allow
from tests.conftest import HTMLClient, make_app
from tests.unit.web.test_access_rules import World, build_world, client_for

SERVICE_NAME = "CCIN Dynamic Purchasing System"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    """An app as in production where errors are concerned: a fault is a 500 page, not raised."""
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/fault")
    @allow(Area.PUBLIC)
    def fault() -> str:
        raise RuntimeError("something went wrong")

    @app.get("/test-only/forbidden")
    @allow(Area.PUBLIC)
    def forbidden() -> str:
        abort(403)

    @app.get("/test-only/fault-after-a-failed-statement")
    @allow(Area.SIGNED_IN)
    def fault_after_a_failed_statement() -> str:
        # A database error leaves the session needing a rollback; the 500 page still shows.
        db.session.add(Organisation(name=None, kind=OrganisationKind.SUPPLIER))
        db.session.flush()
        return "not reached"

    @app.get("/test-only/audited")
    @allow(Area.PUBLIC)
    def audited() -> str:
        audit.record("test.audited", object_type="test", object_id=1, actor=None)
        db.session.commit()
        return "recorded"

    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        world = build_world()
        db.session.remove()
    yield app, world


def csp_of(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response: Any) -> str:
    [nonce_source] = [s for s in csp_of(response)["script-src"] if s.startswith("'nonce-")]
    return nonce_source.removeprefix("'nonce-").removesuffix("'")


def check_headers(response: Any, *, page: bool = True) -> None:
    csp = csp_of(response)
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert len(nonce_of(response)) >= 16
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", response.headers["X-Request-ID"])
    if page:
        assert response.headers["Cache-Control"] == "no-store"


def check_page_obeys_its_csp(response: Any) -> None:
    """Nothing in the page that the policy would block."""
    soup: BeautifulSoup = response.soup
    nonce = nonce_of(response)
    scripts = soup.find_all("script")
    inline = [s for s in scripts if not s.get("src")]
    assert inline, "the base template's inline script is missing"
    for script in inline:
        assert script.get("nonce") == nonce, script
    for script in scripts:
        if script.get("src"):
            assert script["src"].startswith("/static/"), script
    assert soup.find("style") is None
    for element in soup.find_all(True):
        assert "style" not in element.attrs, element.name
        handlers = [a for a in element.attrs if a.lower().startswith("on")]
        assert not handlers, (element.name, handlers)


def check_styled_page(response: Any, heading: str) -> None:
    """A page of the service: the branded stylesheet, header, footer and a named title."""
    soup: BeautifulSoup = response.soup
    stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert "/static/build/main.css" in stylesheets
    assert soup.find("header", class_="govuk-template__header")
    assert soup.find("footer", class_="govuk-footer")
    assert soup.find("main", id="main-content")
    assert soup.h1.get_text(strip=True) == heading
    assert soup.title.get_text(strip=True) == f"{heading} – {SERVICE_NAME}"


# --- pages --------------------------------------------------------------------------------


def simple_get_rules(app: Flask, area: Area) -> list[Rule]:
    from dps.web.access import area_of

    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set())
        and not rule.arguments
        and not rule.rule.startswith("/test-only/")
        and area_of(app.view_functions[rule.endpoint]) == area
    ]


def test_every_public_page_has_the_headers_and_obeys_its_policy(
    site: tuple[Flask, World],
) -> None:
    app, world = site
    client = client_for(app, world, "anonymous")
    checked = 0
    for rule in simple_get_rules(app, Area.PUBLIC):
        response = client.get(rule.rule)
        check_headers(response)
        if response.status_code == 200 and response.mimetype == "text/html":
            check_page_obeys_its_csp(response)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("supplier_owner", "/supplier/"),
        ("buyer", "/buyer/"),
        ("viewer", "/buyer/"),
        ("administrator", "/admin/"),
    ],
)
def test_signed_in_pages_have_the_headers_and_obey_the_policy(
    site: tuple[Flask, World], persona: str, home: str
) -> None:
    app, world = site
    client = client_for(app, world, persona)
    for url in (home, "/account", "/account/password", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        check_headers(response)
        check_page_obeys_its_csp(response)
        # The idle warning's settings reach the page as data, not as an inline script.
        assert response.soup.find(id="dps-timeout") is not None or url == "/"


def test_the_nonce_is_new_on_every_request(site: tuple[Flask, World]) -> None:
    app, world = site
    client = client_for(app, world, "anonymous")
    nonces = set()
    for _ in range(5):
        response = client.get("/")
        nonce = nonce_of(response)
        assert response.soup.find("script", nonce=nonce) is not None
        nonces.add(nonce)
    assert len(nonces) == 5


def test_static_files_have_the_headers_but_may_be_cached(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").get("/static/js/app.mjs")
    assert response.status_code == 200
    check_headers(response, page=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "status", "heading"),
    [
        ("anonymous", "/no-such-page", 404, "Page not found"),
        ("buyer", "/no-such-page", 404, "Page not found"),
        ("anonymous", "/test-only/forbidden", 403, "You do not have permission to see this page"),
        ("buyer", "/admin/", 403, "You do not have permission to see this page"),
        ("anonymous", "/test-only/fault", 500, "Sorry, there is a problem with the service"),
        ("administrator", "/test-only/fault", 500, "Sorry, there is a problem with the service"),
        (
            "supplier_owner",
            "/test-only/fault-after-a-failed-statement",
            500,
            "Sorry, there is a problem with the service",
        ),
    ],
)
def test_error_pages_are_styled_and_carry_the_headers(
    site: tuple[Flask, World], persona: str, url: str, status: int, heading: str
) -> None:
    app, world = site
    response = client_for(app, world, persona).get(url)
    assert response.status_code == status
    check_headers(response)
    check_styled_page(response, heading)
    check_page_obeys_its_csp(response)


def test_the_500_page_gives_the_request_reference(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").get(
        "/test-only/fault", headers={"X-Request-ID": "abcdef1234567890"}
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "abcdef1234567890"
    assert "ABCDEF123456" in response.soup.main.get_text()
    assert "something went wrong" not in response.get_data(as_text=True)


def test_a_wrong_method_is_answered_with_a_styled_page(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").post("/privacy")
    assert response.status_code == 405
    check_headers(response)
    check_page_obeys_its_csp(response)
    assert response.soup.find("link", rel="stylesheet") is not None


def test_the_csrf_refusal_page_carries_the_headers(tmp_path: Path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
    client: FlaskClient = app.test_client()
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    check_headers(response)
    check_page_obeys_its_csp(response)
    check_styled_page(response, "Sorry, we could not accept your form")


# --- the request id -----------------------------------------------------------------------


def test_each_request_gets_an_id(site: tuple[Flask, World]) -> None:
    app, world = site
    client = client_for(app, world, "anonymous")
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("req-2026-11-25.abc:1", True),
        ('x" onload="alert(1)', False),
        ("x" * 65, False),
        ("café", False),
        ("", False),
    ],
)
def test_a_proxys_request_id_is_kept_only_if_it_is_plainly_an_id(
    site: tuple[Flask, World], given: str, kept: bool
) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").get("/", headers={"X-Request-ID": given})
    assert (response.headers["X-Request-ID"] == given) is kept
    check_headers(response)


def test_the_audit_trail_records_the_request_id(site: tuple[Flask, World]) -> None:
    app, world = site
    response = client_for(app, world, "anonymous").get("/test-only/audited")
    assert response.status_code == 200
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "test.audited")
        ).one()
        assert event.request_id == response.headers["X-Request-ID"]


def test_https_is_required_where_cookies_are_secure(tmp_path: Path) -> None:
    secure = make_app(tmp_path / "secure", SESSION_COOKIE_SECURE=True).test_client().get("/healthz")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    laptop = make_app(tmp_path / "laptop", SESSION_COOKIE_SECURE=False).test_client()
    assert "Strict-Transport-Security" not in laptop.get("/healthz").headers
