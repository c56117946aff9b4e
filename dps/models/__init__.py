"""Models, one module per aggregate. Importing this package registers every table."""

from dps.models.accounts import Invitation, Membership, User
from dps.models.audit import AuditEvent
from dps.models.dps import DPS, Lot, Notice
from dps.models.organisations import Organisation
from dps.models.outbox import OutboxMessage

__all__ = [
    "DPS",
    "AuditEvent",
    "Invitation",
    "Lot",
    "Membership",
    "Notice",
    "Organisation",
    "OutboxMessage",
    "User",
]
