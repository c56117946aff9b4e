"""Moderation: the panel lead records one agreed score per question per tender, with the
rationale, once every member of the panel has declared and every member who may score has
submitted all their scores. The form starts empty (the lead decides; nothing is averaged for
them); the members' own scores are shown beside it and never changed. A moderated score may be
recorded again while the call-off is being evaluated (each change is an audit event, with the
score before); once the ranking is made (the call-off leaves ``closed``) it is fixed.

For the ranking: ``moderated_scores`` (tender id -> question id -> score) and ``is_complete``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, CallOffQuestion
from dps.models.evaluation import ModeratedScore, PanelScore
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.digits import whole
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed, Refusal
from dps.services.common import audit
from dps.services.evaluation import panel_roles, reading
from dps.services.evaluation.scoring import score_field

MODERATED_ACTION = "call_off.score_moderated"
RATIONALE_MAX = 5000
FIXED = "The tenders have been ranked, so the moderated scores cannot be changed"


class ModerationRefused(Refusal):
    """A moderated score the rules do not take, and why."""


@dataclass(frozen=True)
class Typed:
    score: str = ""
    rationale: str = ""


@dataclass(frozen=True)
class MemberScore:
    """One member's submitted score for an answer, shown beside the moderation form."""

    name: str
    score: int | None
    justification: str


@dataclass(frozen=True)
class TenderModeration:
    tender_id: int
    bidder: str
    moderated: int
    answers: int

    @property
    def complete(self) -> bool:
        return self.moderated == self.answers


def waiting_for(call_off: CallOff) -> list[str]:
    """Why moderation cannot start yet, one line per member still to declare or submit."""
    waiting = []
    for member in sorted(call_off.panel, key=lambda m: m.user.name.casefold()):
        if member.declared_at is None:
            waiting.append(f"{member.user.name} has not declared whether they have a conflict")
        elif member.may_score and member.scores_submitted_at is None:
            waiting.append(f"{member.user.name} has not submitted their scores")
    return waiting


def require_moderator(call_off: CallOff, actor: User) -> None:
    """The lead, once every member has declared and every one who may score has submitted."""
    panel_roles.require_lead(call_off, actor)
    waiting = waiting_for(call_off)
    if waiting:
        raise NotAllowed(
            "You can moderate once every panel member has submitted their scores: "
            + "; ".join(waiting)
        )


def may_change(call_off: CallOff) -> bool:
    """Whether moderated scores may still be recorded: until the tenders are ranked."""
    return call_off.status == CallOffStatus.CLOSED


def rationale_field(question: CallOffQuestion) -> str:
    return f"rationale-{question.id}"


def _moderated(call_off: CallOff) -> list[ModeratedScore]:
    return list(
        db.session.scalars(select(ModeratedScore).where(ModeratedScore.call_off_id == call_off.id))
    )


def moderated_scores(call_off: CallOff) -> dict[int, dict[int, int]]:
    """Every moderated score recorded: tender id -> question id -> score."""
    found: dict[int, dict[int, int]] = {}
    for row in _moderated(call_off):
        found.setdefault(row.tender_id, {})[row.question_id] = row.score
    return found


def is_complete(call_off: CallOff, tender_ids: Iterable[int]) -> bool:
    """Whether every question of every one of ``tender_ids`` has a moderated score."""
    scores = moderated_scores(call_off)
    return all(
        question.id in scores.get(tender_id, {})
        for tender_id in tender_ids
        for question in call_off.questions
    )


def status(call_off: CallOff, at: datetime, *, actor: User) -> list[TenderModeration]:
    """For the lead: each opened tender and how many of its answers are moderated."""
    panel_roles.require_lead(call_off, actor)
    scores = moderated_scores(call_off)
    return [
        TenderModeration(
            tender.id,
            reading.bidder_name(tender),
            sum(1 for q in call_off.questions if q.id in scores.get(tender.id, {})),
            len(call_off.questions),
        )
        for tender in reading.opened_tenders(call_off, at, actor=actor)
    ]


