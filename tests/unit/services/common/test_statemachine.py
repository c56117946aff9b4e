"""Lifecycles move only along their table of allowed transitions, and every move is audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, OutboxMessage, User
from dps.rules.enums import OutboxKind, OutboxStatus
from dps.rules.lifecycles import IllegalTransition, Lifecycle
from dps.services.common.audit import trail_for
from dps.services.common.statemachine import move

# The outbox's own small lifecycle stands in for the later ones (applications, call-offs...).
DELIVERY = Lifecycle[OutboxStatus](
    name="outbox_message",
    transitions={
        OutboxStatus.PENDING: frozenset({OutboxStatus.SENT, OutboxStatus.FAILED}),
        OutboxStatus.FAILED: frozenset({OutboxStatus.PENDING}),
    },
)


def _message() -> OutboxMessage:
    message = OutboxMessage(
        kind=OutboxKind.EMAIL,
        payload={"to": "a@example.org", "subject": "Hello", "body": "Hi"},
        status=OutboxStatus.PENDING,
    )
    db.session.add(message)
    db.session.commit()
    return message


def _administrator() -> User:
    user = User(email="oldham.admin@example.org", name="Olive Admin", password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def _audit_count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0)


def test_an_allowed_move_changes_the_state_and_is_audited(app: Flask) -> None:
    message = _message()
    admin = _administrator()

    move(DELIVERY, message, OutboxStatus.FAILED, actor=admin, reason="SMTP server refused")
    db.session.commit()

    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.FAILED  # type: ignore[union-attr]
    [event] = trail_for("outbox_messages", message.id)
    assert event.action == "outbox_message.failed"
    assert event.actor_user_id == admin.id
    assert "Olive Admin" in event.actor_description
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "failed", "reason": "SMTP server refused"}
    assert event.occurred_at.tzinfo is not None


def test_moves_build_a_trail_in_order(app: Flask) -> None:
    message = _message()
    for target in (OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENT):
        move(DELIVERY, message, target, actor=None)
    db.session.commit()
    trail = trail_for("outbox_messages", message.id)
    assert [(e.before, e.after) for e in trail] == [
        ({"status": "pending"}, {"status": "failed"}),
        ({"status": "failed"}, {"status": "pending"}),
        ({"status": "pending"}, {"status": "sent"}),
    ]
    assert {e.actor_description for e in trail} == {"system"}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OutboxStatus.SENT, OutboxStatus.PENDING),  # a sent email is never sent again
        (OutboxStatus.SENT, OutboxStatus.FAILED),
        (OutboxStatus.FAILED, OutboxStatus.SENT),  # must be retried first
        (OutboxStatus.PENDING, OutboxStatus.PENDING),  # staying put is not a move
    ],
)
def test_an_illegal_move_raises_and_writes_nothing(
    app: Flask, start: OutboxStatus, target: OutboxStatus
) -> None:
    message = _message()
    message.status = start
    db.session.commit()

    with pytest.raises(IllegalTransition, match=f"cannot go from {start} to {target}"):
        move(DELIVERY, message, target, actor=None)

    assert message.status == start
    assert not any(isinstance(obj, AuditEvent) for obj in db.session.new)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == start  # type: ignore[union-attr]
    assert _audit_count() == 0


def test_a_new_object_is_named_in_its_audit_event(app: Flask) -> None:
    message = OutboxMessage(
        kind=OutboxKind.EMAIL, payload={"to": "b@example.org"}, status=OutboxStatus.PENDING
    )
    move(DELIVERY, message, OutboxStatus.SENT, actor=None)
    db.session.commit()
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert event.object_type == "outbox_messages"
    assert event.object_id == str(message.id)


def test_the_table_says_where_an_object_may_go_next() -> None:
    assert DELIVERY.targets(OutboxStatus.PENDING) == {OutboxStatus.SENT, OutboxStatus.FAILED}
    assert DELIVERY.targets(OutboxStatus.SENT) == frozenset()
    assert DELIVERY.allowed(OutboxStatus.FAILED, OutboxStatus.PENDING)
    assert not DELIVERY.allowed(OutboxStatus.SENT, OutboxStatus.PENDING)
