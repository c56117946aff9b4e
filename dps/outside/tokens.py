"""Signed, expiring tokens for links sent by email (confirmation, password reset, invitations).

A token is the payload signed with the application's secret key and a salt per purpose, so a
token made for one purpose is refused for any other. Its age is checked when it is read.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# A link in a text, and a token in it: the payload, the time and the signature, each in URL-safe
# base64 and joined by dots (a compressed payload starts with a dot). The signature is at least
# 20 characters, so ordinary names with dots in them are left alone.
_LINK = re.compile(r"https?://[^\s<>\"']+")
_TOKEN = re.compile(r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}")
HIDDEN = "[hidden]"


class TokenInvalid(Exception):
    """The token was not made by this service for this purpose, or has been altered."""


class TokenExpired(TokenInvalid):
    """The token is genuine but older than its purpose allows."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if not purpose:
        raise ValueError("a token needs a purpose")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"dps-{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    """Sign ``payload`` (JSON-serialisable) for ``purpose``; the result is safe in a URL."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a token made for ``purpose`` no more than ``max_age`` seconds ago.

    Raises TokenExpired when it is too old and TokenInvalid when it is not genuine. TokenExpired
    is a kind of TokenInvalid, so catching TokenInvalid alone refuses both.
    """
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired(f"the {purpose} link has expired") from error
    except BadSignature as error:
        raise TokenInvalid(f"the {purpose} link is not valid") from error
    if not isinstance(payload, dict):
        raise TokenInvalid(f"the {purpose} link is not valid")
    return payload


def lifetime_in_words(seconds: int) -> str:
    """How long a link works, as an email says it: "1 hour", "24 hours" (never less than 1)."""
    hours = max(1, round(seconds / 3600))
    return "1 hour" if hours == 1 else f"{hours} hours"


def email_link(endpoint: str, **values: Any) -> str:
    """An absolute link to ``endpoint`` for an email, on the configured BASE_URL.

    Never built from the request's Host header, which a visitor controls: a reset link must not
    point anywhere but this service.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def hide_tokens(text: str) -> str:
    """``text`` with the token of every signed link in it replaced by ``[hidden]``.

    For showing a stored email to someone it was not sent to: whoever reads a live link can use
    it (reset the password, accept the invitation). The rest of the link stays, so the reader
    still sees what kind of link it was.
    """
    return _LINK.sub(lambda link: _TOKEN.sub(HIDDEN, link.group(0)), text)
