"""Requests to renew a supplier's self-declaration (reg. 34: answered within 5 working days)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import RenewalStatus


class DeclarationRenewal(db.Model):  # type: ignore[name-defined]
    __tablename__ = "declaration_renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[RenewalStatus] = mapped_column(
        str_enum(RenewalStatus, "renewal_status"), default=RenewalStatus.REQUESTED
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # The renewed declaration: the same shape as an application's snapshot, with its checksum.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    snapshot_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()
