"""The account pages as a visitor uses them: what each page says, and what it lets through."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AuditEvent, Organisation, OutboxMessage, User
from dps.rules.enums import Role
from dps.services.accounts import totp
from tests.conftest import HTMLClient, make_app, page_text
from tests.fixtures.accounts_world import (
    NEW_PASSWORD,
    PASSWORD,
    clock_moved_on,
    emails_to,
    link_in,
    make_user,
)

SECRET = "CCINDEMOCCINDEMOCCINDEMOCCINDEMO"


def register(client: FlaskClient, email: str = "ann@example.org", **fields: str) -> Any:
    data = {
        "organisation_name": "Co-op Futures",
        "name": "Ann Lee",
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **fields,
    }
    return client.post("/register", data=data, follow_redirects=True)


def sign_in(client: FlaskClient, email: str = "ann@example.org", password: str = PASSWORD) -> Any:
    return client.post("/sign-in", data={"email": email, "password": password})


def error_summary(response: Any) -> str:
    summary = response.soup.find(class_="govuk-error-summary")
    return " ".join(summary.get_text(" ").split()) if summary else ""


def main_text(response: Any) -> str:
    return " ".join(response.soup.find("main").get_text(" ").split())


def is_signed_in(client: FlaskClient) -> bool:
    return bool(client.get("/session/status").json["signed_in"])


# --- registration and confirmation ---------------------------------------------------------------


def test_register_confirm_and_sign_in(client: FlaskClient) -> None:
    page = client.get("/register")
    assert page.soup.title.get_text().startswith("Create a supplier account")

    page = register(client, "Ann.Lee@Example.org")
    assert page.request.path == "/register/check-email"
    assert page.soup.h1.get_text() == "Check your email"
    assert "Ann.Lee@Example.org" in main_text(page)

    # Not yet: the address must be confirmed first, and the page offers a new link.
    refused = sign_in(client, "ann.lee@example.org")
    assert "Confirm your email address before you sign in" in error_summary(refused)
    assert refused.soup.find("a", string="Send the confirmation email again")

    [message] = emails_to("ann.lee@example.org")
    confirmed = client.get(link_in(message, "/confirm-email/"))
    assert confirmed.status_code == 200
    assert "Email address confirmed" in main_text(confirmed)

    signed_in = sign_in(client, "ann.lee@example.org")
    assert signed_in.status_code == 302
    assert signed_in.location == "/home"
    account = client.get("/account")
    assert "Co-op Futures" in main_text(account)
    assert "Supplier owner" in main_text(account)
    assert account.soup.find("a", href="/account/password")


def test_confirming_someone_elses_registration_needs_a_new_password(
    app: Flask, client: FlaskClient
) -> None:
    """A squatter registers an address; its owner opens the link and chooses the password."""
    register(client, "victim@example.org")  # the squatter's browser
    link = link_in(emails_to("victim@example.org")[0], "/confirm-email/")
    app.test_client_class = HTMLClient
    owner = app.test_client()  # the address's owner, in a browser of their own

    page = owner.get(link)
    assert page.status_code == 200
    assert page.soup.h1.get_text() == "Choose a password to confirm your email address"
    assert "closed" in main_text(page) and "within 7 days" in main_text(page)
    assert db.session.scalars(db.select(User)).one().email_confirmed_at is None

    refused = owner.post(link, data={"password": "short", "password_confirm": "other"})
    assert refused.status_code == 200
    assert "12 characters" in error_summary(refused)
    assert "do not match" in error_summary(refused)

    done = owner.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/sign-in"
    assert sign_in(client, "victim@example.org").status_code != 302  # the squatter's password
    assert sign_in(owner, "victim@example.org", NEW_PASSWORD).status_code == 302


def test_the_registering_browser_confirms_at_once(app: Flask, client: FlaskClient) -> None:
    register(client)
    link = link_in(emails_to("ann@example.org")[0], "/confirm-email/")
    confirmed = client.get(link)
    assert "Email address confirmed" in main_text(confirmed)
    # Once confirmed, the link says so anywhere, and a password posted to it changes nothing.
    app.test_client_class = HTMLClient
    elsewhere = app.test_client()
    assert "Email address confirmed" in main_text(elsewhere.get(link))
    posted = elsewhere.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert "Email address confirmed" in main_text(posted)
    assert sign_in(elsewhere, "ann@example.org", NEW_PASSWORD).status_code != 302


def test_registering_a_known_address_looks_the_same_and_creates_nothing(
    client: FlaskClient,
) -> None:
    first = register(client, "ann@example.org")
    second = register(client, "ANN@example.ORG", organisation_name="Another Ltd")

    assert main_text(first).replace("ann@example.org", "X") == main_text(second).replace(
        "ANN@example.ORG", "X"
    )
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1
    subjects = [m.payload["subject"] for m in emails_to("ann@example.org")]
    assert subjects[-1] == "Someone tried to register with your email address"


def test_registration_errors_keep_what_was_typed_except_passwords(client: FlaskClient) -> None:
    page = register(client, "not-an-address", password="password1234", password_confirm="different")
    assert page.status_code == 200
    assert page.soup.title.get_text().startswith("Error: Create a supplier account")
    summary = error_summary(page)
    assert "Enter an email address in the correct format" in summary
    assert "too common" in summary
    assert "do not match" in summary
    assert page.soup.find("input", {"name": "organisation_name"})["value"] == "Co-op Futures"
    assert page.soup.find("input", {"name": "email"})["value"] == "not-an-address"
    assert not page.soup.find("input", {"name": "password"}).get("value")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_an_empty_registration_names_every_missing_field(client: FlaskClient) -> None:
    page = client.post("/register", data={})
    summary = error_summary(page)
    for message in [
        "Enter the name of your organisation",
        "Enter your full name",
        "Enter your email address",
        "Create a password",
        "Confirm your password",
    ]:
        assert message in summary
    links = [a["href"] for a in page.soup.select(".govuk-error-summary a")]
    assert links[:2] == ["#organisation_name", "#name"]


def test_tampered_and_expired_confirmation_links_are_refused_clearly(
    app: Flask, client: FlaskClient
) -> None:
    register(client)
    link = link_in(emails_to("ann@example.org")[0], "/confirm-email/")

    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400
    assert tampered.soup.h1.get_text() == "The link is not valid"
    assert tampered.soup.find("a", href="/resend-confirmation")

    with clock_moved_on(app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"] + 60):
        expired = client.get(link)
    assert expired.status_code == 400
    assert expired.soup.h1.get_text() == "The link has expired"

    user = db.session.scalars(db.select(User)).one()
    assert user.email_confirmed_at is None


def test_resending_confirmation_says_the_same_for_any_address(client: FlaskClient) -> None:
    make_user("waiting@example.org", confirmed=False)
    pages = [
        client.post("/resend-confirmation", data={"email": email}, follow_redirects=True)
        for email in ["waiting@example.org", "nobody@example.org"]
    ]
    texts = [main_text(page) for page in pages]
    assert texts[0].replace("waiting@example.org", "X") == texts[1].replace(
        "nobody@example.org", "X"
    )
    assert len(emails_to("waiting@example.org")) == 1
    assert emails_to("nobody@example.org") == []


# --- signing in and out --------------------------------------------------------------------------


def test_wrong_password_and_unknown_address_get_the_same_answer(client: FlaskClient) -> None:
    make_user()
    wrong = sign_in(client, "ann@example.org", "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert (
        error_summary(wrong)
        == error_summary(unknown)
        == ("There is a problem Enter a correct email address and password")
    )
    assert main_text(wrong).replace("ann@", "X@") == main_text(unknown).replace("nobody@", "X@")
    assert wrong.soup.title.get_text().startswith("Error: Sign in")
    assert unknown.soup.find("input", {"name": "email"})["value"] == "nobody@example.org"


def test_sign_in_goes_only_to_a_safe_next_page(client: FlaskClient) -> None:
    make_user()
    assert client.get("/account").location.startswith("/sign-in?next=")
    response = client.post(
        "/sign-in?next=/account", data={"email": "ann@example.org", "password": PASSWORD}
    )
    assert response.location == "/account"
    client.post("/sign-out")
    for unsafe in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ]:
        response = client.post(
            "/sign-in",
            query_string={"next": unsafe},
            data={"email": "ann@example.org", "password": PASSWORD},
        )
        assert response.location == "/home", unsafe
        client.post("/sign-out")


def test_sign_out_ends_the_session_and_is_recorded(client: FlaskClient) -> None:
    user = make_user()
    sign_in(client)
    assert is_signed_in(client)
    page = client.post("/sign-out", follow_redirects=True)
    assert "You have signed out" in page.get_data(as_text=True)
    assert not is_signed_in(client)
    assert client.get("/account").status_code == 302
    events = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))
    )
    assert list(events) == ["user.signed_in", "user.signed_out"]


def copy_of_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie, as a thief would."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_a_copied_cookie_stops_working_when_its_session_signs_out(
    app: Flask, client: FlaskClient
) -> None:
    make_user()
    sign_in(client)
    copy = copy_of_session(app, client)
    assert copy.get("/account").status_code == 200  # a copy works while the session lasts

    client.post("/sign-out")
    assert copy.get("/account").location.startswith("/sign-in")
    assert not is_signed_in(copy)
    # A sign-in afterwards is a new session; the old copy stays refused.
    sign_in(client)
    assert is_signed_in(client)
    assert copy.get("/account").location.startswith("/sign-in")


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    app: Flask, client: FlaskClient
) -> None:
    make_user()
    sign_in(client)
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    assert hours == 12
    with client.session_transaction() as session:
        session["signed_in_at"] -= hours * 3600 - 60  # a minute left; used all day
    assert client.get("/account").status_code == 200
    copy = copy_of_session(app, client)
    with client.session_transaction() as session:
        session["signed_in_at"] -= 61
    ended = client.get("/account")
    assert ended.location == "/sign-in?next=/account"
    page = client.get(ended.location)
    assert "You were signed out because you signed in more than 12 hours ago" in main_text(page)
    assert not is_signed_in(client)
    # A copy of the cookie carries the same signed sign-in time: it ends too.
    with copy.session_transaction() as session:
        session["signed_in_at"] -= 61
    assert copy.get("/account").location.startswith("/sign-in")


def test_sign_out_is_post_only(client: FlaskClient) -> None:
    make_user()
    sign_in(client)
    assert client.get("/sign-out").status_code == 405
    assert is_signed_in(client)


def test_session_status_is_read_only_and_keep_alive_renews(client: FlaskClient) -> None:
    assert client.get("/session/status").json == {"signed_in": False, "seconds_left": 0}
    make_user()
    sign_in(client)
    client.get("/account")
    with client.session_transaction() as session:
        session["last_seen"] -= 600  # ten minutes idle
    status = client.get("/session/status").json
    assert status["signed_in"] is True
    assert 1190 <= status["seconds_left"] <= 1200
    assert client.get("/session/status").json["seconds_left"] <= 1200  # asking did not renew it
    renewed = client.post("/session/keep-alive").json
    assert renewed["signed_in"] is True
    assert renewed["seconds_left"] >= 1795


# --- rate limits ---------------------------------------------------------------------------------


@pytest.fixture
def limited_client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = make_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ADDRESS="5 per minute",
    )
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        yield app.test_client()
        db.session.remove()


def from_address(client: FlaskClient, address: str, email: str, password: str) -> Any:
    return client.post(
        "/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_is_limited_per_account_from_any_address(limited_client: FlaskClient) -> None:
    make_user()
    make_user("bob@example.org")
    for n in range(3):
        assert (
            from_address(limited_client, f"10.0.0.{n}", "ann@example.org", "wrong!").status_code
            == 200
        )
    # Even the right password, from a fresh address, in another case, waits now.
    blocked = from_address(limited_client, "10.0.0.9", "ANN@example.org", PASSWORD)
    assert blocked.status_code == 429
    assert "try again" in main_text(blocked)  # the page says plainly to wait
    # Another account is not affected.
    assert from_address(limited_client, "10.0.0.9", "bob@example.org", PASSWORD).status_code == 302


def test_sign_in_is_limited_per_address_across_accounts(limited_client: FlaskClient) -> None:
    make_user()
    for n in range(5):
        assert (
            from_address(limited_client, "10.0.0.1", f"guess{n}@example.org", "wrong!").status_code
            == 200
        )
    assert from_address(limited_client, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 429
    assert from_address(limited_client, "10.0.0.2", "ann@example.org", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_limit(limited_client: FlaskClient) -> None:
    make_user()
    for _ in range(5):
        assert (
            from_address(limited_client, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 302
        )
        limited_client.post("/sign-out")


def test_the_code_form_is_limited_per_account(limited_client: FlaskClient) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=SECRET)
    sign_in(limited_client, "admin@example.org")
    wrong = "000000" if totp.code_for(SECRET) != "000000" else "111111"
    for _ in range(3):
        assert limited_client.post("/sign-in/code", data={"code": wrong}).status_code == 200
    right = limited_client.post("/sign-in/code", data={"code": totp.code_for(SECRET)})
    assert right.status_code == 429
    assert not is_signed_in(limited_client)


def test_wrong_passwords_elsewhere_do_not_lock_the_owner_out_of_their_usual_browser(
    limited_client: FlaskClient,
) -> None:
    make_user()
    owner = limited_client
    assert from_address(owner, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 302
    owner.post("/sign-out")

    stranger = owner.application.test_client()
    for n in range(3):
        assert from_address(stranger, f"10.9.0.{n}", "ann@example.org", "wrong!").status_code == 200
    # The account refuses browsers it has never signed in on, even with the right password...
    assert from_address(stranger, "10.9.0.9", "ann@example.org", PASSWORD).status_code == 429
    new_browser = owner.application.test_client()
    assert from_address(new_browser, "10.0.0.2", "ann@example.org", PASSWORD).status_code == 429
    # ...but its owner signs in, at once, from the browser they signed in on before.
    assert from_address(owner, "10.0.0.1", "ANN@example.org", PASSWORD).location == "/home"
    owner.post("/sign-out")

    # That browser's own wrong guesses are limited too, separately.
    for _ in range(3):
        assert from_address(owner, "10.0.0.1", "ann@example.org", "wrong!").status_code == 200
    assert from_address(owner, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 429


def test_a_browser_trusted_for_one_account_gets_no_favour_for_another(
    limited_client: FlaskClient,
) -> None:
    make_user()
    make_user("bob@example.org")
    assert from_address(limited_client, "10.0.0.1", "bob@example.org", PASSWORD).status_code == 302
    limited_client.post("/sign-out")
    stranger = limited_client.application.test_client()
    for n in range(3):
        assert from_address(stranger, f"10.9.0.{n}", "ann@example.org", "wrong!").status_code == 200
    assert from_address(limited_client, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 429
    # A made-up cookie is no better than none.
    limited_client.set_cookie("dps_device", "not-a-signed-value")
    assert from_address(limited_client, "10.0.0.1", "ann@example.org", PASSWORD).status_code == 429


def test_resetting_the_password_by_email_lets_a_locked_out_browser_sign_in(
    limited_client: FlaskClient,
) -> None:
    make_user()
    stranger = limited_client.application.test_client()
    for n in range(3):
        assert from_address(stranger, f"10.9.0.{n}", "ann@example.org", "wrong!").status_code == 200
    locked = from_address(limited_client, "10.0.0.1", "ann@example.org", PASSWORD)
    assert locked.status_code == 429
    assert locked.soup.find("a", string="reset your password")

    limited_client.post("/forgotten-password", data={"email": "ann@example.org"})
    link = link_in(emails_to("ann@example.org")[-1], "/reset-password/")
    done = limited_client.post(
        link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert done.location == "/sign-in"
    assert from_address(limited_client, "10.0.0.1", "ann@example.org", NEW_PASSWORD).location == (
        "/home"
    )
    # The stranger, who never had the email, is still refused.
    assert from_address(stranger, "10.9.0.9", "ann@example.org", NEW_PASSWORD).status_code == 429


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_limit_counts_each_visitor_behind_the_trusted_proxies(
    tmp_path: Path, proxies: int
) -> None:
    app = make_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="50 per minute",
        LOGIN_LIMIT_PER_ADDRESS="3 per minute",
        TRUSTED_PROXIES=proxies,
    )

    def attempt(forwarded_for: str) -> int:
        response = app.test_client().post(
            "/sign-in",
            data={"email": "guess@example.org", "password": "wrong!"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # every request comes through the proxy
            headers={"X-Forwarded-For": forwarded_for},
        )
        return response.status_code

    with app.app_context():
        db.create_all()
        # A visitor who writes their own X-Forwarded-For in front cannot escape their limit.
        visitor = ["203.0.113.5", "198.51.100.1, 203.0.113.5", "198.51.100.2, 203.0.113.5"]
        assert [attempt(forwarded) for forwarded in visitor] == [200, 200, 200]
        assert attempt("203.0.113.5") == 429
        another_visitor = attempt("203.0.113.6")
        if proxies:
            assert another_visitor == 200  # behind the proxy, each visitor has their own limit
        else:
            # With no proxy trusted, the header is the visitor's own words and is ignored.
            assert another_visitor == 429
        db.session.remove()


def test_password_reset_requests_are_limited(limited_client: FlaskClient) -> None:
    make_user()
    for _ in range(3):
        response = limited_client.post("/forgotten-password", data={"email": "ann@example.org"})
        assert response.status_code == 302
    assert (
        limited_client.post("/forgotten-password", data={"email": "ann@example.org"}).status_code
        == 429
    )
    assert len(emails_to("ann@example.org")) == 3


# --- administrators' second factor ---------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The clock the code checks read, moved on by the test in 30-second steps."""

    class Clock:
        now = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)

        def advance(self, seconds: int = 30) -> None:
            self.now += timedelta(seconds=seconds)

        def code(self) -> str:
            return totp.code_for(SECRET, self.now)

    clock = Clock()
    monkeypatch.setattr(totp, "utcnow", lambda: clock.now)
    return clock


