"""The evaluation of a call-off's opened tenders, for its panel: the hub, the declaration of
conflicts of interest, scoring a tender, submitting all one's scores, and the lead's moderation.

Each call-off is loaded within the signed-in person's organisation (another organisation's is
"not found"), each tender within the call-off's opened tenders (any other is "not found");
who may do what is the services' (``dps.services.evaluation``), and their refusals are the 403
page with the reason.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules.digits import an_id
from dps.rules.refusals import Refusal
from dps.services.calloffs import drafting
from dps.services.evaluation import conflicts, moderation, panel_roles, reading, scoring
from dps.services.evaluation.hub import hub
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import bp
from dps.web.buyer import calloff_pages as pages
from dps.web.buyer import evaluation_pages as evaluating

Page = str | tuple[str, int] | WerkzeugResponse


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


def _to_hub(call_off: CallOff) -> WerkzeugResponse:
    return redirect(url_for("buyer.calloff_evaluation", call_off_id=call_off.id))


@bp.get("/call-offs/<int:call_off_id>/evaluation")
@allow(Area.MEMBER)
def calloff_evaluation(call_off_id: int) -> str:
    """The panel member's hub; anyone off the panel (a viewer too) is told why not."""
    call_off = _call_off(call_off_id)
    return render_template(
        "buyer/evaluation_hub.html",
        call_off=call_off,
        hub=hub(call_off, actor=current_actor(), at=utcnow()),
    )


@bp.route("/call-offs/<int:call_off_id>/evaluation/declaration", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_declaration(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    bidders = conflicts.bidders(call_off, now, actor=actor)
    member = panel_roles.require_member(call_off, actor)
    if member.declared_at is not None:
        return _to_hub(call_off)
    problems: list[Refusal] = []
    typed = {
        "has_conflict": request.form.get("has_conflict", ""),
        "reason": request.form.get("reason", ""),
        "new_lead": request.form.get("new_lead", ""),
    }
    if request.method == "POST":
        choice = {"yes": True, "no": False}.get(typed["has_conflict"])
        new_lead = typed["new_lead"]
        problems = conflicts.declare(
            call_off,
            actor,
            choice,
            typed["reason"],
            now,
            new_lead_id=an_id(new_lead),
        )
        if not problems:
            flash("Your declaration has been recorded", "success")
            return _to_hub(call_off)
    leads = conflicts.possible_leads(call_off, actor) if member.is_lead else []
    return render_template(
        "buyer/evaluation_declaration.html",
        call_off=call_off,
        bidders=bidders,
        leads=leads,
        typed=typed,
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.route(
    "/call-offs/<int:call_off_id>/evaluation/tenders/<int:tender_id>", methods=["GET", "POST"]
)
@allow(Area.BUYER)
def calloff_score(call_off_id: int, tender_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    tender = reading.opened_tender(call_off, tender_id, now, actor=actor)
    member = panel_roles.require_evaluator(call_off, actor)
    problems: list[Refusal] = []
    typed = scoring.typed_for(call_off, tender, member)
    if request.method == "POST":
        typed = evaluating.posted_scores(request.form, call_off)
        problems = scoring.save(call_off, tender.id, typed, actor=actor, at=now)
        if not problems:
            flash(f"Your scores for {reading.bidder_name(tender)} have been saved", "success")
            return _to_hub(call_off)
    return render_template(
        "buyer/evaluation_score.html",
        **evaluating.tender_heading(call_off, tender),
        rows=evaluating.scoring_rows(call_off, tender, typed),
        submitted=member.scores_submitted_at is not None,
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/evaluation/submit", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_submit_scores(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    member = panel_roles.require_evaluator(call_off, actor)
    if member.scores_submitted_at is not None:
        return _to_hub(call_off)
    problems: list[Refusal] = []
    if request.method == "POST":
        problems = scoring.submit(call_off, actor=actor, at=now)
        if not problems:
            flash("Your scores have been submitted", "success")
            return _to_hub(call_off)
    return render_template(
        "buyer/evaluation_submit.html",
        call_off=call_off,
        missing=scoring.missing(call_off, member, now),
        progress=scoring.progress(call_off, member, now),
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.route(
    "/call-offs/<int:call_off_id>/evaluation/tenders/<int:tender_id>/moderation",
    methods=["GET", "POST"],
)
@allow(Area.BUYER)
def calloff_moderate(call_off_id: int, tender_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, now = current_actor(), utcnow()
    tender = reading.opened_tender(call_off, tender_id, now, actor=actor)
    moderation.require_moderator(call_off, actor)
    problems: list[Refusal] = []
    typed = moderation.typed_for(call_off, tender)
    if request.method == "POST":
        typed = evaluating.posted_moderation(request.form, call_off)
        problems = moderation.save(call_off, tender.id, typed, actor=actor, at=now)
        if not problems:
            flash(f"The moderated scores for {reading.bidder_name(tender)} are recorded", "success")
            return _to_hub(call_off)
    return render_template(
        "buyer/evaluation_moderate.html",
        **evaluating.tender_heading(call_off, tender),
        rows=evaluating.moderation_rows(call_off, tender, typed),
        members=moderation.members_scores(call_off, tender, actor=actor),
        fixed=not moderation.may_change(call_off),
        problems=pages.shown(problems),
    ), (400 if problems else 200)
