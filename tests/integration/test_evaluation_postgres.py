"""The evaluation and award on PostgreSQL, two sessions at once: a double submit, two tabs, or a
change racing the end of the evaluation. The first holds its locks until it is let commit; the
second must wait for them, then finds the first's work and is refused cleanly (or adds
nothing twice), never a unique-key error or a change made after the decision."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, CallOff, OutboxMessage, User
from dps.models.awards import ReasonsRequest
from dps.models.calloffs import PanelMember
from dps.models.evaluation import ModeratedScore, PanelScore, PriceReview
from dps.rules.refusals import NotAllowed
from dps.services.awards import awarding, letters, reasons
from dps.services.evaluation import conflicts, moderation, panel_roles, pricing, scoring
from tests.fixtures.award_world import LOW_PRICES, declared
from tests.fixtures.calloffs_world import make_calloff_world
from tests.fixtures.evaluation_scoring import declare_all, moderate_all, score_all, submit_all
from tests.fixtures.evaluation_world import now, opened
from tests.fixtures.letters_world import DECIDED_AT, decided

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]


def race(pg_app: Flask, first: Callable[[], Any], second: Callable[[], Any]) -> dict[str, Any]:
    """Run ``first`` in a session of its own, held just before its commit; then ``second`` in
    another, which must still be waiting half a second later. What each returned (or raised)."""
    held, release = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any], hold: bool) -> None:
        with pg_app.app_context():
            if hold:

                def pause(session: Any) -> None:
                    held.set()
                    release.wait(timeout=20)

                sa.event.listen(db.session(), "before_commit", pause, once=True)
            try:
                outcomes[name] = work()
            except Exception as raised:
                outcomes[name] = raised
                db.session.rollback()
            finally:
                db.session.remove()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    assert held.wait(timeout=20), outcomes
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    time.sleep(0.5)
    waited = two.is_alive()
    release.set()
    one.join(timeout=20)
    two.join(timeout=20)
    assert waited, f"the second should wait for the first's lock: {outcomes}"
    db.session.expire_all()
    return outcomes


def _get(model: type[Any], key: int) -> Any:
    found = db.session.get(model, key)
    assert found is not None
    return found


def _count(query: Any) -> int:
    return len(db.session.scalars(query).all())


def test_a_price_decision_sent_twice_is_made_once(pg_app: Flask) -> None:
    ew = declared(opened(make_calloff_world(), LOW_PRICES))
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    call_off_id, lead_id, tender_id = ew.call_off.id, ew.lead.id, ew.tenders[2].id

    def decide(decision: str) -> Callable[[], Any]:
        def work() -> Any:
            return pricing.record_decision(
                _get(CallOff, call_off_id),
                tender_id,
                asked_on=now().date(),
                explanation="Staff already on site",
                decision=decision,
                reason=f"{decision} by the lead",
                actor=_get(User, lead_id),
                at=now(),
            )

        return work

    outcomes = race(pg_app, decide("accepted"), decide("rejected"))
    assert outcomes["first"] == []
    assert isinstance(outcomes["second"], NotAllowed)
    assert str(outcomes["second"]) == pricing.ALREADY_DECIDED
    [review] = db.session.scalars(sa.select(PriceReview)).all()
    assert review.decision_reason == "accepted by the lead"
    assert (
        _count(
            sa.select(AuditEvent).where(
                AuditEvent.action.in_(["price_review.accepted", "price_review.rejected"])
            )
        )
        == 1
    )


def test_two_first_openings_of_the_prices_page_keep_one_review(pg_app: Flask) -> None:
    ew = declared(opened(make_calloff_world(), LOW_PRICES))
    call_off_id, lead_id = ew.call_off.id, ew.lead.id

    def open_page() -> Any:
        found = pricing.open_reviews(
            _get(CallOff, call_off_id), actor=_get(User, lead_id), at=now()
        )
        return [review.tender_id for review in found]

    outcomes = race(pg_app, open_page, open_page)
    assert outcomes == {"first": [ew.tenders[2].id], "second": [ew.tenders[2].id]}
    assert _count(sa.select(PriceReview)) == 1
    assert _count(sa.select(AuditEvent).where(AuditEvent.action == "price_review.flagged")) == 1


def _moderate(call_off_id: int, lead_id: int, tender_id: int, score: str) -> Callable[[], Any]:
    def work() -> Any:
        call_off = _get(CallOff, call_off_id)
        typed = {q.id: moderation.Typed(score, f"Agreed {score}") for q in call_off.questions}
        return moderation.save(call_off, tender_id, typed, actor=_get(User, lead_id), at=now())

    return work


def test_a_moderation_form_sent_twice_updates_the_rows_the_first_added(pg_app: Flask) -> None:
    ew = opened(make_calloff_world())
    submit_all(ew)
    ids = ew.call_off.id, ew.lead.id, ew.tenders[0].id
    outcomes = race(pg_app, _moderate(*ids, "4"), _moderate(*ids, "2"))
    assert outcomes == {"first": [], "second": []}
    rows = db.session.scalars(sa.select(ModeratedScore)).all()
    assert sorted((row.score, row.rationale) for row in rows) == [(2, "Agreed 2")] * 2


def test_a_moderated_score_racing_the_end_of_the_evaluation_is_refused(pg_app: Flask) -> None:
    ew = opened(make_calloff_world())
    submit_all(ew)
    moderate_all(ew, 4)
    call_off_id, lead_id = ew.call_off.id, ew.lead.id

    def finish() -> Any:
        awarding.finish_evaluation(_get(CallOff, call_off_id), actor=_get(User, lead_id), at=now())

    outcomes = race(pg_app, finish, _moderate(call_off_id, lead_id, ew.tenders[0].id, "1"))
    assert isinstance(outcomes["second"], NotAllowed)
    assert str(outcomes["second"]) == moderation.FIXED
    assert {row.score for row in db.session.scalars(sa.select(ModeratedScore))} == {4}


def test_scores_racing_a_decision_not_to_award_are_refused(pg_app: Flask) -> None:
    ew = opened(make_calloff_world())
    declare_all(ew)
    score_all(ew, ew.member, 2)
    call_off_id, lead_id, member_id = ew.call_off.id, ew.lead.id, ew.member.id

    def no_award() -> Any:
        return awarding.decide_no_award(
            _get(CallOff, call_off_id), reasons="Not needed", actor=_get(User, lead_id), at=now()
        )

    def rescore() -> Any:
        call_off = _get(CallOff, call_off_id)
        typed = {q.id: scoring.Typed("5", "Better") for q in call_off.questions}
        tender_id = ew.tenders[0].id
        return scoring.save(call_off, tender_id, typed, actor=_get(User, member_id), at=now())

    outcomes = race(pg_app, no_award, rescore)
    assert outcomes["first"] == []
    assert isinstance(outcomes["second"], NotAllowed)
    assert str(outcomes["second"]) == panel_roles.EVALUATION_OVER
    assert {row.score for row in db.session.scalars(sa.select(PanelScore))} == {2}


def test_a_lead_handing_over_to_a_member_declaring_a_conflict_is_told(pg_app: Flask) -> None:
    ew = opened(make_calloff_world())
    call_off_id, lead_id, member_id = ew.call_off.id, ew.lead.id, ew.member.id
    other = panel_roles.member_for(ew.call_off, ew.member)
    assert other is not None
    other_id = other.id

    def member_conflicted() -> Any:
        call_off, member = _get(CallOff, call_off_id), _get(User, member_id)
        return conflicts.declare(call_off, member, True, "My sister's firm", now())

    def lead_hands_over() -> Any:
        call_off, lead = _get(CallOff, call_off_id), _get(User, lead_id)
        problems = conflicts.declare(
            call_off, lead, True, "I used to work there", now(), new_lead_id=other_id
        )
        return [p.message for p in problems]

    outcomes = race(pg_app, member_conflicted, lead_hands_over)
    assert outcomes["first"] == []
    assert outcomes["second"] == [
        f"{ew.member.name} has declared a conflict of interest, so cannot lead the panel"
    ]
    leads = db.session.scalars(sa.select(PanelMember).where(PanelMember.is_lead)).all()
    assert [m.user_id for m in leads] == [lead_id]
    assert _get(PanelMember, other_id).has_conflict is True


def _letters_sent() -> Any:
    ew, _award = decided(make_calloff_world())
    letters.send(ew.call_off, actor=ew.lead, at=DECIDED_AT + timedelta(days=1))
    return ew


def test_a_request_for_reasons_sent_twice_opens_one(pg_app: Flask) -> None:
    ew = _letters_sent()
    call_off_id, organisation_id, person_id = (
        ew.call_off.id,
        ew.tenders[0].organisation_id,
        ew.people[0].id,
    )
    at = DECIDED_AT + timedelta(days=2)

    def ask() -> Any:
        asked = reasons.ask(
            call_off_id, organisation_id, "Why?", actor=_get(User, person_id), at=at
        )
        return asked.id

    outcomes = race(pg_app, ask, ask)
    assert isinstance(outcomes["first"], int)
    assert isinstance(outcomes["second"], reasons.ReasonsRefused)
    assert str(outcomes["second"]) == reasons.ALREADY_ASKED
    assert _count(sa.select(ReasonsRequest)) == 1


def test_a_reply_sent_twice_is_recorded_and_emailed_once(pg_app: Flask) -> None:
    ew = _letters_sent()
    at = DECIDED_AT + timedelta(days=2)
    asked = reasons.ask(
        ew.call_off.id, ew.tenders[0].organisation_id, "Why?", actor=ew.people[0], at=at
    )
    call_off_id, lead_id, request_id = ew.call_off.id, ew.lead.id, asked.id

    def reply(text: str) -> Callable[[], Any]:
        def work() -> Any:
            call_off, lead = _get(CallOff, call_off_id), _get(User, lead_id)
            return reasons.reply(call_off, request_id, text, actor=lead, at=at).reply

        return work

    outcomes = race(pg_app, reply("Your plan lacked dates."), reply("A second thought."))
    assert outcomes["first"] == "Your plan lacked dates."
    assert isinstance(outcomes["second"], reasons.ReasonsRefused)
    assert str(outcomes["second"]) == reasons.ALREADY_REPLIED
    assert _get(ReasonsRequest, request_id).reply == "Your plan lacked dates."
    sent = sa.select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like(f"reasons-request-{request_id}-replied-%")
    )
    assert _count(sent) == 1
    assert _count(sa.select(AuditEvent).where(AuditEvent.action == "call_off.reasons_replied")) == 1