def test_an_administrator_sets_up_a_code_on_first_sign_in(client: FlaskClient, clock: Any) -> None:
    admin = make_user("admin@example.org", role=Role.ADMINISTRATOR)
    response = sign_in(client, "admin@example.org")
    assert response.location == "/sign-in/set-up-code"
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302  # not in yet

    page = client.get("/sign-in/set-up-code")
    assert page.soup.h1.get_text() == "Set up your authenticator app"
    qr = page.soup.find("img", class_="dps-qr-code")
    assert qr["src"].startswith("data:image/svg+xml")
    secret = db.session.get(User, admin.id).totp_secret
    assert page.soup.find(id="setup-key").get_text() == totp.grouped(secret)

    wrong = client.post("/sign-in/set-up-code", data={"code": "000000"})
    assert "The code is not correct" in error_summary(wrong)
    assert not is_signed_in(client)

    done = client.post("/sign-in/set-up-code", data={"code": totp.code_for(secret, clock.now)})
    assert done.location == "/home"
    assert is_signed_in(client)
    assert db.session.get(User, admin.id).totp_confirmed_at is not None


def test_set_up_cannot_replace_a_confirmed_app(client: FlaskClient, clock: Any) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=SECRET)
    assert sign_in(client, "admin@example.org").location == "/sign-in/code"
    assert client.get("/sign-in/set-up-code").location == "/sign-in/code"


