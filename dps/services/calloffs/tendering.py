"""A supplier's tender: saved as a draft, sent, sent again, withdrawn, or declined.

Only a supplier invited to the call-off may tender, and only while the call-off is published and
``at`` is before the tender deadline, to the second: at the deadline itself it is too late, and
nothing can be sent or changed (``TenderClosed``). Saving a draft keeps every answer and price
typed: what is valid goes in the columns, what is not in ``pending_input`` (nothing is lost),
and every problem comes back at once with its field ("answer-<question id>",
"price-<line id>" or "price-total"). Sending needs an answer to every question within its word
limit and every price; it keeps the snapshot of what was sent with its SHA-256 checksum, counts
the revision and emails a receipt to the person who sent it with the time of receipt (London
time, to the second) and the checksum. A tender may be sent again (a new revision and receipt)
or withdrawn until the deadline. A supplier may decline to bid, with an optional reason.

Every write locks the call-off row first, as opening the tenders does, so a tender sent in the
last second is either opened with the rest or refused, never left behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, PriceFormat
from dps.models.tenders import Tender, TenderAnswer, TenderDecline, TenderPrice
from dps.rules import calloff_values
from dps.rules.award_criteria import words_in
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.lifecycles import TENDER
from dps.rules.refusals import Refusal
from dps.rules.timefmt import london
from dps.services.calloffs import supplier_view
from dps.services.calloffs.sealing import deadline_passed
from dps.services.common import audit, statemachine
from dps.services.common.emails import send_email
from dps.services.common.locking import lock_row

RECEIPT_TEMPLATE = "tender_received"
REASON_MAX = 2000
CLOSED_MESSAGE = "The tender deadline has passed: nothing can be sent or changed"
NOT_OPEN_MESSAGE = "This call-off is not open for tenders"
DECLINED_MESSAGE = "Your organisation has declined to bid for this call-off"


class TenderRefused(Refusal):
    """Something about a tender the rules do not allow; ``problems`` lists every reason."""

    def __init__(self, problems: list[Refusal]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


class TenderClosed(Refusal):
    """The deadline has passed, or the call-off is not (or no longer) open for tenders."""


def answer_field(question_id: int) -> str:
    return f"answer-{question_id}"


def price_field(key: str) -> str:
    return f"price-{key}"


def price_keys(call_off: CallOff) -> list[tuple[str, int | None, str]]:
    """(key, price line id, name) for every price asked: one per line, or one total."""
    if call_off.price_format == PriceFormat.SCHEDULE:
        return [
            (str(line.id), line.id, f"The price for line {line.position}")
            for line in call_off.price_lines
        ]
    return [("total", None, "The total price")]


def receipt_time(at: datetime) -> str:
    """'3 December 2026 at 14:05:09', London time to the second."""
    local = london(at)
    return f"{local.day} {local:%B %Y} at {local:%H:%M:%S}"


def typed_values(tender: Tender | None) -> dict[str, str]:
    """Every answer and price as typed, by field name, for the form."""
    if tender is None:
        return {}
    values = {answer_field(a.question_id): a.text for a in tender.answers}
    for price in tender.prices:
        key = str(price.price_line_id) if price.price_line_id is not None else "total"
        values[price_field(key)] = f"{price.amount_pence / 100:.2f}"
    pending = tender.pending_input or {}
    values.update({answer_field(int(k)): v for k, v in pending.get("answers", {}).items()})
    values.update({price_field(k): v for k, v in pending.get("prices", {}).items()})
    return values


# --- the gate every write passes ----------------------------------------------------------


def _open_for(call_off_id: int, organisation_id: int, at: datetime) -> CallOff:
    """The call-off, locked, if the supplier was invited and it is open at ``at``."""
    supplier_view.get_invitation(call_off_id, organisation_id)
    call_off = lock_row(CallOff, call_off_id)
    assert call_off is not None
    if deadline_passed(call_off, at) or call_off.status in {
        CallOffStatus.CLOSED,
        CallOffStatus.EVALUATED,
        CallOffStatus.AWARDED,
        CallOffStatus.NOT_AWARDED,
    }:
        db.session.rollback()
        raise TenderClosed(CLOSED_MESSAGE)
    if call_off.status != CallOffStatus.PUBLISHED:
        db.session.rollback()
        raise TenderClosed(NOT_OPEN_MESSAGE)
    return call_off


def _tender_for(call_off: CallOff, organisation_id: int, actor: User, at: datetime) -> Tender:
    if supplier_view.decline_of(call_off.id, organisation_id) is not None:
        db.session.rollback()
        raise TenderRefused([Refusal(DECLINED_MESSAGE)])
    tender = supplier_view.tender_of(call_off.id, organisation_id)
    if tender is None:
        tender = Tender(
            call_off_id=call_off.id,
            organisation_id=organisation_id,
            status=TenderStatus.DRAFT,
            created_at=at,
            created_by_id=actor.id,
            updated_at=at,
            updated_by_id=actor.id,
        )
        audit.record_new(tender, "tender.started", actor=actor)
    elif tender.status == TenderStatus.WITHDRAWN:  # worked on again after withdrawing
        statemachine.move(TENDER, tender, TenderStatus.DRAFT, actor=actor)
    return tender


# The same gate for a tender's documents (``tender_documents``).
open_for = _open_for
tender_for = _tender_for


# --- saving a draft ---------------------------------------------------------------------------


def save_draft(
    call_off_id: int,
    organisation_id: int,
    answers: Mapping[Any, str],
    prices: Mapping[str, str],
    *,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Save what was typed (answers by question id, prices by line id or "total"); returns
    every problem at once. A tender already sent stays sent until it is sent again."""
    call_off = _open_for(call_off_id, organisation_id, at)
    tender = _tender_for(call_off, organisation_id, actor, at)
    pending: dict[str, dict[str, str]] = dict(tender.pending_input or {})
    pending_answers = dict(pending.get("answers", {}))
    pending_prices = dict(pending.get("prices", {}))
    typed_answers = {str(k): v for k, v in answers.items()}
    by_question = {a.question_id: a for a in tender.answers}
    for question in call_off.questions:
        if str(question.id) not in typed_answers:
            continue
        text = calloff_values.text(typed_answers[str(question.id)])
        if question.word_limit is not None and words_in(text) > question.word_limit:
            pending_answers[str(question.id)] = text
            continue
        pending_answers.pop(str(question.id), None)
        if question.id in by_question:
            by_question[question.id].text = text
        else:
            tender.answers.append(TenderAnswer(question_id=question.id, text=text))
    by_line = {p.price_line_id: p for p in tender.prices}
    for key, line_id, name in price_keys(call_off):
        if key not in prices:
            continue
        raw = prices[key]
        if calloff_values.is_blank(raw):
            pending_prices.pop(key, None)
            if line_id in by_line:
                tender.prices.remove(by_line[line_id])
            continue
        try:
            pence = calloff_values.pounds_to_pence(raw, field=price_field(key), name=name)
        except Refusal:
            pending_prices[key] = calloff_values.text(raw)
            continue
        pending_prices.pop(key, None)
        if line_id in by_line:
            by_line[line_id].amount_pence = pence
        else:
            tender.prices.append(TenderPrice(price_line_id=line_id, amount_pence=pence))
    tender.pending_input = {
        name: values
        for name, values in (("answers", pending_answers), ("prices", pending_prices))
        if values
    } or None
    tender.updated_at = at
    tender.updated_by_id = actor.id
    audit.record("tender.draft_saved", tender, actor=actor)
    db.session.commit()
    return problems(call_off, tender, complete=False)


