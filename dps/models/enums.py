"""Closed sets of values, stored as their string values."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum


class OrganisationKind(enum.StrEnum):
    SUPPLIER = "supplier"
    MEMBER = "member"
    NETWORK = "network"


class MembershipType(enum.StrEnum):
    FULL = "full"
    ASSOCIATE = "associate"
    AFFILIATE = "affiliate"
    SUPPORTER = "supporter"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Role(enum.StrEnum):
    SUPPLIER_OWNER = "supplier_owner"
    SUPPLIER_USER = "supplier_user"
    BUYER = "buyer"
    VIEWER = "viewer"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return {
            "supplier_owner": "Supplier owner",
            "supplier_user": "Supplier user",
            "buyer": "Buyer",
            "viewer": "Viewer",
            "administrator": "Administrator",
        }[self.value]


class OutboxKind(enum.StrEnum):
    EMAIL = "email"
    TASK = "task"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def str_enum(cls: type[enum.StrEnum], name: str) -> Any:
    """A portable enum column: a VARCHAR with a named CHECK constraint on every database."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in cls) + 8,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
