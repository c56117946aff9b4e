"""Call-offs (mini-competitions): what a member council asks the suppliers of one lot for.

A call-off is drafted through a task list, saving as it goes: what was typed but is not valid
yet is kept in ``pending_input`` (by section) so nothing is lost, and the columns hold only
valid values. Publishing stores the invitation list, every supplier admitted and not suspended
in the lot at that instant (``CallOffInvitation``): it is the evidence that the contract was
competed among all of them, and is never changed afterwards. Criteria, weights and the panel
are fixed once published.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.rules.award_criteria import QuestionKind
from dps.rules.enums import CallOffStatus
from dps.rules.evaluation import DEFAULT_ABNORMALLY_LOW_PERCENT, PriceFormula, TieBreak


class PriceFormat(enum.StrEnum):
    """How suppliers give their price: a schedule of lines with quantities, or one total."""

    SCHEDULE = "schedule"
    TOTAL = "total"

    @property
    def label(self) -> str:
        return {
            "schedule": "A price for each line of a schedule",
            "total": "A single total price",
        }[self.value]


class CallOff(db.Model):  # type: ignore[name-defined]
    __tablename__ = "call_offs"
    __table_args__ = (Index("ix_call_offs_organisation_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # CCIN-CO-000001, set from the id once the row has one.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    status: Mapped[CallOffStatus] = mapped_column(
        str_enum(CallOffStatus, "call_off_status"), default=CallOffStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    delivery_location: Mapped[str] = mapped_column(String(200), default="")
    # Money is integer pence, excluding VAT.
    estimated_value_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    contract_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    price_format: Mapped[PriceFormat | None] = mapped_column(
        str_enum(PriceFormat, "price_format"), nullable=True
    )
    price_weight_percent: Mapped[int | None] = mapped_column(nullable=True)
    # How price is scored, when a low price is flagged (reg. 69) and how a tie is broken:
    # stated at drafting, fixed once published.
    price_formula: Mapped[PriceFormula] = mapped_column(
        str_enum(PriceFormula, "price_formula"),
        default=PriceFormula.LOWEST_OVER_THIS,
        server_default=PriceFormula.LOWEST_OVER_THIS.value,
    )
    abnormally_low_percent: Mapped[int] = mapped_column(
        default=DEFAULT_ABNORMALLY_LOW_PERCENT, server_default=str(DEFAULT_ABNORMALLY_LOW_PERCENT)
    )
    tie_break: Mapped[TieBreak] = mapped_column(
        str_enum(TieBreak, "tie_break"),
        default=TieBreak.HIGHER_QUALITY,
        server_default=TieBreak.HIGHER_QUALITY.value,
    )
    clarification_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    tender_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # What was typed but is not valid yet, by section, so "save and come back later" loses
    # nothing: {"value_and_dates": {"estimated_value": "twelve pounds"}, ...}.
    pending_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The sections the buyer has saved at least once (for the task list's "not started").
    sections_saved: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When the tenders were opened (after the deadline), once.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()
    lot: Mapped[Lot] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    questions: Mapped[list[CallOffQuestion]] = relationship(
        back_populates="call_off",
        order_by="CallOffQuestion.position",
        cascade="all, delete-orphan",
    )
    price_lines: Mapped[list[PriceLine]] = relationship(
        back_populates="call_off", order_by="PriceLine.position", cascade="all, delete-orphan"
    )
    panel: Mapped[list[PanelMember]] = relationship(
        back_populates="call_off", order_by="PanelMember.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[CallOffDocument]] = relationship(
        back_populates="call_off", order_by="CallOffDocument.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == CallOffStatus.DRAFT

    @property
    def panel_lead(self) -> PanelMember | None:
        return next((member for member in self.panel if member.is_lead), None)

    def __repr__(self) -> str:
        return f"<CallOff {self.id} {self.reference!r} {self.status}>"


class CallOffQuestion(db.Model):  # type: ignore[name-defined]
    """A quality or social-value question; its weighting is part of the award criteria."""

    __tablename__ = "call_off_questions"
    __table_args__ = (UniqueConstraint("call_off_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    position: Mapped[int]  # from 1, in reading order
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "call_off_question_kind"))
    text: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight_percent: Mapped[int | None] = mapped_column(nullable=True)
    max_score: Mapped[int | None] = mapped_column(nullable=True)
    scoring_scale: Mapped[str] = mapped_column(Text, default="")
    word_limit: Mapped[int | None] = mapped_column(nullable=True)
    # A key of dps.rules.award_criteria.CCIN_PRINCIPLES, for a social-value question.
    theme: Mapped[str | None] = mapped_column(String(40), nullable=True)

    call_off: Mapped[CallOff] = relationship(back_populates="questions")


class PriceLine(db.Model):  # type: ignore[name-defined]
    """A line of a price schedule: suppliers price each one for the quantity asked."""

    __tablename__ = "call_off_price_lines"
    __table_args__ = (UniqueConstraint("call_off_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[int | None] = mapped_column(nullable=True)

    call_off: Mapped[CallOff] = relationship(back_populates="price_lines")


class PanelMember(db.Model):  # type: ignore[name-defined]
    """A buyer of the call-off's organisation on its evaluation panel; one of them leads.

    Before seeing any tender each member declares whether they have a conflict of interest
    with any bidder (reg. 24). A declared conflict takes them off the panel for this call-off:
    the row stays, with the reason, as the record. ``scores_submitted_at`` is when they sent
    all their scores; until then they see nobody else's.
    """

    __tablename__ = "call_off_panel_members"
    __table_args__ = (UniqueConstraint("call_off_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_lead: Mapped[bool] = mapped_column(default=False)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # None until declared; True takes them off the panel.
    has_conflict: Mapped[bool | None] = mapped_column(nullable=True)
    conflict_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    scores_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    call_off: Mapped[CallOff] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()

    @property
    def may_score(self) -> bool:
        """Declared, with no conflict."""
        return self.declared_at is not None and self.has_conflict is False


class CallOffDocument(db.Model):  # type: ignore[name-defined]
    """A document of the requirement, kept through the storage interface with its checksum."""

    __tablename__ = "call_off_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    # The type found from the content, never from the name.
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    scan_result: Mapped[str] = mapped_column(String(40), default="not_scanned")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # A draft's document may be taken off; the stored file is kept, as every upload is.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    call_off: Mapped[CallOff] = relationship(back_populates="documents")


class CallOffInvitation(db.Model):  # type: ignore[name-defined]
    """A supplier invited when the call-off was published: the evidence, never changed."""

    __tablename__ = "call_off_invitations"
    __table_args__ = (UniqueConstraint("call_off_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    admission_id: Mapped[int] = mapped_column(ForeignKey("admissions.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
