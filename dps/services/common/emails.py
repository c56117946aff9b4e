"""Sending an email drawn from a template, through the outbox.

Templates are drawn from the app's Jinja environment rather than a request, so a worker can send
the same emails as a page. The message is queued in the current transaction and sent after the
commit (``dps.services.common.outbox``); a ``dedupe_key`` already used queues nothing again.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from dps.models.outbox import OutboxMessage
from dps.services.common.outbox import enqueue_email

SERVICE_NAME = "CCIN Dynamic Purchasing System"


def render_email(template: str, **context: Any) -> str:
    """The body of ``templates/emails/<template>`` (a name ending .txt, or without it)."""
    name = template if template.endswith(".txt") else f"emails/{template}.txt"
    body = current_app.jinja_env.get_template(name).render(service_name=SERVICE_NAME, **context)
    return body.strip() + "\n"


def send_email(
    to: str, subject: str, template: str, *, dedupe_key: str | None = None, **context: Any
) -> OutboxMessage:
    """Queue the email drawn from ``template`` with ``context``, to send after the commit."""
    return enqueue_email(to, subject, render_email(template, **context), dedupe_key=dedupe_key)
