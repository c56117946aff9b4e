"""Confirming the contract a call-off awarded: its supplier, value, start and end, and the buyer's
own reference, kept with the call-off.

The panel lead confirms it (as they decided the award), and only once the outcome letters have
been sent (``Award.letters_sent_at``) and, where a standstill period was chosen, once it has
ended (``Award.standstill_ends_at``, midnight at the end of its last day): a contract concluded
during standstill could be set aside (reg. 99). The form starts from the winner's price and the
call-off's contract dates. The reference is unique among the buying organisation's contracts
(``Contract.organisation_id`` is the buying organisation); the value is typed in pounds and kept
in pence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.awards import Award, AwardOutcome, Contract
from dps.models.calloffs import CallOff
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed, Refusal
from dps.rules.timefmt import format_datetime
from dps.services.awards.awarding import award_for
from dps.services.common import audit
from dps.services.common.locking import lock_row
from dps.services.evaluation import pricing
from dps.services.evaluation.panel_roles import require_lead
from dps.services.evaluation.ranking import supplier_name

REFERENCE_MAX = 60
NOT_AWARDED = "The contract can be confirmed only once the call-off has been awarded"
ALREADY_CONFIRMED = "The contract has already been confirmed"
LETTERS_FIRST = "The contract can be confirmed once the outcome letters have been sent"


class ContractRefused(Refusal):
    """Not yet: the letters have not gone, or standstill has not ended."""


def contract_for(call_off: CallOff) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.call_off_id == call_off.id))


def _winning_award(call_off: CallOff) -> Award:
    award = award_for(call_off)
    if (
        call_off.status != CallOffStatus.AWARDED
        or award is None
        or award.outcome != AwardOutcome.AWARD
        or award.tender_id is None
    ):
        raise NotAllowed(NOT_AWARDED)
    return award


def waiting_for(award: Award, at: datetime) -> str | None:
    """Why the contract cannot be confirmed yet at ``at`` (None when it can)."""
    if award.letters_sent_at is None:
        return LETTERS_FIRST
    if award.standstill_days is not None and (
        award.standstill_ends_at is None or at < award.standstill_ends_at
    ):
        ends = format_datetime(award.standstill_ends_at) if award.standstill_ends_at else ""
        return f"The standstill period ends at {ends}: the contract can be confirmed after that"
    return None


@dataclass(frozen=True)
class ContractForm:
    award: Award
    supplier: str
    waiting: str | None  # why it cannot be confirmed yet; None when it can
    prefilled: dict[str, Any]


def form_for(call_off: CallOff, *, actor: User, at: datetime) -> ContractForm:
    """What the contract page needs: the lead only, once awarded and not yet confirmed."""
    require_lead(call_off, actor)
    award = _winning_award(call_off)
    if contract_for(call_off) is not None:
        raise NotAllowed(ALREADY_CONFIRMED)
    tender = db.session.get(Tender, award.tender_id)
    assert tender is not None
    return ContractForm(award, supplier_name(tender), waiting_for(award, at), prefilled(call_off))


def winner_name(award: Award | None) -> str:
    if award is None or award.tender is None:
        return ""
    return supplier_name(award.tender)


def prefilled(call_off: CallOff) -> dict[str, Any]:
    """The contract form's starting answers: the winner's price and the call-off's dates."""
    award = _winning_award(call_off)
    tender = db.session.get(Tender, award.tender_id)
    assert tender is not None
    pence = pricing.tender_price(tender)
    return {
        "reference": "",
        "value": f"{pence // 100}.{pence % 100:02d}",
        "start_date": call_off.contract_start,
        "end_date": call_off.contract_end,
    }


def _reference_taken_refusal() -> Refusal:
    return Refusal(
        "Your organisation already has a contract with this reference: enter another",
        field="reference",
    )


def reference_taken(organisation_id: int, reference: str) -> bool:
    return (
        db.session.scalar(
            select(Contract.id).where(
                Contract.organisation_id == organisation_id,
                db.func.lower(Contract.reference) == reference.lower(),
            )
        )
        is not None
    )


def confirm(
    call_off: CallOff,
    *,
    reference: str,
    value: object,
    start_date: object,
    end_date: object,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Confirm the contract with the winner, as typed; every problem comes back at once.
    ContractRefused (with the date standstill ends) when it is too early."""
    require_lead(call_off, actor)
    locked = lock_row(CallOff, call_off.id)
    assert locked is not None
    award = _winning_award(locked)
    if contract_for(locked) is not None:
        raise NotAllowed(ALREADY_CONFIRMED)
    waiting = waiting_for(award, at)
    if waiting is not None:
        raise ContractRefused(waiting)
    problems: list[Refusal] = []
    ref = calloff_values.text(reference)
    if not ref:
        problems.append(Refusal("Enter the contract reference", field="reference"))
    elif len(ref) > REFERENCE_MAX:
        problems.append(
            Refusal(
                f"The contract reference must be {REFERENCE_MAX} characters or fewer",
                field="reference",
            )
        )
    elif reference_taken(locked.organisation_id, ref):
        problems.append(_reference_taken_refusal())
    pence: int | None = None
    if calloff_values.is_blank(value):
        problems.append(Refusal("Enter the value of the contract", field="value"))
    else:
        try:
            pence = calloff_values.pounds_to_pence(
                value, field="value", name="The value of the contract"
            )
        except Refusal as refused:
            problems.append(refused)
    days: dict[str, date] = {}
    for field, name, raw in (
        ("start_date", "the start date", start_date),
        ("end_date", "the end date", end_date),
    ):
        if calloff_values.is_blank(raw):
            problems.append(Refusal(f"Enter {name} of the contract", field=field))
            continue
        try:
            days[field] = calloff_values.a_date(
                raw, field=field, name=f"{name[0].upper()}{name[1:]} of the contract"
            )
        except Refusal as refused:
            problems.append(refused)
    if len(days) == 2 and days["end_date"] < days["start_date"]:
        problems.append(
            Refusal("The end date must be the same as or after the start date", field="end_date")
        )
    if problems:
        return problems
    assert pence is not None and award.tender_id is not None
    contract = Contract(
        call_off_id=locked.id,
        award_id=award.id,
        tender_id=award.tender_id,
        organisation_id=locked.organisation_id,
        reference=ref,
        value_pence=pence,
        start_date=days["start_date"],
        end_date=days["end_date"],
        confirmed_at=at,
        confirmed_by_id=actor.id,
    )
    try:
        # The database's unique index has the last word: another of the organisation's
        # call-offs may have confirmed a contract with this reference since it was checked.
        db.session.add(contract)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return [_reference_taken_refusal()]
    audit.record_new(
        contract,
        "call_off.contract_confirmed",
        actor=actor,
        after={
            "call_off_id": locked.id,
            "award_id": award.id,
            "tender_id": award.tender_id,
            "reference": ref,
            "value_pence": pence,
            "start_date": days["start_date"].isoformat(),
            "end_date": days["end_date"].isoformat(),
        },
    )
    db.session.commit()
    return []


def contract_for_supplier(call_off_id: int, organisation_id: int) -> Contract | None:
    """The contract of a call-off, for the supplier that won it only (None for anyone else)."""
    return db.session.scalar(
        select(Contract)
        .join(Tender, Tender.id == Contract.tender_id)
        .where(Contract.call_off_id == call_off_id, Tender.organisation_id == organisation_id)
    )
