"""The end of a call-off: the award decision, the outcome letters, requests for more reasons,
the contract, and the quarterly award notices of contracts under the DPS.

``Award`` keeps the decision with the ranking it was made on, frozen as JSON (so a letter or the
report months later shows exactly what was decided, whatever changes afterwards)::

    {"criteria": {"price_weight_percent": 40, "price_formula": "lowest_over_this",
                  "tie_break": "higher_quality",
                  "questions": [{"id": 1, "position": 1, "kind": "quality", "text": "...",
                                 "weight_percent": 30, "max_score": 10}]},
     "rows": [{"tender_id": 5, "organisation_id": 9, "supplier": "Name", "rank": 1,
               "tied": false, "tie_broken": false, "price_pence": 1200000,
               "scores": {"1": 8}, "quality": "123/4", "social_value": "10/1",
               "price": "40/1", "total": "..."}],
     "excluded": [{"tender_id": 7, "organisation_id": 3, "supplier": "Name",
                   "reason": "Abnormally low price: ..."}],
     "unranked": [{"tender_id": 8, "organisation_id": 4, "supplier": "Name",
                   "unranked": true}],
     "lowest_price_pence": 1200000}

``unranked`` holds the opened tenders neither ranked nor excluded: a decision not to award made
before the ranking was complete (every bidder is still told).

Marks are exact fractions as "numerator/denominator" (``dps.rules.evaluation.stored``).
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.calloffs import CallOff
from dps.models.organisations import Organisation
from dps.models.tenders import Tender


class AwardOutcome(enum.StrEnum):
    AWARD = "award"
    NO_AWARD = "no_award"  # reg. 55: a decision not to award, with reasons, told to every bidder


class Award(db.Model):  # type: ignore[name-defined]
    __tablename__ = "call_off_awards"
    __table_args__ = (UniqueConstraint("call_off_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"))
    outcome: Mapped[AwardOutcome] = mapped_column(str_enum(AwardOutcome, "award_outcome"))
    # The tender the portal proposed (the highest ranked) and the one chosen.
    proposed_tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), nullable=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), nullable=True)
    # Why another tender than the proposed one was chosen (required when it was).
    other_choice_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Why no contract is awarded (required for NO_AWARD).
    no_award_reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The relative characteristics and advantages of the winning tender (reg. 55(2)(c)),
    # written by the buyer for the unsuccessful bidders' letters.
    advantages: Mapped[str] = mapped_column(Text, default="")
    ranking: Mapped[dict[str, Any]] = mapped_column(JSON)
    # None: no standstill chosen. Otherwise the days chosen, at least 10.
    standstill_days: Mapped[int | None] = mapped_column(nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    letters_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    letters_sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Set when the letters go: when standstill ends (None without standstill).
    standstill_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    call_off: Mapped[CallOff] = relationship()
    tender: Mapped[Tender | None] = relationship(foreign_keys=[tender_id])
    proposed_tender: Mapped[Tender | None] = relationship(foreign_keys=[proposed_tender_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    letters: Mapped[list[OutcomeLetter]] = relationship(
        back_populates="award", order_by="OutcomeLetter.id"
    )


class LetterKind(enum.StrEnum):
    SUCCESSFUL = "successful"
    UNSUCCESSFUL = "unsuccessful"
    NO_AWARD = "no_award"


class OutcomeLetter(db.Model):  # type: ignore[name-defined]
    """One bidder's outcome letter (reg. 86). Its facts are frozen in ``content`` when the award
    is decided (the preview shows exactly what will go); ``sent_at`` is set when it goes, through
    the outbox; only the bidder's own organisation may read it."""

    __tablename__ = "call_off_outcome_letters"
    __table_args__ = (UniqueConstraint("award_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("call_off_awards.id"))
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind, "letter_kind"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    award: Mapped[Award] = relationship(back_populates="letters")
    organisation: Mapped[Organisation] = relationship()
    tender: Mapped[Tender] = relationship()
    reasons_requests: Mapped[list[ReasonsRequest]] = relationship(
        back_populates="letter", order_by="ReasonsRequest.id"
    )


class ReasonsRequest(db.Model):  # type: ignore[name-defined]
    """An unsuccessful bidder's request for more reasons (reg. 55(2)), answered within 15 days."""

    __tablename__ = "call_off_reasons_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("call_off_outcome_letters.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    request: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reply_due: Mapped[date] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    letter: Mapped[OutcomeLetter] = relationship(back_populates="reasons_requests")


class Contract(db.Model):  # type: ignore[name-defined]
    """The contract awarded by a call-off: confirmed once any standstill has ended."""

    __tablename__ = "call_off_contracts"
    __table_args__ = (
        UniqueConstraint("call_off_id"),
        # The reference is unique within the buying organisation's contracts, whatever its case.
        Index(
            "uq_call_off_contracts_reference_lower",
            "organisation_id",
            text("lower(reference)"),
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"))
    award_id: Mapped[int] = mapped_column(ForeignKey("call_off_awards.id"))
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The buyer's own contract reference, unique within its organisation's contracts.
    reference: Mapped[str] = mapped_column(String(60))
    value_pence: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    call_off: Mapped[CallOff] = relationship()
    award: Mapped[Award] = relationship()
    organisation: Mapped[Organisation] = relationship()


class QuarterlyNotice(db.Model):  # type: ignore[name-defined]
    """A quarter's grouped award notice for contracts under the DPS (reg. 50(3)), recorded as
    sent by an administrator."""

    __tablename__ = "quarterly_award_notices"
    __table_args__ = (UniqueConstraint("dps_id", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"))
    year: Mapped[int]
    quarter: Mapped[int]
    notice_reference: Mapped[str] = mapped_column(String(120), default="")
    sent_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
