"""Buyers' call-offs: start one in a lot, draft it section by section through the task list,
check and publish it, read it (viewers too, with nothing to change), and cancel it before its
tenders are opened (after that it ends by a decision not to award: ``calloff_award``). Once
published, its page lists the suppliers' questions and the tenders section
(``calloff_after``); the pages that change it after publishing are in ``calloff_changes``.

Every call-off is loaded within the signed-in person's organisation (another organisation's is
"not found"); changing one is the buyer area, so a viewer is refused with the reason.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules import digits
from dps.rules.refusals import Refusal
from dps.services.awards import record
from dps.services.calloffs import cancelling, documents, drafting, panel, publishing, questions
from dps.services.calloffs.documents import DocumentRefused
from dps.services.calloffs.drafting import CallOffLocked, CallOffRefused
from dps.services.calloffs.publishing import PublishRefused
from dps.services.calloffs.task_list import SECTION_KEYS
from dps.services.pool import listing
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import award_pages, bp, calloff_letters
from dps.web.buyer import calloff_after as after
from dps.web.buyer import calloff_pages as pages
from dps.web.downloads import calloff_document_download

Page = str | tuple[str, int] | WerkzeugResponse


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


def _may_change(call_off: CallOff) -> bool:
    return drafting.buying_refusal(current_actor(), call_off.organisation) is None


@bp.route("/call-offs/new", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_new() -> Page:
    problems: list[Refusal] = []
    if request.method == "POST":
        try:
            call_off = drafting.start_draft(
                organisation_id_or_404(),
                digits.an_id(request.form.get("lot")) or 0,
                actor=current_actor(),
            )
        except (CallOffRefused, ValueError) as refused:
            problems = [
                refused if isinstance(refused, Refusal) else Refusal("Select a lot", field="lot")
            ]
        else:
            return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return render_template(
        "buyer/calloff_new.html", lots=listing.lots(), problems=pages.shown(problems)
    )


@bp.get("/call-offs/<int:call_off_id>")
@allow(Area.MEMBER)
def calloff(call_off_id: int) -> str:
    """A buyer's draft is its task list; anything else, and anything for a viewer, is read."""
    call_off = _call_off(call_off_id)
    may_change = _may_change(call_off)
    if call_off.is_draft and may_change:
        return render_template(
            "buyer/calloff_task_list.html",
            call_off=call_off,
            groups=pages.task_groups(call_off, utcnow()),
        )
    return render_template(
        "buyer/calloff_view.html",
        **pages.check_context(call_off, []),
        invitations=publishing.invitations(call_off),
        may_cancel=may_change and cancelling.can_cancel(call_off, utcnow()),
        may_change=may_change,
        may_read_record=record.may_read(call_off, current_actor()),
        **after.after_publishing(call_off, utcnow(), actor=current_actor()),
        **calloff_letters.on_call_off_page(call_off, current_actor(), utcnow()),
        **award_pages.summary_for(call_off, current_actor()),
    )


