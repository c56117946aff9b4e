"""The Flask extensions, created once and bound to the app in create_app()."""

from __future__ import annotations

from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# One naming convention for every constraint, so migrations name them the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DPSSession(FlaskSession):
    """Runs callbacks queued with ``after_commit`` once a commit has fully finished.

    The outbox relay uses it: work is handed over only after the rows it reads are committed,
    and it may use the session again (SQLAlchemy's own after_commit event may not).
    """

    def commit(self) -> None:
        super().commit()
        callbacks = self.info.pop("after_commit", [])
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.info.pop("after_commit", None)
        super().rollback()


def after_commit(callback: Any) -> None:
    """Queue ``callback`` to run after the current transaction commits (once per callback)."""
    callbacks = db.session.info.setdefault("after_commit", [])
    if callback not in callbacks:
        callbacks.append(callback)


db = SQLAlchemy(model_class=Base, session_options={"class_": DPSSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
