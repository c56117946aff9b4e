"""Clarification requests from an administrator to a supplier about an application."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.applications import Application
from dps.models.base import UTCDateTime, utcnow


class ClarificationRequest(db.Model):  # type: ignore[name-defined]
    __tablename__ = "clarification_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Ids of documents the supplier attached with the answer.
    document_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    application: Mapped[Application] = relationship()
