"""The packaged questionnaire definition, read with no database: valid against its schema, every
id unique, and asking what the standard selection questionnaire asks."""

from __future__ import annotations

import json

import jsonschema

from dps.rules.questionnaire.definition import (
    PACKAGED_DEFINITION,
    SCHEMA_PATH,
    QuestionType,
    check,
    parse,
    read_file,
)

PACKAGED = parse(read_file(PACKAGED_DEFINITION))


def test_the_packaged_definition_is_valid_against_the_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    definition = json.loads(PACKAGED_DEFINITION.read_text())
    jsonschema.validate(definition, schema, cls=jsonschema.Draft202012Validator)
    check(read_file(PACKAGED_DEFINITION))


def test_every_question_id_is_unique() -> None:
    definition = PACKAGED
    ids = [q.id for _, q in definition.questions()]
    assert len(ids) == len(set(ids))
    for _, group in definition.questions():
        sub_ids = [sub.id for sub in group.questions]
        assert len(sub_ids) == len(set(sub_ids)), group.id


def test_the_definition_asks_what_the_standard_questionnaire_asks() -> None:
    definition = PACKAGED
    parts = {s.part_title for s in definition.sections}
    assert parts == {
        "Part 1: Supplier information",
        "Part 2: Exclusion grounds",
        "Part 3: Selection questions",
        "Part 4: The co-operative difference",
    }
    principles = definition.section("ccin_principles")
    assert principles is not None and len(principles.questions) == 10
    assert all(q.type == QuestionType.TEXTAREA and q.max_words for q in principles.questions)
    used = {q.type for _, q in definition.questions()} | {
        sub.type for _, q in definition.questions() for sub in q.questions
    }
    assert used == set(QuestionType)
