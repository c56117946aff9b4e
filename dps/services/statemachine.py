"""A small explicit state machine: allowed transitions in one table, every move audited.

Each lifecycle (application, admission, call-off, tender) declares one ``StateMachine`` with
its table of allowed moves; services call ``move``, never set the state attribute themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from dps.extensions import db
from dps.models.accounts import User
from dps.services import audit

S = TypeVar("S")


class IllegalTransition(Exception):
    """A move the lifecycle does not allow."""


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    name: str
    transitions: Mapping[S, frozenset[S]]
    attribute: str = "status"

    def allowed(self, current: S, target: S) -> bool:
        return target in self.transitions.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        """Where an object in ``current`` may go next (for offering only the possible actions)."""
        return self.transitions.get(current, frozenset())

    def move(self, obj: Any, target: S, *, actor: User | None, **details: Any) -> None:
        """Move ``obj`` to ``target`` and record it; an illegal move raises and changes nothing.

        ``details`` (for example a reason) are kept in the audit event's "after" record.
        """
        current = getattr(obj, self.attribute)
        if not self.allowed(current, target):
            raise IllegalTransition(f"{self.name}: cannot go from {current} to {target}")
        if getattr(obj, "id", None) is None:
            # A new object has no id until flushed; the audit event must name it.
            db.session.add(obj)
            db.session.flush()
        setattr(obj, self.attribute, target)
        audit.record(
            f"{self.name}.{target}",
            obj,
            actor=actor,
            before={self.attribute: str(current)},
            after={**details, self.attribute: str(target)},
        )
