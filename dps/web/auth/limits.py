"""Rate limits on the account forms: each counts per address (the visitor's IP) and per account.

The limits are read from the app's config at request time, so a test or a deployment can change
them. Forms that guess (a password, a code) count only failures; forms that send email count
what they send. Behind a proxy the address is the one the trusted proxies forwarded
(TRUSTED_PROXIES, dps.web), so each visitor has a limit of their own.

Wrong passwords typed anywhere must not lock the owner out (anyone can type them). A browser
that has signed in to an account, or set its password from an emailed link, keeps a signed
cookie saying so (``trust_this_device``); on the sign-in form its attempts for that account
count against a limit of its own, not the account's. So after five wrong passwords in 15
minutes the account refuses attempts from browsers it has never used, while its owner still
signs in from their usual one, and on a new one after resetting the password by email.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from flask import after_this_request, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from dps.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])


def _per_address() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _per_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


DEVICE_COOKIE = "dps_device"
DEVICE_DAYS = 180


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dps-trusted-device")


def _account_tag(email: str) -> str:
    """Names the account in the cookie without writing its address there."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def trust_this_device(email: str) -> None:
    """Give this browser a cookie saying that the account ``email`` signed in on it."""
    value = _devices().dumps({"account": _account_tag(email), "device": secrets.token_hex(16)})

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()),
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
        return response


def _trusted_device(email: str) -> str:
    """The device this browser's cookie names, if it has signed in to the account ``email``."""
    try:
        payload = _devices().loads(
            request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_DAYS * 24 * 3600
        )
    except BadSignature:
        return ""
    if not isinstance(payload, dict) or not email:
        return ""
    if not hmac.compare_digest(str(payload.get("account", "")), _account_tag(email)):
        return ""
    return str(payload.get("device", ""))


def sign_in_account() -> str:
    """The account typed, or this browser's own count for it if the account has used it."""
    email = typed_email()
    device = _trusted_device(email)
    return f"device:{device}" if device else email


def signed_in_account() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def was_refused(response: Response) -> bool:
    """Guessing forms count only failures: a success redirects."""
    return response.status_code != 302


def was_sent(response: Response) -> bool:
    """Forms that send email count what they send, not a mistyped field."""
    return response.status_code == 302


def limited(account_key: Callable[[], str], counts: Callable[[Response], bool]) -> Callable[[F], F]:
    per_address = limiter.limit(_per_address, methods=["POST"], scope="address", deduct_when=counts)
    per_account = limiter.limit(
        _per_account, key_func=account_key, methods=["POST"], scope="account", deduct_when=counts
    )

    def decorate(view: F) -> F:
        return cast(F, per_address(per_account(view)))

    return decorate
