"""The evaluation hub: a panel member's declaration and progress, the others' scores once they
have submitted theirs, the lead's moderation; anyone off the panel is refused."""

from __future__ import annotations

import pytest

from dps.rules.refusals import NotAllowed
from dps.services.evaluation import conflicts, scoring
from dps.services.evaluation.hub import hub
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_scoring import declare_all, score_all, submit_all
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def test_an_undeclared_member_sees_only_the_declarations(ew: EvaluationWorld) -> None:
    seen = hub(ew.call_off, actor=ew.member, at=now())
    assert not seen.declared and not seen.may_score and seen.progress == []
    assert [d.state for d in seen.declarations] == ["Not declared yet", "Not declared yet"]
    assert seen.declarations[0].is_lead


def test_progress_then_the_others_scores_after_submitting(ew: EvaluationWorld) -> None:
    declare_all(ew)
    seen = hub(ew.call_off, actor=ew.member, at=now())
    assert [(p.scored, p.answers) for p in seen.progress] == [(0, 2)] * 3
    assert not seen.all_scored and not seen.is_lead
    score_all(ew, ew.member)
    score_all(ew, ew.lead, 1)
    assert hub(ew.call_off, actor=ew.member, at=now()).all_scored
    scoring.submit(ew.call_off, actor=ew.member, at=now())
    assert hub(ew.call_off, actor=ew.member, at=now()).others == []  # the lead has not submitted
    scoring.submit(ew.call_off, actor=ew.lead, at=now())
    seen = hub(ew.call_off, actor=ew.member, at=now())
    assert seen.submitted and len(seen.others) == 6
    assert {(o.name, o.score) for o in seen.others} == {(ew.lead.name, 1)}


def test_the_lead_sees_who_is_awaited_then_moderation(ew: EvaluationWorld) -> None:
    conflicts.declare(ew.call_off, ew.lead, False, "", now())
    seen = hub(ew.call_off, actor=ew.lead, at=now())
    assert seen.is_lead and seen.waiting_for == [
        f"{ew.lead.name} has not submitted their scores",
        f"{ew.member.name} has not declared whether they have a conflict",
    ]
    conflicts.declare(ew.call_off, ew.member, False, "", now())
    submit_all_after_declaring(ew)
    seen = hub(ew.call_off, actor=ew.lead, at=now())
    assert seen.waiting_for == [] and [m.moderated for m in seen.moderation] == [0, 0, 0]


def submit_all_after_declaring(ew: EvaluationWorld) -> None:
    for person in (ew.lead, ew.member):
        score_all(ew, person)
        scoring.submit(ew.call_off, actor=person, at=now())


def test_people_off_the_panel_are_refused(ew: EvaluationWorld) -> None:
    submit_all(ew)
    for person in (ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed, match="evaluation panel"):
            hub(ew.call_off, actor=person, at=now())
