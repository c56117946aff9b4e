"""The price of each opened tender, and the review of a price flagged as possibly abnormally low
(reg. 69).

A tender's price is the total of its priced lines (``TenderPrice`` rows, each already for the
quantity asked). A price more than the call-off's stated share (30% unless the buyer set another
at drafting) below the average of the other opened tenders' prices is flagged
(``dps.rules.evaluation.abnormally_low``). When the lead first opens the prices page a
``PriceReview`` is kept for each flagged tender, with the figures it was flagged on; the lead
then records the date the supplier was asked to explain, what they said, and the decision with
its reason. A rejected tender is taken out of the ranking (``dps.services.evaluation.ranking``).
A decision is final: it is the record the award rests on.

Only the panel lead, declared with no conflict, reviews prices
(``dps.services.evaluation.panel_roles.require_lead``), and only while the call-off is being
evaluated (closed, not yet evaluated).
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.evaluation import PriceReview, PriceReviewDecision
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.calendar import london_date
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.evaluation import abnormally_low
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.common import audit
from dps.services.common.locking import lock_row
from dps.services.evaluation.panel_roles import lock_evaluating, require_lead

# Opened once, after the deadline: every tender the evaluation is about, whatever came of it.
OPENED_TENDERS = frozenset(
    {
        TenderStatus.OPENED,
        TenderStatus.SCORED,
        TenderStatus.SUCCESSFUL,
        TenderStatus.UNSUCCESSFUL,
    }
)
TEXT_MAX = 10_000
NOT_EVALUATING = "The evaluation of this call-off has finished, so its prices are fixed"
ALREADY_DECIDED = "This price has been decided: the decision cannot be changed"


def opened_tenders(call_off: CallOff) -> list[Tender]:
    """The call-off's opened tenders, in the order they were sent (by id)."""
    return list(
        db.session.scalars(
            select(Tender)
            .where(Tender.call_off_id == call_off.id, Tender.status.in_(OPENED_TENDERS))
            .order_by(Tender.id)
        )
    )


def opened_tender(call_off: CallOff, tender_id: int) -> Tender:
    """One opened tender of this call-off; NotFound for any other tender id."""
    tender = db.session.scalar(
        select(Tender).where(
            Tender.id == tender_id,
            Tender.call_off_id == call_off.id,
            Tender.status.in_(OPENED_TENDERS),
        )
    )
    if tender is None:
        raise NotFound(tender_id)
    return tender


def tender_price(tender: Tender) -> int:
    """The tender's price in pence: the total of its priced lines."""
    return sum(line.amount_pence for line in tender.prices)


def prices(call_off: CallOff) -> dict[int, int]:
    """Each opened tender's price in pence, by tender id."""
    return {tender.id: tender_price(tender) for tender in opened_tenders(call_off)}


def flagged(call_off: CallOff) -> set[int]:
    """The opened tenders whose price is possibly abnormally low."""
    return abnormally_low(prices(call_off), call_off.abnormally_low_percent)


def reviews(call_off: CallOff) -> dict[int, PriceReview]:
    """The price reviews kept for the call-off, by tender id."""
    rows = db.session.scalars(select(PriceReview).where(PriceReview.call_off_id == call_off.id))
    return {review.tender_id: review for review in rows}


def rejected(call_off: CallOff) -> dict[int, PriceReview]:
    """The reviews whose tender was rejected, by tender id: out of the ranking."""
    return {
        tender_id: review
        for tender_id, review in reviews(call_off).items()
        if review.decision == PriceReviewDecision.REJECTED
    }


def undecided(call_off: CallOff) -> list[int]:
    """The flagged tenders with no decision yet (reviewed or not), by id."""
    kept = reviews(call_off)
    return sorted(
        tender_id
        for tender_id in flagged(call_off)
        if tender_id not in kept or kept[tender_id].decision is None
    )


def _average_of_others(all_prices: dict[int, int], tender_id: int) -> int:
    others = [price for key, price in all_prices.items() if key != tender_id]
    exact = Fraction(sum(others), len(others)) if others else Fraction(0)
    return int(exact + Fraction(1, 2))  # to the nearest penny, as the record shows it


def _keep_reviews(
    call_off: CallOff, kept: dict[int, PriceReview], actor: User, at: datetime
) -> None:
    """Add a review for each flagged tender with none in ``kept``, each with its audit event."""
    all_prices = prices(call_off)
    for tender_id in sorted(flagged(call_off) - set(kept)):
        review = PriceReview(
            call_off_id=call_off.id,
            tender_id=tender_id,
            price_pence=all_prices[tender_id],
            average_of_others_pence=_average_of_others(all_prices, tender_id),
            threshold_percent=call_off.abnormally_low_percent,
            flagged_at=at,
        )
        audit.record_new(
            review,
            "price_review.flagged",
            actor=actor,
            after={
                "call_off_id": call_off.id,
                "tender_id": tender_id,
                "price_pence": review.price_pence,
                "average_of_others_pence": review.average_of_others_pence,
                "threshold_percent": review.threshold_percent,
            },
        )
        kept[tender_id] = review


