"""Only panel members who declared no conflict read the opened tenders and their documents;
everyone else is told why; a tender of another call-off is not found."""

from __future__ import annotations

import pytest

from dps.rules.refusals import NotAllowed, NotFound
from dps.services.calloffs.tender_documents import TenderDocumentNotFound
from dps.services.evaluation import conflicts, reading
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def test_a_member_reads_the_tenders_only_after_declaring_no_conflict(ew: EvaluationWorld) -> None:
    tender = ew.tenders[0]
    access = reading.access_for(ew.call_off, ew.member)
    assert not access.may_read and access.must_declare
    assert access.reason is not None and access.reason.startswith("Declare whether")
    with pytest.raises(NotAllowed, match="Declare whether"):
        reading.opened_tender(ew.call_off, tender.id, now(), actor=ew.member)
    with pytest.raises(NotAllowed):
        reading.opened_tenders(ew.call_off, now(), actor=ew.member)
    conflicts.declare(ew.call_off, ew.member, False, "", now())
    assert reading.access_for(ew.call_off, ew.member).may_read
    assert reading.opened_tender(ew.call_off, tender.id, now(), actor=ew.member) == tender
    assert len(reading.opened_tenders(ew.call_off, now(), actor=ew.member)) == 3
    assert reading.bidder_name(tender) == tender.organisation.name
    with pytest.raises(NotFound):
        reading.opened_tender(ew.call_off, 10_000, now(), actor=ew.member)
    with pytest.raises(TenderDocumentNotFound):
        reading.tender_document(ew.call_off, tender.id, 1, now(), actor=ew.member)


def test_others_are_refused_with_the_reason(ew: EvaluationWorld) -> None:
    conflicts.declare(ew.call_off, ew.member, True, "My cousin's firm", now())
    tender = ew.tenders[0]
    for person, why in (
        (ew.member, "You declared a conflict"),
        (ew.non_panel_buyer, "Only the call-off’s evaluation panel"),
        (ew.viewer, "Only the call-off’s evaluation panel"),
    ):
        access = reading.access_for(ew.call_off, person)
        assert not access.may_read and not access.must_declare
        assert access.reason is not None and access.reason.startswith(why)
        with pytest.raises(NotAllowed, match=why):
            reading.opened_tender(ew.call_off, tender.id, now(), actor=person)
        with pytest.raises(NotAllowed, match=why):
            reading.tender_document(ew.call_off, tender.id, 1, now(), actor=person)
