"""What the evaluation pages show: each answer of a tender beside its question and scale, with
what the panel member typed (or the lead's moderation), and reading those forms back.

No routes here (``dps.web.buyer.calloff_evaluation`` has them): the render-every-template test
builds the same contexts through these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.models.calloffs import CallOff, CallOffQuestion
from dps.models.tenders import Tender
from dps.rules.award_criteria import QuestionKind, words_in
from dps.services.evaluation import moderation, scoring
from dps.web.buyer import calloff_after as after


@dataclass(frozen=True)
class AnswerRow:
    """One answer of a tender as a scoring or moderation form shows it."""

    question_id: int
    position: int
    kind: str
    question: str
    scoring_scale: str
    max_score: int
    answer: str
    words: int
    word_limit: int | None
    score: str  # as typed or saved
    text: str  # the justification (scoring) or the rationale (moderation)
    score_field: str
    text_field: str


def _kind(question: CallOffQuestion) -> str:
    return "Social value" if question.kind == QuestionKind.SOCIAL_VALUE else "Quality"


def _answers(tender: Tender) -> dict[int, str]:
    return {
        int(a.get("question_id") or 0): str(a.get("text") or "")
        for a in (tender.snapshot or {}).get("answers") or []
    }


def scoring_rows(
    call_off: CallOff, tender: Tender, typed: Mapping[int, scoring.Typed]
) -> list[AnswerRow]:
    """Each answer with the member's score and justification inputs."""
    return _answer_rows(
        call_off,
        tender,
        {qid: (entry.score, entry.justification) for qid, entry in typed.items()},
        scoring.score_field,
        scoring.justification_field,
    )


def moderation_rows(
    call_off: CallOff, tender: Tender, typed: Mapping[int, moderation.Typed]
) -> list[AnswerRow]:
    """Each answer with the lead's moderated score and rationale inputs."""
    return _answer_rows(
        call_off,
        tender,
        {qid: (entry.score, entry.rationale) for qid, entry in typed.items()},
        moderation.score_field,
        moderation.rationale_field,
    )


def _answer_rows(
    call_off: CallOff,
    tender: Tender,
    typed: Mapping[int, tuple[str, str]],
    score_field: Callable[[CallOffQuestion], str],
    text_field: Callable[[CallOffQuestion], str],
) -> list[AnswerRow]:
    answers = _answers(tender)
    rows = []
    for q in call_off.questions:
        score, reason = typed.get(q.id, ("", ""))
        text = answers.get(q.id, "")
        rows.append(
            AnswerRow(
                q.id, q.position, _kind(q), q.text, q.scoring_scale, q.max_score or 0, text,
                words_in(text), q.word_limit, score, reason, score_field(q), text_field(q),
            )
        )  # fmt: skip
    return rows


def posted_scores(form: MultiDict[str, str], call_off: CallOff) -> dict[int, scoring.Typed]:
    return {
        q.id: scoring.Typed(
            form.get(scoring.score_field(q), ""), form.get(scoring.justification_field(q), "")
        )
        for q in call_off.questions
    }


def posted_moderation(form: MultiDict[str, str], call_off: CallOff) -> dict[int, moderation.Typed]:
    return {
        q.id: moderation.Typed(
            form.get(moderation.score_field(q), ""), form.get(moderation.rationale_field(q), "")
        )
        for q in call_off.questions
    }


def tender_heading(call_off: CallOff, tender: Tender) -> dict[str, Any]:
    """The tender's receipt, as the tender page shows it."""
    return {"call_off": call_off, "tender": after.tender_row(tender)}
