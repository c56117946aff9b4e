"""The regulation 84 report: what it holds once a call-off is awarded (who was invited, who
tendered, declarations, every score and moderation, the low price rejected, the ranking to two
places, the award, letters, reasons and the contract), what it says before a step has happened,
and who may read it (the organisation once decided; before that only the panel lead)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.rules.enums import CallOffStatus
from dps.rules.evaluation import from_stored, two_places
from dps.rules.refusals import NotAllowed
from dps.services.awards import awarding, exports, record, trail
from dps.services.calloffs import sealing, tendering
from dps.services.common.trails import TrailEntry
from dps.services.evaluation import conflicts, scoring
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_scoring import declare_all, score_all, submit_all
from tests.fixtures.evaluation_world import now, opened
from tests.fixtures.record_world import (
    ADVANTAGES,
    CONFLICT,
    CONTRACT_REFERENCE,
    FORMULA,
    REJECTED,
    awarded,
)
from tests.fixtures.tenders_world import BEFORE_DEADLINE, published


def test_an_awarded_call_off_s_report_holds_what_regulation_84_asks(cw: CallOffWorld) -> None:
    rw = awarded(cw)
    at = rw.contract.confirmed_at + timedelta(days=1)
    report = record.report_for(rw.call_off, cw.viewer, at)
    names = [t.organisation.name for t in rw.ew.tenders]
    assert report.authority == "Oldham Council"
    assert report.reference == rw.call_off.reference
    assert report.title == "Testing a new tenancy policy"
    assert report.lot.startswith("Lot 1 – ")
    assert report.estimated_value_pence == 4_500_000
    assert report.status == "Awarded"
    assert [i.supplier for i in report.invited] == sorted(names)
    assert {t.supplier for t in report.tendered} == set(names)
    assert all(t.revision == 1 and len(t.sha256) == 64 for t in report.tendered)
    assert report.declined == [] and report.neither == []
    panel = {d.name: d for d in report.panel}
    assert panel["Bea Buyer"].is_lead and panel["Bea Buyer"].has_conflict is False
    assert panel["Connie Conflict"].has_conflict is True
    assert panel["Connie Conflict"].conflict_reason == CONFLICT
    first = next(s for s in report.scoring if s.supplier == names[0])
    quality = first.questions[0]
    assert quality.kind == "Quality" and quality.max_score == 5
    assert [(s.member, s.score) for s in quality.panel] == [
        ("Bea Buyer", 4),
        (cw.colleague.name, 4),
    ]
    assert quality.panel[1].justification == FORMULA
    assert quality.moderated == 4 and quality.moderated_by == "Bea Buyer"
    assert quality.rationale.startswith("Agreed at the moderation meeting")
    [review] = report.price_reviews
    assert review.supplier == names[2] and review.price_pence == 2_500_000
    assert review.average_of_others_pence == 3_500_000
    assert review.decision == "Tender rejected" and review.reason == REJECTED
    decided = report.award
    assert decided is not None and decided.is_award
    assert decided.winner == decided.proposed
    assert decided.advantages == ADVANTAGES and decided.standstill_days == 10
    assert decided.decided_by == "Bea Buyer"
    assert [r.rank for r in decided.ranking] == [1, 2]
    row = rw.award.ranking["rows"][0]
    assert decided.ranking[0].total == two_places(from_stored(row["total"]))
    assert "." in decided.ranking[0].total and len(decided.ranking[0].total.split(".")[1]) == 2
    assert [e.supplier for e in decided.excluded] == [names[2]]
    assert {(letter.supplier, letter.kind) for letter in report.letters} == {
        (decided.winner, "Successful"),
        *((n, "Unsuccessful") for n in names if n != decided.winner),
    }
    assert all(letter.sent_at is not None for letter in report.letters)
    [reasons] = report.reasons
    assert reasons.reply.startswith("Your answer named")
    assert report.contract is not None
    assert report.contract.reference == CONTRACT_REFERENCE
    assert report.contract.supplier == decided.winner


def test_before_the_award_the_report_says_what_has_not_happened(cw: CallOffWorld) -> None:
    ew = opened(cw)
    submit_all(ew)
    report = record.report_for(ew.call_off, ew.lead, ew.tenders[0].opened_at)
    assert report.award is None and report.contract is None
    assert report.letters == [] and report.reasons == [] and report.price_reviews == []
    assert all(q.moderated is None for s in report.scoring for q in s.questions)


def test_who_declined_and_who_did_neither_are_told_apart(cw: CallOffWorld) -> None:
    tw = published(cw, suppliers=3)
    q1, q2 = tw.call_off.questions
    tendering.save_draft(
        tw.call_off.id, tw.suppliers[0], {q1.id: "A", q2.id: "B"}, {"total": "100"},
        actor=tw.people[0], at=BEFORE_DEADLINE,
    )  # fmt: skip
    tendering.submit(tw.call_off.id, tw.suppliers[0], actor=tw.people[0], at=BEFORE_DEADLINE)
    tendering.decline(
        tw.call_off.id, tw.suppliers[1], "=Too busy", actor=tw.people[1], at=BEFORE_DEADLINE
    )
    assert sealing.open_tenders(tw.call_off.id, tw.deadline)
    db.session.refresh(tw.call_off)
    tw.call_off.status = CallOffStatus.CANCELLED
    db.session.commit()
    report = record.report_for(tw.call_off, cw.viewer, tw.deadline + timedelta(days=1))
    assert [t.supplier for t in report.tendered] == ["tenderer-1-00000"]
    assert [(d.supplier, d.reason) for d in report.declined] == [("tenderer-1-00001", "=Too busy")]
    assert report.neither == ["tenderer-1-00002"]


def test_a_call_off_cancelled_before_its_deadline_keeps_its_tenders_sealed(
    cw: CallOffWorld,
) -> None:
    tw = published(cw, suppliers=2)
    tendering.decline(tw.call_off.id, tw.suppliers[1], "No", actor=tw.people[1], at=BEFORE_DEADLINE)
    tw.call_off.status = CallOffStatus.CANCELLED
    db.session.commit()
    report = record.report_for(tw.call_off, cw.viewer, tw.deadline + timedelta(days=1))
    assert len(report.invited) == 2
    assert report.tendered == [] and report.declined == [] and report.neither == []
    assert report.scoring == []


def test_before_the_decision_only_the_panel_lead_may_read(cw: CallOffWorld) -> None:
    ew = opened(cw)
    call_off = ew.call_off
    for user in (ew.lead, ew.member, ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed) as refused:
            record.require_reader(call_off, user)
        assert str(refused.value) == record.NOT_YET
    submit_all(ew)
    record.require_reader(call_off, ew.lead)
    assert record.may_read(call_off, ew.lead)
    assert not record.may_read(call_off, ew.member)
    with pytest.raises(NotAllowed):
        record.report_for(call_off, ew.viewer, ew.tenders[0].opened_at)


def test_the_lead_reads_no_score_until_every_member_has_submitted(cw: CallOffWorld) -> None:
    ew = opened(cw)
    call_off = ew.call_off
    assert conflicts.declare(call_off, ew.lead, False, "", now()) == []
    with pytest.raises(NotAllowed, match="has not declared"):
        record.require_reader(call_off, ew.lead)
    assert conflicts.declare(call_off, ew.member, False, "", now()) == []
    score_all(ew, ew.member, 5)
    with pytest.raises(NotAllowed, match=f"{ew.member.name} has not submitted"):
        record.report_for(call_off, ew.lead, now())
    with pytest.raises(NotAllowed, match="has not submitted"):
        trail.trail_for(call_off, ew.lead)
    with pytest.raises(NotAllowed, match="has not submitted"):
        exports.csv_for(call_off, "scores", ew.lead, now())
    assert not record.may_read(call_off, ew.lead)
    score_all(ew, ew.lead, 3)
    assert scoring.submit(call_off, actor=ew.lead, at=now()) == []
    assert not record.may_read(call_off, ew.lead)
    assert scoring.submit(call_off, actor=ew.member, at=now()) == []
    report = record.report_for(call_off, ew.lead, now())
    first = report.scoring[0].questions[0]
    assert sorted((s.member, s.score) for s in first.panel) == sorted(
        [(ew.lead.name, 3), (ew.member.name, 5)]
    )


def test_a_draft_is_never_in_the_report_nor_its_scores_in_the_trail(cw: CallOffWorld) -> None:
    ew = opened(cw)
    call_off = ew.call_off
    declare_all(ew)
    score_all(ew, ew.lead, 3)
    assert scoring.submit(call_off, actor=ew.lead, at=now()) == []
    score_all(ew, ew.member, 5)  # a draft, never submitted
    assert (
        awarding.decide_no_award(call_off, reasons="Budget withdrawn", actor=ew.lead, at=now())
        == []
    )
    report = record.report_for(call_off, ew.viewer, now())
    members = {s.member for t in report.scoring for q in t.questions for s in q.panel}
    assert members == {ew.lead.name}
    saved = [e for e in trail.trail_for(call_off, ew.viewer) if e.what == "Scores saved as a draft"]
    member_place = next(m for m in call_off.panel if m.user_id == ew.member.id)

    def member_of(entry: TrailEntry) -> str:
        return next(c.after for c in entry.changes if c.field == "Panel member id")

    drafts = [e for e in saved if member_of(e) == str(member_place.id)]
    submitted = [e for e in saved if member_of(e) != str(member_place.id)]
    assert len(drafts) == len(submitted) == len(ew.tenders)
    assert all("Scores" not in {c.field for c in e.changes} for e in drafts)
    assert all("Scores" in {c.field for c in e.changes} for e in submitted)
    assert not any("gives 5" in c.after for e in drafts for c in e.changes)


def test_once_decided_every_buyer_and_viewer_of_the_organisation_may_read(
    cw: CallOffWorld,
) -> None:
    rw = awarded(cw)
    for user in (rw.ew.lead, rw.ew.member, rw.ew.non_panel_buyer, rw.ew.viewer, rw.conflicted):
        assert record.may_read(rw.call_off, user)
