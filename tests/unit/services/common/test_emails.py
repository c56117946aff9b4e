"""Emails drawn from templates/emails/ outside a request, and queued through the outbox."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from dps.extensions import db
from dps.models import OutboxMessage
from dps.services.common.emails import SERVICE_NAME, render_email, send_email

ORGANISATION = SimpleNamespace(name="Co-operative Futures Ltd")


def test_a_template_is_drawn_by_its_short_name_or_its_path_alike(app: Flask) -> None:
    short = render_email("renewal_cancelled", organisation=ORGANISATION, reference="R-1", link="L")
    full = render_email(
        "emails/renewal_cancelled.txt", organisation=ORGANISATION, reference="R-1", link="L"
    )

    assert short == full
    assert "request for Co-operative Futures Ltd to renew" in short
    assert "(reference R-1)" in short


def test_the_body_is_trimmed_and_ends_with_one_newline(app: Flask) -> None:
    body = render_email("renewal_cancelled", organisation=ORGANISATION, reference="R", link="L")

    assert body.startswith("Hello,")
    assert body.endswith("Innovation Network\n") and not body.endswith("\n\n")


def test_the_service_name_is_there_for_every_template(app: Flask) -> None:
    body = render_email("account_password_changed", user=SimpleNamespace(name="Ada"))

    assert f"The password for your {SERVICE_NAME} account" in body


def test_sending_queues_the_drawn_email_once_per_dedupe_key(app: Flask) -> None:
    context = {"organisation": ORGANISATION, "reference": "R-2", "link": "http://x/"}
    first = send_email("a@example.org", "Cancelled", "renewal_cancelled", dedupe_key="k", **context)
    again = send_email("a@example.org", "Cancelled", "renewal_cancelled", dedupe_key="k", **context)
    db.session.commit()

    assert again.id == first.id
    [queued] = db.session.scalars(db.select(OutboxMessage)).all()
    assert queued.payload == {
        "to": "a@example.org",
        "subject": "Cancelled",
        "body": render_email("renewal_cancelled", **context),
    }
