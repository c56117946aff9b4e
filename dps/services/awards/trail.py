"""A call-off's whole audit trail on one page, oldest first: every event about the call-off
itself and about what belongs to it (its questions and price lines, documents, invitations,
suppliers' questions and addenda, panel, tenders and their documents, declines, scores, price
reviews, the award, letters, requests for more reasons and the contract).

Events are found by their subject (``AuditEvent.object_type``, the table's name, and the row's
id), as ``dps.services.common.audit`` records them: a new kind of event about a call-off's
child is found as long as its subject is the call-off or one of the rows named here.

Two things stay hidden as they are everywhere else a buyer reads: who asked a supplier's
question (it says "An invited supplier"), and anything about tenders or declines of a call-off
whose tenders were never opened (cancelled before its deadline), which stay sealed.

A panel member's draft scores are theirs alone until they submit: an event saving scores of a
member who never submitted says that scores were saved, not what they were (the report, too,
holds only submitted scores).

Who may read it is the report's rule (``dps.services.awards.record.require_reader``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, select

from dps.models.accounts import User
from dps.models.awards import Award, Contract, OutcomeLetter, ReasonsRequest
from dps.models.calloff_questions import CallOffAddendum, CallOffClarification
from dps.models.calloffs import (
    CallOff,
    CallOffDocument,
    CallOffInvitation,
    CallOffQuestion,
    PanelMember,
    PriceLine,
)
from dps.models.evaluation import ModeratedScore, PanelScore, PriceReview
from dps.models.tenders import Tender, TenderDecline, TenderDocument
from dps.services.awards import record
from dps.services.common import trails
from dps.services.common.trails import TrailEntry
from dps.services.evaluation import scoring

ASKER = "An invited supplier"
# What the call-off's events mean, in words; others are spelt out from their names.
ACTIONS = {
    "call_off.started": "Call-off started",
    "call_off.published": "Published: the invitations were sent",
    "call_off.tenders_opened": "Tenders opened",
    "call_off.tender_deadline_moved": "Tender deadline moved",
    "call_off.cancelled": "Call-off cancelled",
    "call_off.evaluated": "Evaluation finished",
    "call_off.awarded": "Award decided",
    "call_off.not_awarded": "Decided not to award",
    "call_off_document.uploaded": "Document added",
    "call_off_document.removed": "Document taken off",
    "call_off_clarification.asked": "A supplier asked a question",
    "call_off_clarification.answered": "Question answered and published",
    "call_off_addendum.published": "Addendum published",
    "tender.started": "Tender started",
    "tender.draft_saved": "Tender draft saved",
    "tender.submitted": "Tender sent",
    "tender.withdrawn": "Tender withdrawn",
    "tender.declined": "Supplier declined to tender",
    "tender.scored": "Tender scored",
    "tender.successful": "Tender successful",
    "tender.unsuccessful": "Tender unsuccessful",
    "tender_document.uploaded": "Tender document added",
    "tender_document.removed": "Tender document taken off",
    scoring.SAVED_ACTION: "Scores saved as a draft",
    scoring.SUBMITTED_ACTION: "Scores submitted",
}
DRAFT_HIDDEN = "Scores"
# Subjects that belong to a tender: sealed until the tenders are opened.
SEALED = frozenset({"tenders", "tender_documents", "tender_declines"})


def subjects(call_off: CallOff) -> list[tuple[str, list[int] | Select[tuple[int]]]]:
    """Every (subject type, ids) whose events belong to the call-off's trail."""
    call_off_id = call_off.id

    def of(model: Any) -> Select[tuple[int]]:
        return select(model.id).where(model.call_off_id == call_off_id)

    found: list[tuple[str, list[int] | Select[tuple[int]]]] = [
        ("call_offs", [call_off_id]),
        ("call_off_questions", of(CallOffQuestion)),
        ("call_off_price_lines", of(PriceLine)),
        ("call_off_documents", of(CallOffDocument)),
        ("call_off_invitations", of(CallOffInvitation)),
        ("call_off_clarifications", of(CallOffClarification)),
        ("call_off_addenda", of(CallOffAddendum)),
        ("call_off_panel_members", of(PanelMember)),
        ("call_off_panel_scores", of(PanelScore)),
        ("call_off_moderated_scores", of(ModeratedScore)),
        ("call_off_price_reviews", of(PriceReview)),
        ("call_off_awards", of(Award)),
        ("call_off_outcome_letters", of(OutcomeLetter)),
        ("call_off_reasons_requests", of(ReasonsRequest)),
        ("call_off_contracts", of(Contract)),
    ]
    if call_off.opened_at is not None:
        found += [
            ("tenders", of(Tender)),
            (
                "tender_documents",
                select(TenderDocument.id)
                .join(Tender, Tender.id == TenderDocument.tender_id)
                .where(Tender.call_off_id == call_off_id),
            ),
            ("tender_declines", of(TenderDecline)),
        ]
    return found


def trail_for(call_off: CallOff, actor: User) -> list[TrailEntry]:
    """The call-off's trail, oldest first, as ``actor`` may read it (NotAllowed otherwise)."""
    record.require_reader(call_off, actor)
    submitted = {m.id for m in call_off.panel if m.scores_submitted_at is not None}
    entries = []
    for event, user in trails.events_of(subjects(call_off), oldest_first=True):
        if event.object_type in SEALED and call_off.opened_at is None:
            continue
        asked = event.object_type == "call_off_clarifications" and event.action.endswith(".asked")
        entry = trails.entry(
            event,
            None if asked else user,
            who=ASKER if asked else None,
            what=ACTIONS.get(event.action),
        )
        if (
            event.action == scoring.SAVED_ACTION
            and (event.after or {}).get("panel_member_id") not in submitted
        ):
            entry = replace(entry, changes=[c for c in entry.changes if c.field != DRAFT_HIDDEN])
        entries.append(entry)
    return entries
