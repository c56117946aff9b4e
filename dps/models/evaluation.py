"""Evaluating a call-off's opened tenders: each panel member's own scores, the lead's moderated
scores, and the review of a possibly abnormally low price.

Every panel member scores every quality and social-value answer of every tender on the
question's scale, with a written justification (``PanelScore``); they see nobody else's scores
until they have submitted all of theirs. The lead then records one moderated score per question
per tender with its rationale (``ModeratedScore``); the individual scores stay as they were, as
the record of how the moderated one was reached. Rows are never deleted.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.calloffs import CallOffQuestion, PanelMember
from dps.models.tenders import Tender


class PanelScore(db.Model):  # type: ignore[name-defined]
    """One panel member's score for one answer of one tender, with their justification.

    Saved as the member goes (``score`` may be blank while they work); fixed once they submit
    all their scores (``PanelMember.scores_submitted_at``).
    """

    __tablename__ = "call_off_panel_scores"
    __table_args__ = (UniqueConstraint("panel_member_id", "tender_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    panel_member_id: Mapped[int] = mapped_column(ForeignKey("call_off_panel_members.id"))
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("call_off_questions.id"))
    score: Mapped[int | None] = mapped_column(nullable=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panel_member: Mapped[PanelMember] = relationship()
    tender: Mapped[Tender] = relationship()
    question: Mapped[CallOffQuestion] = relationship()


class ModeratedScore(db.Model):  # type: ignore[name-defined]
    """The lead's agreed score for one answer of one tender, with the rationale for it."""

    __tablename__ = "call_off_moderated_scores"
    __table_args__ = (UniqueConstraint("tender_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("call_off_questions.id"))
    score: Mapped[int]
    rationale: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    tender: Mapped[Tender] = relationship()
    question: Mapped[CallOffQuestion] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class PriceReviewDecision(enum.StrEnum):
    ACCEPTED = "accepted"  # the explanation accounts for the low price; the tender is ranked
    REJECTED = "rejected"  # it does not (reg. 69(3)); the tender is taken out of the ranking

    @property
    def label(self) -> str:
        return {"accepted": "Explanation accepted", "rejected": "Tender rejected"}[self.value]


class PriceReview(db.Model):  # type: ignore[name-defined]
    """A price flagged as possibly abnormally low (reg. 69): the explanation the buyer asked
    for, what the supplier said, and whether it was accepted, with the reason."""

    __tablename__ = "call_off_price_reviews"
    __table_args__ = (UniqueConstraint("tender_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    # The figures it was flagged on, in pence, kept as they were then.
    price_pence: Mapped[int] = mapped_column(BigInteger)
    average_of_others_pence: Mapped[int] = mapped_column(BigInteger)
    threshold_percent: Mapped[int]
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    explanation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision: Mapped[PriceReviewDecision | None] = mapped_column(
        str_enum(PriceReviewDecision, "price_review_decision"), nullable=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    tender: Mapped[Tender] = relationship()
    decided_by: Mapped[User | None] = relationship()
