"""Settings, read only from the environment.

The embedded default (no environment at all) runs on SQLite under ``instance/`` with Celery
tasks run in-process, so the whole journey works on one laptop. ``DPS_ENV=production`` refuses
settings that are only safe on a laptop.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The environment asks for something the chosen setting does not allow."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None


def _json_object(env: dict[str, str], name: str) -> dict[str, Any]:
    raw = env.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ConfigurationError(f'{name} must be a JSON object, such as {{"key": 1}}')
    return value


def _dev_secret_key(instance_path: Path) -> str:
    """A development secret made once and kept under instance/, so sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Written whole to a private temporary file, then linked into place: the key is never
        # readable by others, and two processes starting together end up with the same key.
        fd, tmp_name = tempfile.mkstemp(dir=instance_path, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as tmp:
                tmp.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(tmp_name, key_file)
        finally:
            os.unlink(tmp_name)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for any PostgreSQL URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def load_config(
    env: dict[str, str] | None = None, instance_path: Path | None = None
) -> dict[str, Any]:
    """Build the Flask configuration from environment variables."""
    env = dict(os.environ if env is None else env)
    instance_path = instance_path or Path(env.get("DPS_INSTANCE_PATH", DEFAULT_INSTANCE_PATH))
    dps_env = env.get("DPS_ENV", "development").strip().lower()
    if dps_env not in {"development", "production", "test"}:
        raise ConfigurationError(
            f"DPS_ENV must be development, production or test, not {dps_env!r}"
        )
    production = dps_env == "production"

    database_url = normalise_database_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'dps.sqlite3'}"
    )

    redis_url = env.get("REDIS_URL", "")
    broker_url = env.get("CELERY_BROKER_URL") or redis_url
    tasks_in_process = _bool(env.get("TASKS_IN_PROCESS"), default=not broker_url)

    secret_key = env.get("SECRET_KEY", "")
    if not secret_key and not production:
        secret_key = _dev_secret_key(instance_path)

    cap = env.get("DPS_TRANSITIONAL_CAP", "2029-02-23")
    try:
        transitional_cap = date.fromisoformat(cap)
    except ValueError:
        raise ConfigurationError(
            f"DPS_TRANSITIONAL_CAP must be a date such as 2029-02-23, not {cap!r}"
        ) from None
    # Only a laptop serves over plain HTTP; everywhere else the cookies need HTTPS.
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), default=dps_env != "development")

    document_max_bytes = _int(env, "DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

    config: dict[str, Any] = {
        "DPS_ENV": dps_env,
        "DPS_INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "TASKS_IN_PROCESS": tasks_in_process,
        # In-process scheduled jobs (outbox sweep, reminders) on a timer, for `make run`.
        "SCHEDULER_IN_PROCESS": _bool(env.get("SCHEDULER_IN_PROCESS"), default=False),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        # How many proxies in front of the web process add X-Forwarded-For (dps.web): the
        # visitor's address is then the one they forwarded, not the nearest proxy's.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "MAIL_BACKEND": env.get("MAIL_BACKEND") or ("smtp" if env.get("SMTP_HOST") else "record"),
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_PORT": _int(env, "SMTP_PORT", 25),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), default=False),
        "SMTP_TIMEOUT_SECONDS": _int(env, "SMTP_TIMEOUT_SECONDS", 10),
        "MAIL_FROM": env.get("MAIL_FROM", "CCIN DPS <dps@oldham.example.org>"),
        "OUTBOX_MAX_ATTEMPTS": _int(env, "OUTBOX_MAX_ATTEMPTS", 12),
        "OUTBOX_SWEEP_SECONDS": _int(env, "OUTBOX_SWEEP_SECONDS", 60),
        # How often the reminder jobs run (each email is sent once, however often they run).
        "REMINDERS_EVERY_SECONDS": _int(env, "REMINDERS_EVERY_SECONDS", 3600),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        # Where people write about the service (shown on the statement pages and the footer).
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL", "dps.procurement@oldham.example.org"),
        "EMAIL_TOKEN_MAX_AGE_SECONDS": _int(env, "EMAIL_TOKEN_MAX_AGE_SECONDS", 24 * 3600),
        "RESET_TOKEN_MAX_AGE_SECONDS": _int(env, "RESET_TOKEN_MAX_AGE_SECONDS", 3600),
        "INVITATION_MAX_AGE_SECONDS": _int(env, "INVITATION_MAX_AGE_SECONDS", 7 * 24 * 3600),
        # An account whose address is not confirmed this long after it was made is closed, and
        # its address released (dps/services/accounts/unconfirmed_accounts.py).
        "UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS": _int(
            env, "UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS", 7 * 24 * 3600
        ),
        # A supplier's owner invites colleagues: at most this many, by each owner and into each
        # organisation (dps/services/accounts/invitation_limits.py).
        "INVITATION_LIMIT_PER_OWNER": env.get("INVITATION_LIMIT_PER_OWNER") or "10 per hour",
        "INVITATION_LIMIT_PER_ORGANISATION": env.get("INVITATION_LIMIT_PER_ORGANISATION")
        or "20 per 24 hours",
        "DPS_TRANSITIONAL_CAP": transitional_cap,
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_WARNING_MINUTES": _int(env, "SESSION_WARNING_MINUTES", 5),
        # However active, a sign-in ends this long after the password was given (dps.web).
        "SESSION_ABSOLUTE_HOURS": _int(env, "SESSION_ABSOLUTE_HOURS", 12),
        # The server ends idle sessions itself (last_seen, dps.web). The cookie outlives that
        # limit by an hour so that the server still sees it, and can say why it signed you out.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_int(env, "SESSION_IDLE_MINUTES", 30) + 60),
        "SESSION_COOKIE_NAME": "dps_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_ENABLED": _bool(env.get("WTF_CSRF_ENABLED"), default=True),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        # A request may carry the largest document allowed plus the rest of its form.
        "MAX_CONTENT_LENGTH": document_max_bytes + 2 * 1024 * 1024,
        # Uploaded documents (dps/services/storage.py says how to plug in S3 or a scanner).
        "DOCUMENT_MAX_BYTES": document_max_bytes,
        "DOCUMENT_STORAGE_PATH": env.get("DOCUMENT_STORAGE_PATH")
        or str(instance_path / "documents"),
        "DOCUMENT_STORAGE": env.get("DOCUMENT_STORAGE")
        or "dps.outside.storage:local_folder_storage",
        "DOCUMENT_SCANNER": env.get("DOCUMENT_SCANNER") or "dps.outside.storage:no_scan",
        "DEMO_ACCOUNTS_ALLOWED": not production,
        "CELERY_VISIBILITY_TIMEOUT": _int(env, "CELERY_VISIBILITY_TIMEOUT", 2 * 3600),
        # The Companies House public data API (dps/services/companies_house.py). Without a key
        # the check refers every company to a person; the limit is Companies House's own.
        "COMPANIES_HOUSE_API_URL": env.get("COMPANIES_HOUSE_API_URL")
        or "https://api.company-information.service.gov.uk",
        "COMPANIES_HOUSE_API_KEY": env.get("COMPANIES_HOUSE_API_KEY", ""),
        "COMPANIES_HOUSE_TIMEOUT_SECONDS": _int(env, "COMPANIES_HOUSE_TIMEOUT_SECONDS", 10),
        "COMPANIES_HOUSE_RATE_LIMIT": env.get("COMPANIES_HOUSE_RATE_LIMIT")
        or "600 per 300 seconds",
        # More broker transport options, merged over the visibility timeout: the kill-a-worker
        # tests lower unacked_restore_interval and unacked_restore_throttle through it.
        "CELERY_TRANSPORT_OPTIONS": _json_object(env, "CELERY_TRANSPORT_OPTIONS_JSON"),
        # A check that keeps failing for a passing reason (a service down) is tried this many
        # more times, waiting longer each time up to the cap, before it is recorded as an error.
        "CHECKS_MAX_RETRIES": _int(env, "CHECKS_MAX_RETRIES", 6),
        "CHECKS_RETRY_BACKOFF_MAX_SECONDS": _int(env, "CHECKS_RETRY_BACKOFF_MAX_SECONDS", 600),
        # Applications per page of the administrators' work queue.
        "REVIEW_PAGE_SIZE": _int(env, "REVIEW_PAGE_SIZE", 25),
    }
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigurationError("TRUSTED_PROXIES must be 0 or more")
    if production:
        check_production(config)
    return config


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start in production on settings that are only safe on a laptop, and say why."""
    problems = []
    if not config["SECRET_KEY"]:
        problems.append("SECRET_KEY is not set: sessions and email links could be forged.")
    elif len(config["SECRET_KEY"]) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters: "
            "it could be guessed. Use a long random value."
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append("DATABASE_URL points at SQLite: production needs PostgreSQL.")
    if config["TASKS_IN_PROCESS"]:
        problems.append(
            "Celery tasks would run in-process: set CELERY_BROKER_URL (or REDIS_URL) "
            "and run separate workers."
        )
    problems.extend(_unsafe_web_settings(config))
    if problems:
        raise ConfigurationError(
            "Refusing to start with DPS_ENV=production:\n- " + "\n- ".join(problems)
        )


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 (names, not a bind)


def _unsafe_web_settings(config: dict[str, Any]) -> list[str]:
    """The protections a laptop or a test may turn off, and production may not."""
    problems = []
    if not config["WTF_CSRF_ENABLED"]:
        problems.append(
            "WTF_CSRF_ENABLED is off: another site could post forms as a signed-in person."
        )
    if not config["RATELIMIT_ENABLED"]:
        problems.append(
            "RATELIMIT_ENABLED is off: passwords and codes could be guessed without limit."
        )
    elif config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        problems.append(
            "Rate limits would be counted in memory, separately in each process and lost on "
            "restart: set RATELIMIT_STORAGE_URI (or REDIS_URL) to a shared Redis."
        )
    if not config["SESSION_COOKIE_SECURE"]:
        problems.append(
            "SESSION_COOKIE_SECURE is off: the session cookie would also be sent over plain HTTP."
        )
    if config["MAIL_BACKEND"] != "smtp" or not config["SMTP_HOST"]:
        problems.append(
            "SMTP_HOST is not set (or MAIL_BACKEND is not smtp): emails would only be recorded, "
            "and nobody would receive them."
        )
    base_url = urlsplit(config["BASE_URL"])
    if base_url.scheme != "https" or not base_url.hostname:
        problems.append(
            f"BASE_URL is {config['BASE_URL']!r}: links in emails must use https, "
            "such as https://dps.example.org."
        )
    elif base_url.hostname in LOOPBACK_HOSTS:
        problems.append(
            f"BASE_URL is {config['BASE_URL']!r}: links in emails would lead to the reader's "
            "own computer. Set the address people reach the portal at."
        )
    return problems
