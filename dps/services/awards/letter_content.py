"""What each bidder's outcome letter says, frozen from the award (reg. 86 and reg. 55).

Every letter carries the award criteria and weightings as they were decided on, and the
bidder's own marks; an unsuccessful bidder's letter also names the winner with the winner's
marks and the relative characteristics and advantages of the winning tender, as the buyer wrote
them. No other bidder's marks are ever in a letter. A decision not to award carries its reasons;
a tender left out of the ranking (an abnormally low price rejected) carries the reason it was.
When the winner was not the proposed tender (another was ranked higher, or the highest rank was
shared and none was proposed), every letter carries the lead's reason for the choice
(``choice_reason``), and ``winner_standing`` says which ("highest", "tied" or "lower"), so the
successful letter never says the tender scored highest when it did not.

The content is plain JSON, so a letter read months later says exactly what was sent::

    {"kind": "unsuccessful", "call_off": {"reference", "title", "buyer"}, "supplier": "Name",
     "criteria": {"questions": [...], "price_weight_percent": 30, "price_formula": "...",
                  "tie_break": "..."},
     "own": {"rank": 2, "tied": false, "price_pence": 4000000, "scores": [...],
             "quality": "40.00", "social_value": "8.00", "price": "22.50", "total": "70.50"},
     "ranked": 3, "winner": {"supplier": "Name", "scores": [...], ...} or null,
     "advantages": "...", "winner_standing": "highest", "choice_reason": null,
     "no_award_reasons": null, "excluded_reason": null,
     "standstill_days": 10, "standstill_last_day": "2027-01-25" (set when sent), "sent_at": ...}
"""

from __future__ import annotations

from typing import Any

from dps.models.awards import Award, AwardOutcome, LetterKind
from dps.models.calloffs import CallOff
from dps.rules.award_criteria import QuestionKind
from dps.rules.evaluation import PriceFormula, TieBreak, from_stored, question_marks, two_places

KIND_LABELS = {
    QuestionKind.QUALITY.value: "Quality",
    QuestionKind.SOCIAL_VALUE.value: "Social value",
}


def bidders(award: Award) -> list[dict[str, Any]]:
    """Every tender opened and decided on: the ranked ones in rank order, then those left out,
    then any not ranked (no award decided before the ranking was complete)."""
    ranking = award.ranking or {}
    return [
        *(ranking.get("rows") or []),
        *(ranking.get("excluded") or []),
        *(ranking.get("unranked") or []),
    ]


def kind_for(award: Award, tender_id: int) -> LetterKind:
    if award.outcome == AwardOutcome.NO_AWARD:
        return LetterKind.NO_AWARD
    return LetterKind.SUCCESSFUL if tender_id == award.tender_id else LetterKind.UNSUCCESSFUL


def _label(enum_type: type[PriceFormula] | type[TieBreak], value: str | None) -> str:
    try:
        return enum_type(str(value)).label
    except ValueError:
        return str(value or "")


def criteria(ranking: dict[str, Any]) -> dict[str, Any]:
    frozen = ranking.get("criteria") or {}
    return {
        "questions": [
            {
                "position": q.get("position"),
                "kind": KIND_LABELS.get(str(q.get("kind")), str(q.get("kind") or "")),
                "text": q.get("text") or "",
                "weight_percent": q.get("weight_percent"),
                "max_score": q.get("max_score"),
            }
            for q in frozen.get("questions") or []
        ],
        "price_weight_percent": frozen.get("price_weight_percent"),
        "price_formula": _label(PriceFormula, frozen.get("price_formula")),
        "tie_break": _label(TieBreak, frozen.get("tie_break")),
    }


def marks(ranking: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """One ranked tender's marks as a letter shows them: each question's moderated score out of
    its maximum with the marks it earned, price marks and total, to two decimal places."""
    scores = row.get("scores") or {}
    shown = []
    for q in (ranking.get("criteria") or {}).get("questions") or []:
        score = scores.get(str(q["id"]))
        weight, maximum = int(q.get("weight_percent") or 0), int(q.get("max_score") or 0)
        shown.append(
            {
                "position": q.get("position"),
                "text": q.get("text") or "",
                "score": score,
                "max_score": maximum,
                "weight_percent": weight,
                "marks": (
                    two_places(question_marks(int(score), maximum, weight))
                    if score is not None and maximum
                    else None
                ),
            }
        )
    return {
        "supplier": row.get("supplier") or "",
        "rank": row.get("rank"),
        "tied": bool(row.get("tied")),
        "scores": shown,
        "quality": two_places(from_stored(row["quality"])),
        "social_value": two_places(from_stored(row["social_value"])),
        "price": two_places(from_stored(row["price"])),
        "total": two_places(from_stored(row["total"])),
    }


def winner_standing(award: Award) -> str | None:
    """Where the winner stood: "highest" (the proposed tender), "tied" (the highest rank was
    shared, so none was proposed) or "lower" (another was ranked higher); None without an award."""
    if award.outcome != AwardOutcome.AWARD:
        return None
    if award.proposed_tender_id is None:
        return "tied"
    return "highest" if award.tender_id == award.proposed_tender_id else "lower"


def content_for(call_off: CallOff, award: Award, bidder: dict[str, Any]) -> dict[str, Any]:
    """The letter to one bidder (a ranking row or an excluded entry), from the frozen award."""
    ranking = award.ranking or {}
    rows = list(ranking.get("rows") or [])
    tender_id = int(bidder["tender_id"])
    kind = kind_for(award, tender_id)
    ranked = "rank" in bidder
    own = marks(ranking, bidder) if ranked else None
    if own is not None:
        own["price_pence"] = bidder.get("price_pence")
    standing = winner_standing(award)
    winner = None
    if kind == LetterKind.UNSUCCESSFUL:
        winning = next((r for r in rows if r.get("tender_id") == award.tender_id), None)
        if winning is not None:
            winner = marks(ranking, winning)
    return {
        "kind": kind.value,
        "call_off": {
            "reference": call_off.reference or "",
            "title": call_off.title,
            "buyer": call_off.organisation.name,
        },
        "supplier": bidder.get("supplier") or "",
        "decided_at": award.decided_at.isoformat() if award.decided_at else None,
        "criteria": criteria(ranking),
        "own": own,
        "ranked": len(rows),
        "winner": winner,
        "advantages": award.advantages if kind == LetterKind.UNSUCCESSFUL else "",
        "winner_standing": standing,
        "choice_reason": (award.other_choice_reason or "")
        if standing in {"tied", "lower"}
        else None,
        "no_award_reasons": award.no_award_reasons if kind == LetterKind.NO_AWARD else None,
        "excluded_reason": None
        if ranked or bidder.get("unranked")
        else (bidder.get("reason") or ""),
        "standstill_days": award.standstill_days if kind != LetterKind.NO_AWARD else None,
        "standstill_last_day": None,
        "standstill_ends_at": None,
        "sent_at": None,
    }
