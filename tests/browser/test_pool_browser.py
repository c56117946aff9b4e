"""A demo buyer reads the pool of Lot 1 in Chromium: from the buyer home to the list of
admitted suppliers, filtered with the checkboxes, downloaded as CSV (exactly the filtered
rows); then the demo Affiliate viewer is refused the same page with the reason. axe-core
checks every page on the way, under the production Content-Security-Policy.

The demo data admits three suppliers to each lot; the server's fixture admits three more to
Lot 1 directly (as the issue allows), one with a formula-looking name, and one suspended
supplier besides, which must not show."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from dps import create_app
from dps.demo import load_demo_data
from dps.demo.data import DEMO_PASSWORD
from dps.extensions import db
from dps.models import Lot
from dps.rules.enums import AdmissionStatus, OrganisationSize
from tests.browser.conftest import LiveServer, serve
from tests.fixtures.pool_world import admitted_supplier

pytestmark = pytest.mark.browser

BUYER = "tameside.buyer@example.org"
AFFILIATE_VIEWER = "affiliate.officer@example.org"


@pytest.fixture(scope="module")
def pool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """As `make run` leaves it (migrated, demo data loaded), with Lot 1's pool filled."""
    tmp_path = tmp_path_factory.mktemp("pool")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pool.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "record",
        },
        env={"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    with app.app_context():
        upgrade()
        load_demo_data()
        lot1 = db.session.scalars(db.select(Lot).where(Lot.number == 1)).one()
        # The two demo suppliers, with the profiles the demo data gave them.
        admitted_supplier(lot1, "Co-operative Futures Ltd")
        admitted_supplier(lot1, "Capacity Works CIC")
        admitted_supplier(
            lot1, "=Northern Consulting Ltd", size=OrganisationSize.LARGE, regions=["london"]
        )
        admitted_supplier(lot1, "Suspended Supplies Ltd", status=AdmissionStatus.SUSPENDED)
        db.session.remove()
    with serve(app) as server:
        yield server


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def names_in_table(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#pool tbody th").all_inner_texts()]


def test_a_buyer_filters_the_pool_of_lot_1_and_downloads_it(
    pool_server: LiveServer, page: Any, check_page: Callable[[], None], tmp_path: Path
) -> None:
    server = pool_server
    sign_in(page, server, BUYER)
    page.goto(server("/buyer/"))
    expect(page.locator("h1")).to_contain_text("Tameside")
    check_page()

    page.get_by_role(
        "link", name="See the suppliers admitted to Lot 1 – Policy Development & Testing"
    ).click()
    expect(page.locator("h1")).to_have_text("Suppliers admitted")
    expect(page.locator("#pool-heading")).to_have_text("6 suppliers")
    assert names_in_table(page) == [
        "=Northern Consulting Ltd",
        "Capacity Works CIC",
        "Co-operative Futures Ltd",
        "Community Catalyst CIC",
        "Northern Co-operative Consultancy CIC",
        "Participation Partners CIC",
    ]
    check_page()

    page.get_by_label("Co-operative or mutual").check()
    page.get_by_label("North West").check()
    page.get_by_role("button", name="Filter suppliers").click()
    expect(page.locator("#pool-heading")).to_have_text(
        "1 supplier, filtered by co-operative or mutual; serving North West"
    )
    assert names_in_table(page) == ["Co-operative Futures Ltd"]
    expect(page.get_by_label("North West")).to_be_checked()
    check_page()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this supplier as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "lot-1-suppliers.csv"
    saved = tmp_path / "pool.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8"))))
    assert rows[0] == [
        "Supplier",
        "Size",
        "VCSE",
        "Co-operative or mutual",
        "Regions served",
        "Date admitted",
    ]
    assert [row[:5] for row in rows[1:]] == [
        ["Co-operative Futures Ltd", "Small", "Yes", "Yes", "North West; Yorkshire and the Humber"]
    ]

    # Unfiltered, the download makes the formula-looking name plain text.
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("#pool-heading")).to_have_text("6 suppliers")
    check_page()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these 6 suppliers as CSV").click()
    download_info.value.save_as(saved)
    everyone = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8"))))
    assert [row[0] for row in everyone[1:]] == [
        "'=Northern Consulting Ltd",
        "Capacity Works CIC",
        "Co-operative Futures Ltd",
        "Community Catalyst CIC",
        "Northern Co-operative Consultancy CIC",
        "Participation Partners CIC",
    ]


def test_an_affiliate_viewer_is_refused_the_pool_with_the_reason(
    pool_server: LiveServer, page: Any, check_page: Callable[[], None]
) -> None:
    server = pool_server
    sign_in(page, server, AFFILIATE_VIEWER)
    page.goto(server("/buyer/"))
    expect(page.locator("#why-not-buying")).to_contain_text("so its people cannot run call-offs")
    check_page()
    page.goto(server("/buyer/lots/1/suppliers"))
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    expect(page.locator("#refusal-reason")).to_contain_text("Oldham Council procurement")
    check_page()
