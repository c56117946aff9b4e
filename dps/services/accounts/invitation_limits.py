"""How many invitations a supplier's owner may send: per owner and per organisation.

Anyone can register a supplier and invite any address, so each invitation takes a slot of two
rate limits (INVITATION_LIMIT_PER_OWNER and INVITATION_LIMIT_PER_ORGANISATION, such as
"10 per hour"), counted with the project's rate limiter (dps/outside/rate_limit.py): in Redis,
shared by every web process, when the rate limits are kept there; otherwise in this process.
With RATELIMIT_ENABLED off (the tests' default) nothing is counted.
"""

from __future__ import annotations

import math
import uuid

from flask import current_app

from dps.config import ConfigurationError
from dps.outside import rate_limit
from dps.services.accounts.invitations import InvitationRefused


class TooManyInvitations(InvitationRefused):
    """The owner, or the organisation, has sent as many invitations as the limit allows."""


def _redis_url() -> str:
    storage = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "")
    if storage.startswith(("redis://", "rediss://")):
        return storage
    return str(current_app.config.get("REDIS_URL") or "")


def _limiter(name: str, setting: str) -> rate_limit.RateLimiter:
    try:
        rate = rate_limit.parse_rate(str(current_app.config[setting]))
    except ValueError as error:
        raise ConfigurationError(f"{setting}: {error}") from None
    # Nothing is in flight: a slot counts for one window from the moment it is taken.
    return rate_limit.limiter_for(name, rate, hold_seconds=0, redis_url=_redis_url())


def _in_words(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def take_slots(*, owner_id: int, organisation_id: int) -> None:
    """Count one invitation against both limits, or refuse it (TooManyInvitations) saying when
    to try again. Refused too, to be safe, when the shared counter cannot be reached."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limiters = [
        _limiter(f"invitations-org-{organisation_id}", "INVITATION_LIMIT_PER_ORGANISATION"),
        _limiter(f"invitations-owner-{owner_id}", "INVITATION_LIMIT_PER_OWNER"),
    ]
    for limiter in limiters:
        try:
            granted, wait = limiter.try_acquire(uuid.uuid4().hex)
        except rate_limit.RateLimiterUnavailable as error:
            raise TooManyInvitations(
                "Invitations cannot be sent at the moment. Try again in a few minutes",
                field="email",
            ) from error
        if not granted:
            raise TooManyInvitations(
                "You have sent as many invitations as you can for now. "
                f"Try again in {_in_words(wait)}",
                field="email",
            )
