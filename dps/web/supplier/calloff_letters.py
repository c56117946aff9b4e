"""A bidder's outcome letter and its requests for more reasons.

The letter is looked up by the signed-in person's organisation: another bidder's letter, a
call-off the organisation did not bid for, and a letter not yet sent are all "not found". The
first time someone at the bidder opens it, that is recorded for the buyer.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.awards import OutcomeLetter
from dps.models.base import utcnow
from dps.rules.refusals import Refusal
from dps.services.awards import letters, reasons
from dps.services.calloffs import supplier_view
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.supplier import bp
from dps.web.supplier import calloff_pages as pages

Page = str | tuple[str, int] | WerkzeugResponse


@bp.get("/call-offs/<int:call_off_id>/letter")
@allow(Area.SUPPLIER)
def calloff_letter(call_off_id: int) -> str:
    organisation_id = organisation_id_or_404()
    call_off = supplier_view.get_invitation(call_off_id, organisation_id)
    at = utcnow()
    letter = letters.letter_for(call_off.id, organisation_id, actor=current_actor(), at=at)
    return render_template(
        "supplier/letters_letter.html",
        call_off=call_off,
        letter=letter,
        content=letters.shown(letter, at),
        may_ask=reasons.may_ask(call_off.id, organisation_id),
        asked=reasons.requests_for(call_off.id, organisation_id),
    )


def ask_context(
    letter: OutcomeLetter, organisation_id: int, typed: str, problems: list[Refusal]
) -> dict[str, Any]:
    call_off = letter.award.call_off
    return {
        "call_off": call_off,
        "letter": letter,
        "asked": reasons.requests_for(call_off.id, organisation_id),
        "may_ask": reasons.may_ask(call_off.id, organisation_id),
        "typed": typed,
        "problems": pages.shown(problems),
    }


@bp.route("/call-offs/<int:call_off_id>/letter/reasons", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def calloff_ask_reasons(call_off_id: int) -> Page:
    organisation_id = organisation_id_or_404()
    call_off = supplier_view.get_invitation(call_off_id, organisation_id)
    letter = letters.letter_for(call_off.id, organisation_id)
    problems: list[Refusal] = []
    typed = request.form.get("request", "")
    if request.method == "POST":
        try:
            reasons.ask(call_off.id, organisation_id, typed, actor=current_actor(), at=utcnow())
        except reasons.ReasonsRefused as refused:
            problems = [refused]
        else:
            flash("Your request has been sent to the buyer", "success")
            return redirect(url_for("supplier.calloff_ask_reasons", call_off_id=call_off.id))
    return render_template(
        "supplier/letters_reasons.html", **ask_context(letter, organisation_id, typed, problems)
    ), (400 if problems else 200)
