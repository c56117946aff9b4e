"""Questionnaire definitions: the JSON files read into typed parts, sections and questions.

A definition is checked twice before it is published: against the JSON Schema in
``dps/questionnaires/definition.schema.json`` (its shape), then here for what a schema cannot
say — ids unique, conditions that name an earlier question, a condition on a radio in the same
section that the page can reveal beneath it.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

DEFINITIONS_DIR = Path(__file__).resolve().parents[2] / "questionnaires"
SCHEMA_PATH = DEFINITIONS_DIR / "definition.schema.json"
PACKAGED_DEFINITION = DEFINITIONS_DIR / "ccin-sq-2026.1.json"

# The facts about an organisation a question may depend on (dps.services.suppliers.profiles
# gives them).
CONTEXT_FACTS = frozenset(
    {"employees", "legal_form", "size", "is_vcse", "is_cooperative_or_mutual"}
)
YES_NO_VALUES = ("yes", "no")
DEFAULT_TEXT_LENGTH = 200


class QuestionType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    RADIOS = "radios"
    YESNO = "yesno"
    CHECKBOXES = "checkboxes"
    MONEY = "money"
    DATE = "date"
    NUMBER = "number"
    EMAIL = "email"
    URL = "url"
    GROUP = "group"


CHOICE_TYPES = frozenset({QuestionType.RADIOS, QuestionType.YESNO, QuestionType.CHECKBOXES})


class DefinitionInvalid(ValueError):
    """A definition that cannot be published; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The questionnaire definition is not valid: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    label: str
    hint: str | None = None
    required: bool = True
    error_name: str = ""
    error_required: str | None = None
    max_words: int | None = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    not_in_future: bool = False
    not_in_past: bool = False
    not_before: str | None = None
    options: tuple[Option, ...] = ()
    item_label: str = ""
    min_items: int = 0
    max_items: int = 10
    questions: tuple[Question, ...] = ()
    show_if: Mapping[str, Any] = field(default_factory=dict)
    show_if_context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def choices(self) -> tuple[Option, ...]:
        if self.type == QuestionType.YESNO:
            return (Option("yes", "Yes"), Option("no", "No"))
        return self.options

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.choices if o.value == value), value)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    part: str
    part_title: str
    lot: int | None
    questions: tuple[Question, ...]
    description: tuple[str, ...] = ()

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Definition:
    key: str
    version: str
    title: str
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def questions(self) -> Iterator[tuple[Section, Question]]:
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question | None:
        return next((q for _, q in self.questions() if q.id == question_id), None)


def canonical_json(raw: Mapping[str, Any]) -> str:
    """One spelling of a definition, so that its checksum changes only when its content does."""
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksum_of(raw: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(raw).encode("utf-8")).hexdigest()


def read_file(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DefinitionInvalid([f"{path.name} cannot be read as JSON: {error}"]) from error
    if not isinstance(raw, dict):
        raise DefinitionInvalid([f"{path.name} does not hold a JSON object"])
    # "$schema" only helps editors find the schema: it is not part of the content.
    raw.pop("$schema", None)
    return raw


@lru_cache(maxsize=1)
def _schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check(raw: Mapping[str, Any]) -> None:
    """Raise DefinitionInvalid unless ``raw`` is a definition that can be published."""
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or 'definition'}: {error.message}"
        for error in _schema_validator().iter_errors(raw)
    ]
    if problems:
        raise DefinitionInvalid(problems)
    problems = _semantic_problems(parse(raw))
    if problems:
        raise DefinitionInvalid(problems)


def parse(raw: Mapping[str, Any]) -> Definition:
    """The typed definition of a checked ``raw`` one."""
    parts = {part["id"]: part["title"] for part in raw["parts"]}
    return Definition(
        key=raw["key"],
        version=raw["version"],
        title=raw["title"],
        sections=tuple(
            Section(
                id=s["id"],
                title=s["title"],
                part=s["part"],
                part_title=parts.get(s["part"], ""),
                lot=s["lot"],
                description=tuple(s.get("description", ())),
                questions=tuple(_question(q) for q in s["questions"]),
            )
            for s in raw["sections"]
        ),
    )


def _question(raw: Mapping[str, Any]) -> Question:
    return Question(
        id=raw["id"],
        type=QuestionType(raw["type"]),
        label=raw["label"],
        hint=raw.get("hint"),
        required=raw.get("required", True),
        error_name=raw.get("error_name") or raw["label"].rstrip("?").lower(),
        error_required=raw.get("error_required"),
        max_words=raw.get("max_words"),
        max_length=raw.get("max_length"),
        min=raw.get("min"),
        max=raw.get("max"),
        not_in_future=raw.get("not_in_future", False),
        not_in_past=raw.get("not_in_past", False),
        not_before=raw.get("not_before"),
        options=tuple(
            Option(o["value"], o["label"], o.get("hint"), o.get("exclusive", False))
            for o in raw.get("options", ())
        ),
        item_label=raw.get("item_label", ""),
        min_items=raw.get("min_items", 1 if raw.get("required", True) else 0),
        max_items=raw.get("max_items", 10),
        questions=tuple(_question(q) for q in raw.get("questions", ())),
        show_if=raw.get("show_if", {}),
        show_if_context=raw.get("show_if_context", {}),
    )


