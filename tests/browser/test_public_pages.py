"""The public pages and the error pages, in Chromium: accessible (axe-core, every rule), under
the production Content-Security-Policy, with no JavaScript errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import SERVICE_NAME, LiveServer, axe_results

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/", 200, None),
        ("/accessibility", 200, "Accessibility statement"),
        ("/privacy", 200, "Privacy notice"),
        ("/cookies", 200, "Cookies"),
        ("/sign-in", 200, "Sign in"),
        ("/no-such-page", 404, "Page not found"),
        ("/_test/error/400", 400, "Sorry, there is a problem with your request"),
        ("/_test/crash", 500, "Sorry, there is a problem with the service"),
    ],
)
def test_page_is_accessible_and_named(
    live_server: LiveServer,
    page: Any,
    check_page: Callable[[], None],
    path: str,
    status: int,
    heading: str | None,
) -> None:
    response = page.goto(live_server(path))
    assert response.status == status
    h1 = page.locator("h1").inner_text()
    if heading:
        assert h1 == heading
    # The title names the page, then the service.
    assert page.title() == f"{h1} – {SERVICE_NAME}"
    check_page()


def test_too_many_sign_in_attempts_get_an_accessible_page(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    limit = int(str(live_server.app.config["LOGIN_LIMIT_PER_ACCOUNT"]).split()[0])
    page.goto(live_server("/sign-in"))
    for _ in range(limit + 1):
        page.get_by_label("Email address").fill("somebody.guessing@example.org")
        page.get_by_label("Password", exact=True).fill("not the right password")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Sign in").click()
        if posted.value.status == 429:
            break
    assert posted.value.status == 429
    assert page.locator("h1").inner_text() == "You have tried too many times"
    check_page()


def test_a_form_sent_without_its_security_token_gets_an_accessible_page(
    live_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    page.goto(live_server("/sign-in"))
    # As if the session had ended in another tab: the form's CSRF token no longer matches.
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'stale'; }")
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_label("Password", exact=True).fill("whatever it is, it is long")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in").click()
    assert posted.value.status == 400
    assert page.locator("h1").inner_text() == "Sorry, we could not accept your form"
    check_page()


def test_the_axe_check_finds_a_real_problem(live_server: LiveServer, page: Any) -> None:
    """The accessibility check is not vacuous: under the same CSP it reports a known failure."""
    page.goto(live_server("/cookies"))
    page.locator("h1").evaluate("h1 => { h1.outerHTML = '<img src=\"/nowhere.png\">'; }")
    results = axe_results(page)
    assert results.violations_count > 0
    assert "image-alt" in results.generate_report()
