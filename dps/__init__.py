"""The CCIN Dynamic Purchasing System portal."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from dps.config import DEFAULT_INSTANCE_PATH, PROJECT_ROOT, load_config
from dps.scheduler import init_scheduler


def create_app(overrides: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Flask:
    """Build the application. The web (wsgi.py), the workers and the tests all call this."""
    from dps.extensions import csrf, db, limiter, login_manager, migrate

    config = load_config(env)
    instance_path = Path(config.get("DPS_INSTANCE_PATH", DEFAULT_INSTANCE_PATH))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(config)
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )

    db.init_app(app)
    _tune_sqlite(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    _init_templates(app)

    from dps import models  # noqa: F401  (registers every table)
    from dps.celery_app import init_celery
    from dps.web import register_web

    init_celery(app)
    register_web(app)

    from dps.cli import register_cli

    register_cli(app)
    init_scheduler(app)
    return app


def _tune_sqlite(app: Flask) -> None:
    """On SQLite: enforce foreign keys, and wait for a writer rather than fail at once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from dps.extensions import db

    with app.app_context():
        engine: Engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from dps.rules import timefmt

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.jinja_env.filters["date"] = timefmt.format_date
    app.jinja_env.filters["datetime"] = timefmt.format_datetime
    app.jinja_env.filters["pence"] = timefmt.format_pence
