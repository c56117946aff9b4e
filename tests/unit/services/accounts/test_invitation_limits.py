"""Invitations by a supplier's owner are limited per owner and per organisation."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Invitation
from dps.outside import rate_limit
from dps.rules.enums import Role
from dps.services.accounts import invitation_limits, team
from tests.fixtures.helpers import add_person, make_supplier
from tests.unit.services.accounts.test_team import browser


@pytest.fixture
def limits_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    # Counters start empty (the process keeps them between tests otherwise).
    monkeypatch.setattr(rate_limit, "_limiters", {})
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        REDIS_URL="",
        INVITATION_LIMIT_PER_OWNER="3 per hour",
        INVITATION_LIMIT_PER_ORGANISATION="5 per 24 hours",
    )
    return app


def invitations_sent() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Invitation)) or 0


def test_an_owner_sending_many_invitations_is_stopped_and_told_when_to_try_again(
    limits_on: Flask,
) -> None:
    supplier = make_supplier("Co-operative Futures Ltd")
    owner = add_person(supplier, "owner@coop.example.org", Role.SUPPLIER_OWNER)
    page = browser(limits_on, owner)

    for number in range(3):
        sent = page.post("/supplier/team/invite", data={"email": f"p{number}@example.org"})
        assert sent.status_code == 302
    refused = page.post("/supplier/team/invite", data={"email": "p3@example.org"})

    assert refused.status_code == 200
    summary = refused.soup.select_one(".govuk-error-summary")
    assert summary is not None
    assert "You have sent as many invitations as you can for now. Try again in 60 minutes" in (
        summary.get_text()
    )
    assert summary.find("a")["href"] == "#email"
    assert invitations_sent() == 3


def test_an_organisation_is_limited_whoever_its_owner_is(limits_on: Flask) -> None:
    supplier = make_supplier("Co-operative Futures Ltd")
    first = add_person(supplier, "first@coop.example.org", Role.SUPPLIER_OWNER)
    second = add_person(supplier, "second@coop.example.org", Role.SUPPLIER_USER)
    for number in range(3):
        team.invite_colleague(supplier.id, f"a{number}@example.org", actor=first)
    team.hand_over_ownership(supplier.id, second.id, actor=first)
    for number in range(2):
        team.invite_colleague(supplier.id, f"b{number}@example.org", actor=second)

    with pytest.raises(team.TeamRefused, match="Try again in 24 hours") as refused:
        team.invite_colleague(supplier.id, "b2@example.org", actor=second)
    assert refused.value.field == "email"
    assert invitations_sent() == 5
    # Another supplier is counted apart.
    other = make_supplier("Capacity Works CIC")
    other_owner = add_person(other, "owner@capacity.example.org", Role.SUPPLIER_OWNER)
    team.invite_colleague(other.id, "c@example.org", actor=other_owner)


def test_a_mistyped_address_takes_no_slot(limits_on: Flask) -> None:
    supplier = make_supplier("Co-operative Futures Ltd")
    owner = add_person(supplier, "owner@coop.example.org", Role.SUPPLIER_OWNER)
    for _ in range(5):
        with pytest.raises(team.TeamRefused, match="correct format"):
            team.invite_colleague(supplier.id, "not an address", actor=owner)
    for number in range(3):
        team.invite_colleague(supplier.id, f"p{number}@example.org", actor=owner)


def test_nothing_is_counted_with_rate_limits_off(app: Flask) -> None:
    app.config.update(RATELIMIT_ENABLED=False, INVITATION_LIMIT_PER_OWNER="1 per hour")
    invitation_limits.take_slots(owner_id=1, organisation_id=1)
    invitation_limits.take_slots(owner_id=1, organisation_id=1)
