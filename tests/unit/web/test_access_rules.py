"""Access rules: every route declares who may use it, and every role gets what the table says.

``tests/access_matrix.csv`` is the committed table of areas × people. Each person here is a real
user of a real organisation, signed in through the session as the sign-in pages do; every route
of the URL map is requested as each of them and the answer is held to the table.

Requests run outside any application context, so each one loads its user and organisation
afresh from the database, as in production.

For the later issues: ``assert_hidden_from_other_organisations`` checks the 404 rule for an
organisation's object, and ``ROUTE_ARGUMENTS`` is where a new URL argument gets a real value.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from dps.extensions import db
from dps.models import DPS, Invitation, Lot, Membership, Organisation, OutboxMessage, User
from dps.models.base import utcnow
from dps.rules.enums import MembershipType, OrganisationKind, OutboxKind, Role
from dps.services.accounts import invitations
from dps.web.access import Area, allow, area_of, get_scoped_or_404
from tests.conftest import HTMLClient, make_app

MATRIX_FILE = Path(__file__).resolve().parents[2] / "access_matrix.csv"
PERSONAS = (
    "anonymous",
    "supplier_owner",
    "supplier_user",
    "buyer",
    "buyer_of_affiliate",
    "buyer_of_non_authority",
    "viewer",
    "administrator",
)
OUTCOMES = {"allow", "sign_in", "403"}
PROBE_PREFIX = "/test-only/area/"


def load_matrix() -> dict[Area, dict[str, str]]:
    with MATRIX_FILE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {Area(row.pop("area")): row for row in rows}


# --- the world: one real user per persona --------------------------------------------------


@dataclass(frozen=True)
class World:
    """Ids of what the tests need; objects are loaded afresh in each request."""

    login_ids: dict[str, str]  # persona -> the id Flask-Login keeps in the session
    user_ids: dict[str, int]
    organisation_ids: dict[str, int]
    invitation_id: int
    invitation_token: str
    other_invitation_id: int
    message_id: int


def _organisation(
    name: str, kind: OrganisationKind, membership_type: MembershipType | None = None
) -> Organisation:
    organisation = Organisation(name=name, kind=kind, membership_type=membership_type)
    db.session.add(organisation)
    return organisation


def _person(email: str, organisation: Organisation, role: Role) -> User:
    # Nobody signs in with a password here, so no (slow) real hash is needed.
    user = User(email=email, name=email.split("@")[0], password_hash="unused")
    db.session.add_all([user, Membership(user=user, organisation=organisation, role=role)])
    return user


def build_world() -> World:
    oldham = _organisation("Oldham Council", OrganisationKind.MEMBER, MembershipType.FULL)
    tameside = _organisation("Tameside Council", OrganisationKind.MEMBER, MembershipType.FULL)
    affiliate = _organisation(
        "Co-operative Party Councillors", OrganisationKind.MEMBER, MembershipType.AFFILIATE
    )
    # A Full member that is not a contracting authority (a political group): it may not buy.
    group = _organisation("Opposition Group, Anytown", OrganisationKind.MEMBER, MembershipType.FULL)
    group.is_contracting_authority = False
    supplier = _organisation("Co-operative Futures Ltd", OrganisationKind.SUPPLIER)
    rival = _organisation("Capacity Works CIC", OrganisationKind.SUPPLIER)
    dps = DPS(
        reference="CCIN-DPS",
        title="CCIN Dynamic Purchasing System",
        description="Innovation in co-operative public services",
        owner=oldham,
        period_start=date(2020, 4, 1),
        period_end=date(2029, 2, 23),
    )
    db.session.add_all(
        [
            dps,
            Lot(dps=dps, number=1, title="Policy Development & Testing", description="Lot 1"),
            Lot(dps=dps, number=2, title="Capacity Building", description="Lot 2"),
        ]
    )
    users = {
        "supplier_owner": _person("owner@coop-futures.example.org", supplier, Role.SUPPLIER_OWNER),
        "supplier_user": _person("user@coop-futures.example.org", supplier, Role.SUPPLIER_USER),
        "buyer": _person("buyer@tameside.example.org", tameside, Role.BUYER),
        "buyer_of_affiliate": _person("buyer@affiliate.example.org", affiliate, Role.BUYER),
        "buyer_of_non_authority": _person("buyer@group.example.org", group, Role.BUYER),
        "viewer": _person("viewer@tameside.example.org", tameside, Role.VIEWER),
        "administrator": _person("admin@oldham.example.org", oldham, Role.ADMINISTRATOR),
        "rival_owner": _person("owner@capacity-works.example.org", rival, Role.SUPPLIER_OWNER),
    }
    expires = utcnow() + timedelta(days=7)
    invitation = Invitation(
        organisation=tameside, email="new.buyer@tameside.example.org", role=Role.BUYER,
        expires_at=expires,
    )  # fmt: skip
    other_invitation = Invitation(
        organisation=supplier, email="new.user@coop-futures.example.org",
        role=Role.SUPPLIER_USER, expires_at=expires,
    )  # fmt: skip
    message = OutboxMessage(
        kind=OutboxKind.EMAIL,
        payload={"to": "buyer@tameside.example.org", "subject": "Welcome", "body": "Hello"},
    )
    db.session.add_all([invitation, other_invitation, message])
    db.session.commit()
    organisations = {
        "oldham": oldham,
        "tameside": tameside,
        "affiliate": affiliate,
        "group": group,
        "supplier": supplier,
        "rival": rival,
    }
    return World(
        login_ids={persona: user.get_id() for persona, user in users.items()},
        user_ids={persona: user.id for persona, user in users.items()},
        organisation_ids={key: org.id for key, org in organisations.items()},
        invitation_id=invitation.id,
        invitation_token=invitations.token_for(invitation),
        other_invitation_id=other_invitation.id,
        message_id=message.id,
    )


def _probe(area: Area) -> Callable[[], str]:
    @allow(area)
    def probe() -> str:
        return f"ok: {area}"

    return probe


@allow(Area.SIGNED_IN)
def _scoped_invitation(invitation_id: int) -> str:
    invitation = get_scoped_or_404(Invitation, invitation_id)
    return f"invitation for {invitation.email}"


@pytest.fixture
def access_app(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    app = make_app(tmp_path)
    # One probe route per area, so every row of the table is tried even before the later
    # issues add real pages to it (no real page is in the buyer or supplier-owner area yet).
    for area in Area:
        app.add_url_rule(f"{PROBE_PREFIX}{area}", f"probe_{area}", _probe(area))
    app.add_url_rule(
        "/test-only/invitations/<int:invitation_id>",
        "probe_scoped_invitation",
        _scoped_invitation,
    )
    app.test_client_class = HTMLClient
    with app.app_context():
        db.create_all()
        world = build_world()
        db.session.remove()
    yield app, world


def client_for(app: Flask, world: World, persona: str) -> FlaskClient:
    """A browser of its own for ``persona``, signed in as the sign-in pages leave it.

    Flask-Login keeps ``_user_id`` (``User.get_id()``: "id:session version") in the session; an
    administrator only gets there after the second factor, so nothing more is needed.
    """
    client = app.test_client()
    if persona != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.login_ids[persona]
            session["_fresh"] = True
            session["signed_in_at"] = time.time()
    return client


def outcome_of(response: Any) -> str:
    """What the access rule did: refused, sent to sign in, or let the request through."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code == 403:
        return "403"
    if response.status_code in {301, 302, 303, 307, 308}:
        location = urlsplit(response.headers["Location"])
        # The access rule's redirect carries where the visitor was going.
        if location.path == "/sign-in" and parse_qs(location.query).get("next"):
            return "sign_in"
    return "allow"


