"""The shape of a call-off's record as regulation 84 asks for it, as the report page and its
download read it (``dps.services.awards.record`` fills it in), and the award's frozen ranking
read back with its marks to two decimal places.

Everything here is plain data: instants are aware UTC datetimes, money integer pence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dps.rules.evaluation import from_stored, two_places


@dataclass(frozen=True)
class Invited:
    supplier: str
    invited_at: datetime


@dataclass(frozen=True)
class Tendered:
    tender_id: int
    supplier: str
    received_at: datetime | None
    revision: int
    sha256: str
    status: str


@dataclass(frozen=True)
class Declined:
    supplier: str
    declined_at: datetime
    reason: str


@dataclass(frozen=True)
class Declaration:
    name: str
    email: str
    is_lead: bool
    declared_at: datetime | None
    has_conflict: bool | None
    conflict_reason: str
    scores_submitted_at: datetime | None


@dataclass(frozen=True)
class MemberScore:
    member: str
    score: int | None
    justification: str


@dataclass(frozen=True)
class QuestionScores:
    position: int
    text: str
    kind: str
    max_score: int | None
    weight_percent: int | None
    panel: list[MemberScore]
    moderated: int | None
    rationale: str
    moderated_by: str
    moderated_at: datetime | None


@dataclass(frozen=True)
class TenderScoring:
    supplier: str
    questions: list[QuestionScores]


@dataclass(frozen=True)
class PriceReviewLine:
    supplier: str
    price_pence: int
    average_of_others_pence: int
    threshold_percent: int
    flagged_at: datetime
    explanation_requested_at: datetime | None
    explanation: str
    decision: str
    reason: str
    decided_by: str
    decided_at: datetime | None


@dataclass(frozen=True)
class RankRow:
    rank: int
    supplier: str
    price_pence: int | None
    quality: str
    social_value: str
    price: str
    total: str
    tied: bool
    tie_broken: bool


@dataclass(frozen=True)
class Exclusion:
    supplier: str
    reason: str


@dataclass(frozen=True)
class AwardDecision:
    is_award: bool
    winner: str
    proposed: str
    other_choice_reason: str
    advantages: str
    no_award_reasons: str
    standstill_days: int | None
    standstill_ends_at: datetime | None
    decided_by: str
    decided_at: datetime
    letters_sent_at: datetime | None
    ranking: list[RankRow]
    excluded: list[Exclusion]


@dataclass(frozen=True)
class LetterLine:
    supplier: str
    kind: str
    created_at: datetime
    sent_at: datetime | None
    first_read_at: datetime | None


@dataclass(frozen=True)
class ReasonsLine:
    supplier: str
    request: str
    asked_at: datetime
    reply_due: date
    reply: str
    replied_at: datetime | None


@dataclass(frozen=True)
class ContractLine:
    reference: str
    supplier: str
    value_pence: int
    start_date: date
    end_date: date
    confirmed_at: datetime
    confirmed_by: str


@dataclass(frozen=True)
class Report:
    call_off_id: int
    authority: str
    reference: str
    title: str
    description: str
    lot: str
    status: str
    delivery_location: str
    estimated_value_pence: int | None
    contract_start: date | None
    contract_end: date | None
    published_at: datetime | None
    published_by: str
    clarification_deadline: datetime | None
    tender_deadline: datetime | None
    opened_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    invited: list[Invited]
    tendered: list[Tendered]
    declined: list[Declined]
    neither: list[str]  # invited, and neither tendered nor declined
    panel: list[Declaration]
    scoring: list[TenderScoring]
    price_reviews: list[PriceReviewLine]
    award: AwardDecision | None
    letters: list[LetterLine]
    reasons: list[ReasonsLine]
    contract: ContractLine | None
    produced_at: datetime

    @property
    def opened(self) -> bool:
        return self.opened_at is not None


def ranking_rows(ranking: dict[str, Any]) -> list[RankRow]:
    """The ranking the award was decided on (its frozen JSON), marks to two decimal places."""

    def mark(value: Any) -> str:
        return two_places(from_stored(str(value))) if value not in (None, "") else ""

    return [
        RankRow(
            rank=int(row.get("rank") or 0),
            supplier=str(row.get("supplier") or ""),
            price_pence=row.get("price_pence"),
            quality=mark(row.get("quality")),
            social_value=mark(row.get("social_value")),
            price=mark(row.get("price")),
            total=mark(row.get("total")),
            tied=bool(row.get("tied")),
            tie_broken=bool(row.get("tie_broken")),
        )
        for row in ranking.get("rows") or []
    ]
