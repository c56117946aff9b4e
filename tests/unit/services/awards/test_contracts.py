"""Confirming the contract: by the lead, only after the letters have gone and any standstill has
ended (refused with the date before), from the winner's price and the call-off's dates, with a
reference unique in the buying organisation, and audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models import AuditEvent
from dps.models.awards import Contract
from dps.rules.refusals import NotAllowed
from dps.services.awards import awarding, contracts
from tests.fixtures.award_world import awarded, evaluated, letters_sent
from tests.fixtures.calloffs_world import CallOffWorld, ready_draft
from tests.fixtures.evaluation_world import EvaluationWorld, now


def _confirm(ew: EvaluationWorld, at_days: int = 20, **changes: object) -> list[str]:
    answers: dict[str, object] = {
        "reference": "OMBC-2027-001",
        "value": "£40,000.00",
        "start_date": "1 4 2027",
        "end_date": "31 3 2028",
    }
    answers.update(changes)
    problems = contracts.confirm(
        ew.call_off,
        actor=ew.lead,
        at=now() + timedelta(days=at_days),
        **answers,  # type: ignore[arg-type]
    )
    return [p.field or "" for p in problems]


def test_the_form_starts_from_the_winners_price_and_the_call_offs_dates(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    filled = contracts.prefilled(ew.call_off)
    assert filled["value"] == "40000.00"
    assert filled["start_date"] == ew.call_off.contract_start
    assert filled["end_date"] == ew.call_off.contract_end


def test_the_contract_waits_for_the_letters(cw: CallOffWorld) -> None:
    ew = awarded(cw, standstill=False)
    with pytest.raises(contracts.ContractRefused, match="once the outcome letters"):
        _confirm(ew)


def test_the_contract_waits_for_the_end_of_standstill_and_says_when(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    award = letters_sent(ew)
    assert award.standstill_ends_at is not None
    with pytest.raises(contracts.ContractRefused, match="The standstill period ends at"):
        contracts.confirm(
            ew.call_off,
            reference="R1",
            value="40000",
            start_date="1 4 2027",
            end_date="1 5 2027",
            actor=ew.lead,
            at=award.standstill_ends_at - timedelta(seconds=1),
        )
    assert contracts.contract_for(ew.call_off) is None
    problems = contracts.confirm(
        ew.call_off,
        reference="R1",
        value="40000",
        start_date="1 4 2027",
        end_date="1 5 2027",
        actor=ew.lead,
        at=award.standstill_ends_at,
    )
    assert problems == []


def test_without_standstill_the_contract_follows_the_letters(cw: CallOffWorld) -> None:
    ew = awarded(cw, standstill=False)
    letters_sent(ew)
    assert _confirm(ew, at_days=1) == []


def test_the_contract_is_kept_with_the_call_off_and_audited(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    assert _confirm(ew, value="39,999.99") == []
    contract = contracts.contract_for(ew.call_off)
    assert contract is not None
    assert contract.tender_id == ew.tenders[0].id
    assert contract.organisation_id == ew.call_off.organisation_id
    assert contract.value_pence == 3_999_999
    assert (contract.start_date, contract.end_date) == (date(2027, 4, 1), date(2028, 3, 31))
    assert contract.confirmed_by_id == ew.lead.id
    event = db.session.query(AuditEvent).filter_by(action="call_off.contract_confirmed").one()
    assert event.after["reference"] == "OMBC-2027-001"
    with pytest.raises(NotAllowed, match="already been confirmed"):
        _confirm(ew, reference="OTHER")


def test_only_the_winner_sees_the_contract_as_a_supplier(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    _confirm(ew)
    winner, loser = ew.tenders[0].organisation_id, ew.tenders[1].organisation_id
    assert contracts.contract_for_supplier(ew.call_off.id, winner) is not None
    assert contracts.contract_for_supplier(ew.call_off.id, loser) is None


def test_every_problem_comes_back_at_once(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    assert _confirm(ew, reference="", value="lots", start_date="", end_date="31 2 2027") == [
        "reference",
        "value",
        "start_date",
        "end_date",
    ]
    assert _confirm(ew, start_date="1 4 2027", end_date="31 3 2027") == ["end_date"]
    assert _confirm(ew, reference="x" * 61, value="") == ["reference", "value"]
    assert contracts.contract_for(ew.call_off) is None


def test_the_reference_is_unique_within_the_organisation(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    assert _confirm(ew, reference="REF-1") == []
    # Another call-off of the same council may not reuse it, whatever its case; another
    # organisation may.
    assert contracts.reference_taken(ew.call_off.organisation_id, "ref-1")
    assert not contracts.reference_taken(ew.call_off.organisation_id + 1000, "REF-1")


@pytest.mark.parametrize("who", ["member", "non_panel_buyer", "viewer"])
def test_only_the_lead_confirms_the_contract(cw: CallOffWorld, who: str) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    with pytest.raises(NotAllowed):
        contracts.confirm(
            ew.call_off,
            reference="R",
            value="1",
            start_date="1 4 2027",
            end_date="1 5 2027",
            actor=getattr(ew, who),
            at=now() + timedelta(days=20),
        )


def test_nothing_to_confirm_before_the_award(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    with pytest.raises(NotAllowed, match="only once the call-off has been awarded"):
        _confirm(ew)


def _contract_of_another_call_off(ew: EvaluationWorld, cw: CallOffWorld, reference: str) -> None:
    """A contract of another of the council's call-offs, written straight to the table."""
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.tender_id is not None
    db.session.add(
        Contract(
            call_off_id=ready_draft(cw).id,
            award_id=award.id,
            tender_id=award.tender_id,
            organisation_id=ew.call_off.organisation_id,
            reference=reference,
            value_pence=1,
            start_date=date(2027, 4, 1),
            end_date=date(2027, 5, 1),
            confirmed_at=now(),
        )
    )
    db.session.commit()


def test_the_database_keeps_references_unique_whatever_their_case(cw: CallOffWorld) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    assert _confirm(ew, reference="REF-1") == []
    with pytest.raises(IntegrityError, match="call_off_contracts"):
        _contract_of_another_call_off(ew, cw, "ref-1")
    db.session.rollback()


def test_a_reference_taken_since_it_was_checked_is_the_same_refusal(
    cw: CallOffWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    ew = awarded(cw)
    letters_sent(ew)
    _contract_of_another_call_off(ew, cw, "REF-1")
    # As if the other contract were confirmed between this one's check and its insert.
    monkeypatch.setattr(contracts, "reference_taken", lambda organisation_id, reference: False)
    problems = contracts.confirm(
        ew.call_off,
        reference="ref-1",
        value="40000",
        start_date="1 4 2027",
        end_date="1 5 2027",
        actor=ew.lead,
        at=now() + timedelta(days=20),
    )
    assert [(p.message, p.field) for p in problems] == [
        (
            "Your organisation already has a contract with this reference: enter another",
            "reference",
        )
    ]
    assert contracts.contract_for(ew.call_off) is None
    assert db.session.query(AuditEvent).filter_by(action="call_off.contract_confirmed").count() == 0