def problems(call_off: CallOff, tender: Tender, *, complete: bool) -> list[Refusal]:
    """Everything wrong with the tender; with ``complete``, what is missing too."""
    found: list[Refusal] = []
    typed = typed_values(tender)
    for question in call_off.questions:
        field = answer_field(question.id)
        text = typed.get(field, "")
        if question.word_limit is not None and words_in(text) > question.word_limit:
            found.append(
                Refusal(
                    f"Your answer to question {question.position} must be "
                    f"{question.word_limit} words or fewer (it has {words_in(text)})",
                    field=field,
                )
            )
        elif complete and not text.strip():
            found.append(Refusal(f"Answer question {question.position}", field=field))
    pending_prices = (tender.pending_input or {}).get("prices", {})
    given = {p.price_line_id for p in tender.prices}
    for key, line_id, name in price_keys(call_off):
        if key in pending_prices:
            try:
                calloff_values.pounds_to_pence(
                    pending_prices[key], field=price_field(key), name=name
                )
            except Refusal as refusal:
                found.append(refusal)
        elif complete and line_id not in given:
            found.append(Refusal(f"Enter {name[0].lower()}{name[1:]}", field=price_field(key)))
    return found


# --- sending, withdrawing, declining ---------------------------------------------------------


def submit(call_off_id: int, organisation_id: int, *, actor: User, at: datetime) -> Tender:
    """Send the tender (again, for a revision) at ``at``; raises TenderRefused with every
    problem, or TenderClosed at or after the deadline."""
    call_off = _open_for(call_off_id, organisation_id, at)
    tender = _tender_for(call_off, organisation_id, actor, at)
    found = problems(call_off, tender, complete=True)
    if found:
        db.session.rollback()
        raise TenderRefused(found)
    tender.revision += 1
    tender.submitted_at = at
    tender.submitted_by_id = actor.id
    tender.updated_at = at
    tender.updated_by_id = actor.id
    tender.withdrawn_at = None
    tender.withdrawn_by_id = None
    tender.snapshot = snapshot_of(call_off, tender, at)
    tender.snapshot_sha256 = checksum(tender.snapshot)
    statemachine.move(
        TENDER,
        tender,
        TenderStatus.SUBMITTED,
        actor=actor,
        revision=tender.revision,
        sha256=tender.snapshot_sha256,
    )
    send_email(
        actor.email,
        f"Tender received: {call_off.title} ({call_off.reference})",
        RECEIPT_TEMPLATE,
        dedupe_key=f"tender-{tender.id}-revision-{tender.revision}-receipt",
        person=actor.name,
        supplier=tender.organisation.name,
        title=call_off.title,
        reference=call_off.reference,
        revision=tender.revision,
        received=receipt_time(at),
        sha256=tender.snapshot_sha256,
        tender_deadline=receipt_time(call_off.tender_deadline) if call_off.tender_deadline else "",
    )
    db.session.commit()
    return tender


