"""Letters to a supplier: who they go to, the signed body, and one outbox email per address."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from dps.extensions import db
from dps.models import OutboxMessage
from dps.rules.enums import Role
from dps.services.qualification import letters
from tests.fixtures.helpers import add_person, make_supplier

ADMISSION = SimpleNamespace(
    organisation=SimpleNamespace(name="Co-operative Futures Ltd"), status_reason="Lapsed cover"
)
LOT = SimpleNamespace(name="Lot 1 – Policy Development & Testing", number=1)


def test_a_letter_goes_to_the_owners_and_the_sender_once_each(app: Flask) -> None:
    supplier = make_supplier("Co-operative Futures Ltd")
    owner = add_person(supplier, "Owner@Coop.example.org", Role.SUPPLIER_OWNER)
    sender = add_person(supplier, "sender@coop.example.org", Role.SUPPLIER_USER)
    add_person(supplier, "colleague@coop.example.org", Role.SUPPLIER_USER)
    gone = add_person(supplier, "gone@coop.example.org", Role.SUPPLIER_OWNER)
    gone.active = False
    add_person(make_supplier("Rival Ltd"), "owner@rival.example.org", Role.SUPPLIER_OWNER)
    db.session.commit()

    assert letters.recipients(supplier.id) == [owner.email]
    assert letters.recipients(supplier.id, sender_id=sender.id) == [owner.email, sender.email]
    assert letters.recipients(supplier.id, sender_id=owner.id) == [owner.email]


def test_other_messages_go_to_everyone_who_can_sign_in_for_the_supplier(app: Flask) -> None:
    supplier = make_supplier("Capacity Works CIC")
    owner = add_person(supplier, "owner@capacity.example.org", Role.SUPPLIER_OWNER)
    user = add_person(supplier, "user@capacity.example.org", Role.SUPPLIER_USER)
    gone = add_person(supplier, "gone@capacity.example.org", Role.SUPPLIER_USER)
    gone.active = False
    add_person(make_supplier("Rival Ltd"), "owner@rival.example.org", Role.SUPPLIER_OWNER)
    db.session.commit()

    assert letters.supplier_people(supplier.id) == [owner, user]


def test_a_letter_is_signed_and_says_where_to_write(app: Flask) -> None:
    body = letters.render(
        "emails/admission_suspend.txt", admission=ADMISSION, lot=LOT, link="http://x/"
    )

    assert body.rstrip().endswith(letters.SIGNATURE)
    assert f"procurement at {app.config['CONTACT_EMAIL']}." in body
    assert "Lapsed cover" in body and body.endswith("\n") and not body.endswith("\n\n")


def test_sending_queues_one_email_per_address_and_never_twice(app: Flask) -> None:
    letter = letters.Letter(
        to=["Owner@Coop.example.org", "sender@coop.example.org"], subject="Hello", body="Body\n"
    )

    letters.send(letter, dedupe_key="decision-lot-1")
    letters.send(letter, dedupe_key="decision-lot-1")
    db.session.commit()

    queued = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.payload for m in queued] == [
        {"to": "Owner@Coop.example.org", "subject": "Hello", "body": "Body\n"},
        {"to": "sender@coop.example.org", "subject": "Hello", "body": "Body\n"},
    ]
    assert [m.dedupe_key for m in queued] == [
        "decision-lot-1:owner@coop.example.org",
        "decision-lot-1:sender@coop.example.org",
    ]
