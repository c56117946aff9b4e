"""The panel lead's pages at the end of a call-off's evaluation: the possibly abnormally low
prices and their reviews, the ranking (and finishing the evaluation), the award decision or a
decision not to award, and confirming the contract.

Who may do what is the services' (``dps.services.evaluation.panel_roles``): a member who is not
the lead, a buyer off the panel and a viewer are shown the 403 page with the reason; another
organisation's call-off, and a tender of another call-off, are "not found". After a decision the
page goes back to the call-off with a banner saying the outcome letters come next.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules.digits import an_id
from dps.rules.refusals import NotFound, Refusal
from dps.services.awards import awarding, contracts
from dps.services.calloffs import drafting
from dps.services.evaluation import pricing, ranking
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import award_pages as pages
from dps.web.buyer import bp

Page = str | tuple[str, int] | WerkzeugResponse
REVIEW_FIELDS = ("asked_on", "explanation", "decision", "reason")
AWARD_FIELDS = ("tender_id", "other_reason", "advantages", "standstill", "standstill_days")
CONTRACT_FIELDS = ("reference", "value", "start_date", "end_date")
LETTERS_NEXT = "Next, send every bidder its outcome letter"


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


def _to_call_off(call_off: CallOff) -> WerkzeugResponse:
    return redirect(url_for("buyer.calloff", call_off_id=call_off.id))


def _tender_id(raw: str | None) -> int:
    tender_id = an_id(raw)
    if tender_id is None:
        raise NotFound(raw)
    return tender_id


@bp.route("/call-offs/<int:call_off_id>/prices", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_prices(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    reviews = pricing.open_reviews(call_off, actor=actor, at=now)
    problems: list[Refusal] = []
    posted_for: int | None = None
    typed: dict[str, str] = {}
    if request.method == "POST":
        posted_for = _tender_id(request.form.get("tender_id"))
        typed = pages.posted(request.form, REVIEW_FIELDS)
        problems = pricing.record_decision(call_off, posted_for, actor=actor, at=now, **typed)
        if not problems:
            flash("The decision on the price has been recorded", "success")
            return redirect(url_for("buyer.calloff_prices", call_off_id=call_off.id))
    tenders = pricing.opened_tenders(call_off)
    suppliers = {t.id: ranking.supplier_name(t) for t in tenders}
    prices = {t.id: pricing.tender_price(t) for t in tenders}
    context = pages.prices_context(
        call_off,
        reviews,
        suppliers,
        prices,
        posted_for=posted_for,
        typed=typed,
        problems=problems,
    )
    return render_template("buyer/award_prices.html", **context), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/ranking", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_ranking(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor = current_actor()
    result = ranking.for_reader(call_off, actor)
    is_lead = call_off.panel_lead is not None and call_off.panel_lead.user_id == actor.id
    problems: list[Refusal] = []
    if request.method == "POST":
        try:
            awarding.finish_evaluation(call_off, actor=actor, at=utcnow())
        except awarding.AwardRefused as refused:
            problems = [refused]
        else:
            flash("The evaluation is finished. Now decide the award", "success")
            return redirect(url_for("buyer.calloff_award", call_off_id=call_off.id))
    context = pages.ranking_context(
        result,
        is_lead=is_lead,
        finish_problems=awarding.finish_problems(call_off) if is_lead else [],
        problems=problems,
    )
    return render_template("buyer/award_ranking.html", **context), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/award", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_award(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor = current_actor()
    result = awarding.proposal(call_off, actor=actor)
    problems: list[Refusal] = []
    typed: dict[str, str] = {}
    if request.method == "POST":
        typed = pages.posted(request.form, AWARD_FIELDS)
        problems = awarding.decide_award(
            call_off,
            # None (no choice posted) is the proposed tender.
            tender_id=_tender_id(typed["tender_id"]) if typed["tender_id"] else None,
            other_reason=typed["other_reason"],
            advantages=typed["advantages"],
            standstill=typed["standstill"],
            standstill_days=typed["standstill_days"],
            actor=actor,
            at=utcnow(),
        )
        if not problems:
            flash(f"The award has been decided. {LETTERS_NEXT}", "success")
            return _to_call_off(call_off)
    context = pages.award_context(result, typed, problems)
    return render_template("buyer/award_decide.html", **context), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/no-award", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_no_award(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor = current_actor()
    awarding.require_may_decide_no_award(call_off, actor=actor)
    problems: list[Refusal] = []
    reasons = request.form.get("reasons", "")
    if request.method == "POST":
        problems = awarding.decide_no_award(call_off, reasons=reasons, actor=actor, at=utcnow())
        if not problems:
            flash(f"You decided not to award a contract. {LETTERS_NEXT}", "success")
            return _to_call_off(call_off)
    context = pages.no_award_context(call_off, reasons, problems)
    return render_template("buyer/award_no_award.html", **context), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/contract", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_contract(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    form = contracts.form_for(call_off, actor=actor, at=now)
    problems: list[Refusal] = []
    typed: dict[str, object] = dict(form.prefilled)
    if request.method == "POST" and form.waiting is None:
        typed = dict(pages.posted(request.form, CONTRACT_FIELDS))
        try:
            problems = contracts.confirm(call_off, actor=actor, at=now, **typed)  # type: ignore[arg-type]
        except contracts.ContractRefused as refused:
            problems = [refused]
        if not problems:
            flash("The contract has been confirmed", "success")
            return _to_call_off(call_off)
    context = pages.contract_context(
        call_off, form.award, form.supplier, waiting=form.waiting, typed=typed, problems=problems
    )
    return render_template("buyer/award_contract.html", **context), (400 if problems else 200)
