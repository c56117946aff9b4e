"""A buyer's pages after publishing: answering a supplier's question (as it will be published),
publishing an addendum, being told when either comes less than 6 days before the tender
deadline (and offered the later one), moving the tender deadline later, and reading one opened
tender and downloading the documents it was sent with (only a panel member who has declared no
conflict of interest: ``dps.services.evaluation.reading``).

Changing is the buyer area: a viewer is refused with the reason; another organisation's
call-off is "not found". Tenders are read only through ``dps.services.calloffs.sealing``: before
the deadline a tender's page, and each of its documents, is "not found", as if it did not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules import calloff_values
from dps.rules.digits import is_digits
from dps.rules.refusals import NotFound, Refusal
from dps.services.calloffs import clarifications, deadlines, drafting
from dps.services.calloffs.clarifications import ClarificationRefused, Published
from dps.services.calloffs.deadlines import DeadlineRefused
from dps.services.evaluation import reading
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import bp
from dps.web.buyer import calloff_after as after
from dps.web.buyer import calloff_pages as pages
from dps.web.downloads import tender_document_download

Page = str | tuple[str, int] | WerkzeugResponse
DEADLINE = deadlines.FIELD


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


def _to_call_off(call_off: CallOff) -> WerkzeugResponse:
    return redirect(url_for("buyer.calloff", call_off_id=call_off.id))


def _published(call_off: CallOff, published: Published, what: str) -> WerkzeugResponse:
    if published.late and published.offer_deadline is not None:
        return redirect(
            url_for(
                "buyer.calloff_late",
                call_off_id=call_off.id,
                offer=int(published.offer_deadline.timestamp()),
            )
        )
    flash(f"{what} has been published to every invited supplier", "success")
    return _to_call_off(call_off)


@bp.route("/call-offs/<int:call_off_id>/questions/<int:question_id>", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_answer(call_off_id: int, question_id: int) -> Page:
    call_off = _call_off(call_off_id)
    asked = next((q for q in after.asked_questions(call_off) if q.id == question_id), None)
    if asked is None:
        raise NotFound(question_id)
    if asked.answered_at is not None or not after.open_for_changes(call_off, utcnow()):
        return _to_call_off(call_off)
    problems: list[Refusal] = []
    typed = {
        "published_question": request.form.get("published_question", asked.question),
        "answer": request.form.get("answer", ""),
    }
    if request.method == "POST":
        problems = after.text_problems(
            request.form,
            {"published_question": "the question as it will be published", "answer": "the answer"},
        )
        if not problems:
            try:
                published = clarifications.answer(
                    call_off,
                    question_id,
                    typed["answer"],
                    actor=current_actor(),
                    at=utcnow(),
                    published_question=typed["published_question"],
                )
            except ClarificationRefused as refused:
                problems = [refused]
            else:
                return _published(call_off, published, "Your answer")
    return render_template(
        "buyer/calloff_answer.html",
        call_off=call_off,
        asked=asked,
        typed=typed,
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/addendum", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_addendum(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    if not after.open_for_changes(call_off, utcnow()):
        return _to_call_off(call_off)
    problems: list[Refusal] = []
    text = request.form.get("text", "")
    if request.method == "POST":
        problems = after.text_problems(request.form, {"text": "the addendum"})
        if not problems:
            try:
                published = clarifications.publish_addendum(
                    call_off, text, actor=current_actor(), at=utcnow()
                )
            except ClarificationRefused as refused:
                problems = [refused]
            else:
                return _published(call_off, published, "The addendum")
    return render_template(
        "buyer/calloff_addendum.html",
        call_off=call_off,
        text=text,
        problems=pages.shown(problems),
    ), (400 if problems else 200)


def _offer(raw: str | None, call_off: CallOff) -> datetime | None:
    """The later deadline offered (seconds since the epoch in the address), if it is still
    later than the current one."""
    # Ten digits reach the year 2286: anything longer is no deadline anyone was offered.
    if not raw or not is_digits(raw, most=10) or call_off.tender_deadline is None:
        return None
    offer = datetime.fromtimestamp(int(raw), tz=UTC)
    return offer if offer > call_off.tender_deadline else None


@bp.route("/call-offs/<int:call_off_id>/late-information", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_late(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    offer = _offer(request.values.get("offer"), call_off)
    if offer is None or not after.open_for_changes(call_off, utcnow()):
        return _to_call_off(call_off)
    problems: list[Refusal] = []
    choice = request.form.get("choice", "")
    if request.method == "POST":
        if choice == "keep":
            flash("It is published. The tender deadline is unchanged", "success")
            return _to_call_off(call_off)
        if choice != "move":
            problems = [Refusal("Select whether to move the tender deadline", field="choice")]
        else:
            try:
                deadlines.move_tender_deadline(call_off, offer, actor=current_actor(), at=utcnow())
            except DeadlineRefused as refused:
                problems = [Refusal(refused.message, field="choice")]
            else:
                flash("Published, and the tender deadline moved: every supplier is told", "success")
                return _to_call_off(call_off)
    return render_template(
        "buyer/calloff_late.html",
        call_off=call_off,
        offer=offer,
        offer_value=int(offer.timestamp()),
        choice=choice,
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.route("/call-offs/<int:call_off_id>/tender-deadline", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_move_deadline(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    if not after.open_for_changes(call_off, utcnow()):
        return _to_call_off(call_off)
    problems: list[Refusal] = []
    typed = pages.posted_deadline(request.form, DEADLINE) if request.method == "POST" else ""
    if request.method == "POST":
        try:
            if not typed:
                raise Refusal("Enter the new tender deadline", field=DEADLINE)
            new = calloff_values.deadline(typed, field=DEADLINE, name="the new tender deadline")
            deadlines.move_tender_deadline(call_off, new, actor=current_actor(), at=utcnow())
        except Refusal as refused:
            problems = [refused]
        else:
            flash("The tender deadline has been moved: every invited supplier is told", "success")
            return _to_call_off(call_off)
    return render_template(
        "buyer/calloff_move_deadline.html",
        call_off=call_off,
        parts=pages.deadline_parts(typed),
        example=pages.deadline_parts(call_off.tender_deadline)["date"],
        problems=pages.shown(problems),
    ), (400 if problems else 200)


@bp.get("/call-offs/<int:call_off_id>/tenders/<int:tender_id>")
@allow(Area.BUYER)
def calloff_tender(call_off_id: int, tender_id: int) -> str:
    call_off = _call_off(call_off_id)
    if drafting.buying_refusal(current_actor(), call_off.organisation) is not None:
        abort(403)
    tender = reading.opened_tender(call_off, tender_id, utcnow(), actor=current_actor())
    return render_template("buyer/calloff_tender.html", **after.tender_context(call_off, tender))


@bp.get("/call-offs/<int:call_off_id>/tenders/<int:tender_id>/documents/<int:document_id>")
@allow(Area.BUYER)
def calloff_tender_document(call_off_id: int, tender_id: int, document_id: int) -> WerkzeugResponse:
    """A document the supplier sent with an opened tender; "not found" while sealed."""
    call_off = _call_off(call_off_id)
    if drafting.buying_refusal(current_actor(), call_off.organisation) is not None:
        abort(403)
    document = reading.tender_document(
        call_off, tender_id, document_id, utcnow(), actor=current_actor()
    )
    return tender_document_download(document)
