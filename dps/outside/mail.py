"""Sending one email from the outbox, over SMTP or (in development) to the record only.

Only the outbox relay calls this; everything else queues email
with ``dps.services.common.outbox.enqueue_email``. The Message-ID is made from the outbox id, so
a message
sent twice (a crash between sending and recording it) carries the same Message-ID both times and
can be spotted downstream.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Literal

BACKEND_SMTP = "smtp"
BACKEND_RECORD = "record"

Outcome = Literal["sent", "recorded"]


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class MailSettings:
    backend: str
    mail_from: str
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            backend=config["MAIL_BACKEND"],
            mail_from=config["MAIL_FROM"],
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=bool(config["SMTP_STARTTLS"]),
            timeout_seconds=float(config["SMTP_TIMEOUT_SECONDS"]),
        )


def message_id_for(outbox_id: int, mail_from: str) -> str:
    """The same outbox row always gets the same Message-ID."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{outbox_id}@{domain}>"


def build_message(
    outbox_id: int, *, to: str, subject: str, body: str, mail_from: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id_for(outbox_id, mail_from)
    # Tells mail servers and people's rules that nobody typed this (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send_email(
    outbox_id: int, *, to: str, subject: str, body: str, settings: MailSettings
) -> Outcome:
    """Send one message; returns "recorded" when the record backend keeps it instead.

    Raises ``MailError`` (or an ``OSError`` from the network) when the server refuses it or
    cannot be reached; the outbox then tries again later.
    """
    if settings.backend == BACKEND_RECORD:
        return "recorded"
    if settings.backend != BACKEND_SMTP:
        raise MailError(f"unknown MAIL_BACKEND {settings.backend!r}: use smtp or record")
    if not settings.host:
        raise MailError("MAIL_BACKEND is smtp but SMTP_HOST is not set")
    message = build_message(
        outbox_id, to=to, subject=subject, body=body, mail_from=settings.mail_from
    )
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            refused = smtp.send_message(message)
    except smtplib.SMTPException as error:
        raise MailError(f"the mail server refused the message: {error}") from error
    if refused:
        raise MailError(f"the mail server refused the recipient: {refused}")
    return "sent"
