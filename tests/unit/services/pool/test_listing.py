"""The pool as buyers read it: admitted and not suspended, filtered, one query, safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask

from dps.extensions import db
from dps.rules.enums import AdmissionStatus, OrganisationSize
from dps.services.pool import listing
from dps.services.pool.listing import PoolFilters
from tests.fixtures.pool_world import admitted_supplier, many_admitted
from tests.fixtures.query_counting import counting_queries
from tests.fixtures.questionnaire_world import World, make_world

SIZE = OrganisationSize


@pytest.fixture
def world(app: Flask) -> World:
    world = make_world()
    lot1, lot2 = world.lots[1], world.lots[2]
    admitted_supplier(lot1, "Beta Co-op", size=SIZE.MICRO, vcse=True, cooperative=True,
                      regions=["wales", "north_west"])  # fmt: skip
    admitted_supplier(lot1, "alpha Consulting", size=SIZE.LARGE, regions=["london"],
                      at=datetime(2026, 3, 1, 12, tzinfo=UTC))  # fmt: skip
    admitted_supplier(lot1, "Gamma CIC", size=SIZE.SMALL, vcse=True,
                      regions=["anywhere_in_the_uk"])  # fmt: skip
    admitted_supplier(lot1, "Suspended Ltd", status=AdmissionStatus.SUSPENDED)
    admitted_supplier(lot1, "Removed Ltd", status=AdmissionStatus.REMOVED)
    admitted_supplier(lot2, "Lot Two Only Ltd")
    return world


def names(rows: list[listing.PoolRow]) -> list[str]:
    return [row.name for row in rows]


def test_admitted_and_not_suspended_by_name_in_that_lot_only(world: World) -> None:
    rows = listing.admitted_suppliers(world.lots[1].id)
    assert names(rows) == ["alpha Consulting", "Beta Co-op", "Gamma CIC"]
    assert names(listing.admitted_suppliers(world.lots[2].id)) == ["Lot Two Only Ltd"]
    beta = rows[1]
    assert (beta.size_label, beta.vcse_label, beta.cooperative_label) == ("Micro", "Yes", "Yes")
    # Regions in the order people read them, not the order typed.
    assert beta.region_labels == ["North West", "Wales"]
    assert rows[0].admitted_at == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_supplier_without_a_profile_still_shows(world: World) -> None:
    admitted_supplier(world.lots[1], "No Profile Ltd", profile=False)
    row = next(
        r for r in listing.admitted_suppliers(world.lots[1].id) if r.name == "No Profile Ltd"
    )
    assert (row.size_label, row.vcse_label, row.region_labels) == ("Not given", "Not given", [])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (PoolFilters(sizes=frozenset({SIZE.MICRO, SIZE.SMALL})), ["Beta Co-op", "Gamma CIC"]),
        (PoolFilters(vcse_only=True), ["Beta Co-op", "Gamma CIC"]),
        (PoolFilters(cooperative_only=True), ["Beta Co-op"]),
        # Anywhere in the UK serves every region.
        (PoolFilters(regions=frozenset({"wales"})), ["Beta Co-op", "Gamma CIC"]),
        (PoolFilters(regions=frozenset({"london"})), ["alpha Consulting", "Gamma CIC"]),
        (PoolFilters(sizes=frozenset({SIZE.LARGE}), vcse_only=True), []),
        (
            PoolFilters(vcse_only=True, regions=frozenset({"north_west", "london"})),
            ["Beta Co-op", "Gamma CIC"],
        ),
    ],
)
def test_filters(world: World, filters: PoolFilters, expected: list[str]) -> None:
    assert names(listing.admitted_suppliers(world.lots[1].id, filters)) == expected


def test_the_heading_counts_and_names_the_filters() -> None:
    assert listing.heading(12, PoolFilters()) == "12 suppliers"
    assert listing.heading(1, PoolFilters()) == "1 supplier"
    filters = PoolFilters(
        sizes=frozenset({SIZE.SMALL, SIZE.MICRO}),
        vcse_only=True,
        cooperative_only=True,
        regions=frozenset({"wales", "north_west"}),
    )
    assert listing.heading(2, filters) == (
        "2 suppliers, filtered by size: micro or small; VCSE; co-operative or mutual; "
        "serving North West or Wales"
    )


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 161", "'+44 161"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plain Ltd", "Plain Ltd"),
        ("A=B", "A=B"),
    ],
)
def test_a_cell_that_could_be_a_formula_is_made_text(value: str, safe: str) -> None:
    assert listing.safe_cell(value) == safe


def test_the_csv_is_exactly_the_rows_with_a_header(world: World) -> None:
    admitted_supplier(world.lots[1], "=cmd|' /C calc'!A0", size=SIZE.MEDIUM, regions=["wales"])
    rows = listing.admitted_suppliers(world.lots[1].id, PoolFilters(regions=frozenset({"wales"})))
    parsed = list(csv.reader(io.StringIO(listing.as_csv(rows))))
    assert parsed[0] == list(listing.CSV_HEADER)
    assert parsed[1:] == [
        ["'=cmd|' /C calc'!A0", "Medium", "No", "No", "Wales", "5 October 2026"],
        ["Beta Co-op", "Micro", "Yes", "Yes", "North West; Wales", "5 October 2026"],
        ["Gamma CIC", "Small", "Yes", "No", "Anywhere in the UK", "5 October 2026"],
    ]


def test_the_lots_of_the_dps(world: World) -> None:
    assert [lot.number for lot in listing.lots()] == [1, 2]
    assert listing.get_lot(world.lots[2].id) is world.lots[2]
    assert listing.get_lot(999) is None


def queries_for(lot_id: int, filters: PoolFilters) -> tuple[int, int]:
    db.session.expire_all()
    with counting_queries() as counted:
        rows = listing.admitted_suppliers(lot_id, filters)
        listing.as_csv(rows)  # everything the page and the download show
        return counted(), len(rows)


def test_one_query_however_many_suppliers(world: World) -> None:
    lot_id = world.lots[1].id
    filtered = PoolFilters(vcse_only=True, regions=frozenset({"wales"}))
    counts = {}
    made = 0
    for size in (10, 1_000):
        many_admitted(world.lots[1], size - made, start=made)
        made = size
        counts[size] = (queries_for(lot_id, PoolFilters()), queries_for(lot_id, filtered))
    # The world's three, and the bulk suppliers.
    assert counts[10][0] == (1, 3 + 10)
    assert counts[1_000][0] == (1, 3 + 1_000)
    assert counts[10][1][0] == counts[1_000][1][0] == 1
    assert counts[1_000][1][1] > counts[10][1][1] > 0
