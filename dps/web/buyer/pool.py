"""Buyers: the suppliers admitted to each lot, filtered and downloaded."""

from __future__ import annotations

from flask import Response, url_for

from dps.web import pool_pages
from dps.web.access import Area, allow
from dps.web.buyer import bp


@bp.get("/lots/<int:lot_id>/suppliers")
@allow(Area.BUYER)
def pool(lot_id: int) -> str:
    return pool_pages.pool_page(
        lot_id,
        page_endpoint="buyer.pool",
        csv_endpoint="buyer.pool_csv",
        back={"href": url_for("buyer.home"), "text": "Home"},
    )


@bp.get("/lots/<int:lot_id>/suppliers.csv")
@allow(Area.BUYER)
def pool_csv(lot_id: int) -> Response:
    return pool_pages.pool_csv(lot_id)
