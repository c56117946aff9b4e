"""The award's frozen ranking read back for the record: marks to two decimal places, half up."""

from __future__ import annotations

from fractions import Fraction

from dps.rules.award_record import ranking_rows
from dps.rules.evaluation import stored


def test_ranking_rows_show_each_mark_to_two_places() -> None:
    ranking = {
        "rows": [
            {"tender_id": 5, "supplier": "Co-op A", "rank": 1, "tied": True, "tie_broken": True,
             "price_pence": 1_200_000, "quality": stored(Fraction(1647, 20)),
             "social_value": "10/1", "price": "40/1", "total": stored(Fraction(2, 3))},
        ],
    }  # fmt: skip
    [row] = ranking_rows(ranking)
    assert (row.rank, row.supplier, row.price_pence) == (1, "Co-op A", 1_200_000)
    assert row.quality == "82.35"
    assert row.social_value == "10.00"
    assert row.total == "0.67"
    assert row.tied and row.tie_broken


def test_no_rows_is_an_empty_ranking() -> None:
    assert ranking_rows({}) == []
