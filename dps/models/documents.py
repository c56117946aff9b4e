"""Uploaded evidence: insurance certificates, accounts, policies. Old versions are kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import DocumentKind


class Document(db.Model):  # type: ignore[name-defined]
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    # The type found from the content, never from the name.
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    scan_result: Mapped[str] = mapped_column(String(40), default="not_scanned")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # A replaced document stays, pointing at the version that replaced it.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None
