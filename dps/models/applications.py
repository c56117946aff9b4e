"""Applications (requests to participate) to one or both lots, and each lot's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.dps import DPS, Lot
from dps.models.organisations import Organisation
from dps.models.questionnaire import QuestionnaireVersion
from dps.rules.enums import ApplicationStatus, LotOutcome


class Application(db.Model):  # type: ignore[name-defined]
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # For example CCIN-DPS-000123; given when the application is first saved.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT
    )
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    # The answers, profile and documents as submitted: immutable, with a SHA-256 checksum.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    snapshot_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    declaration_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    declaration_role: Mapped[str | None] = mapped_column(String(200), nullable=True)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Received when submitted (DESIGN §3): the decision clock starts here.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    clock_extended: Mapped[bool] = mapped_column(default=False)
    clock_extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # A renewal or a fresh application after a rejection points at the one it follows.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True)
    # The administrator reviewing it.
    assigned_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True, index=True
    )

    organisation: Mapped[Organisation] = relationship()
    dps: Mapped[DPS] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    lots: Mapped[list[ApplicationLot]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationLot.id"
    )
    assigned_officer: Mapped[User | None] = relationship(foreign_keys=[assigned_officer_id])

    @property
    def lot_numbers(self) -> list[int]:
        return sorted(al.lot.number for al in self.lots)


class ApplicationLot(db.Model):  # type: ignore[name-defined]
    """One lot applied for in an application, with its own pass/fail outcome."""

    __tablename__ = "application_lots"
    __table_args__ = (UniqueConstraint("application_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    outcome: Mapped[LotOutcome] = mapped_column(
        str_enum(LotOutcome, "lot_outcome"), default=LotOutcome.PENDING
    )
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    application: Mapped[Application] = relationship(back_populates="lots")
    lot: Mapped[Lot] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
