"""What a call-off's invited suppliers are told after publishing: answers and addenda.

A supplier asks a clarification question (``CallOffClarification``); who asked (organisation
and person) is kept for the buyer's records only and is never shown to another supplier nor in
the published answer. The buyer answers it, publishing the question (as the buyer words it, so
nothing in it identifies the asker) and the answer to every invited supplier. An addendum
(``CallOffAddendum``) is a change or addition to the requirement, published to all likewise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime
from dps.models.calloffs import CallOff


class CallOffClarification(db.Model):  # type: ignore[name-defined]
    __tablename__ = "call_off_clarifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    # Who asked: for the buyer's records only, never shown to other suppliers or published.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The question as published (the buyer may reword it so nothing identifies the asker).
    published_question: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Answering publishes the answer to every invited supplier.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    call_off: Mapped[CallOff] = relationship()

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CallOffAddendum(db.Model):  # type: ignore[name-defined]
    """A change or addition to the requirement, published to every invited supplier."""

    __tablename__ = "call_off_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    call_off: Mapped[CallOff] = relationship()
