"""Admissions: a supplier in a lot's pool. Only admitted suppliers are invited to call-offs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.rules.enums import AdmissionStatus


class Admission(db.Model):  # type: ignore[name-defined]
    __tablename__ = "admissions"
    __table_args__ = (Index("ix_admissions_lot_status", "lot_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    status: Mapped[AdmissionStatus] = mapped_column(
        str_enum(AdmissionStatus, "admission_status"), default=AdmissionStatus.ADMITTED
    )
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set by the evidence-expiry job when a required certificate has lapsed; cleared on renewal.
    evidence_expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    evidence_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    organisation: Mapped[Organisation] = relationship()
    lot: Mapped[Lot] = relationship()
