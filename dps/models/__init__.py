"""Models, one module per aggregate. Importing this package registers every table."""

from dps.models.accounts import Invitation, Membership, User
from dps.models.admissions import Admission
from dps.models.applications import Application, ApplicationLot
from dps.models.audit import AuditEvent
from dps.models.awards import Award, Contract, OutcomeLetter, QuarterlyNotice, ReasonsRequest
from dps.models.calloff_questions import CallOffAddendum, CallOffClarification
from dps.models.calloffs import (
    CallOff,
    CallOffDocument,
    CallOffInvitation,
    CallOffQuestion,
    PanelMember,
    PriceLine,
)
from dps.models.checks import CheckResult, CheckRun
from dps.models.clarifications import ClarificationRequest
from dps.models.documents import Document
from dps.models.dps import DPS, Lot, Notice
from dps.models.evaluation import ModeratedScore, PanelScore, PriceReview
from dps.models.organisations import Organisation
from dps.models.outbox import OutboxMessage
from dps.models.questionnaire import AnswerSet, QuestionnaireVersion
from dps.models.renewals import DeclarationRenewal
from dps.models.suppliers import SupplierProfile
from dps.models.tenders import (
    Tender,
    TenderAnswer,
    TenderDecline,
    TenderDocument,
    TenderPrice,
)

__all__ = [
    "DPS",
    "Admission",
    "AnswerSet",
    "Application",
    "ApplicationLot",
    "AuditEvent",
    "Award",
    "CallOff",
    "CallOffAddendum",
    "CallOffClarification",
    "CallOffDocument",
    "CallOffInvitation",
    "CallOffQuestion",
    "CheckResult",
    "CheckRun",
    "ClarificationRequest",
    "Contract",
    "DeclarationRenewal",
    "Document",
    "Invitation",
    "Lot",
    "Membership",
    "ModeratedScore",
    "Notice",
    "Organisation",
    "OutboxMessage",
    "OutcomeLetter",
    "PanelMember",
    "PanelScore",
    "PriceLine",
    "PriceReview",
    "QuarterlyNotice",
    "QuestionnaireVersion",
    "ReasonsRequest",
    "SupplierProfile",
    "Tender",
    "TenderAnswer",
    "TenderDecline",
    "TenderDocument",
    "TenderPrice",
    "User",
]
