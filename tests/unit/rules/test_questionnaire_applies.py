"""What applies, with no database: the sections asked for the lots chosen, the answers kept,
answers carried to a new version, each section's status, the gaps and the readable list."""

from __future__ import annotations

from datetime import date

import pytest

from dps.rules.enums import SectionStatus
from dps.rules.questionnaire import applies, progress, readable
from dps.rules.questionnaire.definition import PACKAGED_DEFINITION, parse, read_file

PACKAGED = parse(read_file(PACKAGED_DEFINITION))
TODAY = date(2026, 11, 25)
NO_EMPLOYEES = {"employees": 0, "legal_form": "company"}
TWELVE_EMPLOYEES = {"employees": 12, "legal_form": "company"}


def test_the_sections_of_a_lot_not_chosen_are_not_asked() -> None:
    lot_1 = {s.lot for s in applies.sections_for(PACKAGED, [1])}
    both = {s.lot for s in applies.sections_for(PACKAGED, [1, 2])}
    assert lot_1 == {None, 1}
    assert both == {None, 1, 2}
    lot_2_only = next(s for s in PACKAGED.sections if s.lot == 2)
    assert applies.section_for(PACKAGED, lot_2_only.id, [1]) is None
    assert applies.section_for(PACKAGED, lot_2_only.id, [2]) == lot_2_only


def test_answers_to_questions_that_do_not_apply_are_not_kept() -> None:
    answers = {"employers_liability_cover": 500_000_000, "public_liability_cover": 100}
    kept = applies.applicable_answers(PACKAGED, answers, [1], NO_EMPLOYEES)
    assert "employers_liability_cover" not in kept
    assert kept["public_liability_cover"] == 100
    kept = applies.applicable_answers(PACKAGED, answers, [1], TWELVE_EMPLOYEES)
    assert kept["employers_liability_cover"] == 500_000_000


def test_an_answer_of_the_wrong_kind_is_neither_kept_nor_carried_across() -> None:
    answers = {"annual_turnover": "a lot", "no_such_question": "x"}
    assert applies.applicable_answers(PACKAGED, answers, [1, 2], TWELVE_EMPLOYEES) == {}
    kept, pending = applies.carried_across(PACKAGED, answers, {"no_such_question": "y"})
    assert kept == {} and pending == {}
    assert applies.fits(PACKAGED.question("annual_turnover"), 25_000_000)  # type: ignore[arg-type]


def test_statuses_gaps_and_the_readable_list_of_an_empty_questionnaire() -> None:
    assert (
        progress.section_status(PACKAGED, {}, "insurance", [1], TWELVE_EMPLOYEES, None, TODAY)
        == SectionStatus.NOT_STARTED
    )
    assert (
        progress.section_status(
            PACKAGED, {"public_liability_cover": 100}, "insurance", [1], NO_EMPLOYEES, None, TODAY
        )
        == SectionStatus.IN_PROGRESS
    )
    with pytest.raises(LookupError):
        lot_2_only = next(s for s in PACKAGED.sections if s.lot == 2)
        progress.section_status(PACKAGED, {}, lot_2_only.id, [1], NO_EMPLOYEES, None, TODAY)
    gaps = progress.gaps(PACKAGED, {}, [1], TWELVE_EMPLOYEES, TODAY)
    assert gaps and {gap.section_id for gap in gaps} <= {s.id for s in PACKAGED.sections}
    sections = readable.readable_answers(PACKAGED, {}, [1], TWELVE_EMPLOYEES)
    assert [s.section_id for s in sections] == [s.id for s in applies.sections_for(PACKAGED, [1])]
    assert all(row.value == readable.NOT_ANSWERED for section in sections for row in section.rows)
