"""What the buyer's price, ranking, award and contract pages show, built from the services'
answers. No routes here (``dps.web.buyer.calloff_award`` has them): the render-every-template
test builds the same contexts through these functions.

Money is shown as every page shows it (``format_pence``: "£12,345", "£12,345.50"); marks to
two decimal places, rounded half up from the exact fractions kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.models.accounts import User
from dps.models.awards import Award, AwardOutcome, Contract
from dps.models.calloffs import CallOff
from dps.models.evaluation import PriceReview, PriceReviewDecision
from dps.rules.enums import CallOffStatus
from dps.rules.evaluation import TieBreak, two_places
from dps.rules.refusals import Refusal
from dps.rules.timefmt import format_date, format_pence
from dps.services.awards import awarding, contracts
from dps.services.evaluation import panel_roles
from dps.services.evaluation.ranking import CallOffRanking
from dps.web.buyer.calloff_pages import date_boxes, typed_date
from dps.web.refusals import Shown

DATE_FIELDS = frozenset({"asked_on", "start_date", "end_date"})


def shown(problems: Iterable[Refusal], prefix: str = "") -> Shown:
    """The problems of one form; each links to its question (a date to its day box). On a page
    of several forms ``prefix`` keeps each form's ids apart."""
    result = Shown()
    for problem in problems:
        name = problem.field or ""
        target = f"{prefix}{name}" + ("-day" if name in DATE_FIELDS else "")
        result.summary.append(
            {"text": problem.message, "href": f"#{target}"} if name else {"text": problem.message}
        )
        if name and name not in result.by_field:
            result.by_field[name] = problem.message
    return result


def posted(form: MultiDict[str, str], names: Iterable[str]) -> dict[str, str]:
    """What was typed in each question, a date as its three boxes read together."""
    return {
        name: typed_date(form, name) if name in DATE_FIELDS else form.get(name, "")
        for name in names
    }


# --- prices -------------------------------------------------------------------------------------


def review_row(review: PriceReview, supplier: str) -> dict[str, Any]:
    decision = review.decision
    return {
        "tender_id": review.tender_id,
        "supplier": supplier,
        "price": format_pence(review.price_pence),
        "average": format_pence(review.average_of_others_pence),
        "threshold": review.threshold_percent,
        "flagged_at": review.flagged_at,
        "asked_at": review.explanation_requested_at,
        "explanation": review.explanation,
        "decided": decision is not None,
        "decision": decision.label if decision else "",
        "rejected": decision == PriceReviewDecision.REJECTED,
        "reason": review.decision_reason or "",
        "decided_at": review.decided_at,
    }


def prices_context(
    call_off: CallOff,
    reviews: list[PriceReview],
    suppliers: dict[int, str],
    prices: dict[int, int],
    *,
    posted_for: int | None = None,
    typed: dict[str, str] | None = None,
    problems: Iterable[Refusal] = (),
) -> dict[str, Any]:
    return {
        "call_off": call_off,
        "reviews": [review_row(r, suppliers.get(r.tender_id, "")) for r in reviews],
        "prices": [
            {"supplier": suppliers.get(tender_id, ""), "price": format_pence(pence)}
            for tender_id, pence in sorted(prices.items(), key=lambda item: item[1])
        ],
        "percent": call_off.abnormally_low_percent,
        "open": call_off.status == CallOffStatus.CLOSED,
        "posted_for": posted_for,
        "typed": typed or {},
        "asked_on": date_boxes((typed or {}).get("asked_on", "")),
        "problems": shown(problems, f"review-{posted_for}-" if posted_for else ""),
    }


# --- ranking ------------------------------------------------------------------------------------


def tie_note(tied: bool, broken: bool, tie_break: TieBreak) -> str:
    if not tied:
        return ""
    if broken:
        return f"Tied: put in order by {tie_break.label[0].lower()}{tie_break.label[1:]}"
    return "Tied: the tie-break does not separate them"


def ranking_rows(result: CallOffRanking) -> list[dict[str, Any]]:
    if result.ranking is None:
        return []
    tie_break = result.call_off.tie_break
    return [
        {
            "tender_id": row.key,
            "rank": row.rank,
            "supplier": result.supplier(row.key),
            "quality": two_places(row.quality),
            "social_value": two_places(row.social_value),
            "price": format_pence(result.prices[row.key]),
            "price_marks": two_places(row.price),
            "total": two_places(row.total),
            "tied": row.tied,
            "tie": tie_note(row.tied, row.tie_broken, tie_break),
        }
        for row in result.ranking.rows
    ]


