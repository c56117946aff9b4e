"""Moving a stored object along its lifecycle, every move audited.

The tables of allowed moves are rules (``dps.rules.lifecycles``); services call ``move`` with a
lifecycle from there and never set the state attribute themselves.
"""

from __future__ import annotations

from typing import Any, TypeVar

from dps.extensions import db
from dps.models.accounts import User
from dps.rules.lifecycles import IllegalTransition, Lifecycle
from dps.services.common import audit

S = TypeVar("S")

__all__ = ["IllegalTransition", "move"]


def move(
    lifecycle: Lifecycle[S],
    obj: Any,
    target: S,
    *,
    actor: User | None,
    event: str | None = None,
    **details: Any,
) -> None:
    """Move ``obj`` to ``target`` and record it; an illegal move raises and changes nothing.

    ``details`` (for example a reason) are kept in the audit event's "after" record; the event
    is named ``<lifecycle>.<target>`` unless ``event`` names it (one event for a move that
    means more, like a call-off closing as its tenders are opened).
    """
    current = getattr(obj, lifecycle.attribute)
    lifecycle.check(current, target)
    if getattr(obj, "id", None) is None:
        # A new object has no id until flushed; the audit event must name it.
        db.session.add(obj)
        db.session.flush()
    setattr(obj, lifecycle.attribute, target)
    audit.record(
        event or f"{lifecycle.name}.{target}",
        obj,
        actor=actor,
        before={lifecycle.attribute: str(current)},
        after={**details, lifecycle.attribute: str(target)},
    )
