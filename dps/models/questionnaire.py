"""The selection questionnaire: versioned definitions (data, not templates) and the answers.

Answers belong to the organisation and are reused by every application it makes; an application
keeps an immutable snapshot of them taken when it is submitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, utcnow
from dps.models.organisations import Organisation


class QuestionnaireVersion(db.Model):  # type: ignore[name-defined]
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the canonical JSON of the definition: a published version never changes.
    checksum: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=False)


class AnswerSet(db.Model):  # type: ignore[name-defined]
    """An organisation's latest answers, question id -> value, kept between applications."""

    __tablename__ = "answer_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What was typed but is not a valid answer yet (question id -> the text as typed), kept on
    # "Save and come back later" so nothing typed is lost; the page shows it again.
    pending_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    organisation: Mapped[Organisation] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
