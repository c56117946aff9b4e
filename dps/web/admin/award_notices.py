"""Administration: the quarterly award notices of contracts under the DPS (reg. 50(3)), each
quarter's contracts and due date, and recording a quarter's notice as sent."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dps.models.base import utcnow
from dps.rules import digits
from dps.rules.timefmt import london
from dps.services.awards import quarterly
from dps.services.awards.quarterly import NoticeRefused
from dps.services.dps import period as dps_service
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.refusals import Shown

DATE_BOXES = ("day", "month", "year")


def shown(refused: NoticeRefused, key: str) -> Shown:
    """The problems, each linked to its question in the quarter ``key``'s form."""
    result = Shown()
    for problem in refused.problems:
        name = problem.field or quarterly.SENT_ON
        target = f"{key}-{name}-day" if name == quarterly.SENT_ON else f"{key}-{name}"
        result.summary.append({"text": problem.message, "href": f"#{target}"})
        result.by_field.setdefault(name, problem.message)
    return result


def _number(raw: str | None) -> int:
    # A year or a quarter: four of the digits 0 to 9 at most ("²" passes isdigit, not int).
    if raw is None or not digits.is_digits(raw, most=4):
        abort(400)
    return int(raw)


@bp.route("/award-notices", methods=["GET", "POST"])
@allow(Area.ADMIN)
def award_notices() -> str | tuple[str, int] | Response:
    dps = dps_service.current_dps()
    if dps is None:
        abort(404)
    problems = Shown()
    typed: dict[str, Any] = {}
    failed = ""
    if request.method == "POST":
        year, number = _number(request.form.get("year")), _number(request.form.get("quarter"))
        boxes = {box: request.form.get(f"sent_on-{box}", "").strip() for box in DATE_BOXES}
        typed = {**boxes, "notice_reference": request.form.get("notice_reference", "")}
        sent_on = "/".join(boxes.values()) if any(boxes.values()) else ""
        try:
            quarterly.record_sent(
                dps,
                year,
                number,
                sent_on,
                typed["notice_reference"],
                actor=current_actor(),
                at=utcnow(),
            )
        except NoticeRefused as refused:
            failed = f"quarter-{year}-{number}"
            problems = shown(refused, failed)
        else:
            flash("The quarter’s award notice is recorded as sent", "success")
            return redirect(url_for("admin.award_notices"))
    today = london(utcnow()).date()
    return render_template(
        "admin/award_notices.html",
        quarters=quarterly.quarters(dps, today),
        today=today,
        problems=problems,
        typed=typed,
        failed=failed,
    ), (400 if problems else 200)
