"""Signed, expiring tokens for emailed links, and the links themselves."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.outside import tokens
from tests.fixtures.accounts_world import clock_moved_on


def test_tokens_round_trip_and_refuse_tampering_other_purposes_and_age(app: Flask) -> None:
    token = tokens.make_token("confirm-email", {"user": 7})
    assert tokens.read_token("confirm-email", token, max_age=60) == {"user": 7}
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token("reset-password", token, max_age=60)
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token(
            "confirm-email", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], 60
        )
    with clock_moved_on(61), pytest.raises(tokens.TokenExpired):
        tokens.read_token("confirm-email", token, max_age=60)


def test_email_links_use_the_configured_base_url_not_the_request_host(app: Flask) -> None:
    app.config["BASE_URL"] = "https://dps.oldham.example.org/portal"
    with app.test_request_context("/", base_url="http://attacker.example"):
        link = tokens.email_link("auth.confirm_email", token="abc")
    assert link == "https://dps.oldham.example.org/portal/confirm-email/abc"


def test_a_link_lifetime_is_said_in_whole_hours_and_never_less_than_one() -> None:
    assert tokens.lifetime_in_words(600) == "1 hour"
    assert tokens.lifetime_in_words(3600) == "1 hour"
    assert tokens.lifetime_in_words(24 * 3600) == "24 hours"


def test_hiding_tokens_keeps_the_link_but_not_its_code(app: Flask) -> None:
    token = tokens.make_token("reset-password", {"user": 7, "fp": "abc"})
    compressed = tokens.make_token("invitation", {"invitation_id": 1, "padding": "x" * 200})
    text = (
        f"Open this link:\n\nhttps://dps.example.org/reset-password/{token}\n\n"
        f"Or this one: http://localhost/invitation/{compressed}?next=/home.\n"
        "Write to dps.procurement@oldham.example.org or see https://www.gov.uk/guidance/x.y."
    )
    hidden = tokens.hide_tokens(text)
    assert token not in hidden
    assert compressed not in hidden
    assert token.rsplit(".", 1)[1] not in hidden  # not even the signature
    assert "https://dps.example.org/reset-password/[hidden]" in hidden
    assert "http://localhost/invitation/[hidden]?next=/home." in hidden
    # Text and ordinary links are left as they were.
    assert hidden.endswith(
        "Write to dps.procurement@oldham.example.org or see https://www.gov.uk/guidance/x.y."
    )
