"""Locking a row until the commit: the row re-read from the database, and (on SQLite) the
database's write lock taken at once, so a second writer waits."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Organisation
from dps.services.common.locking import lock_row
from tests.fixtures.helpers import make_supplier


def test_nothing_to_lock_is_none(app: Flask) -> None:
    assert lock_row(Organisation, None) is None
    assert lock_row(Organisation, 999) is None


def test_the_row_is_read_again_from_the_database(app: Flask) -> None:
    organisation = make_supplier("Capacity Works")
    db.session.commit()
    # Changed behind the session's back, as another transaction would.
    db.session.execute(
        db.update(Organisation)
        .where(Organisation.id == organisation.id)
        .values(name="Capacity Works CIC")
        .execution_options(synchronize_session=False)
    )
    assert organisation.name == "Capacity Works"

    locked = lock_row(Organisation, organisation.id)

    assert locked is organisation
    assert organisation.name == "Capacity Works CIC"


def test_on_sqlite_a_second_writer_waits_until_the_commit(app: Flask) -> None:
    organisation = make_supplier("Co-operative Futures Ltd")
    db.session.commit()
    path = db.engine.url.database
    assert path is not None

    lock_row(Organisation, organisation.id)
    other = sqlite3.connect(path, timeout=0.05)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.commit()
        other.execute("BEGIN IMMEDIATE")  # free once the first has committed
        other.rollback()
    finally:
        other.close()
