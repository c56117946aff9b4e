"""Writing the audit trail. Every change a person or a worker makes records who, what and when."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from dps.extensions import db
from dps.models.accounts import User
from dps.models.audit import AuditEvent
from dps.models.base import utcnow

SYSTEM_ACTOR = "system"


def describe_actor(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_ACTOR
    return f"{actor.name} <{actor.email}> (user {actor.id})"


def record(
    action: str,
    obj: Any | None = None,
    *,
    actor: User | None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits with the change it describes."""
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    if object_type is None:
        raise ValueError("an audit event needs an object type")
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_user_id=actor.id if actor is not None else None,
        actor_description=describe_actor(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        before=before,
        after=after,
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_new(
    obj: Any, action: str, *, actor: User | None, after: dict[str, Any] | None = None
) -> AuditEvent:
    """Add a new row and its audit event (flushed first, so the event can name its id)."""
    db.session.add(obj)
    db.session.flush()
    return record(action, obj, actor=actor, after=after)


def trail_for(object_type: str, object_id: Any) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
