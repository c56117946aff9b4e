"""Tenders: what an invited supplier sends in answer to a call-off, and its declines.

A supplier keeps one tender per call-off (``Tender``), saved as a draft as it goes: an answer
per question (``TenderAnswer``), a price per line of the schedule or one total
(``TenderPrice``, integer pence), and documents (``TenderDocument``). What was typed but is not
valid yet is kept in ``pending_input`` so nothing is lost. Sending it keeps the snapshot of what
was sent with its SHA-256 checksum and counts the revision; it may be sent again (a new
revision) or withdrawn until the tender deadline. Tenders are sealed: only
``dps.services.calloffs.sealing`` reads them for a buyer, and only once opened. A supplier that
will not tender says so (``TenderDecline``), with an optional reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.calloffs import CallOff, CallOffQuestion, PriceLine
from dps.models.organisations import Organisation
from dps.rules.enums import TenderStatus


class Tender(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tenders"
    __table_args__ = (UniqueConstraint("call_off_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[TenderStatus] = mapped_column(
        str_enum(TenderStatus, "tender_status"), default=TenderStatus.DRAFT
    )
    # What was typed but is not valid yet: {"answers": {"<question id>": ...},
    # "prices": {"<line id or 'total'>": "twelve pounds"}}.
    pending_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Opened once, at or after the deadline, by whoever or whatever opened the call-off.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # What was sent, as canonical JSON, and the SHA-256 of that JSON; None until first sent.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # 0 until sent; 1 for the first tender sent, 2 for the first revision, and so on.
    revision: Mapped[int] = mapped_column(default=0)

    call_off: Mapped[CallOff] = relationship()
    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    answers: Mapped[list[TenderAnswer]] = relationship(
        back_populates="tender", order_by="TenderAnswer.id", cascade="all, delete-orphan"
    )
    prices: Mapped[list[TenderPrice]] = relationship(
        back_populates="tender", order_by="TenderPrice.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[TenderDocument]] = relationship(
        back_populates="tender", order_by="TenderDocument.id"
    )

    def __repr__(self) -> str:
        return f"<Tender {self.id} call-off {self.call_off_id} {self.status} r{self.revision}>"


class TenderAnswer(db.Model):  # type: ignore[name-defined]
    """A supplier's answer to one quality or social-value question."""

    __tablename__ = "tender_answers"
    __table_args__ = (UniqueConstraint("tender_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("call_off_questions.id"))
    text: Mapped[str] = mapped_column(Text, default="")

    tender: Mapped[Tender] = relationship(back_populates="answers")
    question: Mapped[CallOffQuestion] = relationship()


class TenderPrice(db.Model):  # type: ignore[name-defined]
    """The price for one line of the schedule (for the quantity asked), or, with no line, the
    single total price; integer pence excluding VAT."""

    __tablename__ = "tender_prices"
    __table_args__ = (UniqueConstraint("tender_id", "price_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    price_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_off_price_lines.id"), nullable=True
    )
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    tender: Mapped[Tender] = relationship(back_populates="prices")
    price_line: Mapped[PriceLine | None] = relationship()


class TenderDocument(db.Model):  # type: ignore[name-defined]
    """A document sent with a tender, kept through the storage interface with its checksum."""

    __tablename__ = "tender_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(255))
    # The type found from the content, never from the name.
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Taken off the draft; the stored file is kept, as every upload is.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    tender: Mapped[Tender] = relationship(back_populates="documents")


class TenderDecline(db.Model):  # type: ignore[name-defined]
    """An invited supplier's word that it will not tender, with its reason if it gave one."""

    __tablename__ = "tender_declines"
    __table_args__ = (UniqueConstraint("call_off_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
