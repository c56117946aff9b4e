"""Requests for more reasons (reg. 55(2)): a bidder that was not awarded the contract asks, in
writing, once its outcome letter has been sent; the panel lead replies within 15 days of the
request (``award_timing.reasons_reply_due``). Until answered, the request is shown on the
buyer's call-off page with its due date, marked overdue once past it.

Asking emails the panel lead; the reply emails every active person at the bidder. Both go
through the outbox and both are audit events. A bidder sees only its own requests; the buyer
only its call-off's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.awards import LetterKind, OutcomeLetter, ReasonsRequest
from dps.models.calloffs import CallOff
from dps.outside.tokens import email_link
from dps.rules.award_timing import reasons_reply_due
from dps.rules.calendar import london_date
from dps.rules.refusals import NotFound, Refusal
from dps.services.awards import letters
from dps.services.common import audit
from dps.services.common.emails import send_email
from dps.services.common.locking import lock_row
from dps.services.evaluation import panel_roles
from dps.services.qualification.letters import SIGNATURE, supplier_people

TEXT_MAX = 5000
REQUEST_FIELD = "request"
REPLY_FIELD = "reply"
SUCCESSFUL = "Your tender was successful, so there are no further reasons to ask for"
ALREADY_ASKED = "You have already asked; the buyer must reply before you can ask again"
ALREADY_REPLIED = "This request has already been answered"


class ReasonsRefused(Refusal):
    """A request or reply the rules refuse; the message says why, ``field`` where it belongs."""


@dataclass(frozen=True)
class OpenRequest:
    """An unanswered request as the buyer's call-off page lists it."""

    id: int
    supplier: str
    asked_at: datetime
    reply_due: date
    overdue: bool


def _text(typed: str, field: str, what: str) -> str:
    text = (typed or "").replace("\r\n", "\n").strip()
    if not text:
        raise ReasonsRefused(f"Enter {what}", field=field)
    if len(text) > TEXT_MAX:
        raise ReasonsRefused(
            f"{what[0].upper()}{what[1:]} must be {TEXT_MAX} characters or fewer", field=field
        )
    return text


def overdue(request: ReasonsRequest, at: datetime) -> bool:
    return request.replied_at is None and london_date(at) > request.reply_due


# --- the bidder's side -----------------------------------------------------------------------


def requests_for(call_off_id: int, organisation_id: int) -> list[ReasonsRequest]:
    """The organisation's own requests for the call-off, oldest first."""
    return list(
        db.session.scalars(
            select(ReasonsRequest)
            .where(
                ReasonsRequest.call_off_id == call_off_id,
                ReasonsRequest.organisation_id == organisation_id,
            )
            .order_by(ReasonsRequest.id)
        )
    )


def _has_open_request(call_off_id: int, organisation_id: int) -> bool:
    """Whether the organisation has an unanswered request, read afresh from the database."""
    found = db.session.scalar(
        select(ReasonsRequest.id).where(
            ReasonsRequest.call_off_id == call_off_id,
            ReasonsRequest.organisation_id == organisation_id,
            ReasonsRequest.replied_at.is_(None),
        )
    )
    return found is not None


def may_ask(call_off_id: int, organisation_id: int) -> bool:
    """Whether the organisation can ask now: letter sent, not successful, nothing open."""
    letter = letters.sent_letter(call_off_id, organisation_id)
    if letter is None or letter.kind == LetterKind.SUCCESSFUL:
        return False
    return all(r.replied_at is not None for r in requests_for(call_off_id, organisation_id))


