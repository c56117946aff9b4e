"""The ranking of a call-off's opened tenders, from the lead's moderated scores, the prices, and
the weights, price formula and tie-break stated at drafting.

A tender whose price review ended in rejection (reg. 69) is left out, with the reason, and its
price is not the lowest. The ranking is complete only when every other tender has a moderated
score for every question; until then ``CallOffRanking.ranking`` is None and ``missing`` says how
many scores each tender still lacks. ``frozen`` gives the JSON kept with the award
(``Award.ranking``; its shape is in ``dps.models.awards``), so the decision can be read exactly as
it was made, whatever changes later.

Moderated scores are read straight from ``ModeratedScore`` rows, however they were recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.evaluation import ModeratedScore
from dps.models.tenders import Tender
from dps.rules.evaluation import Ranking, ScoredQuestion, TenderScores, rank, stored
from dps.rules.refusals import NotAllowed
from dps.services.evaluation import pricing
from dps.services.evaluation.panel_roles import require_evaluator

ABNORMALLY_LOW = "Abnormally low price: {reason}"
NOT_SUBMITTED = "You can see the ranking once you have submitted all your scores"


@dataclass(frozen=True)
class ExcludedTender:
    tender_id: int
    organisation_id: int
    supplier: str
    reason: str


@dataclass
class CallOffRanking:
    """Everything the ranking page and the award need about the tenders' standing."""

    call_off: CallOff
    tenders: dict[int, Tender]  # every opened tender, by id
    prices: dict[int, int]  # pence, by tender id
    scores: dict[int, dict[int, int]]  # moderated score by question id, by tender id
    excluded: list[ExcludedTender]
    missing: dict[int, int] = field(default_factory=dict)  # tender id -> scores not moderated
    ranking: Ranking[int] | None = None

    @property
    def complete(self) -> bool:
        return self.ranking is not None

    @property
    def proposed_tender_id(self) -> int | None:
        """The highest-ranked tender (the first, after any tie-break); None before the ranking
        is complete and when the tie-break leaves the highest rank shared (see ``tied_top``)."""
        if self.ranking is None or self.ranking.first is None:
            return None
        return self.ranking.first.key

    @property
    def tied_top(self) -> list[int]:
        """The tenders sharing the highest rank when the tie-break cannot separate them (the
        lead chooses one, with the reason); empty otherwise."""
        if self.ranking is None or not self.ranking.tied_at_top:
            return []
        return [row.key for row in self.ranking.top]

    def supplier(self, tender_id: int) -> str:
        return supplier_name(self.tenders[tender_id])


def supplier_name(tender: Tender) -> str:
    """The supplier's name as its tender was sent (the snapshot), else the organisation's."""
    snapshot = tender.snapshot or {}
    return str((snapshot.get("supplier") or {}).get("name") or tender.organisation.name)


def questions_of(call_off: CallOff) -> list[ScoredQuestion]:
    return [
        ScoredQuestion(q.id, q.kind, q.weight_percent or 0, q.max_score or 1)
        for q in call_off.questions
    ]


def moderated_scores(call_off: CallOff) -> dict[int, dict[int, int]]:
    """The lead's moderated score for each question, by tender id."""
    found: dict[int, dict[int, int]] = {}
    for row in db.session.scalars(
        select(ModeratedScore).where(ModeratedScore.call_off_id == call_off.id)
    ):
        found.setdefault(row.tender_id, {})[row.question_id] = row.score
    return found


def current(call_off: CallOff) -> CallOffRanking:
    """The ranking as the moderated scores and price decisions stand now."""
    tenders = {tender.id: tender for tender in pricing.opened_tenders(call_off)}
    prices = {tender_id: pricing.tender_price(tender) for tender_id, tender in tenders.items()}
    scores = moderated_scores(call_off)
    excluded = [
        ExcludedTender(
            tender_id,
            tenders[tender_id].organisation_id,
            supplier_name(tenders[tender_id]),
            ABNORMALLY_LOW.format(reason=review.decision_reason or ""),
        )
        for tender_id, review in sorted(pricing.rejected(call_off).items())
        if tender_id in tenders
    ]
    result = CallOffRanking(call_off, tenders, prices, scores, excluded)
    left_out = {row.tender_id for row in excluded}
    questions = questions_of(call_off)
    for tender_id in tenders:
        if tender_id in left_out:
            continue
        lacking = sum(1 for q in questions if q.id not in scores.get(tender_id, {}))
        if lacking:
            result.missing[tender_id] = lacking
    if result.missing or len(left_out) == len(tenders):
        return result
    result.ranking = rank(
        [TenderScores(t, prices[t], scores.get(t, {})) for t in tenders],
        questions,
        price_weight_percent=call_off.price_weight_percent or 0,
        formula=call_off.price_formula,
        tie_break=call_off.tie_break,
        excluded=left_out,
    )
    return result


def for_reader(call_off: CallOff, actor: User) -> CallOffRanking:
    """The ranking for a panel member to read: the lead at any time, another member once they
    have submitted all their scores (so nobody's own scoring is led by it)."""
    member = require_evaluator(call_off, actor)
    if not member.is_lead and member.scores_submitted_at is None:
        raise NotAllowed(NOT_SUBMITTED)
    return current(call_off)


def frozen(result: CallOffRanking) -> dict[str, Any]:
    """The ranking as kept with the award (``Award.ranking``): criteria, rows and exclusions,
    marks as exact fractions."""
    call_off = result.call_off
    rows = []
    for row in result.ranking.rows if result.ranking else []:
        tender = result.tenders[row.key]
        rows.append(
            {
                "tender_id": row.key,
                "organisation_id": tender.organisation_id,
                "supplier": supplier_name(tender),
                "rank": row.rank,
                "tied": row.tied,
                "tie_broken": row.tie_broken,
                "price_pence": result.prices[row.key],
                "scores": {str(q): s for q, s in sorted(result.scores.get(row.key, {}).items())},
                "quality": stored(row.quality),
                "social_value": stored(row.social_value),
                "price": stored(row.price),
                "total": stored(row.total),
            }
        )
    return {
        "criteria": {
            "price_weight_percent": call_off.price_weight_percent,
            "price_formula": call_off.price_formula.value,
            "tie_break": call_off.tie_break.value,
            "abnormally_low_percent": call_off.abnormally_low_percent,
            "questions": [
                {
                    "id": q.id,
                    "position": q.position,
                    "kind": q.kind.value,
                    "text": q.text,
                    "weight_percent": q.weight_percent,
                    "max_score": q.max_score,
                }
                for q in call_off.questions
            ],
        },
        "rows": rows,
        "excluded": [
            {
                "tender_id": e.tender_id,
                "organisation_id": e.organisation_id,
                "supplier": e.supplier,
                "reason": e.reason,
            }
            for e in result.excluded
        ],
        # Opened tenders neither ranked nor excluded: a decision not to award taken before the
        # ranking was complete. Every bidder is still told.
        "unranked": [
            {
                "tender_id": tender_id,
                "organisation_id": tender.organisation_id,
                "supplier": supplier_name(tender),
                "unranked": True,
            }
            for tender_id, tender in sorted(result.tenders.items())
            if tender_id not in {row["tender_id"] for row in rows}
            and tender_id not in {e.tender_id for e in result.excluded}
        ],
        "lowest_price_pence": result.ranking.lowest_price_pence if result.ranking else None,
    }
