"""The warning before an idle session ends, in Chromium, with the session limits cut to seconds:
it appears, takes focus, "Stay signed in" (here by Escape) renews the session on the server and
gives focus back; left alone, the session ends and the person is told why."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, LiveServer, add_user, build_live_app, serve

pytestmark = pytest.mark.browser

IDLE_SECONDS = 6
WARNING_SECONDS = 4
EMAIL = "idle.owner@example.org"
ORGANISATION = "Idle Hands Workers’ Co-operative"


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = build_live_app(
        tmp_path_factory.mktemp("idle"),
        SESSION_IDLE_MINUTES=IDLE_SECONDS / 60,
        SESSION_WARNING_MINUTES=WARNING_SECONDS / 60,
        # As in production: the cookie outlives the idle limit (see dps.config).
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=IDLE_SECONDS + 3600),
    )
    with serve(app) as server:
        add_user(server, EMAIL, organisation=ORGANISATION)
        yield server


def seconds_left(page: Any, server: LiveServer) -> int:
    """Ask the server (read-only, not counted as activity) how long the session has left."""
    status = page.request.get(server("/session/status")).json()
    assert status["signed_in"], status
    return int(status["seconds_left"])


def test_idle_warning_keeps_the_session_or_ends_it(
    idle_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    page.goto(idle_server("/sign-in"))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(ORGANISATION)
    account_link = page.get_by_role("link", name="Your account")
    account_link.focus()

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("we will sign you out in")
    check_page()
    assert seconds_left(page, idle_server) <= WARNING_SECONDS

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(account_link).to_be_focused()
    # The server renewed the session: it has its whole idle time again.
    assert seconds_left(page, idle_server) > WARNING_SECONDS

    # Left alone now, the warning comes back, and then the session ends.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    page.wait_for_url(
        lambda url: url.startswith(idle_server("/sign-in?next=/supplier/")),
        timeout=(WARNING_SECONDS + 4) * 1000,
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text("inactive")
    check_page()
    assert page.request.get(idle_server("/session/status")).json()["signed_in"] is False
