"""Letters to a supplier about its applications and its place in a lot's pool, and who hears.

A letter is rendered from a plain-text template once, so the officer's preview and the email
that goes are the same text; it goes through the outbox to the supplier's owners and to the
person who sent the application, once each. Other messages to a supplier (a clarification
request, a renewal, a reminder) go to everyone who can sign in for it (``supplier_people``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.rules.enums import Role
from dps.services.common.emails import render_email
from dps.services.common.outbox import enqueue_email

SIGNATURE = (
    "CCIN Dynamic Purchasing System, run by Oldham Council for the Co-operative Councils' "
    "Innovation Network"
)


@dataclass(frozen=True)
class Letter:
    to: list[str]
    subject: str
    body: str


def recipients(organisation_id: int, *, sender_id: int | None = None) -> list[str]:
    """The organisation's active owners, and the person who sent the application if still in it."""
    people = db.session.scalars(
        select(User)
        .join(Membership)
        .where(
            Membership.organisation_id == organisation_id,
            User.active.is_(True),
            (Membership.role == Role.SUPPLIER_OWNER) | (User.id == (sender_id or 0)),
        )
        .order_by(User.id)
    )
    seen: dict[str, str] = {}
    for person in people:
        seen.setdefault(person.email.lower(), person.email)
    return list(seen.values())


def supplier_people(organisation_id: int) -> list[User]:
    """Everyone who can sign in for the supplier: its messages go to each of them."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def render(template: str, **context: Any) -> str:
    """A letter's body: the email template, signed, with the address to write back to."""
    return render_email(
        template, signature=SIGNATURE, contact=current_app.config["CONTACT_EMAIL"], **context
    )


def send(letter: Letter, *, dedupe_key: str) -> None:
    """Queue the letter to each recipient in the current transaction (sent after commit)."""
    for address in letter.to:
        enqueue_email(
            address, letter.subject, letter.body, dedupe_key=f"{dedupe_key}:{address.lower()}"
        )
