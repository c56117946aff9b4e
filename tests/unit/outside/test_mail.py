"""Sending one email from the outbox: the message built, its stable Message-ID, and the backends."""

from __future__ import annotations

import pytest

from dps.outside import mail

SENDER = "CCIN DPS <dps@oldham.example.org>"


def test_the_same_outbox_row_always_gets_the_same_message_id() -> None:
    assert mail.message_id_for(42, SENDER) == "<outbox-42@oldham.example.org>"
    assert mail.message_id_for(42, SENDER) == mail.message_id_for(42, SENDER)
    assert mail.message_id_for(42, "") == "<outbox-42@localhost>"


def test_a_message_says_who_what_and_that_nobody_typed_it() -> None:
    message = mail.build_message(
        7, to="ann@example.org", subject="Hello", body="Hi Ann\n", mail_from=SENDER
    )
    assert message["From"] == SENDER
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == "Hello"
    assert message["Message-ID"] == "<outbox-7@oldham.example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content() == "Hi Ann\n"


def test_a_body_with_or_without_its_last_line_break_sends_the_same_text() -> None:
    def sent(body: str) -> str:
        message = mail.build_message(
            1, to="a@example.org", subject="s", body=body, mail_from=SENDER
        )
        return str(message.get_payload())  # the body as it goes over the wire

    assert sent("Hello\n\nGoodbye") == sent("Hello\n\nGoodbye\n")


def test_the_record_backend_sends_nothing() -> None:
    settings = mail.MailSettings(backend=mail.BACKEND_RECORD, mail_from=SENDER)
    outcome = mail.send_email(1, to="a@example.org", subject="s", body="b", settings=settings)
    assert outcome == "recorded"


def test_an_unknown_backend_or_smtp_without_a_host_is_refused() -> None:
    with pytest.raises(mail.MailError, match="unknown MAIL_BACKEND"):
        mail.send_email(
            1,
            to="a@example.org",
            subject="s",
            body="b",
            settings=mail.MailSettings(backend="carrier-pigeon", mail_from=SENDER),
        )
    with pytest.raises(mail.MailError, match="SMTP_HOST is not set"):
        mail.send_email(
            1,
            to="a@example.org",
            subject="s",
            body="b",
            settings=mail.MailSettings(backend=mail.BACKEND_SMTP, mail_from=SENDER),
        )