def ranking_context(
    result: CallOffRanking,
    *,
    is_lead: bool,
    finish_problems: list[str],
    problems: Iterable[Refusal] = (),
) -> dict[str, Any]:
    call_off = result.call_off
    return {
        "call_off": call_off,
        "rows": ranking_rows(result),
        "excluded": result.excluded,
        "missing": [
            {"supplier": result.supplier(tender_id), "count": count}
            for tender_id, count in sorted(result.missing.items())
        ],
        "complete": result.complete,
        "tie_break": call_off.tie_break.label,
        "formula": call_off.price_formula.label,
        "is_lead": is_lead,
        "may_finish": is_lead and call_off.status == CallOffStatus.CLOSED,
        "finish_problems": finish_problems,
        "problems": shown(problems),
    }


# --- the award ----------------------------------------------------------------------------------


def award_context(
    result: CallOffRanking, typed: dict[str, str], problems: Iterable[Refusal] = ()
) -> dict[str, Any]:
    """The award form: the proposed tender chosen to begin with; when the highest rank is
    shared (``tied``: the suppliers), nothing is proposed or chosen and the reason is needed."""
    proposed = result.proposed_tender_id
    return {
        "call_off": result.call_off,
        "rows": ranking_rows(result),
        "excluded": result.excluded,
        "proposed": proposed,
        "proposed_supplier": result.supplier(proposed) if proposed is not None else "",
        "tied": [result.supplier(tender_id) for tender_id in result.tied_top],
        "tied_ids": result.tied_top,
        "tie_break": result.call_off.tie_break.label,
        "typed": {"tender_id": str(proposed or ""), **typed},
        "problems": shown(problems),
    }


def no_award_context(
    call_off: CallOff, reasons: str, problems: Iterable[Refusal] = ()
) -> dict[str, Any]:
    return {"call_off": call_off, "reasons": reasons, "problems": shown(problems)}


# --- the contract -------------------------------------------------------------------------------


def contract_context(
    call_off: CallOff,
    award: Award,
    supplier: str,
    *,
    waiting: str | None,
    typed: dict[str, Any],
    problems: Iterable[Refusal] = (),
) -> dict[str, Any]:
    return {
        "call_off": call_off,
        "award": award,
        "supplier": supplier,
        "waiting": waiting,
        "typed": typed,
        "dates": {name: date_boxes(typed.get(name)) for name in ("start_date", "end_date")},
        "problems": shown(problems),
    }


def contract_rows(
    contract: Contract | None, other_party: str, *, party: str = "Supplier"
) -> list[dict[str, Any]]:
    """The contract as a summary list (nothing before it is confirmed): for the buyer the other
    party is the supplier; for the supplier, the buyer."""
    if contract is None:
        return []
    return [
        {"key": {"text": party}, "value": {"text": other_party}},
        {"key": {"text": "Contract reference"}, "value": {"text": contract.reference}},
        {"key": {"text": "Value"}, "value": {"text": format_pence(contract.value_pence)}},
        {"key": {"text": "Starts"}, "value": {"text": format_date(contract.start_date)}},
        {"key": {"text": "Ends"}, "value": {"text": format_date(contract.end_date)}},
    ]


def award_summary(
    call_off: CallOff,
    award: Award | None,
    contract: Contract | None,
    winner: str,
    *,
    is_lead: bool,
    stuck: bool = False,
    may_decide_no_award: bool = False,
) -> dict[str, Any]:
    """The call-off page's part about the evaluation, the award and the contract. ``stuck``:
    nobody on the panel can evaluate, so a buyer with no conflict decides not to award."""
    status = call_off.status
    undecided = status in {CallOffStatus.CLOSED, CallOffStatus.EVALUATED}
    return {
        "award_part": {
            "stuck": stuck and undecided and call_off.opened_at is not None,
            "may_decide_no_award": may_decide_no_award and undecided,
            "evaluating": status == CallOffStatus.CLOSED and call_off.opened_at is not None,
            "evaluated": status == CallOffStatus.EVALUATED,
            "award": award,
            "awarded": award is not None and award.outcome == AwardOutcome.AWARD,
            "winner": winner,
            "contract": contract_rows(contract, winner),
            "may_confirm": is_lead and status == CallOffStatus.AWARDED and contract is None,
            "is_lead": is_lead,
        }
    }


def summary_for(call_off: CallOff, actor: User) -> dict[str, Any]:
    """``award_summary`` for the call-off page as ``actor`` reads it."""
    award = awarding.award_for(call_off)
    lead = call_off.panel_lead
    return award_summary(
        call_off,
        award,
        contracts.contract_for(call_off),
        contracts.winner_name(award),
        is_lead=lead is not None and lead.user_id == actor.id and lead.has_conflict is not True,
        stuck=panel_roles.nobody_can_evaluate(call_off),
        may_decide_no_award=awarding.may_decide_no_award(call_off, actor),
    )