def open_reviews(call_off: CallOff, *, actor: User, at: datetime) -> list[PriceReview]:
    """The lead opens the prices page: a review is kept for each flagged tender that has none
    yet (once; opening the page again adds nothing), each with its audit event.

    The reviews are added under the call-off's lock, looked for again after it: two first
    openings at once add them once, and none is added once the evaluation has finished."""
    require_lead(call_off, actor)
    kept = reviews(call_off)
    if call_off.status == CallOffStatus.CLOSED and flagged(call_off) - set(kept):
        try:
            call_off = lock_evaluating(call_off, NOT_EVALUATING)
        except NotAllowed:
            return [kept[key] for key in sorted(kept)]  # finished meanwhile: show what is kept
        kept = reviews(call_off)
        _keep_reviews(call_off, kept, actor, at)
        db.session.commit()
    return [kept[key] for key in sorted(kept)]


def _decision_problems(
    review: PriceReview,
    asked_on: object,
    explanation: str,
    decision: str,
    reason: str,
    at: datetime,
) -> list[Refusal]:
    """Every problem with a price decision as typed."""
    problems: list[Refusal] = []
    asked: date | None = None
    if calloff_values.is_blank(asked_on):
        problems.append(Refusal("Enter the date you asked for an explanation", field="asked_on"))
    else:
        try:
            asked = calloff_values.a_date(
                asked_on, field="asked_on", name="The date you asked for an explanation"
            )
        except Refusal as refused:
            problems.append(refused)
        else:
            if asked > london_date(at) or asked < london_date(review.flagged_at):
                problems.append(
                    Refusal(
                        "The date you asked for an explanation must be between the day the "
                        "price was flagged and today",
                        field="asked_on",
                    )
                )
    chosen = calloff_values.text(decision)
    if chosen not in {d.value for d in PriceReviewDecision}:
        problems.append(
            Refusal(
                "Select whether the explanation is accepted or the tender rejected",
                field="decision",
            )
        )
    said = calloff_values.text(explanation)
    if not said and chosen == PriceReviewDecision.ACCEPTED.value:
        problems.append(Refusal("Enter the explanation the supplier gave", field="explanation"))
    why = calloff_values.text(reason)
    if not why:
        problems.append(Refusal("Enter the reason for the decision", field="reason"))
    for field, typed in (("explanation", said), ("reason", why)):
        if len(typed) > TEXT_MAX:
            problems.append(Refusal(f"Keep this to {TEXT_MAX:,} characters or fewer", field=field))
    return problems


def record_decision(
    call_off: CallOff,
    tender_id: int,
    *,
    asked_on: object,
    explanation: str,
    decision: str,
    reason: str,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Record the review of a flagged tender's price: the date the supplier was asked to
    explain it (typed as a date), the explanation received (may be left empty only when the
    tender is rejected, for no explanation came), the decision ("accepted" or "rejected") and
    the reason for it. Every problem comes back at once; nothing is kept unless all is well."""
    require_lead(call_off, actor)
    review = reviews(call_off).get(opened_tender(call_off, tender_id).id)
    if review is None:
        raise NotFound(tender_id)  # not flagged: there is nothing to review
    if call_off.status != CallOffStatus.CLOSED:
        raise NotAllowed(NOT_EVALUATING)
    if review.decision is not None:
        raise NotAllowed(ALREADY_DECIDED)
    problems = _decision_problems(review, asked_on, explanation, decision, reason, at)
    if problems:
        return problems
    # Checked again under the call-off's lock, then the review's: a second decision (a double
    # submit, another tab) waits for the first and is refused, as is one after the evaluation.
    call_off = lock_evaluating(call_off, NOT_EVALUATING)
    locked = lock_row(PriceReview, review.id)
    if locked is None or locked.decision is not None:
        db.session.rollback()
        raise NotAllowed(ALREADY_DECIDED)
    review = locked
    asked = calloff_values.a_date(
        asked_on, field="asked_on", name="The date you asked for an explanation"
    )
    chosen = calloff_values.text(decision)
    said = calloff_values.text(explanation)
    why = calloff_values.text(reason)
    review.explanation_requested_at = calloff_values.london_instant(asked, datetime.min.time())
    review.explanation = said or None
    review.decision = PriceReviewDecision(chosen)
    review.decision_reason = why
    review.decided_at = at
    review.decided_by_id = actor.id
    audit.record(
        f"price_review.{chosen}",
        review,
        actor=actor,
        after={
            "call_off_id": call_off.id,
            "tender_id": tender_id,
            "explanation_requested_on": asked.isoformat(),
            "explanation": review.explanation,
            "decision": chosen,
            "reason": why,
        },
    )
    db.session.commit()
    return []
