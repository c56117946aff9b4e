"""Time-based one-time codes: the window either side of now, and no code used twice."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp

from dps.services.accounts import totp

SECRET = "CCINDEMOCCINDEMOCCINDEMOCCINDEMO"
NOON = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)


def test_a_current_code_is_accepted_and_gives_its_step() -> None:
    code = pyotp.TOTP(SECRET).at(NOON)
    assert totp.accepted_step(SECRET, code, last_step=None, at=NOON) == pyotp.TOTP(SECRET).timecode(
        NOON
    )


def test_codes_one_step_either_side_are_accepted_but_not_two() -> None:
    for offset, accepted in [(-2, False), (-1, True), (1, True), (2, False)]:
        code = totp.code_for(SECRET, NOON + offset * STEP)
        result = totp.accepted_step(SECRET, code, last_step=None, at=NOON)
        assert (result is not None) is accepted, offset


def test_a_code_is_never_accepted_twice() -> None:
    code = totp.code_for(SECRET, NOON)
    step = totp.accepted_step(SECRET, code, last_step=None, at=NOON)
    assert step is not None
    assert totp.accepted_step(SECRET, code, last_step=step, at=NOON) is None
    # Nor is an older code still inside the window once a newer one has been used.
    older = totp.code_for(SECRET, NOON - STEP)
    assert totp.accepted_step(SECRET, older, last_step=step, at=NOON) is None
    # The next step's code is fine.
    later = NOON + STEP
    assert totp.accepted_step(SECRET, totp.code_for(SECRET, later), last_step=step, at=later)


def test_spaces_in_a_typed_code_are_ignored_and_non_digits_refused() -> None:
    code = totp.code_for(SECRET, NOON)
    assert totp.accepted_step(SECRET, f"{code[:3]} {code[3:]}", last_step=None, at=NOON)
    assert totp.accepted_step(SECRET, "12345a", last_step=None, at=NOON) is None
    assert totp.accepted_step(SECRET, "", last_step=None, at=NOON) is None


def test_new_secrets_are_random_base32_shown_in_groups_of_four() -> None:
    secret = totp.new_secret()
    assert secret != totp.new_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits, as RFC 4226 recommends
    assert totp.grouped("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


def test_the_qr_code_is_an_svg_data_uri_of_the_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SECRET, "oldham.admin@example.org")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={SECRET}" in uri
    assert "issuer=CCIN%20DPS" in uri
    data_uri = totp.qr_code_data_uri(uri)
    assert data_uri.startswith("data:image/svg+xml")
    assert "<svg" in unquote(data_uri)