def ask(
    call_off_id: int, organisation_id: int, typed: str, *, actor: User, at: datetime
) -> ReasonsRequest:
    """Record the bidder's request with its reply due date and tell the panel lead.

    NotFound before the bidder's letter is sent (or for a call-off it had no letter for)."""
    letter = letters.sent_letter(call_off_id, organisation_id)
    if letter is None:
        raise NotFound(call_off_id)
    if letter.kind == LetterKind.SUCCESSFUL:
        raise ReasonsRefused(SUCCESSFUL)
    if any(r.replied_at is None for r in requests_for(call_off_id, organisation_id)):
        raise ReasonsRefused(ALREADY_ASKED)
    text = _text(typed, REQUEST_FIELD, "what you would like to know")
    # Asked again under the letter's lock: a second submit of the same form waits, then is
    # refused, rather than opening a second request.
    lock_row(OutcomeLetter, letter.id)
    if _has_open_request(call_off_id, organisation_id):
        db.session.rollback()
        raise ReasonsRefused(ALREADY_ASKED)
    request = ReasonsRequest(
        call_off_id=call_off_id,
        letter_id=letter.id,
        organisation_id=organisation_id,
        request=text,
        asked_at=at,
        asked_by_id=actor.id,
        reply_due=reasons_reply_due(at),
    )
    audit.record_new(
        request,
        "call_off.reasons_requested",
        actor=actor,
        after={
            "call_off_id": call_off_id,
            "organisation_id": organisation_id,
            "request": text,
            "reply_due": request.reply_due.isoformat(),
        },
    )
    call_off = db.session.get(CallOff, call_off_id)
    assert call_off is not None
    lead = next((m.user for m in call_off.panel if m.is_lead), None)
    if lead is not None and lead.active:
        send_email(
            lead.email,
            f"A bidder has asked for more reasons: {call_off.reference}",
            "reasons_requested",
            dedupe_key=f"reasons-request-{request.id}-asked",
            supplier=letter.organisation.name,
            title=call_off.title,
            reference=call_off.reference or "",
            reply_due=request.reply_due,
            link=email_link(
                "buyer.calloff_reasons", call_off_id=call_off_id, request_id=request.id
            ),
            signature=SIGNATURE,
        )
    db.session.commit()
    return request


# --- the buyer's side ------------------------------------------------------------------------


def open_requests(call_off: CallOff, at: datetime) -> list[OpenRequest]:
    """The call-off's unanswered requests, soonest due first, each marked overdue if past due."""
    found = db.session.scalars(
        select(ReasonsRequest)
        .where(ReasonsRequest.call_off_id == call_off.id, ReasonsRequest.replied_at.is_(None))
        .order_by(ReasonsRequest.reply_due, ReasonsRequest.id)
    )
    return [
        OpenRequest(r.id, r.letter.organisation.name, r.asked_at, r.reply_due, overdue(r, at))
        for r in found
    ]


def get_for_buyer(call_off: CallOff, request_id: int, *, actor: User) -> ReasonsRequest:
    """One request of this call-off, for its panel; NotFound if it is not this call-off's."""
    panel_roles.require_letters_reader(call_off, actor)
    request = db.session.get(ReasonsRequest, request_id)
    if request is None or request.call_off_id != call_off.id:
        raise NotFound(request_id)
    return request


def reply(
    call_off: CallOff, request_id: int, typed: str, *, actor: User, at: datetime
) -> ReasonsRequest:
    """The panel lead's reply, once: recorded, audited and emailed to the bidder's people."""
    panel_roles.require_decider(call_off, actor)
    request = get_for_buyer(call_off, request_id, actor=actor)
    if request.replied_at is not None:
        raise ReasonsRefused(ALREADY_REPLIED)
    text = _text(typed, REPLY_FIELD, "your reply")
    # Looked at again under the request's lock: a second reply (a double submit) waits, then is
    # refused, so the reply the bidder was emailed is never overwritten nor sent twice.
    locked = lock_row(ReasonsRequest, request.id)
    if locked is None or locked.replied_at is not None:
        db.session.rollback()
        raise ReasonsRefused(ALREADY_REPLIED)
    request = locked
    request.reply = text
    request.replied_at = at
    request.replied_by_id = actor.id
    audit.record(
        "call_off.reasons_replied",
        request,
        actor=actor,
        after={
            "call_off_id": call_off.id,
            "organisation_id": request.organisation_id,
            "reply": text,
            "replied_at": at.isoformat(),
            "reply_due": request.reply_due.isoformat(),
        },
    )
    for person in supplier_people(request.organisation_id):
        send_email(
            person.email,
            f"A reply to your request for more reasons: {call_off.reference}",
            "reasons_replied",
            dedupe_key=f"reasons-request-{request.id}-replied-user-{person.id}",
            buyer=call_off.organisation.name,
            title=call_off.title,
            reference=call_off.reference or "",
            link=email_link("supplier.calloff_ask_reasons", call_off_id=call_off.id),
            signature=SIGNATURE,
        )
    db.session.commit()
    return request
