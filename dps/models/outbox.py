"""Work to hand over after commit: emails to send and tasks to enqueue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.rules.enums import OutboxKind, OutboxStatus


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, "outbox_kind"))
    # For email: to, subject, body. For a task: name, args, queue.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A caller-chosen key: the same key twice is one message (for example a reminder per day).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def recipient(self) -> str:
        return str(self.payload.get("to", "")) if self.kind == OutboxKind.EMAIL else ""

    @property
    def subject(self) -> str:
        return str(self.payload.get("subject", "")) if self.kind == OutboxKind.EMAIL else ""
