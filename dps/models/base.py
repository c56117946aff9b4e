"""Column types and helpers shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The server's clock, the only clock (DESIGN §3), as an aware UTC instant."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored in UTC, always handed back aware.

    SQLite drops the time zone of ``DateTime(timezone=True)``; this type puts UTC back, and
    refuses naive values on the way in so a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant: attach a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(cls: type[enum.StrEnum], name: str) -> Any:
    """A portable enum column: a VARCHAR with a named CHECK constraint on every database."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in cls) + 8,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