def test_an_administrator_signs_in_with_a_code_that_works_once(
    client: FlaskClient, clock: Any
) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=SECRET)
    assert sign_in(client, "admin@example.org").location == "/sign-in/code"
    page = client.get("/sign-in/code")
    assert page.soup.title.get_text().startswith(
        "Enter the 6-digit code from your authenticator app"
    )

    wrong = client.post(
        "/sign-in/code", data={"code": "123456" if clock.code() != "123456" else "654321"}
    )
    assert wrong.status_code == 200
    assert "The code is not correct" in error_summary(wrong)
    assert "must be 6 digits" in error_summary(client.post("/sign-in/code", data={"code": "12ab"}))

    code = clock.code()
    assert client.post("/sign-in/code", data={"code": code}).location == "/home"
    assert is_signed_in(client)
    client.post("/sign-out")

    # The same code, still inside its 30 seconds, is refused: it has been used.
    clock.advance(10)
    sign_in(client, "admin@example.org")
    replayed = client.post("/sign-in/code", data={"code": code})
    assert "The code is not correct" in error_summary(replayed)
    assert not is_signed_in(client)
    clock.advance(30)
    assert client.post("/sign-in/code", data={"code": clock.code()}).location == "/home"


def test_the_code_pages_need_a_correct_password_first(client: FlaskClient) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=SECRET)
    for path in ["/sign-in/code", "/sign-in/set-up-code"]:
        assert client.get(path).location == "/sign-in"
    sign_in(client, "admin@example.org", "wrong password")
    assert client.post("/sign-in/code", data={"code": totp.code_for(SECRET)}).location == "/sign-in"
    assert not is_signed_in(client)


