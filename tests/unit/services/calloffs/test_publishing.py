"""Publishing: every refusal with its reason, and the happy path (invitations for exactly the
admitted, not suspended suppliers of the lot, one task row, the call-off locked)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent, CallOffInvitation, OutboxMessage
from dps.rules.enums import AdmissionStatus, CallOffStatus, OutboxKind
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import drafting, panel, publishing, questions
from dps.services.calloffs.drafting import CallOffLocked
from dps.services.calloffs.publishing import PublishRefused
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft


def messages(refused: pytest.ExceptionInfo[PublishRefused]) -> list[str]:
    return [problem.message for problem in refused.value.problems]


def test_publishing_invites_exactly_the_admitted_suppliers_of_the_lot(cw: CallOffWorld) -> None:
    admitted = admit_suppliers(cw, 1, 4)
    admit_suppliers(cw, 1, 2, status=AdmissionStatus.SUSPENDED, prefix="suspended")
    admit_suppliers(cw, 2, 3, prefix="other-lot")
    call_off = ready_draft(cw)

    assert publishing.publish(call_off, cw.buyer, SENT_AT) == 4

    db.session.expire_all()
    assert call_off.status == CallOffStatus.PUBLISHED
    assert call_off.published_at == SENT_AT
    assert call_off.published_by_id == cw.buyer.id
    invited = db.session.scalars(db.select(CallOffInvitation)).all()
    assert sorted(i.organisation_id for i in invited) == sorted(admitted)
    assert {i.invited_at for i in invited} == {SENT_AT}
    tasks = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.TASK)
    ).all()
    assert [t.payload["name"] for t in tasks] == [publishing.EMAIL_INVITATIONS_TASK]
    assert tasks[0].payload["args"] == [call_off.id]
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "call_offs")
    ).all()
    assert "call_off.published" in actions


def test_after_publishing_criteria_weights_and_panel_are_locked(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 1)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    with pytest.raises(CallOffLocked):
        questions.save_criteria(call_off, "40", {1: "40", 2: "20"}, actor=cw.buyer)
    with pytest.raises(CallOffLocked):
        questions.save_questions(call_off, [], actor=cw.buyer)
    with pytest.raises(CallOffLocked):
        panel.save_panel(call_off, [cw.buyer.id], cw.buyer.id, actor=cw.buyer)
    with pytest.raises(CallOffLocked):
        publishing.publish(call_off, cw.buyer, SENT_AT)
    db.session.expire_all()
    assert [q.weight_percent for q in call_off.questions] == [50, 20]


def test_refused_when_no_supplier_is_admitted_and_not_suspended(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2, status=AdmissionStatus.SUSPENDED)
    admit_suppliers(cw, 2, 2, prefix="other-lot")
    call_off = ready_draft(cw)
    with pytest.raises(PublishRefused) as refused:
        publishing.publish(call_off, cw.buyer, SENT_AT)
    assert messages(refused) == [
        "No supplier is admitted to Lot 1 – Policy Development & Testing at the moment, so "
        "there is nobody to invite"
    ]
    db.session.expire_all()
    assert call_off.status == CallOffStatus.DRAFT
    assert db.session.scalars(db.select(CallOffInvitation)).all() == []


def test_refused_when_the_dps_is_not_open_that_day(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 1)
    call_off = ready_draft(cw)
    cw.world.dps.period_end = date(2026, 11, 24)
    db.session.commit()
    with pytest.raises(PublishRefused) as refused:
        publishing.publish(call_off, cw.buyer, SENT_AT)
    assert publishing.DPS_CLOSED_MESSAGE in messages(refused)


def test_refused_with_every_reason_at_once(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    questions.save_questions(
        call_off,
        [{"kind": "quality", "text": "Q", "max_score": "5", "scoring_scale": "0-5"}],
        actor=cw.buyer,
    )
    questions.save_criteria(call_off, "95", {1: "5"}, actor=cw.buyer)
    with pytest.raises(PublishRefused) as refused:
        publishing.publish(call_off, cw.buyer, SENT_AT)
    found = messages(refused)
    assert found[0].startswith("No supplier is admitted")
    assert "Enter a title" in found
    assert "Choose how suppliers give their price" in found
    assert "Social value carries 0% of the marks. It must carry at least 10% (PPN 06/20)" in found
    assert "Enter the tender deadline" in found
    assert len(found) == len(set(found))


def test_refused_when_the_tender_period_is_too_short_for_sending_now(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 1)
    call_off = ready_draft(cw)
    with pytest.raises(PublishRefused) as refused:
        publishing.publish(call_off, cw.buyer, SENT_AT + timedelta(days=5))
    assert any("at least 10 days after the invitations" in m for m in messages(refused))


def test_a_viewer_may_not_publish(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 1)
    call_off = ready_draft(cw)
    with pytest.raises(NotAllowed):
        publishing.publish(call_off, cw.viewer, SENT_AT)
    db.session.expire_all()
    assert call_off.status == CallOffStatus.DRAFT
