"""The ranking from the moderated scores, the prices and the call-off's weights, formula and
tie-break: complete only when every ranked tender is moderated, a rejected tender left out with
its reason, and the frozen JSON kept with the award."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dps.extensions import db
from dps.rules.evaluation import PriceFormula, TieBreak, from_stored, two_places
from dps.services.evaluation import ranking
from tests.fixtures.award_world import LOW_PRICES, declared, moderate, ready, reject_low_price
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import opened


def test_the_totals_follow_from_the_moderated_scores_weights_and_prices(cw: CallOffWorld) -> None:
    ew = ready(cw)
    result = ranking.current(ew.call_off)
    assert result.complete and result.ranking is not None
    first, second, third = result.ranking.rows
    # Tender 1: 50 + 16 + 30 × 25,000/40,000 = 84.75
    assert first.key == ew.tenders[0].id and first.total == Fraction(339, 4)
    # Tender 3: 20 + 8 + 30 = 58; tender 2: 30 + 12 + 25 = 67
    assert [second.key, third.key] == [ew.tenders[1].id, ew.tenders[2].id]
    assert (second.total, third.total) == (67, 58)
    assert result.proposed_tender_id == ew.tenders[0].id


def test_the_ranking_waits_for_every_moderated_score(cw: CallOffWorld) -> None:
    ew = ready(cw, scores=((5, 4), None, (2, 2)))
    result = ranking.current(ew.call_off)
    assert not result.complete and result.proposed_tender_id is None
    assert result.missing == {ew.tenders[1].id: 2}


def test_the_formula_and_tie_break_of_the_call_off_are_used(cw: CallOffWorld) -> None:
    ew = ready(cw, scores=((4, 3), (1, 1), (2, 5)))
    ew.call_off.price_formula = PriceFormula.DIFFERENCE_FROM_LOWEST
    ew.call_off.tie_break = TieBreak.HIGHER_SOCIAL_VALUE
    db.session.commit()
    result = ranking.current(ew.call_off)
    assert result.ranking is not None
    one = result.ranking.row_for(ew.tenders[0].id)
    three = result.ranking.row_for(ew.tenders[2].id)
    assert one is not None and three is not None
    # 40,000 is 60% above 25,000: 30 × 0.4 = 12 price marks. 40 + 12 + 12 = 64 against 20 + 20
    # + 30 = 70 for the cheapest.
    assert (one.price, one.total) == (12, 64)
    assert three.total == 70 and three.rank == 1


def test_a_rejected_tender_is_left_out_with_its_reason(cw: CallOffWorld) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)))
    reject_low_price(ew)
    result = ranking.current(ew.call_off)
    assert result.ranking is not None
    assert [row.key for row in result.ranking.rows] == [ew.tenders[0].id, ew.tenders[1].id]
    assert result.ranking.lowest_price_pence == 3_000_000
    (excluded,) = result.excluded
    assert excluded.tender_id == ew.tenders[2].id
    assert excluded.reason == "Abnormally low price: It does not account for the staff costs"


def test_a_rejected_tender_needs_no_moderated_score(cw: CallOffWorld) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)), ((5, 4), (3, 3), None))
    reject_low_price(ew)
    assert ranking.current(ew.call_off).complete


def test_the_frozen_ranking_keeps_exact_marks_and_the_shape_of_the_award(
    cw: CallOffWorld,
) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)))
    reject_low_price(ew)
    kept = ranking.frozen(ranking.current(ew.call_off))
    assert set(kept) >= {"criteria", "rows", "excluded", "lowest_price_pence"}
    assert kept["criteria"]["price_weight_percent"] == 30
    assert kept["criteria"]["price_formula"] == "lowest_over_this"
    assert kept["criteria"]["tie_break"] == "higher_quality"
    assert [q["weight_percent"] for q in kept["criteria"]["questions"]] == [50, 20]
    row = kept["rows"][0]
    assert row["tender_id"] == ew.tenders[0].id and row["rank"] == 1
    assert row["price_pence"] == 4_000_000
    # The lowest ranked price is now 30,000: 50 + 16 + 30 × 30,000/40,000 = 88.5
    assert row["total"] == "177/2" and two_places(from_stored(row["total"])) == "88.50"
    assert row["scores"] == {
        str(q.id): s for q, s in zip(ew.call_off.questions, (5, 4), strict=True)
    }
    assert kept["excluded"][0]["tender_id"] == ew.tenders[2].id
    assert kept["lowest_price_pence"] == 3_000_000


@pytest.mark.parametrize("prices", [("40000", "30000", "25000")])
def test_a_supplier_is_named_as_its_tender_was_sent(cw: CallOffWorld, prices: tuple[str]) -> None:
    ew = ready(cw, prices)
    result = ranking.current(ew.call_off)
    assert result.supplier(ew.tenders[0].id) == ew.tenders[0].organisation.name