def test_other_roles_are_never_asked_for_a_code(client: FlaskClient) -> None:
    make_user("ann@example.org")
    make_user("buyer@example.org", role=Role.BUYER)
    for email in ["ann@example.org", "buyer@example.org"]:
        assert sign_in(client, email).location == "/home"
        client.post("/sign-out")


# --- forgotten and changed passwords -------------------------------------------------------------


def test_forgotten_password_says_the_same_for_any_address(client: FlaskClient) -> None:
    make_user()
    pages = [
        client.post("/forgotten-password", data={"email": email}, follow_redirects=True)
        for email in ["ann@example.org", "nobody@example.org"]
    ]
    assert pages[0].request.path == "/forgotten-password/check-email"
    assert [main_text(p).split(" has an account")[1] for p in pages[:1]] == [
        main_text(p).split(" has an account")[1] for p in pages[1:]
    ]
    assert len(emails_to("ann@example.org")) == 1
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_a_reset_link_works_once_and_ends_other_sessions(app: Flask, client: FlaskClient) -> None:
    make_user()
    elsewhere = app.test_client()
    sign_in(elsewhere)
    assert is_signed_in(elsewhere)

    client.post("/forgotten-password", data={"email": "ann@example.org"})
    link = link_in(emails_to("ann@example.org")[-1], "/reset-password/")
    page = client.get(link)
    assert page.soup.h1.get_text() == "Choose a new password"

    too_short = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert "12 characters or more" in error_summary(too_short)

    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.location == "/sign-in"
    assert not is_signed_in(elsewhere)
    assert elsewhere.get("/account").status_code == 302

    used = client.get(link)
    assert used.status_code == 400
    assert "each password reset link works once" in main_text(used)
    assert sign_in(client, password=PASSWORD).status_code == 200
    assert sign_in(client, password=NEW_PASSWORD).location == "/home"


