"""Every form, as every role, on PostgreSQL: hostile values are refused or ignored, never a
server error (issue 11, item 16).

The walk takes every rule of the URL map that accepts POST and fills its path with real ids.
It first reads, as each person, every page the URL map has (with the same ids), and notes the
field names of each form by the address it posts to; then each hostile value below is posted in
every field of that form at once, as each person and as a visitor who is not signed in. Any 500
fails the test, naming the address, the person and the value, with the exception behind it.

It runs on the demo data (every route) and on the evaluation worlds (a call-off's routes while
its panel scores, and once it is awarded), as those are the states the demo does not reach.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
from dps.models.awards import OutcomeLetter, ReasonsRequest
from dps.rules.enums import OrganisationKind
from tests.conftest import HTMLClient
from tests.fixtures.award_world import awarded, declared, evaluated, letters_sent
from tests.fixtures.calloffs_world import make_calloff_world
from tests.fixtures.evaluation_world import EvaluationWorld, opened

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
DEMO_PEOPLE = {
    "administrator": "oldham.admin@example.org",
    "lead buyer": "tameside.buyer@example.org",
    "panel member": "tameside.evaluator@example.org",
    "associate buyer": "burntwood.buyer@example.org",
    "viewer": "affiliate.officer@example.org",
    "supplier owner": "coop-futures@example.org",
}
# Posted last: what could end the state the other forms need (a cancelled call-off).
ENDINGS = ("cancel", "withdraw", "decline", "no-award", "remove", "sign-out")
BUDGET_SECONDS = 120

People = dict[str, str | None]  # who -> Flask-Login id (None: not signed in)


@dataclass
class Walk:
    faults: list[str] = field(default_factory=list)
    forms: int = 0
    posts: int = 0
    seconds: float = 0.0


@pytest.fixture
def fuzz_app(pg_app: Flask) -> Iterator[Flask]:
    # As in production: a fault is answered with the 500 page, so the walk sees every one.
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    pg_app.test_client_class = HTMLClient
    yield pg_app
    db.session.rollback()


def test_no_hostile_value_in_any_form_of_the_demo_is_a_server_error(fuzz_app: Flask) -> None:
    load_demo_data()
    db.session.commit()
    people: People = {"anonymous": None}
    for who, email in DEMO_PEOPLE.items():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user is not None, email
        people[who] = user.get_id()
    call_offs = db.session.scalars(db.select(CallOff.id).order_by(CallOff.id)).all()
    walk = walk_forms(fuzz_app, [_demo_arguments(c) for c in call_offs or [1]], people)
    assert walk.faults == [], "\n".join(walk.faults)
    assert walk.forms >= 20, "the walk found too few forms to be worth its time"
    assert walk.seconds < BUDGET_SECONDS


@pytest.mark.parametrize(
    "stage",
    [
        pytest.param(opened, id="declaring"),
        pytest.param(lambda cw: declared(opened(cw)), id="scoring"),
        pytest.param(evaluated, id="evaluated"),
        pytest.param(lambda cw: _with_letters(awarded(cw)), id="awarded"),
    ],
)
def test_no_hostile_value_in_a_call_offs_evaluation_forms_is_a_server_error(
    fuzz_app: Flask, stage: Callable[[Any], EvaluationWorld]
) -> None:
    ew = stage(make_calloff_world())
    people: People = {
        "anonymous": None,
        "lead": ew.lead.get_id(),
        "panel member": ew.member.get_id(),
        "buyer not on the panel": ew.non_panel_buyer.get_id(),
        "viewer": ew.viewer.get_id(),
        "tenderer": ew.tw.people[0].get_id(),
    }
    arguments = _demo_arguments(ew.call_off.id) | {
        "tender_id": ew.tenders[0].id,
        "request_id": _first(ReasonsRequest, ReasonsRequest.call_off_id == ew.call_off.id),
    }
    walk = walk_forms(fuzz_app, [arguments], people, only="call_off_id")
    assert walk.faults == [], "\n".join(walk.faults)
    assert walk.forms >= 1
    assert walk.seconds < BUDGET_SECONDS


def _with_letters(ew: EvaluationWorld) -> EvaluationWorld:
    letters_sent(ew)
    db.session.commit()
    return ew


# --- the walk ----------------------------------------------------------------------------------


def walk_forms(
    app: Flask, argument_sets: list[dict[str, Any]], people: People, only: str | None = None
) -> Walk:
    """Read every page as each person, then post each hostile value to every form."""
    walk = Walk()
    started = time.monotonic()
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and (only is None or only in rule.arguments)
    ]
    forms: dict[str, set[str]] = {}
    for url in _urls(app, [r for r in rules if "GET" in (r.methods or set())], argument_sets):
        for login_id in people.values():
            response = _client(app, login_id).get(url)
            db.session.rollback()
            if response.status_code == 200 and response.mimetype == "text/html":
                for action, names in _forms(response.get_data(as_text=True), url):
                    forms.setdefault(action, set()).update(names)
    posted = _urls(app, [r for r in rules if "POST" in (r.methods or set())], argument_sets)
    posted.sort(key=lambda url: (url.rsplit("/", 1)[-1] in ENDINGS, url))
    walk.forms = sum(1 for url in posted if forms.get(url))

    last_error: list[str] = []

    def note(sender: Any, exception: BaseException, **extra: Any) -> None:
        last_error[:] = traceback.format_exception(exception)[-3:]

    got_request_exception.connect(note, app)
    try:
        for url in posted:
            names = forms.get(url) or set()
            values = HOSTILE if names else {"nothing": ""}
            for who, login_id in people.items():
                for label, value in values.items():
                    last_error.clear()
                    response = _client(app, login_id).post(url, data=dict.fromkeys(names, value))
                    db.session.rollback()
                    walk.posts += 1
                    if response.status_code >= 500:
                        walk.faults.append(
                            f"POST {url} as {who} with {label} in {sorted(names)}: "
                            f"{response.status_code} {''.join(last_error).strip()}"
                        )
    finally:
        got_request_exception.disconnect(note, app)
    walk.seconds = time.monotonic() - started
    print(f"{walk.posts} posts to {len(posted)} addresses, {walk.forms} forms, {walk.seconds:.0f}s")
    return walk


def _urls(app: Flask, rules: list[Rule], argument_sets: list[dict[str, Any]]) -> list[str]:
    urls = set()
    for rule in rules:
        missing = sorted(set(rule.arguments) - set(argument_sets[0]))
        assert not missing, f"{rule.rule}: add a value for {', '.join(missing)}"
        for arguments in argument_sets:
            with app.test_request_context():
                urls.add(url_for(rule.endpoint, **{n: arguments[n] for n in rule.arguments}))
    return sorted(urls)


def _forms(html: str, page: str) -> Iterator[tuple[str, set[str]]]:
    """Each form of the page that posts: the address it posts to, and its fields' names."""
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        if str(form.get("method", "get")).lower() != "post":
            continue
        action = urlsplit(str(form.get("action") or page)).path or page
        names = {
            str(f["name"])
            for f in form.find_all(["input", "textarea", "select", "button"])
            if f.get("name") and f.get("name") != "csrf_token"
        }
        yield action, names


def _client(app: Flask, login_id: str | None) -> FlaskClient:
    client = app.test_client()
    if login_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
            session["signed_in_at"] = time.time()
    return client


def _first(model: Any, *where: Any) -> int:
    found = db.session.scalar(db.select(db.func.min(model.id)).where(*where))
    return int(found) if found is not None else 1


def _demo_arguments(call_off_id: int) -> dict[str, Any]:
    """A real value for each argument of the URL map, around one call-off."""
    supplier = db.session.scalar(
        db.select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.SUPPLIER)
        .order_by(Organisation.id)
    )
    colleague = db.session.scalar(
        db.select(User.id).where(User.email == DEMO_PEOPLE["panel member"])
    )
    return {
        "action": "suspend",
        "admission_id": _first(Admission),
        "application_id": _first(Application),
        "call_off_id": call_off_id,
        "check": "completeness",
        "document_id": _first(Document),
        "invitation_id": _first(Invitation),
        "kind": "scores",
        "letter_id": _first(OutcomeLetter, OutcomeLetter.call_off_id == call_off_id),
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
        "user_id": colleague or _first(User),
        "filename": "js/app.mjs",
    }
