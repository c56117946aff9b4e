"""Counting the SQL statements a piece of work sends, and the work queue's promise: with a
page size P, a queue of 1, P + 1 or 10,000 applications costs the same number of queries.

Statements are counted with a SQLAlchemy ``before_cursor_execute`` listener on the engine; the
applications are made with Core bulk inserts, so 10,000 take a second or two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from dps.extensions import db
from dps.services import review
from dps.services.review import QueueFilters
from tests.review_world import ReviewWorld, bulk_applications

RECEIVED = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@contextmanager
def counting_queries() -> Iterator[Callable[[], int]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_for_queue(officer_id: int, per_page: int) -> int:
    db.session.expire_all()  # nothing already loaded may spare a query
    with counting_queries() as counted:
        page = review.work_queue(
            QueueFilters(), viewer_id=officer_id, at=RECEIVED, page=1, per_page=per_page
        )
        for row in page.rows:  # everything the page shows
            _ = (
                row.application.reference,
                row.application.organisation.name,
                row.application.assigned_officer,
                row.application.lot_numbers,
            )
        return counted()


def queries_for_page(client: FlaskClient, url: str) -> int:
    db.session.expire_all()
    with counting_queries() as counted:
        response: Any = client.get(url)
        assert response.status_code == 200
        assert response.soup.select("tbody tr"), "the page shows applications"
        return counted()


def assert_same_queries_however_many(
    rw: ReviewWorld, client: FlaskClient | None, per_page: int
) -> None:
    officer_id, lot1 = rw.officer.id, rw.world.lots[1].id
    # Each size adds to the last; the filtered view (Lot 1, assigned to me) has rows at each.
    batches: dict[int, list[dict[str, Any]]] = {
        1: [{"count": 1, "officer": rw.officer, "lot_numbers": (1,)}],
        per_page + 1: [{"count": per_page, "officer": None, "lot_numbers": (1, 2)}],
        10_000: [
            {"count": 5_000, "officer": rw.officer, "lot_numbers": (1, 2)},
            {"count": 10_000 - per_page - 1 - 5_000, "officer": rw.colleague, "lot_numbers": (2,)},
        ],
    }
    service: dict[int, int] = {}
    pages: dict[int, int] = {}
    filtered: dict[int, int] = {}
    made = 0
    for size, parts in batches.items():
        for part in parts:
            bulk_applications(rw.world, start=made, **part)
            made += part["count"]
        assert made == size
        service[size] = queries_for_queue(officer_id, per_page)
        if client is not None:
            pages[size] = queries_for_page(client, "/admin/applications")
            filtered[size] = queries_for_page(client, f"/admin/applications?lot={lot1}&officer=me")
    assert len(set(service.values())) == 1, service
    # One COUNT for the pager, one SELECT for the page, one for the page's lots.
    assert service[1] == 3
    if client is not None:
        assert len(set(pages.values())) == 1, pages
        assert len(set(filtered.values())) == 1, filtered
