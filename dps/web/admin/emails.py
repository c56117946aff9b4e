"""Administration: the emails in the outbox, read and (when one failed) sent again.

In development (MAIL_BACKEND=record) nothing leaves the machine, and this is where an
administrator reads what the portal sent. Signed links (reset, confirmation, invitation) are
shown whole only there, and never in production: elsewhere their tokens are hidden.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dps.models.outbox import OutboxMessage
from dps.outside.mail import BACKEND_RECORD
from dps.services.common import outbox
from dps.web.access import Area, allow, current_actor
from dps.web.admin import bp
from dps.web.numbers import within_pages


def _email_or_404(message_id: int) -> OutboxMessage:
    message = outbox.get_email(message_id)
    if message is None:
        abort(404)
    return message


@bp.get("/emails")
@allow(Area.ADMIN)
def emails() -> str:
    return render_template(
        "admin/emails.html",
        pagination=within_pages(outbox.list_emails, lambda pagination: pagination.pages),
        recording=current_app.config["MAIL_BACKEND"] == BACKEND_RECORD,
    )


@bp.get("/emails/<int:message_id>")
@allow(Area.ADMIN)
def email(message_id: int) -> str:
    message = _email_or_404(message_id)
    return render_template(
        "admin/emails_message.html",
        message=message,
        body=outbox.body_to_show(message),
        links_hidden=not outbox.links_readable(),
        recording=current_app.config["MAIL_BACKEND"] == BACKEND_RECORD,
    )


@bp.post("/emails/<int:message_id>/send-again")
@allow(Area.ADMIN)
def email_send_again(message_id: int) -> Response:
    message = _email_or_404(message_id)
    try:
        outbox.send_again(message, actor=current_actor())
    except outbox.OutboxError as refused:
        flash(refused.message)
    else:
        flash("The email has been put back in the queue to be sent again", "success")
    return redirect(url_for("admin.email", message_id=message_id))