@bp.route("/call-offs/<int:call_off_id>/<section_id>", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_section(call_off_id: int, section_id: str) -> Page:
    if section_id not in SECTION_KEYS:
        abort(404)
    call_off = _call_off(call_off_id)
    if not call_off.is_draft:
        return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    problems: list[Refusal] = []
    if request.method == "POST" and section_id != "documents":
        action = request.form.get("action", "save")
        problems = _save(call_off, section_id, action)
        if action != "save":  # added or removed a question or a line: show the page again
            return redirect(
                url_for("buyer.calloff_section", call_off_id=call_off.id, section_id=section_id)
            )
        if not problems:
            return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return render_template(
        f"buyer/calloff_{section_id}.html", **pages.section_context(call_off, section_id, problems)
    )


def _save(call_off: CallOff, section: str, action: str) -> list[Refusal]:
    form = request.form
    actor = current_actor()
    if section == "details":
        data = {name: form.get(name, "") for name in ("title", "description", "delivery_location")}
        return drafting.save_details(call_off, data, actor=actor)
    if section == "value_and_dates":
        return drafting.save_value_and_dates(
            call_off,
            {
                "estimated_value": form.get("estimated_value", ""),
                "contract_start": pages.typed_date(form, "contract_start"),
                "contract_end": pages.typed_date(form, "contract_end"),
            },
            actor=actor,
        )
    if section == "deadlines":
        return drafting.save_deadlines(
            call_off,
            {name: pages.posted_deadline(form, name) for name in pages.DEADLINE_FIELDS},
            actor=actor,
        )
    if section == "questions":
        typed: list[dict[str, Any]] = list(pages.posted_questions(form))
        if action == "add":
            typed.append({"kind": "quality"})
        removed = pages.removed_position(action, "remove-")
        if removed is not None and 1 <= removed <= len(typed):
            del typed[removed - 1]
        return questions.save_questions(call_off, typed, actor=actor)
    if section == "price":
        lines: list[dict[str, Any]] = list(pages.posted_lines(form))
        price_format = form.get("price_format", "")
        if action == "add":
            lines.append({})
            price_format = price_format or "schedule"
        removed = pages.removed_position(action, "remove-")
        if removed is not None and 1 <= removed <= len(lines):
            del lines[removed - 1]
        # A choice not posted (no radio chosen) keeps what is kept.
        scoring = {name: form[name] for name in pages.SCORING_FIELDS if name in form}
        return questions.save_price(call_off, price_format, lines, actor=actor, scoring=scoring)
    if section == "criteria":
        weights = {q.position: form.get(f"weight-{q.position}", "") for q in call_off.questions}
        return questions.save_criteria(call_off, form.get("price_weight", ""), weights, actor=actor)
    return panel.save_panel(call_off, form.getlist("members"), form.get("lead"), actor=actor)


@bp.post("/call-offs/<int:call_off_id>/documents/upload")
@allow(Area.BUYER)
def calloff_document_upload(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    try:
        documents.upload(
            call_off, request.form.get("title"), request.files.get("file"), actor=current_actor()
        )
    except DocumentRefused as refused:
        context = pages.section_context(call_off, "documents", [refused])
        context["typed_title"] = request.form.get("title", "")
        return render_template("buyer/calloff_documents.html", **context), 400
    except CallOffLocked:  # published since the page was drawn: its documents are fixed
        return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return redirect(
        url_for("buyer.calloff_section", call_off_id=call_off.id, section_id="documents")
    )


@bp.post("/call-offs/<int:call_off_id>/documents/<int:document_id>/remove")
@allow(Area.BUYER)
def calloff_document_remove(call_off_id: int, document_id: int) -> WerkzeugResponse:
    call_off = _call_off(call_off_id)
    try:
        documents.remove(call_off, document_id, actor=current_actor())
    except CallOffLocked:  # published since the page was drawn: its documents are fixed
        return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return redirect(
        url_for("buyer.calloff_section", call_off_id=call_off.id, section_id="documents")
    )


@bp.get("/call-offs/<int:call_off_id>/documents/<int:document_id>")
@allow(Area.MEMBER)
def calloff_document(call_off_id: int, document_id: int) -> WerkzeugResponse:
    document = documents.get_document(_call_off(call_off_id), document_id)
    return calloff_document_download(document)


@bp.get("/call-offs/<int:call_off_id>/check")
@allow(Area.BUYER)
def calloff_check(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    if not call_off.is_draft:
        return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return render_template("buyer/calloff_check.html", **pages.check_context(call_off, []))


@bp.post("/call-offs/<int:call_off_id>/publish")
@allow(Area.BUYER)
def calloff_publish(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    try:
        publishing.publish(call_off, current_actor(), utcnow())
    except PublishRefused as refused:
        call_off = _call_off(call_off_id)
        context = pages.check_context(call_off, refused.problems)
        return render_template("buyer/calloff_check.html", **context), 400
    except CallOffLocked:  # published already (the button pressed twice) or cancelled
        return redirect(url_for("buyer.calloff", call_off_id=call_off_id))
    return redirect(url_for("buyer.calloff_published", call_off_id=call_off_id))


@bp.get("/call-offs/<int:call_off_id>/published")
@allow(Area.BUYER)
def calloff_published(call_off_id: int) -> str:
    call_off = _call_off(call_off_id)
    return render_template(
        "buyer/calloff_published.html",
        call_off=call_off,
        invited=len(publishing.invitations(call_off)),
    )


@bp.route("/call-offs/<int:call_off_id>/cancel", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_cancel(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    problems: list[Refusal] = []
    if request.method == "POST":
        try:
            cancelling.cancel(
                call_off, request.form.get("reason"), actor=current_actor(), at=utcnow()
            )
        except CallOffRefused as refused:
            problems = [refused]
        else:
            return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    elif not cancelling.can_cancel(call_off, utcnow()):
        return redirect(url_for("buyer.calloff", call_off_id=call_off.id))
    return render_template(
        "buyer/calloff_cancel.html",
        call_off=call_off,
        reason=request.form.get("reason", ""),
        problems=pages.shown(problems),
    ), (400 if problems else 200)
