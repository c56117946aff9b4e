"""A draft call-off's questions, its price and its award criteria (three task-list sections).

- questions: the quality and social-value questions in order, each with its text, guidance,
  maximum score, scoring scale, word limit and, for social value, the CCIN principle it is
  about. Saving gives the whole list; questions beyond it are taken off.
- price: a schedule of lines with quantities, or a single total price.
- criteria: the weighting of each question and of price (adding up to exactly 100%, social
  value at least 10%: ``dps.rules.award_criteria``).

As every save in ``dps.services.calloffs.drafting``: what was typed is kept even when it is not
valid (``pending_input``), and every problem of the section comes back at once. All three are
fixed once the call-off is published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff, CallOffQuestion, PriceFormat, PriceLine
from dps.rules.award_criteria import CCIN_PRINCIPLES, MAX_SCORE_LIMIT, WORD_LIMIT_MAX, QuestionKind
from dps.rules.calloff_values import (
    FIELDS_BY_NAME,
    QUESTION_TEXT_MAX,
    ValueRefused,
    bounded_text,
    is_blank,
    text,
    whole_number,
)
from dps.rules.evaluation import ABNORMALLY_LOW_PERCENT_RANGE, PriceFormula, TieBreak
from dps.rules.refusals import Refusal
from dps.services.calloffs.drafting import finish_saving, require_editable, section_snapshot

MAX_QUESTIONS = 30
MAX_PRICE_LINES = 200
QUANTITY_MAX = 1_000_000_000
THEMES = CCIN_PRINCIPLES

# What a question's numbers are, for reading them: (low, high, name).
QUESTION_NUMBERS = {
    "max_score": (1, MAX_SCORE_LIMIT, "the maximum score"),
    "word_limit": (1, WORD_LIMIT_MAX, "the word limit"),
}


def save_questions(
    call_off: CallOff,
    questions: Sequence[Mapping[str, Any]],
    *,
    actor: User,
    at: datetime | None = None,
) -> list[Refusal]:
    """Save the questions in this order. Each mapping may have ``kind`` ("quality" or
    "social_value"), ``text``, ``guidance``, ``max_score``, ``scoring_scale``,
    ``word_limit`` and ``theme`` (a key of CCIN_PRINCIPLES). A question keeps its weighting
    while it keeps its place."""
    require_editable(call_off, actor)
    before = section_snapshot(call_off, "questions")
    pending: dict[str, Any] = {}
    existing = {question.position: question for question in call_off.questions}
    for position, raw in enumerate(list(questions)[:MAX_QUESTIONS], start=1):
        question = existing.pop(position, None)
        if question is None:
            question = CallOffQuestion(position=position, kind=QuestionKind.QUALITY)
            call_off.questions.append(question)
        typed = _fill_question(question, raw)
        if typed:
            pending[str(position)] = typed
    for question in existing.values():
        call_off.questions.remove(question)
    _keep_pending(call_off, "questions", pending)
    return finish_saving(call_off, "questions", before, actor=actor, at=at or utcnow())


def _fill_question(question: CallOffQuestion, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Set what can be read; return what was typed but cannot be read, by field."""
    typed: dict[str, Any] = {}
    kind = text(raw.get("kind"))
    if kind in {k.value for k in QuestionKind}:
        question.kind = QuestionKind(kind)
    elif kind:
        typed["kind"] = kind
    for name, maximum in (("text", QUESTION_TEXT_MAX), ("guidance", QUESTION_TEXT_MAX)):
        try:
            setattr(
                question, name, bounded_text(raw.get(name), field=name, name=name, maximum=maximum)
            )
        except ValueRefused:
            typed[name] = text(raw.get(name))
            setattr(question, name, "")
    question.scoring_scale = text(raw.get("scoring_scale"))[:QUESTION_TEXT_MAX]
    for name, (low, high, label) in QUESTION_NUMBERS.items():
        value = raw.get(name)
        try:
            number = (
                None
                if is_blank(value)
                else whole_number(value, field=name, name=label, low=low, high=high)
            )
        except ValueRefused:
            typed[name] = text(value)
            number = None
        setattr(question, name, number)
    theme = text(raw.get("theme")) or None
    question.theme = (
        theme if question.kind == QuestionKind.SOCIAL_VALUE and theme in THEMES else None
    )
    return typed


def typed_questions(call_off: CallOff) -> list[dict[str, Any]]:
    """The questions as the form should show them, with what was typed where it is not valid."""
    pending = (call_off.pending_input or {}).get("questions") or {}
    weights = (call_off.pending_input or {}).get("criteria") or {}
    shown = []
    for question in call_off.questions:
        values: dict[str, Any] = {
            "kind": question.kind.value,
            "text": question.text,
            "guidance": question.guidance,
            "max_score": "" if question.max_score is None else str(question.max_score),
            "scoring_scale": question.scoring_scale,
            "word_limit": "" if question.word_limit is None else str(question.word_limit),
            "theme": question.theme or "",
            "weight": "" if question.weight_percent is None else str(question.weight_percent),
        }
        values.update(pending.get(str(question.position)) or {})
        if f"weight-{question.position}" in weights:
            values["weight"] = weights[f"weight-{question.position}"]
        shown.append(values)
    return shown


