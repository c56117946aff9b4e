"""A small explicit state machine: allowed transitions in one table, every move audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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

    def move(self, obj: Any, target: S, *, actor: User | None, **details: Any) -> None:
        current = getattr(obj, self.attribute)
        if not self.allowed(current, target):
            raise IllegalTransition(f"{self.name}: cannot go from {current} to {target}")
        setattr(obj, self.attribute, target)
        audit.record(
            f"{self.name}.{target}",
            obj,
            actor=actor,
            before={self.attribute: str(current)},
            after={self.attribute: str(target), **details},
        )
