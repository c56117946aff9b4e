"""A call-off's record: its whole audit trail, the report regulation 84 asks for (to read, print
or download as a self-contained file) and the CSV files of its invitations, responses, scores
and award.

Reading, not changing, so buyers and viewers alike (the member area); another organisation's
call-off is "not found". Until the call-off is decided only the panel lead may read them, once
every member who may score has submitted
(``dps.services.awards.record.require_reader``): anyone else gets the 403 page with the reason.
"""

from __future__ import annotations

from flask import Response, render_template

from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.services.awards import exports, record, trail
from dps.services.calloffs import drafting
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.buyer import bp


def _call_off(call_off_id: int) -> CallOff:
    return drafting.get_for_organisation(call_off_id, organisation_id_or_404())


@bp.get("/call-offs/<int:call_off_id>/record")
@allow(Area.MEMBER)
def calloff_record(call_off_id: int) -> str:
    call_off = _call_off(call_off_id)
    entries = trail.trail_for(call_off, current_actor())
    return render_template("buyer/calloff_record.html", call_off=call_off, entries=entries)


@bp.get("/call-offs/<int:call_off_id>/report")
@allow(Area.MEMBER)
def calloff_report(call_off_id: int) -> str:
    call_off = _call_off(call_off_id)
    report = record.report_for(call_off, current_actor(), utcnow())
    return render_template("buyer/calloff_report.html", call_off=call_off, report=report)


@bp.get("/call-offs/<int:call_off_id>/report/download")
@allow(Area.MEMBER)
def calloff_report_download(call_off_id: int) -> Response:
    """The same report as one HTML file, with its styles inside it, to keep or send on."""
    call_off = _call_off(call_off_id)
    report = record.report_for(call_off, current_actor(), utcnow())
    html = render_template("buyer/calloff_report_download.html", report=report)
    name = f"{report.reference or f'call-off-{call_off.id}'}-report.html"
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/call-offs/<int:call_off_id>/export/<kind>.csv")
@allow(Area.MEMBER)
def calloff_export(call_off_id: int, kind: str) -> Response:
    call_off = _call_off(call_off_id)
    text, name = exports.csv_for(call_off, kind, current_actor(), utcnow())
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
