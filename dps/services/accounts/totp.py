"""Time-based one-time codes (RFC 6238) for administrators' second factor.

Codes are accepted one 30-second step either side of now, for clocks that drift, and a step
once accepted is never accepted again, so a code seen over someone's shoulder cannot be reused.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import pyotp
import segno

from dps.models.base import utcnow
from dps.rules import digits

ISSUER = "CCIN DPS"
VALID_WINDOW = 1  # steps either side of now
CODE_LENGTH = 6


def new_secret() -> str:
    """A fresh 160-bit secret, in base32 as authenticator apps expect."""
    return pyotp.random_base32(length=32)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """A QR code of ``uri`` as an SVG data: URI, which the Content-Security-Policy allows."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))


def normalise_code(code: str) -> str:
    """What the person typed, without the spaces and dashes apps show in the middle."""
    return re.sub(r"[\s-]", "", code or "")


def looks_like_a_code(code: str) -> bool:
    """Six of the digits 0 to 9: a code typed in another script's digits is not one."""
    return digits.is_digits(code) and len(code) == CODE_LENGTH


def accepted_step(
    secret: str, code: str, *, last_step: int | None, at: datetime | None = None
) -> int | None:
    """The time-step ``code`` belongs to, if it is valid now and newer than ``last_step``."""
    code = normalise_code(code)
    if not looks_like_a_code(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at or utcnow())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # already used, or older than a code already used
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_for(secret: str, at: datetime | None = None) -> str:
    """The current code: for the demo instructions and for tests, as an app would show it."""
    return pyotp.TOTP(secret).at(at or utcnow())
