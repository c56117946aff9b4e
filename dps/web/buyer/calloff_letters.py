"""A buyer's pages for the outcome letters and the requests for more reasons: every bidder's
letter (a preview until sent; then when it was sent, whether it has been read, and the
standstill end date), one letter exactly as the bidder will read it, sending them (the panel
lead, once), and reading and replying to a bidder's request for more reasons.

Only the call-off's panel reads the letters and requests (``panel_roles``); another
organisation's call-off is "not found", as is a letter or request of another call-off.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.rules.refusals import NotAllowed, Refusal
from dps.services.awards import letters, reasons
from dps.services.calloffs import drafting
from dps.services.evaluation import panel_roles
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import bp
from dps.web.buyer import calloff_pages as pages

Page = str | tuple[str, int] | WerkzeugResponse


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


def letters_context(
    call_off: CallOff, actor: User, at: datetime, problems: list[Refusal] | None = None
) -> dict[str, Any]:
    """The letters page: each bidder's letter as it reads now, and whether they may be sent."""
    found = letters.preview(call_off, actor=actor, at=at)
    award = letters.award_for(call_off)
    return {
        "call_off": call_off,
        "award": award,
        "letters": [(letter, letters.shown(letter, at)) for letter in found],
        "may_send": letters.may_send(call_off, actor),
        # its last day: the moment it ends is midnight at the start of the next day
        "standstill_last_day": (
            award.standstill_ends_at - timedelta(seconds=1)
            if award is not None and award.standstill_ends_at
            else None
        ),
        "open_requests": reasons.open_requests(call_off, at),
        "problems": pages.shown(problems or []),
    }


def on_call_off_page(call_off: CallOff, actor: User, at: datetime) -> dict[str, Any]:
    """What the buyer's call-off page shows of the letters to the panel: a link once an award
    is recorded, and the open requests for more reasons with their due dates."""
    try:
        panel_roles.require_letters_reader(call_off, actor)
    except NotAllowed:
        return {"letters_award": None, "open_reasons": []}
    award = letters.award_for(call_off)
    return {
        "letters_award": award,
        "open_reasons": reasons.open_requests(call_off, at) if award else [],
    }


@bp.get("/call-offs/<int:call_off_id>/letters")
@allow(Area.BUYER)
def calloff_letters(call_off_id: int) -> str:
    call_off = _call_off(call_off_id)
    return render_template(
        "buyer/letters_list.html", **letters_context(call_off, current_actor(), utcnow())
    )


@bp.post("/call-offs/<int:call_off_id>/letters/send")
@allow(Area.BUYER)
def calloff_send_letters(call_off_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor = current_actor()
    try:
        letters.send(call_off, actor=actor, at=utcnow())
    except letters.LettersRefused as refused:
        context = letters_context(call_off, actor, utcnow(), [Refusal(refused.message)])
        return render_template("buyer/letters_list.html", **context), 400
    flash("The letters have been sent. Each bidder is emailed to read its letter", "success")
    return redirect(url_for("buyer.calloff_letters", call_off_id=call_off.id))


@bp.get("/call-offs/<int:call_off_id>/letters/<int:letter_id>")
@allow(Area.BUYER)
def calloff_letter(call_off_id: int, letter_id: int) -> str:
    call_off = _call_off(call_off_id)
    at = utcnow()
    letter = letters.letter_for_buyer(call_off, letter_id, actor=current_actor(), at=at)
    return render_template(
        "buyer/letters_letter.html",
        call_off=call_off,
        letter=letter,
        content=letters.shown(letter, at),
    )


@bp.route("/call-offs/<int:call_off_id>/reasons/<int:request_id>", methods=["GET", "POST"])
@allow(Area.BUYER)
def calloff_reasons(call_off_id: int, request_id: int) -> Page:
    call_off = _call_off(call_off_id)
    actor, at = current_actor(), utcnow()
    asked = reasons.get_for_buyer(call_off, request_id, actor=actor)
    problems: list[Refusal] = []
    typed = request.form.get("reply", "")
    if request.method == "POST":
        try:
            reasons.reply(call_off, request_id, typed, actor=actor, at=at)
        except reasons.ReasonsRefused as refused:
            problems = [refused]
        else:
            flash("Your reply has been sent to the bidder", "success")
            return redirect(url_for("buyer.calloff_letters", call_off_id=call_off.id))
    return render_template(
        "buyer/letters_reasons.html",
        **reasons_context(call_off, asked, actor, at, typed, problems),
    ), (400 if problems else 200)


def reasons_context(
    call_off: CallOff,
    asked: reasons.ReasonsRequest,
    actor: User,
    at: datetime,
    typed: str = "",
    problems: list[Refusal] | None = None,
) -> dict[str, Any]:
    try:
        panel_roles.require_decider(call_off, actor)
        may_reply = asked.replied_at is None
    except NotAllowed:
        may_reply = False
    return {
        "call_off": call_off,
        "asked": asked,
        "supplier": asked.letter.organisation.name,
        "overdue": reasons.overdue(asked, at),
        "may_reply": may_reply,
        "typed": typed,
        "problems": pages.shown(problems or []),
    }
