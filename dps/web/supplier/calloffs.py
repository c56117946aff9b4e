"""Supplier area: the call-offs the organisation was invited to, their requirement, documents
and published answers, questions to the buyer, and the tender (saved as a draft, sent, sent
again, withdrawn) or a decline.

Every call-off is looked up through the organisation's invitations: one it was not invited to
is "not found". The server's clock (``utcnow`` here) decides whether the deadline has passed;
after it no form is shown and any post is refused with the reason.
"""

from __future__ import annotations

from flask import (
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules.enums import TenderStatus
from dps.rules.refusals import Refusal
from dps.services.awards import contracts, letters
from dps.services.calloffs import clarifications, documents, supplier_view, tendering
from dps.services.calloffs.clarifications import ClarificationRefused
from dps.services.calloffs.tendering import TenderClosed, TenderRefused
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import award_pages
from dps.web.downloads import calloff_document_download
from dps.web.supplier import bp
from dps.web.supplier import calloff_pages as pages

Page = str | tuple[str, int] | WerkzeugResponse


def _call_off(call_off_id: int) -> CallOff:
    return supplier_view.get_invitation(call_off_id, organisation_id_or_404())


def _call_off_page(call_off: CallOff, problems: list[Refusal], status: int = 200) -> Page:
    organisation_id, at = organisation_id_or_404(), utcnow()
    context = pages.call_off_context(
        supplier_view.invitation_for(call_off.id, organisation_id, at),
        clarifications.published_for_supplier(call_off.id, organisation_id),
        clarifications.asked_by(call_off.id, organisation_id),
        at,
        problems,
    )
    context["question"] = request.form.get("question", "") if request.method == "POST" else ""
    context["outcome_letter"] = letters.sent_letter(call_off.id, organisation_id)
    # The contract, shown to the supplier that won it and to nobody else.
    contract = contracts.contract_for_supplier(call_off.id, organisation_id)
    context["contract"] = award_pages.contract_rows(
        contract, call_off.organisation.name, party="Buyer"
    )
    return render_template("supplier/calloff.html", **context), status


def _closed(call_off_id: int, refused: Refusal) -> Page:
    """A post the deadline (or the call-off's state) refuses: the page, without its forms."""
    return _call_off_page(_call_off(call_off_id), [Refusal(refused.message)], 400)


@bp.get("/call-offs")
@allow(Area.SUPPLIER)
def calloffs() -> str:
    return render_template(
        "supplier/calloff_list.html",
        invitations=supplier_view.invitations_for(organisation_id_or_404(), utcnow()),
    )


@bp.get("/call-offs/<int:call_off_id>")
@allow(Area.SUPPLIER)
def calloff(call_off_id: int) -> Page:
    return _call_off_page(_call_off(call_off_id), [])


@bp.get("/call-offs/<int:call_off_id>/documents/<int:document_id>")
@allow(Area.SUPPLIER)
def calloff_document(call_off_id: int, document_id: int) -> WerkzeugResponse:
    document = documents.get_for_invited_supplier(
        call_off_id, document_id, organisation_id_or_404()
    )
    return calloff_document_download(document)


@bp.post("/call-offs/<int:call_off_id>/questions")
@allow(Area.SUPPLIER)
def calloff_ask(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    try:
        clarifications.ask(
            call_off.id,
            organisation_id_or_404(),
            request.form.get("question", ""),
            actor=current_actor(),
            at=utcnow(),
        )
    except ClarificationRefused as refused:
        return _call_off_page(call_off, [refused], 400)
    return redirect(url_for("supplier.calloff", call_off_id=call_off.id, _anchor="your-questions"))


def _typed() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The answers (by question id) and prices (by line id or "total") posted, and the same by
    field name for showing them again."""
    answers = {
        name.removeprefix("answer-"): value
        for name, value in request.form.items()
        if name.startswith("answer-")
    }
    prices = {
        name.removeprefix("price-"): value
        for name, value in request.form.items()
        if name.startswith("price-")
    }
    by_field = {
        name: value
        for name, value in request.form.items()
        if name.startswith(("answer-", "price-"))
    }
    return answers, prices, by_field


@bp.route("/call-offs/<int:call_off_id>/tender", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def calloff_tender(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    organisation_id = organisation_id_or_404()
    problems: list[Refusal] = []
    typed: dict[str, str] = {}
    if request.method == "POST":
        answers, prices, typed = _typed()
        actor, at = current_actor(), utcnow()
        try:
            problems = tendering.save_draft(
                call_off.id, organisation_id, answers, prices, actor=actor, at=at
            )
            if not problems and request.form.get("action") == "send":
                tendering.submit(call_off.id, organisation_id, actor=actor, at=at)
                return redirect(url_for("supplier.calloff_sent", call_off_id=call_off.id))
        except TenderClosed as closed:
            return _closed(call_off_id, closed)
        except TenderRefused as refused:
            problems = refused.problems
        if not problems:
            return redirect(url_for("supplier.calloff", call_off_id=call_off.id, saved=1))
        call_off = _call_off(call_off_id)
    at = utcnow()
    invitation = supplier_view.invitation_for(call_off.id, organisation_id, at)
    context = pages.tender_context(invitation, at, problems, typed)
    return render_template("supplier/calloff_tender.html", **context), 400 if problems else 200


@bp.get("/call-offs/<int:call_off_id>/tender/sent")
@allow(Area.SUPPLIER)
def calloff_sent(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    invitation = supplier_view.invitation_for(call_off.id, organisation_id_or_404(), utcnow())
    if invitation.tender is None or invitation.tender.submitted_at is None:
        return redirect(url_for("supplier.calloff", call_off_id=call_off.id))
    if invitation.tender.status == TenderStatus.WITHDRAWN:
        return redirect(url_for("supplier.calloff", call_off_id=call_off.id))
    return render_template("supplier/calloff_sent.html", **pages.receipt(invitation))


@bp.post("/call-offs/<int:call_off_id>/tender/withdraw")
@allow(Area.SUPPLIER)
def calloff_withdraw(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    try:
        tendering.withdraw(
            call_off.id, organisation_id_or_404(), actor=current_actor(), at=utcnow()
        )
    except TenderClosed as closed:
        return _closed(call_off_id, closed)
    except TenderRefused as refused:
        return _call_off_page(_call_off(call_off_id), refused.problems, 400)
    return redirect(url_for("supplier.calloff", call_off_id=call_off.id))


@bp.route("/call-offs/<int:call_off_id>/decline", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def calloff_decline(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    organisation_id = organisation_id_or_404()
    problems: list[Refusal] = []
    if request.method == "POST":
        try:
            tendering.decline(
                call_off.id,
                organisation_id,
                request.form.get("reason", ""),
                actor=current_actor(),
                at=utcnow(),
            )
        except TenderClosed as closed:
            return _closed(call_off_id, closed)
        except TenderRefused as refused:
            problems = refused.problems
        else:
            return redirect(url_for("supplier.calloff", call_off_id=call_off.id))
        call_off = _call_off(call_off_id)
    at = utcnow()
    return render_template(
        "supplier/calloff_decline.html",
        call_off=call_off,
        invitation=supplier_view.invitation_for(call_off.id, organisation_id, at),
        is_open=pages.is_open(call_off, at),
        reason=request.form.get("reason", ""),
        problems=pages.shown(problems),
    ), 400 if problems else 200
