"""Independent scoring: each panel member who has declared no conflict scores every answer
(quality and social-value questions) of every opened tender on the question's scale
(0..max_score), with a written justification for every score.

Scores are saved as the member goes (a blank score is allowed while they work; a score needs
its justification); every problem of a save is reported at once and nothing is saved then, so
the page shows again what was typed. Submitting all of them is refused, listing what is
missing, until every answer of every opened tender has a score and a justification; then
``scores_submitted_at`` is set and the scores are fixed. Until then a member sees only their
own scores: another member's are shown only once both have submitted all of theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, CallOffQuestion, PanelMember
from dps.models.evaluation import PanelScore
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.digits import whole
from dps.rules.refusals import NotAllowed, Refusal
from dps.services.common import audit
from dps.services.common.locking import lock_row
from dps.services.evaluation import panel_roles, reading

SAVED_ACTION = "call_off.scores_saved"
SUBMITTED_ACTION = "call_off.scores_submitted"
JUSTIFICATION_MAX = 5000
ALREADY_SUBMITTED = "You have submitted your scores. They cannot be changed"
NOT_YET_SUBMITTED = "Submit all your scores before you see the other panel members’ scores"


class ScoringRefused(Refusal):
    """Scores the rules do not take, and why."""


@dataclass(frozen=True)
class Typed:
    """What a member typed for one answer: kept as typed, to be shown again."""

    score: str = ""
    justification: str = ""


@dataclass(frozen=True)
class Progress:
    tender_id: int
    bidder: str
    scored: int
    answers: int

    @property
    def complete(self) -> bool:
        return self.scored == self.answers


def score_field(question: CallOffQuestion) -> str:
    return f"score-{question.id}"


def justification_field(question: CallOffQuestion) -> str:
    return f"justification-{question.id}"


def _scores_of(
    member: PanelMember, tender_id: int | None = None
) -> dict[tuple[int, int], PanelScore]:
    query = select(PanelScore).where(PanelScore.panel_member_id == member.id)
    if tender_id is not None:
        query = query.where(PanelScore.tender_id == tender_id)
    return {(s.tender_id, s.question_id): s for s in db.session.scalars(query)}


def _is_complete(score: PanelScore | None) -> bool:
    return score is not None and score.score is not None and bool(score.justification.strip())


def typed_for(call_off: CallOff, tender: Tender, member: PanelMember) -> dict[int, Typed]:
    """A member's saved scores for one tender, as the form shows them (question id -> typed)."""
    saved = _scores_of(member, tender.id)
    found = {}
    for question in call_off.questions:
        score = saved.get((tender.id, question.id))
        found[question.id] = Typed(
            "" if score is None or score.score is None else str(score.score),
            "" if score is None else score.justification,
        )
    return found


def problems_with(call_off: CallOff, typed: Mapping[int, Typed]) -> list[Refusal]:
    """Every problem with what was typed for one tender, in the order of the questions."""
    problems: list[Refusal] = []
    for question in call_off.questions:
        entry = typed.get(question.id, Typed())
        raw = calloff_values.text(entry.score)
        top = question.max_score or 0
        number = whole(raw)
        if raw and not (number is not None and 0 <= number <= top):
            problems.append(
                ScoringRefused(
                    f"Question {question.position}: the score must be a whole number from 0 "
                    f"to {top}",
                    field=score_field(question),
                )
            )
        justification = calloff_values.text(entry.justification)
        if raw and not justification:
            problems.append(
                ScoringRefused(
                    f"Question {question.position}: enter why you gave this score",
                    field=justification_field(question),
                )
            )
        elif len(justification) > JUSTIFICATION_MAX:
            problems.append(
                ScoringRefused(
                    f"Question {question.position}: the justification must be "
                    f"{JUSTIFICATION_MAX} characters or fewer",
                    field=justification_field(question),
                )
            )
    return problems


def _lock_unsubmitted(call_off: CallOff, member: PanelMember) -> PanelMember:
    """The member's row, locked (after the call-off's, as every change in the evaluation takes
    it) while the call-off is still being evaluated and their scores are not yet submitted."""
    panel_roles.lock_evaluating(call_off)
    locked = lock_row(PanelMember, member.id)
    if locked is None or locked.scores_submitted_at is not None:
        db.session.rollback()
        raise NotAllowed(ALREADY_SUBMITTED)
    return locked