def test_an_expired_reset_link_is_refused(app: Flask, client: FlaskClient) -> None:
    make_user()
    client.post("/forgotten-password", data={"email": "ann@example.org"})
    link = link_in(emails_to("ann@example.org")[-1], "/reset-password/")
    with clock_moved_on(app.config["RESET_TOKEN_MAX_AGE_SECONDS"] + 1):
        page = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert page.status_code == 400
    assert page.soup.h1.get_text() == "The link has expired"
    assert sign_in(client, password=PASSWORD).location == "/home"


def test_changing_password_ends_other_sessions_but_not_this_one(
    app: Flask, client: FlaskClient
) -> None:
    make_user()
    elsewhere = app.test_client()
    sign_in(client)
    sign_in(elsewhere)

    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not it",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert "Your current password is not correct" in error_summary(wrong)
    assert is_signed_in(elsewhere)

    done = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert done.location == "/account"
    assert client.get("/account").status_code == 200
    assert not is_signed_in(elsewhere)
    assert elsewhere.get("/account").status_code == 302


def test_the_account_pages_need_signing_in(client: FlaskClient) -> None:
    for path in ["/account", "/account/password"]:
        assert client.get(path).location.startswith("/sign-in?next=")


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        make_user()
        client = app.test_client()

        refused = client.post("/sign-in", data={"email": "ann@example.org", "password": PASSWORD})
        assert refused.status_code == 400
        assert "could not accept your form" in page_text(refused)
        assert not is_signed_in(client)

        form = client.get("/sign-in")
        token = form.soup.find("input", {"name": "csrf_token"})["value"]
        data = {"email": "ann@example.org", "password": PASSWORD, "csrf_token": token}
        assert client.post("/sign-in", data=data).location == "/home"

        assert client.post("/sign-out").status_code == 400  # no token: still signed in
        assert is_signed_in(client)
        assert client.post("/session/keep-alive").status_code == 400
        home = client.get("/account")
        token = home.soup.find("input", {"name": "csrf_token"})["value"]
        assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).json["signed_in"]
        assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
        assert not is_signed_in(client)
        db.session.remove()


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "१२३४५६", "12345²"])
def test_a_code_in_digits_of_another_script_is_refused_with_the_usual_message(
    client: FlaskClient, clock: Any, typed: str
) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=SECRET)
    assert sign_in(client, "admin@example.org").location == "/sign-in/code"
    response = client.post("/sign-in/code", data={"code": typed})
    assert response.status_code == 200
    assert "The code must be 6 digits, like 123456" in error_summary(response)
    assert not is_signed_in(client)


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "１２３４５６"])
def test_a_code_in_another_script_is_refused_when_setting_up_the_app(
    client: FlaskClient, clock: Any, typed: str
) -> None:
    make_user("admin@example.org", role=Role.ADMINISTRATOR)
    assert sign_in(client, "admin@example.org").location == "/sign-in/set-up-code"
    client.get("/sign-in/set-up-code")
    response = client.post("/sign-in/set-up-code", data={"code": typed})
    assert response.status_code == 200
    assert "The code must be 6 digits, like 123456" in error_summary(response)
    assert not is_signed_in(client)
