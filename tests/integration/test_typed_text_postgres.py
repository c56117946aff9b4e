"""On PostgreSQL, NUL and other control characters in what is typed are refused, never a server
error (issue 11, item 8): PostgreSQL cannot store NUL, and the request failed when it tried."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Organisation, User
from tests.conftest import HTMLClient
from tests.unit.web.test_access_rules import build_world, client_for
from tests.unit.web.test_typed_text import error_summary, registration

POSTS = [
    ("anonymous", "/register", "name", registration),
    ("supplier_owner", "/supplier/team/invite", "email", lambda **typed: typed),
    ("supplier_owner", "/supplier/profile/edit", "legal_name", lambda **t: {**t, "save": "1"}),
    (
        "administrator",
        "/admin/organisations/new",
        "name",
        lambda **t: {**t, "membership_type": "full", "is_contracting_authority": "yes"},
    ),
]


@pytest.mark.parametrize(("persona", "url", "field", "form"), POSTS, ids=[p[1] for p in POSTS])
def test_nul_and_control_characters_are_refused_on_postgresql(
    pg_app: Flask, persona: str, url: str, field: str, form: object
) -> None:
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    pg_app.test_client_class = HTMLClient
    world = build_world()
    client = client_for(pg_app, world, persona)

    nul = client.post(url, data=form(**{field: "Bury\x00 Council"}))  # type: ignore[operator]
    assert nul.status_code == 400
    assert "null character" in nul.soup.select_one("#refusal-reason").get_text()

    escape = client.post(url, data=form(**{field: "Bury\x1b Council"}))  # type: ignore[operator]
    assert escape.status_code == 200
    assert any(f"#{field}" == href for href, _ in error_summary(escape))
    db.session.rollback()
    assert db.session.scalar(db.select(Organisation).where(Organisation.name.like("Bury%"))) is None
    assert db.session.scalar(db.select(User).where(User.name.like("Bury%"))) is None
