"""Locking a row until the commit, the same way on PostgreSQL and SQLite.

PostgreSQL takes a row lock (SELECT ... FOR UPDATE). SQLite has one writer and ignores FOR
UPDATE: an UPDATE that changes nothing takes the database's write lock at once, so a second
transaction doing the same waits here rather than reading a row the first is about to change.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select, update

from dps.extensions import db

M = TypeVar("M")


def lock_row(model: type[M], row_id: int | None) -> M | None:
    """The row, re-read from the database and locked until the commit; None if there is none."""
    if row_id is None:
        return None
    key: Any = model.id  # type: ignore[attr-defined]
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            update(model)
            .where(key == row_id)
            .values(id=key)
            .execution_options(synchronize_session=False)
        )
    found: M | None = db.session.scalar(
        select(model)
        .where(key == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found