# --- every route declares its rule --------------------------------------------------------


def undeclared_endpoints(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if area_of(app.view_functions[rule.endpoint]) is None
    )


def test_every_route_declares_who_may_use_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert undeclared_endpoints(app) == [], (
        "Decorate each of these views with @allow(Area.X) from dps.web.access"
    )


def test_the_walk_notices_a_route_without_a_declaration(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.add_url_rule("/test-only/undeclared", "undeclared", lambda: "secret")
    assert undeclared_endpoints(app) == ["undeclared"]


def test_a_route_without_a_declaration_is_refused_at_run_time(
    access_app: tuple[Flask, World],
) -> None:
    app, world = access_app
    app.add_url_rule("/test-only/undeclared", "undeclared", lambda: "secret")
    for persona in ("anonymous", "administrator", "supplier_owner"):
        response = client_for(app, world, persona).get("/test-only/undeclared")
        assert response.status_code == 403, persona
        assert "secret" not in response.get_data(as_text=True)


# --- the table ----------------------------------------------------------------------------


def test_the_table_covers_every_area_and_person() -> None:
    with MATRIX_FILE.open(newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == ("area", *PERSONAS)
    matrix = load_matrix()
    assert set(matrix) == set(Area), "add a row to tests/access_matrix.csv for each new Area"
    for area, row in matrix.items():
        assert set(row.values()) <= OUTCOMES, area
        assert row["anonymous"] == ("allow" if area == Area.PUBLIC else "sign_in")
        assert row["administrator"] in {"allow", "403"}


# Real values for URL arguments, so routes that take one are tried too: by argument name, or
# "endpoint.argument" where one endpoint needs its own. A new argument name fails the test
# below until it is added here.
ROUTE_ARGUMENTS: dict[str, Callable[[World], Any]] = {
    "organisation_id": lambda world: world.organisation_ids["tameside"],
    "invitation_id": lambda world: world.invitation_id,
    "message_id": lambda world: world.message_id,
    # A colleague in the supplier's team (the owner's pages to remove or promote them).
    "user_id": lambda world: world.user_ids["supplier_user"],
    "auth.accept_invitation.token": lambda world: world.invitation_token,
    # Signed links for one person's account (confirm, reset) are public pages: any token will
    # do to see the rule let the request through.
    "token": lambda world: "not-a-real-token",
    "filename": lambda world: "js/app.mjs",
    # An application and one of its questionnaire sections: none exists in this world, so a
    # supplier is answered "not found", past the rule (tests/unit/web/test_application_pages.py
    # holds the 404 for a rival's application).
    "application_id": lambda world: 1,
    "section_id": lambda world: "bidding",
    # A document: none exists in this world, so the supplier's answer is "not found", which is
    # past the rule (tests/unit/web/test_documents_pages.py holds the 404 for a rival's document).
    "document_id": lambda world: 1,
    # Reviewing: a lot (this world has Lot 1), an admission (none here: "not found", past the
    # rule), a check by name and a change to an admission.
    "lot_id": lambda world: 1,
    "admission_id": lambda world: 1,
    "check": lambda world: "completeness",
    "action": lambda world: "suspend",
    # A clarification request and a renewal: none exists in this world, so the answer is "not
    # found", past the rule (tests/unit/services/qualification/test_clarifications.py and
    # tests/unit/services/pool/test_renewals.py hold the 404s for a rival's).
    "request_id": lambda world: 1,
    "renewal_id": lambda world: 1,
    # A call-off: none exists in this world, so a buyer or viewer is answered "not found", past
    # the rule (tests/unit/web/test_calloff_pages.py holds the 404 for another organisation's).
    "call_off_id": lambda world: 1,
    # A supplier's question about a call-off, and a tender: none here either ("not found", past
    # the rule; tests/unit/web/test_calloff_after_pages.py holds the 404s and the sealing).
    "question_id": lambda world: 1,
    "tender_id": lambda world: 1,
    # One of a call-off's CSV files (tests/unit/web/test_record_pages.py holds the 404 for
    # another organisation's call-off and for a kind that does not exist).
    "kind": lambda world: "scores",
    # An outcome letter: none here either ("not found", past the rule;
    # tests/unit/web/test_letters_pages.py holds the 404s for another's letter and request).
    "letter_id": lambda world: 1,
}


def _argument(endpoint: str, name: str) -> Callable[[World], Any] | None:
    return ROUTE_ARGUMENTS.get(f"{endpoint}.{name}") or ROUTE_ARGUMENTS.get(name)


def _url(app: Flask, rule: Rule, world: World) -> str:
    makers = {name: _argument(rule.endpoint, name) for name in rule.arguments}
    missing = sorted(name for name, make in makers.items() if make is None)
    assert not missing, (
        f"{rule.rule}: add a real value for {', '.join(missing)} to ROUTE_ARGUMENTS in "
        "tests/unit/web/test_access_rules.py"
    )
    values = {name: make(world) for name, make in makers.items() if make is not None}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _routes(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_person_as_the_table_says(
    access_app: tuple[Flask, World], persona: str
) -> None:
    app, world = access_app
    matrix = load_matrix()
    mismatches = []
    tried = 0
    for rule in _routes(app):
        area = area_of(app.view_functions[rule.endpoint])
        assert area is not None, rule.endpoint
        expected = matrix[area][persona]
        url = _url(app, rule, world)
        if "GET" in (rule.methods or set()):
            method = "GET"
        elif expected == "allow":
            # A form's POST would act (send, cancel, sign out): the rule is checked on its GET,
            # and POST-only actions are checked where the rule must refuse them.
            continue
        else:
            method = "POST"
        response = client_for(app, world, persona).open(url, method=method)
        tried += 1
        got = outcome_of(response)
        if got != expected:
            mismatches.append(f"{method} {url} ({area}): expected {expected}, got {got}")
    assert tried >= len(Area)
    assert mismatches == [], "\n".join(mismatches)


def test_a_buyer_whose_organisation_becomes_affiliate_is_a_viewer_at_once(
    access_app: tuple[Flask, World],
) -> None:
    app, world = access_app
    buyer = client_for(app, world, "buyer")
    admin = client_for(app, world, "administrator")
    tameside = world.organisation_ids["tameside"]
    areas = (Area.BUYER, Area.MEMBER)

    def outcomes() -> tuple[str, ...]:
        return tuple(outcome_of(buyer.get(f"{PROBE_PREFIX}{area}")) for area in areas)

    assert outcomes() == ("allow", "allow")

    changed = admin.post(
        f"/admin/organisations/{tameside}/membership-type", data={"membership_type": "affiliate"}
    )
    assert changed.status_code == 302
    # The buyer's very next request, in the same session with no new sign-in: a viewer now.
    assert outcomes() == ("403", "allow")
    assert buyer.get("/buyer/").status_code == 200

    admin.post(
        f"/admin/organisations/{tameside}/membership-type", data={"membership_type": "associate"}
    )
    assert outcomes() == ("allow", "allow")


@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        (
            "buyer_of_affiliate",
            "Co-operative Party Councillors is an Affiliate member, so its people cannot run "
            "call-offs.",
        ),
        (
            "buyer_of_non_authority",
            "Opposition Group, Anytown is not a contracting authority, so its people cannot run "
            "call-offs.",
        ),
        ("viewer", "You were invited as a viewer, so you can read about call-offs"),
    ],
)
def test_a_member_refused_a_buyer_page_is_told_why_and_who_to_ask(
    access_app: tuple[Flask, World], persona: str, reason: str
) -> None:
    app, world = access_app
    client = client_for(app, world, persona)
    for url in (
        f"{PROBE_PREFIX}{Area.BUYER}",
        "/buyer/lots/1/suppliers",
        "/buyer/lots/1/suppliers.csv",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        said = " ".join(response.soup.select_one("#refusal-reason").get_text().split())
        assert said.startswith(reason), said
        assert "Oldham Council procurement" in said
    # Their home says the same, plainly, and offers no pool.
    home = client.get("/buyer/")
    assert home.status_code == 200
    assert " ".join(home.soup.select_one("#why-not-buying").get_text().split()).startswith(reason)
    assert not home.soup.select('a[href^="/buyer/lots/"]')


def test_a_refusal_outside_the_buyer_area_gives_no_buying_reason(
    access_app: tuple[Flask, World],
) -> None:
    app, world = access_app
    for persona, url in (("supplier_owner", "/buyer/lots/1/suppliers"), ("buyer", "/admin/")):
        response = client_for(app, world, persona).get(url)
        assert response.status_code == 403
        assert response.soup.select_one("#refusal-reason") is None
        assert "This page is for people with a different role" in response.get_data(as_text=True)


def test_a_buyer_whose_organisation_is_no_contracting_authority_is_a_viewer_at_once(
    access_app: tuple[Flask, World],
) -> None:
    app, world = access_app
    buyer = client_for(app, world, "buyer")
    admin = client_for(app, world, "administrator")
    tameside = world.organisation_ids["tameside"]
    url = f"/admin/organisations/{tameside}/contracting-authority"
    assert buyer.get("/buyer/lots/1/suppliers").status_code == 200

    changed = admin.post(url, data={"is_contracting_authority": "no", "reason": "A party group"})
    assert changed.status_code == 302
    refused = buyer.get("/buyer/lots/1/suppliers")
    assert refused.status_code == 403
    assert "Tameside Council is not a contracting authority" in refused.get_data(as_text=True)

    admin.post(url, data={"is_contracting_authority": "yes", "reason": "Recorded wrongly"})
    assert buyer.get("/buyer/lots/1/suppliers").status_code == 200


# --- the 404 rule -------------------------------------------------------------------------


def assert_hidden_from_other_organisations(
    app: Flask,
    world: World,
    url: str,
    *,
    owner: str,
    others: Iterable[str],
) -> None:
    """``url`` shows an organisation's object: its ``owner`` persona sees it, and people of
    every other organisation get 404 (not 403, which would say the object exists).

    Later issues call this for applications, tenders and call-offs, with the personas of
    ``build_world`` (add personas there as needed).
    """
    assert client_for(app, world, owner).get(url).status_code == 200, f"{owner} {url}"
    for persona in others:
        response = client_for(app, world, persona).get(url)
        assert response.status_code == 404, f"{persona} {url}: {response.status_code}"
        assert "Page not found" in response.get_data(as_text=True)


def test_another_organisations_object_is_not_found(access_app: tuple[Flask, World]) -> None:
    app, world = access_app
    tameside_invitation = f"/test-only/invitations/{world.invitation_id}"
    supplier_invitation = f"/test-only/invitations/{world.other_invitation_id}"

    assert_hidden_from_other_organisations(
        app,
        world,
        tameside_invitation,
        owner="buyer",
        others=("supplier_owner", "rival_owner", "buyer_of_affiliate", "administrator"),
    )
    assert_hidden_from_other_organisations(
        app,
        world,
        supplier_invitation,
        owner="supplier_user",
        others=("rival_owner", "buyer", "viewer"),
    )
    # Unknown is answered exactly like someone else's.
    assert client_for(app, world, "buyer").get("/test-only/invitations/424242").status_code == 404


def test_an_unknown_organisation_is_not_found_in_administration(
    access_app: tuple[Flask, World],
) -> None:
    app, world = access_app
    admin = client_for(app, world, "administrator")
    assert (
        admin.get(f"/admin/organisations/{world.organisation_ids['tameside']}").status_code == 200
    )
    response = admin.get("/admin/organisations/424242")
    assert response.status_code == 404
    assert response.soup.h1.get_text(strip=True) == "Page not found"
    # A supplier is not a member organisation: the administrators' member pages do not show it.
    supplier = world.organisation_ids["supplier"]
    assert admin.get(f"/admin/organisations/{supplier}").status_code == 404