def members_scores(
    call_off: CallOff, tender: Tender, *, actor: User
) -> dict[int, list[MemberScore]]:
    """Every submitted member's score and justification for each answer of ``tender``
    (question id -> scores, by member name)."""
    require_moderator(call_off, actor)
    rows = db.session.scalars(
        select(PanelScore).where(
            PanelScore.call_off_id == call_off.id, PanelScore.tender_id == tender.id
        )
    )
    found: dict[int, list[MemberScore]] = {q.id: [] for q in call_off.questions}
    for row in rows:
        if row.panel_member.scores_submitted_at is None or not row.panel_member.may_score:
            continue
        found.setdefault(row.question_id, []).append(
            MemberScore(row.panel_member.user.name, row.score, row.justification)
        )
    for scores in found.values():
        scores.sort(key=lambda s: s.name.casefold())
    return found


def typed_for(call_off: CallOff, tender: Tender) -> dict[int, Typed]:
    """The moderated scores already recorded for ``tender``; empty until the lead records one."""
    saved = {r.question_id: r for r in _moderated(call_off) if r.tender_id == tender.id}
    return {
        q.id: Typed(str(saved[q.id].score), saved[q.id].rationale) if q.id in saved else Typed()
        for q in call_off.questions
    }


def problems_with(call_off: CallOff, typed: Mapping[int, Typed]) -> list[Refusal]:
    problems: list[Refusal] = []
    for question in call_off.questions:
        entry = typed.get(question.id, Typed())
        raw = calloff_values.text(entry.score)
        top = question.max_score or 0
        n = question.position
        if not raw:
            problems.append(
                ModerationRefused(
                    f"Question {n}: enter the moderated score", field=score_field(question)
                )
            )
        elif not ((number := whole(raw)) is not None and 0 <= number <= top):
            problems.append(
                ModerationRefused(
                    f"Question {n}: the moderated score must be a whole number from 0 to {top}",
                    field=score_field(question),
                )
            )
        rationale = calloff_values.text(entry.rationale)
        if not rationale:
            problems.append(
                ModerationRefused(
                    f"Question {n}: enter the rationale for the moderated score",
                    field=rationale_field(question),
                )
            )
        elif len(rationale) > RATIONALE_MAX:
            problems.append(
                ModerationRefused(
                    f"Question {n}: the rationale must be {RATIONALE_MAX} characters or fewer",
                    field=rationale_field(question),
                )
            )
    return problems


def save(
    call_off: CallOff,
    tender_id: int,
    typed: Mapping[int, Typed],
    *,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Record the moderated score and rationale of every question of one tender, or return
    every problem (nothing recorded then)."""
    require_moderator(call_off, actor)
    tender = reading.opened_tender(call_off, tender_id, at, actor=actor)
    if not may_change(call_off):
        raise NotAllowed(FIXED)
    problems = problems_with(call_off, typed)
    if problems:
        return problems
    # Under the call-off's lock: a second save of the same form waits, then updates the rows
    # the first added; finishing the evaluation waits too, so no score changes once ranked.
    call_off = panel_roles.lock_evaluating(call_off, FIXED)
    saved = {
        r.question_id: r
        for r in db.session.scalars(
            select(ModeratedScore)
            .where(ModeratedScore.call_off_id == call_off.id, ModeratedScore.tender_id == tender.id)
            .execution_options(populate_existing=True)
        )
    }
    for question in call_off.questions:
        entry = typed[question.id]
        # The number whole() read: int() of the text again would fail on thousands of digits.
        score = whole(calloff_values.text(entry.score))
        assert score is not None  # problems_with refused anything else
        rationale = calloff_values.text(entry.rationale)
        row = saved.get(question.id)
        before = None if row is None else {"score": row.score, "rationale": row.rationale}
        if row is not None and before == {"score": score, "rationale": rationale}:
            continue
        if row is None:
            row = ModeratedScore(
                call_off_id=call_off.id, tender_id=tender.id, question_id=question.id
            )
            db.session.add(row)
        row.score, row.rationale = score, rationale
        row.recorded_at, row.recorded_by_id = at, actor.id
        audit.record(
            MODERATED_ACTION,
            call_off,
            actor=actor,
            before=before,
            after={
                "tender_id": tender.id,
                "question_id": question.id,
                "score": score,
                "rationale": rationale,
            },
        )
    db.session.commit()
    return []
