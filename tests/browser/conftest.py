"""Browser tests: the real application served over HTTP, driven by Chromium through Playwright.

The server runs in a thread (werkzeug) on a fresh SQLite database built by running the
migrations, with CSRF on and the production Content-Security-Policy (it is always on). One
Chromium is launched per test session; each test gets a fresh context, so no cookies leak
between tests. ``check_page`` runs axe-core with every rule and fails on any violation, and
every page fails its test on a Content-Security-Policy refusal or a JavaScript error.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, abort
from werkzeug.serving import make_server

from dps import create_app
from dps.extensions import db
from dps.models import DPS, Lot, Membership, Organisation, OutboxMessage, User
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.services.accounts.passwords import hash_password
from dps.web.access import Area, allow
from tests.fixtures import services

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "a long browser-test passphrase"
SERVICE_NAME = "CCIN Dynamic Purchasing System"


# --- The application over HTTP ----------------------------------------------------------------


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path

    @contextmanager
    def database(self) -> Iterator[Any]:
        """The test's own view of the database (an app context on the served app)."""
        with self.app.app_context():
            yield db.session
            db.session.remove()

    def latest_email_to(self, address: str) -> dict[str, Any]:
        with self.database() as session:
            messages = session.scalars(
                db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
            ).all()
            for message in messages:
                if message.recipient.lower() == address.lower():
                    return dict(message.payload)
        raise AssertionError(f"no email to {address} in the outbox")

    def link_in_latest_email_to(self, address: str, path_part: str) -> str:
        body = self.latest_email_to(address)["body"]
        match = re.search(rf"https?://\S*{re.escape(path_part)}\S*", body)
        assert match, f"no link containing {path_part!r} in the email:\n{body}"
        return match.group(0).rstrip(".,)")


def _seed(app: Flask) -> None:
    """What the public pages need: the CCIN DPS, owned by Oldham Council, with its two lots."""
    with app.app_context():
        oldham = Organisation(
            name="Oldham Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
        )
        ccin = Organisation(
            name="Co-operative Councils’ Innovation Network", kind=OrganisationKind.NETWORK
        )
        dps = DPS(
            reference="CCIN-DPS-2020",
            title="CCIN Dynamic Purchasing System",
            description="Co-operative policy development and capacity building.",
            owner=oldham,
            period_start=date(2020, 4, 1),
            period_end=date(2029, 2, 23),
        )
        dps.lots = [
            Lot(number=1, title="Policy Development & Testing", description="Policy work."),
            Lot(number=2, title="Capacity Building", description="Leaving a legacy."),
        ]
        db.session.add_all([oldham, ccin, dps])
        db.session.commit()
        db.session.remove()


def add_user(
    server: LiveServer,
    email: str,
    *,
    organisation: str,
    kind: OrganisationKind = OrganisationKind.SUPPLIER,
    role: Role = Role.SUPPLIER_OWNER,
    membership_type: MembershipType | None = None,
) -> None:
    """A confirmed account with PASSWORD, for tests about something other than registering."""
    with server.database() as session:
        org = Organisation(name=organisation, kind=kind, membership_type=membership_type)
        user = User(
            email=email,
            name="Browser Test",
            password_hash=hash_password(PASSWORD),
            email_confirmed_at=datetime.now(UTC),
        )
        session.add_all([org, user, Membership(user=user, organisation=org, role=role)])
        session.commit()


def _error_routes() -> Blueprint:
    """Routes that fail on purpose, so the browser can see the 400 and 500 pages."""
    bp = Blueprint("browser_test_errors", __name__)

    @bp.get("/_test/error/<int:code>")
    @allow(Area.PUBLIC)
    def error(code: int) -> None:
        abort(code)

    @bp.get("/_test/crash")
    @allow(Area.PUBLIC)
    def crash() -> None:
        raise RuntimeError("a deliberate failure, to show the error page")

    return bp


def build_live_app(tmp_path: Path, **overrides: Any) -> Flask:
    from flask_migrate import upgrade

    env = {"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(tmp_path / "instance")}
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "record",
    }
    config.update(overrides)
    app = create_app(config, env=env)
    app.register_blueprint(_error_routes())
    with app.app_context():
        upgrade()
        db.session.remove()
    _seed(app)
    return app


@contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # Emailed links must lead back to this server.
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # A low limit per account, so the page for too many sign-in attempts is quick to reach.
    app = build_live_app(
        tmp_path_factory.mktemp("live"), LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes"
    )
    with serve(app) as server:
        yield server


# --- Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    services.need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=services.CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class PageProblems:
    """What the browser complained about: CSP refusals and uncaught JavaScript errors."""

    csp: list[str] = field(default_factory=list)
    javascript: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        assert not self.csp, "Content-Security-Policy refused something:\n" + "\n".join(self.csp)
        assert not self.javascript, "JavaScript errors:\n" + "\n".join(self.javascript)


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Any, page_problems: PageProblems) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page_problems.csp.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.javascript.append(str(error)))
    yield page
    context.close()
    page_problems.assert_none()


def axe_results(page: Any) -> Any:
    """Run axe-core on the page as it is now, with its default rule set and no rule disabled.

    axe-playwright-python injects axe with page.evaluate, which a Content-Security-Policy does
    not govern (it would refuse an injected <script> tag), so the page keeps its real policy.
    """
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    return Axe().run(page)


@pytest.fixture
def check_page(page: Any, page_problems: PageProblems) -> Callable[[], None]:
    """Fail the test on any axe-core violation, CSP refusal or JavaScript error so far."""

    def check() -> None:
        results = axe_results(page)
        assert results.violations_count == 0, (
            f"axe-core found problems on {page.url}:\n{results.generate_report()}"
        )
        page_problems.assert_none()

    return check
