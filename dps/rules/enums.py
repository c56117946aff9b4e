"""Closed sets of values, stored as their string values."""

from __future__ import annotations

import enum


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


class LegalForm(enum.StrEnum):
    COMPANY = "company"
    CIC = "community_interest_company"
    SOCIETY = "cooperative_or_community_benefit_society"
    CHARITY = "charity"
    PARTNERSHIP = "partnership"
    SOLE_TRADER = "sole_trader"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "company": "Company",
            "community_interest_company": "Community interest company (CIC)",
            "cooperative_or_community_benefit_society": (
                "Co-operative or community benefit society"
            ),
            "charity": "Charity",
            "partnership": "Partnership",
            "sole_trader": "Sole trader",
            "other": "Other",
        }[self.value]


class OrganisationSize(enum.StrEnum):
    """UK size bands (Companies Act 2006 thresholds, as PPN 03/23 asks)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHECKING = "checking"
    READY_FOR_REVIEW = "ready_for_review"
    CLARIFICATION_REQUESTED = "clarification_requested"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class LotOutcome(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class AdmissionStatus(enum.StrEnum):
    ADMITTED = "admitted"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class SectionStatus(enum.StrEnum):
    """A task-list section's status, as the GOV.UK task list pattern shows it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "completed": "Completed",
        }[self.value]


class DocumentKind(enum.StrEnum):
    EMPLOYERS_LIABILITY = "employers_liability"
    PUBLIC_LIABILITY = "public_liability"
    PROFESSIONAL_INDEMNITY = "professional_indemnity"
    ACCOUNTS = "accounts"
    MODERN_SLAVERY = "modern_slavery_policy"
    DATA_PROTECTION = "data_protection_policy"
    HEALTH_AND_SAFETY = "health_and_safety_policy"
    EQUALITY = "equality_policy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "employers_liability": "Employer’s liability insurance certificate",
            "public_liability": "Public liability insurance certificate",
            "professional_indemnity": "Professional indemnity insurance certificate",
            "accounts": "Latest annual accounts",
            "modern_slavery_policy": "Modern slavery policy or statement",
            "data_protection_policy": "Data protection policy",
            "health_and_safety_policy": "Health and safety policy",
            "equality_policy": "Equality, diversity and inclusion policy",
            "other": "Other document",
        }[self.value]

    @property
    def is_insurance(self) -> bool:
        """Insurance certificates carry an expiry date; the cover lapses on it."""
        return self in {
            DocumentKind.EMPLOYERS_LIABILITY,
            DocumentKind.PUBLIC_LIABILITY,
            DocumentKind.PROFESSIONAL_INDEMNITY,
        }


class CheckOutcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105  (a check outcome, not a password)
    FAIL = "fail"
    REFER = "refer"  # needs a person
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class CheckState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class Recommendation(enum.StrEnum):
    ADMIT = "admit"
    REJECT = "reject"
    REFER = "refer"


class RenewalStatus(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class CallOffStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # invitations sent, tenders sealed until the deadline
    CLOSED = "closed"  # past the deadline, tenders opened
    EVALUATED = "evaluated"
    AWARDED = "awarded"  # the award decided; letters, standstill and contract follow
    NOT_AWARDED = "not_awarded"  # a decision not to award, with reasons told to every bidder
    CANCELLED = "cancelled"


class TenderStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # may be revised or withdrawn until the deadline
    WITHDRAWN = "withdrawn"
    OPENED = "opened"
    SCORED = "scored"
    SUCCESSFUL = "successful"
    UNSUCCESSFUL = "unsuccessful"