def withdraw(call_off_id: int, organisation_id: int, *, actor: User, at: datetime) -> Tender:
    """Withdraw a sent tender before the deadline; it may be worked on and sent again."""
    call_off = _open_for(call_off_id, organisation_id, at)
    tender = supplier_view.tender_of(call_off.id, organisation_id)
    if tender is None or tender.status != TenderStatus.SUBMITTED:
        db.session.rollback()
        raise TenderRefused([Refusal("There is no tender sent to withdraw")])
    tender.withdrawn_at = at
    tender.withdrawn_by_id = actor.id
    tender.updated_at = at
    statemachine.move(TENDER, tender, TenderStatus.WITHDRAWN, actor=actor)
    db.session.commit()
    return tender


def decline(
    call_off_id: int, organisation_id: int, reason: str, *, actor: User, at: datetime
) -> TenderDecline:
    """Decline to bid, with an optional reason; refused while a tender is sent."""
    call_off = _open_for(call_off_id, organisation_id, at)
    text = calloff_values.text(reason)
    found: list[Refusal] = []
    if supplier_view.decline_of(call_off.id, organisation_id) is not None:
        found.append(Refusal(DECLINED_MESSAGE))
    tender = supplier_view.tender_of(call_off.id, organisation_id)
    if tender is not None and tender.status == TenderStatus.SUBMITTED:
        found.append(Refusal("Withdraw the tender you sent before declining to bid"))
    if len(text) > REASON_MAX:
        found.append(
            Refusal(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
        )
    if found:
        db.session.rollback()
        raise TenderRefused(found)
    declined = TenderDecline(
        call_off_id=call_off.id,
        organisation_id=organisation_id,
        reason=text,
        declined_at=at,
        declined_by_id=actor.id,
    )
    audit.record_new(declined, "tender.declined", actor=actor, after={"reason": text})
    db.session.commit()
    return declined


# --- the snapshot -----------------------------------------------------------------------------


def snapshot_of(call_off: CallOff, tender: Tender, at: datetime) -> dict[str, Any]:
    """What was sent, in plain JSON values."""
    answers = {a.question_id: a.text for a in tender.answers}
    prices = {p.price_line_id: p.amount_pence for p in tender.prices}
    lines = {line.id: line for line in call_off.price_lines}
    return {
        "call_off": {"id": call_off.id, "reference": call_off.reference, "title": call_off.title},
        "supplier": {"id": tender.organisation_id, "name": tender.organisation.name},
        "revision": tender.revision,
        "submitted_at": at.isoformat(),
        "answers": [
            {"question_id": q.id, "position": q.position, "text": answers.get(q.id, "")}
            for q in call_off.questions
        ],
        "prices": [
            {
                "price_line_id": line_id,
                "description": lines[line_id].description if line_id in lines else "Total",
                "quantity": lines[line_id].quantity if line_id in lines else None,
                "amount_pence": prices[line_id],
            }
            for _key, line_id, _name in price_keys(call_off)
            if line_id in prices
        ],
        "total_pence": sum(prices.values()),
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "filename": d.filename,
                "size_bytes": d.size_bytes,
                "sha256": d.sha256,
            }
            for d in tender.documents
            if d.removed_at is None
        ],
    }


def checksum(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
