"""The record's CSV files: a header row and one row per item, money in pounds to two places,
instants in ISO 8601 with their offset, text that starts like a formula made inert, another
kind not found, and the report's read rule."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from dps.rules.refusals import NotAllowed, NotFound
from dps.services.awards import exports
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import opened
from tests.fixtures.record_world import ADVANTAGES, FORMULA, awarded


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


def test_a_cell_that_starts_like_a_formula_is_made_inert() -> None:
    for text in ("=1+1", "+44 161", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert exports.cell(text) == "'" + text
    assert exports.cell("Plain text") == "Plain text"
    assert exports.cell(None) == ""
    assert exports.cell(True) == "Yes"
    assert exports.cell(date(2027, 3, 31)) == "2027-03-31"
    summer = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    assert exports.cell(summer) == "2027-06-01T10:00:00+01:00"
    assert exports.pounds(4_500_050) == "45000.50"
    assert exports.pounds(2_500_000) == "25000.00"


@pytest.fixture
def made(cw: CallOffWorld) -> dict[str, str]:
    rw = awarded(cw)
    at = rw.contract.confirmed_at + timedelta(days=1)
    out = {}
    for kind in exports.KINDS:
        text, name = exports.csv_for(rw.call_off, kind, cw.viewer, at)
        assert name == f"{rw.call_off.reference}-{kind}.csv"
        out[kind] = text
    return out


def test_invitations_and_responses(made: dict[str, str]) -> None:
    assert header(made["invitations"]) == ["Call-off", "Supplier", "Invited at"]
    invited = rows(made["invitations"])
    assert [r["Supplier"] for r in invited] == [f"tenderer-1-{n:05d}" for n in range(3)]
    assert invited[0]["Invited at"].endswith("+00:00") and "T" in invited[0]["Invited at"]
    responses = rows(made["responses"])
    assert header(made["responses"])[:4] == ["Call-off", "Supplier", "Response", "Received at"]
    assert [r["Response"] for r in responses] == ["Tendered"] * 3
    assert all(len(r["SHA-256"]) == 64 and r["Revision"] == "1" for r in responses)


def test_scores_give_each_panel_score_and_each_moderated_score(made: dict[str, str]) -> None:
    scores = rows(made["scores"])
    # 3 tenders x 2 questions x (2 members + 1 moderated)
    assert len(scores) == 18
    assert {r["Kind of score"] for r in scores} == {"Panel member", "Moderated"}
    risky = [r for r in scores if "HYPERLINK" in r["Justification or rationale"]]
    assert [r["Justification or rationale"] for r in risky] == ["'" + FORMULA]
    assert not any(r["Justification or rationale"].startswith("=") for r in scores)


def test_award_gives_the_ranking_the_exclusion_and_the_decision(made: dict[str, str]) -> None:
    award = rows(made["award"])
    assert [r["Line"] for r in award] == ["Ranking", "Ranking", "Excluded", "Decision"]
    assert award[0]["Rank"] == "1"
    assert award[0]["Price (£)"] in {"40000.00", "30000.00"}
    assert len(award[0]["Total"].split(".")[1]) == 2
    assert award[2]["Reason"].startswith("Abnormally low price")
    assert award[3]["Outcome"] == "Awarded" and award[3]["Decided by"] == "Bea Buyer"
    assert award[3]["Reason"] == ""  # the highest ranked tender was chosen
    assert award[3]["Advantages of the winning tender"] == ADVANTAGES
    assert all(len(row) == len(header(made["award"])) for row in award)
    assert award[3]["Supplier"] == award[0]["Supplier"]


def test_another_kind_is_not_found_and_the_read_rule_holds(cw: CallOffWorld) -> None:
    ew = opened(cw)
    at = ew.tenders[0].opened_at
    with pytest.raises(NotFound):
        exports.csv_for(ew.call_off, "passwords", ew.viewer, at)
    with pytest.raises(NotAllowed):
        exports.csv_for(ew.call_off, "scores", ew.viewer, at)
