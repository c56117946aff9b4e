"""Every form, as every role, on PostgreSQL: hostile values are refused or ignored, never a
server error (issue 11, item 16).

The walk takes every rule of the URL map that accepts POST, fills its path with ids from the
demo data, and reads the form's field names from its page (or, for a POST-only action, from the
page one level up whose form posts to it). Each hostile value below is then posted in every
field at once, as each demo person and as a visitor who is not signed in. Any 500 fails the test,
naming the route, the person and the value, with the exception that caused it.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask, got_request_exception, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from dps.demo import load_demo_data
from dps.extensions import db
from dps.models import (
    Admission,
    Application,
    CallOff,
    CallOffClarification,
    ClarificationRequest,
    DeclarationRenewal,
    Document,
    Invitation,
    Lot,
    Organisation,
    OutboxMessage,
    Tender,
    User,
)
from tests.conftest import HTMLClient

pytestmark = pytest.mark.postgres

HOSTILE = {
    "long": "x" * 100_000,
    "empty": "",
    "nul": "a\x00b",
    "control": "a\x01\x07\x1b[31mb",
    "right-to-left": "\u202egnp.exe",
    "full-width digits": "１２３４",
    "huge": "9" * 30,
    "negative": "-5",
    "superscript two": "²",
}
# The demo's people, one of each kind, and a visitor who is not signed in.
PEOPLE = {
    "anonymous": None,
    "administrator": "oldham.admin@example.org",
    "lead buyer": "tameside.buyer@example.org",
    "panel member": "tameside.evaluator@example.org",
    "associate buyer": "burntwood.buyer@example.org",
    "viewer": "affiliate.officer@example.org",
    "supplier owner": "coop-futures@example.org",
}
BUDGET_SECONDS = 120


def _first(model: Any, *where: Any) -> int:
    found = db.session.scalar(db.select(db.func.min(model.id)).where(*where))
    return int(found) if found is not None else 1


def _argument_sets() -> list[dict[str, Any]]:
    """Real values for the URL map's arguments from the demo data: one set per demo call-off
    (each in its own state: draft, open, closed, being evaluated), so that the call-off's
    forms are tried in every state the demo has."""
    call_offs = db.session.scalars(db.select(CallOff.id).order_by(CallOff.id)).all() or [1]
    return [_arguments(call_off_id) for call_off_id in call_offs]


def _arguments(call_off_id: int) -> dict[str, Any]:
    supplier = db.session.scalar(
        db.select(Organisation.id).where(Organisation.name == "Co-operative Futures Ltd")
    )
    evaluator = db.session.scalar(db.select(User.id).where(User.email == PEOPLE["panel member"]))
    return {
        "action": "suspend",
        "admission_id": _first(Admission),
        "application_id": _first(Application),
        "call_off_id": call_off_id,
        "check": "completeness",
        "document_id": _first(Document),
        "invitation_id": _first(Invitation),
        "lot_id": _first(Lot),
        "message_id": _first(OutboxMessage),
        "organisation_id": supplier or 1,
        "question_id": _first(
            CallOffClarification, CallOffClarification.call_off_id == call_off_id
        ),
        "renewal_id": _first(DeclarationRenewal),
        "request_id": _first(ClarificationRequest),
        "section_id": "bidding",
        "tender_id": _first(Tender, Tender.call_off_id == call_off_id),
        "token": "not-a-real-token",
        "user_id": evaluator or 1,
    }


def _url(app: Flask, rule: Rule, arguments: dict[str, Any]) -> str:
    missing = sorted(set(rule.arguments) - set(arguments))
    assert not missing, f"{rule.rule}: add a demo value for {', '.join(missing)}"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: arguments[name] for name in rule.arguments})


def _fields(html: str, path: str) -> set[str]:
    """The names of the fields of the page's forms that post to ``path``."""
    names: set[str] = set()
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        if str(form.get("method", "get")).lower() != "post":
            continue
        action = urlsplit(str(form.get("action") or path)).path or path
        if action != path:
            continue
        for field in form.find_all(["input", "textarea", "select", "button"]):
            if field.get("name") and field.get("name") != "csrf_token":
                names.add(str(field["name"]))
    return names


def _client(app: Flask, person: str) -> FlaskClient:
    client = app.test_client()
    email = PEOPLE[person]
    if email is not None:
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user is not None, email
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["signed_in_at"] = time.time()
    return client


@pytest.fixture
def fuzz_app(pg_app: Flask) -> Iterator[Flask]:
    # As in production: a fault is answered with the 500 page, so the walk sees every one.
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    pg_app.test_client_class = HTMLClient
    load_demo_data()
    db.session.commit()
    yield pg_app
    db.session.rollback()


def test_no_hostile_value_in_any_form_is_a_server_error(fuzz_app: Flask) -> None:
    app = fuzz_app
    argument_sets = _argument_sets()
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())),
        key=lambda r: r.rule,
    )
    # Each route once; a call-off's routes once for each demo call-off.
    urls = sorted(
        {
            _url(app, rule, arguments)
            for rule in rules
            for arguments in (
                argument_sets if "call_off_id" in rule.arguments else argument_sets[:1]
            )
        }
    )
    by_url = {_url(app, rule, arguments): rule for rule in rules for arguments in argument_sets}
    assert len(rules) >= 60
    faults: list[str] = []
    last_error: list[str] = []

    def note(sender: Any, exception: BaseException, **extra: Any) -> None:
        last_error[:] = traceback.format_exception(exception)[-3:]

    got_request_exception.connect(note, app)
    started = time.monotonic()
    posts = 0
    with_fields = 0
    try:
        for url in urls:
            rule = by_url[url]
            for person in PEOPLE:
                names = _form_fields(app, rule, url, person)
                with_fields += bool(names)
                values = HOSTILE if names else {"empty": ""}
                for label, value in values.items():
                    data = dict.fromkeys(names or {"confirm"}, value)
                    last_error.clear()
                    response = _client(app, person).post(url, data=data)
                    posts += 1
                    db.session.rollback()
                    if response.status_code >= 500:
                        faults.append(
                            f"POST {url} as {person} with {label} in {sorted(names)}: "
                            f"{response.status_code} {''.join(last_error).strip()}"
                        )
    finally:
        got_request_exception.disconnect(note, app)
    elapsed = time.monotonic() - started
    assert faults == [], "\n".join(faults)
    assert with_fields >= 40, "the walk found too few forms to be worth its time"
    print(f"{posts} posts to {len(urls)} addresses ({len(rules)} routes) in {elapsed:.0f}s")
    assert elapsed < BUDGET_SECONDS


def _form_fields(app: Flask, rule: Rule, url: str, person: str) -> set[str]:
    """The form's field names as ``person`` sees them: on the page itself when it has a GET,
    else on the page one level up (where a POST-only action's button sits)."""
    pages: list[str] = []
    if "GET" in (rule.methods or set()):
        pages.append(url)
    parent = url.rstrip("/").rsplit("/", 1)[0] or "/"
    pages.append(parent)
    names: set[str] = set()
    for page in pages:
        response = _client(app, person).get(page)
        db.session.rollback()
        if response.status_code == 200 and response.mimetype == "text/html":
            names |= _fields(response.get_data(as_text=True), url)
        if names:
            break
    return names