def save_price(
    call_off: CallOff,
    price_format: str | None,
    lines: Sequence[Mapping[str, Any]] = (),
    *,
    actor: User,
    at: datetime | None = None,
    scoring: Mapping[str, Any] | None = None,
) -> list[Refusal]:
    """How suppliers give their price: "schedule" with these lines (``description``, ``unit``,
    ``quantity``), or "total" (any lines are taken off). ``scoring``, when given, is how the
    price is scored and judged: ``price_formula`` (a PriceFormula value), ``abnormally_low_percent``
    (a whole percent, 1 to 90) and ``tie_break`` (a TieBreak value); a key left out keeps what
    is kept."""
    require_editable(call_off, actor)
    before = section_snapshot(call_off, "price")
    pending: dict[str, Any] = {}
    _fill_scoring(call_off, scoring or {}, pending)
    chosen = text(price_format)
    call_off.price_format = (
        PriceFormat(chosen) if chosen in {f.value for f in PriceFormat} else None
    )
    if chosen and call_off.price_format is None:
        pending["price_format"] = chosen
    wanted = list(lines)[:MAX_PRICE_LINES] if call_off.price_format == PriceFormat.SCHEDULE else []
    existing = {line.position: line for line in call_off.price_lines}
    for position, raw in enumerate(wanted, start=1):
        line = existing.pop(position, None)
        if line is None:
            line = PriceLine(position=position)
            call_off.price_lines.append(line)
        line.description = text(raw.get("description"))[:300]
        line.unit = text(raw.get("unit"))[:60]
        quantity = raw.get("quantity")
        try:
            line.quantity = (
                None
                if is_blank(quantity)
                else whole_number(
                    quantity, field="quantity", name="quantity", low=1, high=QUANTITY_MAX
                )
            )
        except ValueRefused:
            line.quantity = None
            pending[f"line-{position}-quantity"] = text(quantity)
    for line in existing.values():
        call_off.price_lines.remove(line)
    _keep_pending(call_off, "price", pending)
    return finish_saving(call_off, "price", before, actor=actor, at=at or utcnow())


def _fill_scoring(call_off: CallOff, scoring: Mapping[str, Any], pending: dict[str, Any]) -> None:
    """Set how price is scored, when a price is flagged and how a tie is broken, as far as
    they can be read; keep what cannot be read in ``pending``."""
    for name, kind in (("price_formula", PriceFormula), ("tie_break", TieBreak)):
        if name not in scoring:
            continue
        chosen = text(scoring.get(name))
        if chosen in {k.value for k in kind}:
            setattr(call_off, name, kind(chosen))
        else:
            pending[name] = chosen
    if "abnormally_low_percent" in scoring:
        raw = scoring.get("abnormally_low_percent")
        low, high = ABNORMALLY_LOW_PERCENT_RANGE
        try:
            call_off.abnormally_low_percent = whole_number(
                raw, field="abnormally_low_percent", name="The share", low=low, high=high
            )
        except ValueRefused:
            pending["abnormally_low_percent"] = text(raw)


def save_criteria(
    call_off: CallOff,
    price_weight: Any,
    weights: Mapping[int, Any],
    *,
    actor: User,
    at: datetime | None = None,
) -> list[Refusal]:
    """The price weighting and each question's weighting (by its position, from 1), as typed."""
    require_editable(call_off, actor)
    before = section_snapshot(call_off, "criteria")
    pending: dict[str, Any] = {}
    field = FIELDS_BY_NAME["price_weight"]
    try:
        call_off.price_weight_percent = None if is_blank(price_weight) else field.read(price_weight)
    except ValueRefused:
        call_off.price_weight_percent = None
        pending["price_weight"] = text(price_weight)
    typed = {int(position): raw for position, raw in weights.items()}
    for question in call_off.questions:
        if question.position not in typed:
            continue
        raw = typed[question.position]
        try:
            question.weight_percent = (
                None
                if is_blank(raw)
                else whole_number(
                    raw, field=f"weight-{question.position}", name="weighting", low=1, high=100
                )
            )
        except ValueRefused:
            question.weight_percent = None
            pending[f"weight-{question.position}"] = text(raw)
    _keep_pending(call_off, "criteria", pending)
    return finish_saving(call_off, "criteria", before, actor=actor, at=at or utcnow())


def _keep_pending(call_off: CallOff, section: str, pending: dict[str, Any]) -> None:
    everything = dict(call_off.pending_input or {})
    if pending:
        everything[section] = pending
    else:
        everything.pop(section, None)
    call_off.pending_input = everything or None
    db.session.add(call_off)
