"""Configuration comes only from the environment, and production refuses laptop-only settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import session

from dps import create_app
from dps.config import ConfigurationError, load_config
from dps.web.access import Area, allow

GOOD_SECRET = "s" * 48
POSTGRES_URL = "postgresql://dps:secret@db.internal:5432/dps"
REDIS_URL = "redis://cache.internal:6379/0"


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """A complete production environment, with some variables changed or (None) removed."""
    env = {
        "DPS_ENV": "production",
        "DPS_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "SMTP_HOST": "smtp.internal",
        "BASE_URL": "https://dps.example.org",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigurationError) as excinfo:
        create_app(env=env)
    return str(excinfo.value)


def test_production_with_everything_set_starts(tmp_path: Path) -> None:
    app = create_app(env=production_env(tmp_path))
    assert app.config["DPS_ENV"] == "production"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["TASKS_IN_PROCESS"] is False
    assert app.config["DEMO_ACCOUNTS_ALLOWED"] is False
    # No secret is written to disk in production: it must come from the environment.
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    message = refusal(production_env(tmp_path, SECRET_KEY=None))
    assert "SECRET_KEY is not set" in message
    assert "SQLite" not in message
    assert "in-process" not in message


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    message = refusal(production_env(tmp_path, SECRET_KEY="changeme"))
    assert "SECRET_KEY is shorter than 32 characters" in message


def test_production_refuses_to_start_on_sqlite(tmp_path: Path) -> None:
    message = refusal(production_env(tmp_path, DATABASE_URL=None))
    assert "SQLite: production needs PostgreSQL" in message
    assert "SECRET_KEY" not in message

    message = refusal(production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db"))
    assert "SQLite" in message


def test_production_refuses_in_process_tasks(tmp_path: Path) -> None:
    message = refusal(production_env(tmp_path, REDIS_URL=None))
    assert "Celery tasks would run in-process" in message
    assert "CELERY_BROKER_URL" in message

    # A broker is set, but someone asked for in-process tasks anyway.
    message = refusal(production_env(tmp_path, TASKS_IN_PROCESS="1"))
    assert "Celery tasks would run in-process" in message


def test_production_lists_every_problem_at_once(tmp_path: Path) -> None:
    message = refusal({"DPS_ENV": "production", "DPS_INSTANCE_PATH": str(tmp_path)})
    assert message.startswith("Refusing to start with DPS_ENV=production")
    assert "SECRET_KEY is not set" in message
    assert "SQLite" in message
    assert "in-process" in message
    assert "SMTP_HOST is not set" in message
    assert "BASE_URL is 'http://127.0.0.1:5000'" in message
    assert message.count("\n- ") == 6  # the three above, rate limits in memory, mail, BASE_URL


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"WTF_CSRF_ENABLED": "false"}, "WTF_CSRF_ENABLED is off"),
        ({"RATELIMIT_ENABLED": "0"}, "RATELIMIT_ENABLED is off"),
        ({"SESSION_COOKIE_SECURE": "false"}, "SESSION_COOKIE_SECURE is off"),
        ({"SMTP_HOST": None}, "SMTP_HOST is not set"),
        ({"MAIL_BACKEND": "record"}, "emails would only be recorded"),
        ({"BASE_URL": None}, "BASE_URL is 'http://127.0.0.1:5000': links in emails must use https"),
        ({"BASE_URL": "http://dps.example.org"}, "must use https"),
        ({"BASE_URL": "https://127.0.0.1:8000"}, "would lead to the reader's own computer"),
        ({"BASE_URL": "https://localhost"}, "would lead to the reader's own computer"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "Rate limits would be counted in memory"),
        # A broker elsewhere, but no Redis for the limits: they would fall back to memory.
        (
            {"REDIS_URL": None, "CELERY_BROKER_URL": REDIS_URL},
            "Rate limits would be counted in memory",
        ),
    ],
)
def test_production_refuses_unsafe_web_settings_saying_why(
    tmp_path: Path, changes: dict[str, str | None], reason: str
) -> None:
    message = refusal(production_env(tmp_path, **changes))
    assert message.startswith("Refusing to start with DPS_ENV=production")
    assert reason in message
    assert message.count("\n- ") == 1  # only the unsafe setting is named


def test_development_makes_a_private_secret_key_once_and_reuses_it(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    first = load_config({"DPS_INSTANCE_PATH": str(instance)})
    key_file = instance / "secret_key"

    assert first["DPS_ENV"] == "development"
    assert len(first["SECRET_KEY"]) >= 32
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # No temporary file is left behind next to it.
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]

    second = load_config({"DPS_INSTANCE_PATH": str(instance)})
    assert second["SECRET_KEY"] == first["SECRET_KEY"]

    elsewhere = load_config({"DPS_INSTANCE_PATH": str(tmp_path / "other")})
    assert elsewhere["SECRET_KEY"] != first["SECRET_KEY"]


def test_a_secret_key_from_the_environment_wins_and_writes_nothing(tmp_path: Path) -> None:
    config = load_config({"DPS_INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": GOOD_SECRET})
    assert config["SECRET_KEY"] == GOOD_SECRET
    assert not (tmp_path / "i" / "secret_key").exists()


def test_the_embedded_default_needs_nothing_installed(tmp_path: Path) -> None:
    config = load_config({"DPS_INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'dps.sqlite3'}"
    assert config["TASKS_IN_PROCESS"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["DEMO_ACCOUNTS_ALLOWED"] is True


def test_a_broker_url_moves_tasks_out_of_process(tmp_path: Path) -> None:
    config = load_config({"DPS_INSTANCE_PATH": str(tmp_path), "REDIS_URL": REDIS_URL})
    assert config["TASKS_IN_PROCESS"] is False
    assert config["CELERY_BROKER_URL"] == REDIS_URL
    assert config["RATELIMIT_STORAGE_URI"] == REDIS_URL


@pytest.mark.parametrize("url", ["postgres://u@h/d", "postgresql://u@h/d"])
def test_postgresql_urls_use_the_psycopg_3_driver(tmp_path: Path, url: str) -> None:
    config = load_config({"DPS_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DPS_ENV", "staging", "DPS_ENV must be development, production or test"),
        ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number"),
        ("SESSION_IDLE_MINUTES", "half an hour", "SESSION_IDLE_MINUTES must be a whole number"),
        ("DPS_TRANSITIONAL_CAP", "23/02/2029", "DPS_TRANSITIONAL_CAP must be a date"),
    ],
)
def test_a_malformed_setting_is_named(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        load_config({"DPS_INSTANCE_PATH": str(tmp_path), name: value})


@pytest.mark.parametrize(
    ("dps_env", "secure"), [("development", False), ("test", True), ("production", True)]
)
def test_cookie_settings(tmp_path: Path, dps_env: str, secure: bool) -> None:
    env = production_env(tmp_path, DPS_ENV=dps_env)
    config = load_config(env)
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["REMEMBER_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_session_cookie_is_secure_httponly_and_lax(tmp_path: Path) -> None:
    """What the browser receives, not only what the settings say."""
    app = create_app(env=production_env(tmp_path))

    @app.get("/test-only/touch-session")
    @allow(Area.PUBLIC)
    def touch_session() -> str:
        session["seen"] = True
        return "ok"

    response = app.test_client().get("/test-only/touch-session")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("dps_session=")
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= attributes