# --- conditions ------------------------------------------------------------------------------


def passes(test: Any, value: Any) -> bool:
    """Whether ``value`` passes a condition's test: equal, one of a list, or compared.

    A comparison with a missing value fails, so a question that depends on a number nobody
    has given yet is not asked.
    """
    if isinstance(test, dict):
        ((operator, expected),) = test.items()
        if operator == "eq":
            return bool(value == expected)
        if operator == "ne":
            return bool(value != expected)
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return {
            "gt": value > expected,
            "gte": value >= expected,
            "lt": value < expected,
            "lte": value <= expected,
        }[operator]
    if isinstance(test, list):
        return value in test
    return bool(value == test)


def applies(
    question: Question,
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    item: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``question`` is asked, given the answers so far and the facts about the supplier.

    A question in a repeating group looks first at the other answers of its own item.
    """
    for name, test in question.show_if.items():
        value = item[name] if item is not None and name in item else answers.get(name)
        if not passes(test, value):
            return False
    return all(passes(test, context.get(name)) for name, test in question.show_if_context.items())


def reveal_target(section: Section, question: Question) -> tuple[str, str] | None:
    """(radio question id, value) when ``question`` is revealed beneath a radio of its section."""
    if len(question.show_if) != 1:
        return None
    ((name, test),) = question.show_if.items()
    target = section.question(name)
    if target is None or target.type not in (QuestionType.RADIOS, QuestionType.YESNO):
        return None
    return (name, test) if isinstance(test, str) else None


# --- what the schema cannot check ------------------------------------------------------------


def _semantic_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    seen_sections: set[str] = set()
    earlier: dict[str, tuple[Section, Question]] = {}
    for section in definition.sections:
        if section.id in seen_sections:
            problems.append(f"section id {section.id} is used twice")
        seen_sections.add(section.id)
        if not section.part_title:
            problems.append(f"section {section.id} names part {section.part}, which is not defined")
        for question in section.questions:
            if question.id in earlier:
                problems.append(f"question id {question.id} is used twice")
            problems.extend(_condition_problems(section, question, earlier))
            problems.extend(_question_problems(question))
            earlier[question.id] = (section, question)
    return problems


def _condition_problems(
    section: Section, question: Question, earlier: Mapping[str, tuple[Section, Question]]
) -> list[str]:
    problems = [
        f"question {question.id} depends on {name}, which is not a fact about the organisation"
        for name in question.show_if_context
        if name not in CONTEXT_FACTS
    ]
    for name, test in question.show_if.items():
        if name not in earlier:
            problems.append(f"question {question.id} depends on {name}, not an earlier question")
            continue
        target_section, target = earlier[name]
        if target_section.id != section.id:
            continue  # decided from the saved answers before the page is drawn
        # In the same section the page cannot know an answer before it is sent, so the only
        # condition allowed is one the page can show as a conditional reveal under a radio.
        if target.type not in (QuestionType.RADIOS, QuestionType.YESNO) or not isinstance(
            test, str
        ):
            problems.append(
                f"question {question.id} depends on {name} in the same section: only a single "
                "answer of a radio question can reveal it"
            )
        elif test not in {o.value for o in target.choices}:
            problems.append(f"question {question.id} depends on {name} being {test}, not a choice")
    return problems


def _question_problems(question: Question, in_group: bool = False) -> list[str]:
    problems: list[str] = []
    values = [o.value for o in question.options]
    if len(values) != len(set(values)):
        problems.append(f"question {question.id} has an option value twice")
    if any(o.exclusive for o in question.options) and question.type != QuestionType.CHECKBOXES:
        problems.append(f"question {question.id}: only checkboxes have an exclusive option")
    if question.type == QuestionType.GROUP:
        if question.min_items > question.max_items:
            problems.append(f"group {question.id} asks for more items than it allows")
        seen: dict[str, Question] = {}
        for sub in question.questions:
            if sub.id in seen:
                problems.append(f"group {question.id} uses question id {sub.id} twice")
            if sub.not_before and (
                sub.not_before not in seen or seen[sub.not_before].type != QuestionType.DATE
            ):
                problems.append(
                    f"{question.id}.{sub.id} must not be before {sub.not_before}, "
                    "which is not an earlier date in the group"
                )
            if sub.show_if_context or any(name not in seen for name in sub.show_if):
                problems.append(
                    f"{question.id}.{sub.id} may depend only on earlier answers of its group"
                )
            problems.extend(_question_problems(sub, in_group=True))
            seen[sub.id] = sub
    elif question.not_before and not in_group:
        problems.append(f"question {question.id}: not_before is for dates in a group")
    return problems
