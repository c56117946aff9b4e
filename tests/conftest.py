"""Shared fixtures: an app on SQLite, a test client that parses HTML, PostgreSQL databases."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient

from dps import create_app
from dps.extensions import db
from tests.fixtures import services

TEST_ENV = {"DPS_ENV": "test"}


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    env = {**TEST_ENV, "DPS_INSTANCE_PATH": str(tmp_path / "instance")}
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "BASE_URL": "http://localhost",
    }
    config.update(overrides)
    return create_app(config, env=env)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


class HTMLClient(FlaskClient):
    """A test client whose responses also offer ``.soup``, the page parsed with BeautifulSoup."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # The `app` fixture keeps one app context, which every request then shares, and with it
        # `g`: forget the user Flask-Login cached there, so each request loads its own from its
        # cookie (as in production) rather than seeing the previous client's.
        if has_app_context():
            g.pop("_login_user", None)
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            response.soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = HTMLClient
    return app.test_client()


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.soup.get_text(" ")).strip()


# --- PostgreSQL ------------------------------------------------------------------------------

APP_ROLE = "dps_app_test"
APP_ROLE_PASSWORD = "dps-app-test"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database for this test run, migrated to head, with a non-superuser role.

    Yields ``owner_url`` (the schema owner, used for migrations) and ``app_url`` (the role the
    application connects as: not a superuser, not the owner).
    """
    services.need_postgres()
    import sqlalchemy as sa

    name = f"dps_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(services.POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if not exists.scalar():
            conn.execute(
                sa.text(
                    f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                    f"PASSWORD '{APP_ROLE_PASSWORD}'"
                )
            )
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = services.POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    owner_url = f"{base}/{name}"
    app_url = f"postgresql+psycopg://{APP_ROLE}:{APP_ROLE_PASSWORD}@127.0.0.1:5432/{name}"
    try:
        yield {"owner_url": owner_url, "app_url": app_url, "name": name}
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def migrate_to_head(owner_url: str, tmp_path: Path) -> None:
    """Run every migration as the schema's owner, then grant the application role its rights."""
    owner_app = make_app(tmp_path / "owner", SQLALCHEMY_DATABASE_URI=owner_url)
    from flask_migrate import upgrade

    from dps.cli import grant_app_role

    with owner_app.app_context():
        upgrade()
        runner = owner_app.test_cli_runner()
        result = runner.invoke(grant_app_role, [APP_ROLE])
        assert result.exit_code == 0, result.output
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_postgres(
    postgres_database: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The session's PostgreSQL database, migrated to head; connect as ``app_url``."""
    migrate_to_head(postgres_database["owner_url"], tmp_path_factory.mktemp("migrate"))
    return postgres_database


def _truncate_all(owner_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            # The audit trigger refuses TRUNCATE; the owner switches it off only here, in tests.
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(
                sa.text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
            conn.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    engine.dispose()


@pytest.fixture
def pg_app(migrated_postgres: dict[str, str], tmp_path: Path) -> Iterator[Flask]:
    """An app on the migrated PostgreSQL database, connected as the non-superuser role.

    Every table is emptied before the test, so each starts from nothing.
    """
    _truncate_all(migrated_postgres["owner_url"])
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_postgres["app_url"])
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    pg_app.test_client_class = HTMLClient
    return pg_app.test_client()
