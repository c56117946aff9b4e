"""A call-off's whole audit trail: every event about it and what belongs to it, oldest first,
in words; the asker of a supplier's question never named; a never-opened call-off's tenders
kept sealed; and the report's read rule."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import AuditEvent
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed
from dps.services.awards import trail
from dps.services.calloffs import clarifications, tendering
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import opened
from tests.fixtures.record_world import awarded
from tests.fixtures.tenders_world import BEFORE_DEADLINE, SENT_AT, published


def test_the_trail_holds_every_step_oldest_first(cw: CallOffWorld) -> None:
    rw = awarded(cw)
    entries = trail.trail_for(rw.call_off, cw.viewer)
    what = [e.what for e in entries]
    assert what[0] == "Call-off started"
    for step in (
        "Published: the invitations were sent",
        "Tender sent",
        "Tenders opened",
        "Declared",
        "Decided",
        "Evaluation finished",
        "Award decided",
        "Tender successful",
        "Sent",
        "Answered",
        "Confirmed",
    ):
        assert step in what, step
    assert what.index("Tenders opened") < what.index("Award decided") < what.index("Confirmed")
    times = [e.when for e in entries]
    assert times == sorted(times)
    ids = db.session.scalars(db.select(AuditEvent.id)).all()
    assert len(entries) <= len(ids)
    declared = [e for e in entries if e.what == "Declared"]
    assert next(e.who for e in declared).startswith("Bea Buyer")
    assert any(c.field == "Reason" and "brother" in c.after for e in declared for c in e.changes)


def test_the_trail_leaves_out_other_call_offs(cw: CallOffWorld) -> None:
    rw = awarded(cw)
    mine = len(trail.trail_for(rw.call_off, cw.viewer))
    db.session.add(
        AuditEvent(
            actor_description="system", action="call_off.started",
            object_type="call_offs", object_id=str(rw.call_off.id + 100),
        )
    )  # fmt: skip
    db.session.commit()
    assert len(trail.trail_for(rw.call_off, cw.viewer)) == mine


def test_who_asked_a_question_is_not_named(cw: CallOffWorld) -> None:
    tw = published(cw, suppliers=1)
    clarifications.ask(
        tw.call_off.id, tw.suppliers[0], "May we subcontract?", actor=tw.people[0], at=SENT_AT
    )
    tw.call_off.status = CallOffStatus.CANCELLED
    db.session.commit()
    entries = trail.trail_for(tw.call_off, cw.viewer)
    asked = [e for e in entries if e.what == "A supplier asked a question"]
    assert [e.who for e in asked] == [trail.ASKER]
    assert all(tw.people[0].email not in e.who for e in entries)


def test_a_call_off_cancelled_unopened_shows_nothing_of_its_tenders(cw: CallOffWorld) -> None:
    tw = published(cw, suppliers=2)
    q1, q2 = tw.call_off.questions
    tendering.save_draft(
        tw.call_off.id, tw.suppliers[0], {q1.id: "A", q2.id: "B"}, {"total": "100"},
        actor=tw.people[0], at=BEFORE_DEADLINE,
    )  # fmt: skip
    tendering.decline(tw.call_off.id, tw.suppliers[1], "No", actor=tw.people[1], at=BEFORE_DEADLINE)
    tw.call_off.status = CallOffStatus.CANCELLED
    db.session.commit()
    entries = trail.trail_for(tw.call_off, cw.viewer)
    assert not any(e.what.startswith("Tender") or "declined" in e.what for e in entries)
    assert not any("tenderer" in e.who for e in entries)


def test_before_the_decision_only_the_lead_reads_the_trail(cw: CallOffWorld) -> None:
    ew = opened(cw)
    with pytest.raises(NotAllowed):
        trail.trail_for(ew.call_off, ew.viewer)
    with pytest.raises(NotAllowed):
        trail.trail_for(ew.call_off, ew.member)