def save(
    call_off: CallOff,
    tender_id: int,
    typed: Mapping[int, Typed],
    *,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Save ``actor``'s scores for one tender (question id -> typed), or return every problem
    (nothing saved then). NotAllowed once they have submitted, if they may not score, or once
    the evaluation has finished."""
    member = panel_roles.require_evaluator(call_off, actor)
    tender = reading.opened_tender(call_off, tender_id, at, actor=actor)
    panel_roles.require_evaluating(call_off)
    if member.scores_submitted_at is not None:
        raise NotAllowed(ALREADY_SUBMITTED)
    problems = problems_with(call_off, typed)
    if problems:
        return problems
    locked = _lock_unsubmitted(call_off, member)
    saved = _scores_of(locked, tender.id)
    recorded = {}
    for question in call_off.questions:
        entry = typed.get(question.id, Typed())
        raw = calloff_values.text(entry.score)
        # The number whole() read: int() of the text again would fail on thousands of digits.
        value = whole(raw) if raw else None
        justification = calloff_values.text(entry.justification)
        row = saved.get((tender.id, question.id))
        if row is None:
            row = PanelScore(
                call_off_id=call_off.id,
                panel_member_id=locked.id,
                tender_id=tender.id,
                question_id=question.id,
            )
            db.session.add(row)
        row.score, row.justification, row.updated_at = value, justification, at
        recorded[str(question.id)] = value
    audit.record(
        SAVED_ACTION,
        call_off,
        actor=actor,
        after={"panel_member_id": locked.id, "tender_id": tender.id, "scores": recorded},
    )
    db.session.commit()
    return []


def progress(call_off: CallOff, member: PanelMember, at: datetime) -> list[Progress]:
    """For each opened tender, how many of its answers the member has scored and justified."""
    saved = _scores_of(member)
    tenders = reading.opened_tenders(call_off, at, actor=member.user)
    return [
        Progress(
            tender.id,
            reading.bidder_name(tender),
            sum(1 for q in call_off.questions if _is_complete(saved.get((tender.id, q.id)))),
            len(call_off.questions),
        )
        for tender in tenders
    ]


def missing(call_off: CallOff, member: PanelMember, at: datetime) -> list[str]:
    """What is still to be scored, in words, tender by tender (empty when all is done)."""
    saved = _scores_of(member)
    found = []
    for tender in reading.opened_tenders(call_off, at, actor=member.user):
        for question in call_off.questions:
            if not _is_complete(saved.get((tender.id, question.id))):
                found.append(f"{reading.bidder_name(tender)}: question {question.position}")
    return found


def submit(call_off: CallOff, *, actor: User, at: datetime) -> list[Refusal]:
    """Submit all ``actor``'s scores, fixing them; refused with what is missing, one by one."""
    member = panel_roles.require_evaluator(call_off, actor)
    panel_roles.require_evaluating(call_off)
    if member.scores_submitted_at is not None:
        raise NotAllowed(ALREADY_SUBMITTED)
    gaps = missing(call_off, member, at)
    if gaps:
        return [ScoringRefused(f"Score and justify {gap}") for gap in gaps]
    locked = _lock_unsubmitted(call_off, member)
    locked.scores_submitted_at = at
    scores = {
        f"{tender_id}:{question_id}": row.score
        for (tender_id, question_id), row in sorted(_scores_of(locked).items())
    }
    audit.record(
        SUBMITTED_ACTION,
        call_off,
        actor=actor,
        after={"panel_member_id": locked.id, "submitted_at": at.isoformat(), "scores": scores},
    )
    db.session.commit()
    return []


def visible_scores(call_off: CallOff, actor: User) -> list[PanelScore]:
    """The scores ``actor`` may see: their own always; once they have submitted all theirs,
    the submitted scores of the other members too (never another's unsubmitted ones)."""
    member = panel_roles.require_evaluator(call_off, actor)
    query = select(PanelScore).join(PanelMember, PanelMember.id == PanelScore.panel_member_id)
    query = query.where(PanelScore.call_off_id == call_off.id)
    if member.scores_submitted_at is None:
        query = query.where(PanelScore.panel_member_id == member.id)
    else:
        query = query.where(
            (PanelScore.panel_member_id == member.id) | PanelMember.scores_submitted_at.is_not(None)
        )
    return list(db.session.scalars(query.order_by(PanelScore.tender_id, PanelScore.id)))


def others_scores(call_off: CallOff, actor: User) -> list[PanelScore]:
    """The other members' submitted scores; NotAllowed until ``actor`` has submitted all
    theirs."""
    member = panel_roles.require_evaluator(call_off, actor)
    if member.scores_submitted_at is None:
        raise NotAllowed(NOT_YET_SUBMITTED)
    return [s for s in visible_scores(call_off, actor) if s.panel_member_id != member.id]
