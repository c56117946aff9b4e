"""Who reads the opened tenders of a call-off: only its panel members who have declared no
conflict of interest (``panel_roles.require_evaluator``).

Everyone else of the organisation (a buyer not on the panel, a viewer, a member who has not
declared yet or who declared a conflict) sees only how many tenders came in, and why they may
not read them. Tenders are still read through ``dps.services.calloffs.sealing``, so the first
read at or after the deadline opens them, and nothing is read while they are sealed: a tender
of another call-off, or any tender before the opening, is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.tenders import Tender, TenderDocument
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.calloffs import sealing, tender_documents
from dps.services.evaluation import panel_roles


@dataclass(frozen=True)
class ReadingAccess:
    """Whether ``user`` reads the tenders, and if not, why (for the call-off page)."""

    may_read: bool
    reason: str | None  # panel_roles' message, when they may not
    must_declare: bool  # on the panel and not yet declared: the page links to the declaration


def access_for(call_off: CallOff, user: User) -> ReadingAccess:
    try:
        panel_roles.require_evaluator(call_off, user)
    except NotAllowed as refused:
        member = panel_roles.member_for(call_off, user)
        undeclared = member is not None and member.declared_at is None
        opened = call_off.opened_at is not None
        return ReadingAccess(False, str(refused), undeclared and opened)
    return ReadingAccess(True, None, False)


def bidder_name(tender: Tender) -> str:
    """The supplier's name as the tender recorded it when it was sent."""
    snapshot = tender.snapshot or {}
    return str((snapshot.get("supplier") or {}).get("name") or tender.organisation.name)


def opened_tenders(call_off: CallOff, at: datetime, *, actor: User) -> list[Tender]:
    """The opened tenders, for a panel member who has declared no conflict (NotAllowed for
    anyone else, once they are opened; nothing while they are sealed)."""
    tenders = sealing.tenders_for_buyer(call_off, at, actor=actor)
    if sealing.is_opened(call_off):
        panel_roles.require_evaluator(call_off, actor)
    return tenders


def opened_tender(call_off: CallOff, tender_id: int, at: datetime, *, actor: User) -> Tender:
    """One opened tender of ``call_off``: NotFound if sealed or not one of its tenders,
    NotAllowed for anyone but a panel member who has declared no conflict."""
    for tender in sealing.tenders_for_buyer(call_off, at, actor=actor):
        if tender.id == tender_id:
            panel_roles.require_evaluator(call_off, actor)
            return tender
    raise NotFound(tender_id)


def tender_document(
    call_off: CallOff, tender_id: int, document_id: int, at: datetime, *, actor: User
) -> TenderDocument:
    """A document sent with an opened tender, for a panel member who may read it."""
    opened_tender(call_off, tender_id, at, actor=actor)
    return tender_documents.for_buyer(call_off, tender_id, document_id, at, actor=actor)
