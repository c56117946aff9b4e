"""Rate limits on the account forms: each counts per address (the visitor's IP) and per account.

The limits are read from the app's config at request time, so a test or a deployment can change
them. Forms that guess (a password, a code) count only failures; forms that send email count
what they send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

from dps.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])


def _per_address() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _per_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


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
