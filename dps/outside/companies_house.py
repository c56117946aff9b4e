"""The Companies House public data API: a company's profile by its number.

``GET {COMPANIES_HOUSE_API_URL}/company/{number}``, with the API key as the basic-auth user name
and an empty password. Every request takes a slot of the rate limit shared by all worker
processes (dps/outside/rate_limit.py): Companies House allows 600 requests in five minutes per
key, and answers 429 beyond it.

What can happen to a look-up:
- the company is found: a ``Company``;
- there is no such company (404): ``None``;
- a fault that may pass (429, 5xx, a timeout, no connection, our rate limit full):
  ``CompaniesHouseUnavailable``, which the check turns into a retry later, no sooner than
  ``retry_after`` when the service said how long to wait;
- Companies House refuses the request itself (the key is wrong, 401/403, or another 4xx):
  ``CompaniesHouseRefused``; retrying would not help, a person must look.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from dps.config import ConfigurationError
from dps.outside import rate_limit
from dps.rules import digits

DEFAULT_API_URL = "https://api.company-information.service.gov.uk"
RATE_LIMIT_NAME = "companies-house"
# The longest a look-up waits for a slot of the rate limit before handing the check back to be
# retried later: short enough not to tie a worker up.
MAX_WAIT_SECONDS = 10.0
# A company number as the register writes it: 8 digits, or 2 letters and 6 digits.
NUMBER = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")


@dataclass(frozen=True)
class Settings:
    api_url: str
    api_key: str
    timeout_seconds: float
    rate: rate_limit.Rate
    redis_url: str
    max_wait_seconds: float = MAX_WAIT_SECONDS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        raw_rate = str(config.get("COMPANIES_HOUSE_RATE_LIMIT") or "600 per 300 seconds")
        try:
            rate = rate_limit.parse_rate(raw_rate)
        except ValueError as error:
            raise ConfigurationError(f"COMPANIES_HOUSE_RATE_LIMIT: {error}") from None
        return cls(
            api_url=str(config.get("COMPANIES_HOUSE_API_URL") or DEFAULT_API_URL).rstrip("/"),
            api_key=str(config.get("COMPANIES_HOUSE_API_KEY") or ""),
            timeout_seconds=float(config.get("COMPANIES_HOUSE_TIMEOUT_SECONDS") or 10),
            rate=rate,
            redis_url=str(config.get("REDIS_URL") or config.get("CELERY_BROKER_URL") or ""),
        )


@dataclass(frozen=True)
class Company:
    """The parts of a company profile the checks read, and when it was looked up."""

    number: str
    name: str
    status: str
    type: str
    date_of_creation: str | None
    looked_up_at: datetime

    def as_profile(self) -> dict[str, Any]:
        """The register's names for these parts, and when they were looked up (ISO 8601)."""
        return {
            "company_number": self.number,
            "company_name": self.name,
            "company_status": self.status,
            "type": self.type,
            "date_of_creation": self.date_of_creation,
            "looked_up_at": self.looked_up_at.isoformat(),
        }


class CompaniesHouseUnavailable(Exception):
    """Companies House cannot answer now; try again, no sooner than ``retry_after`` if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CompaniesHouseRefused(Exception):
    """Companies House refused the request itself; asking again would get the same answer."""


class CompaniesHouseClient:
    def __init__(
        self,
        settings: Settings,
        *,
        limiter: rate_limit.RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        # A request may last a timeout for each of connecting, sending and reading (httpx);
        # its slot is held at least that long, so the limit holds even if its process dies.
        hold = 3 * settings.timeout_seconds + 1
        self.limiter = limiter or rate_limit.limiter_for(
            RATE_LIMIT_NAME, settings.rate, hold, settings.redis_url
        )
        self.transport = transport

    @property
    def has_key(self) -> bool:
        return bool(self.settings.api_key)

    def company(self, number: str) -> Company | None:
        """The company with this number, or None when the register has no such company."""
        number = "".join(number.split()).upper()
        if not NUMBER.fullmatch(number):
            raise ValueError(f"not a Companies House number: {number!r}")
        if not self.has_key:
            raise CompaniesHouseRefused("no Companies House API key is configured")
        response = self._get(f"/company/{number}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code == httpx.codes.OK:
            return _company(number, response)
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            # Every process backs off, not only this one: the limit is per key.
            self.limiter.pause(retry_after or self.settings.rate.seconds)
            raise CompaniesHouseUnavailable(
                "Companies House asked us to slow down (429 Too Many Requests)", retry_after
            )
        if response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise CompaniesHouseUnavailable(
                f"Companies House answered with a server error ({response.status_code})"
            )
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise CompaniesHouseRefused(
                f"Companies House refused the API key ({response.status_code}): "
                "check COMPANIES_HOUSE_API_KEY"
            )
        raise CompaniesHouseRefused(
            f"Companies House refused the look-up of {number} ({response.status_code})"
        )

    def _get(self, path: str) -> httpx.Response:
        try:
            with (
                rate_limit.slot(self.limiter, max_wait=self.settings.max_wait_seconds),
                httpx.Client(
                    base_url=self.settings.api_url,
                    auth=(self.settings.api_key, ""),
                    timeout=self.settings.timeout_seconds,
                    transport=self.transport,
                    headers={"Accept": "application/json"},
                ) as client,
            ):
                return client.get(path)
        except rate_limit.RateLimitExceeded as full:
            raise CompaniesHouseUnavailable(
                "our share of the Companies House rate limit is used up for now",
                full.retry_after,
            ) from full
        except rate_limit.RateLimiterUnavailable as error:
            raise CompaniesHouseUnavailable(f"the rate limiter is unavailable: {error}") from error
        except httpx.TimeoutException as error:
            raise CompaniesHouseUnavailable(
                f"Companies House did not answer within {self.settings.timeout_seconds:g} seconds"
            ) from error
        except httpx.TransportError as error:
            raise CompaniesHouseUnavailable(f"Companies House could not be reached: {error}") from (
                error
            )


def client_from_config(config: Mapping[str, Any]) -> CompaniesHouseClient:
    return CompaniesHouseClient(Settings.from_config(config))


def _company(number: str, response: httpx.Response) -> Company:
    try:
        body = response.json()
        return Company(
            number=str(body.get("company_number") or number),
            name=str(body["company_name"]),
            status=str(body.get("company_status") or ""),
            type=str(body.get("type") or ""),
            date_of_creation=body.get("date_of_creation"),
            looked_up_at=datetime.now(UTC),
        )
    except (ValueError, KeyError, AttributeError) as error:
        # Something between us and Companies House (a proxy's error page) answered instead.
        raise CompaniesHouseUnavailable(
            "Companies House's answer was not a company profile"
        ) from error


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if digits.is_digits(value, most=9):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
