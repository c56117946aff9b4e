"""The record pages: a call-off's audit trail, its report (page, download and CSV files) and
the administrators' quarterly award notices. Buyers and viewers of the organisation read the
record once the call-off is decided, only the panel lead before; another organisation's call-off
is "not found"; suppliers are refused; only administrators see the quarterly notices."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import QuarterlyNotice, User
from dps.rules.enums import Role
from dps.services.awards import record
from dps.services.evaluation import scoring
from dps.web.admin import award_notices
from tests.conftest import page_text
from tests.fixtures.calloffs_world import make_calloff_world
from tests.fixtures.evaluation_scoring import declare_all, score_all
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.record_world import CONTRACT_REFERENCE, RecordWorld, awarded
from tests.unit.services.accounts.test_organisations import member

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rw(app: Flask) -> RecordWorld:
    return awarded(make_calloff_world())


def urls(call_off_id: int) -> list[str]:
    base = f"/buyer/call-offs/{call_off_id}"
    return [
        f"{base}/record",
        f"{base}/report",
        f"{base}/report/download",
        *(f"{base}/export/{kind}.csv" for kind in ("invitations", "responses", "scores", "award")),
    ]


def test_a_viewer_reads_the_trail_of_an_awarded_call_off_oldest_first(
    client: FlaskClient, rw: RecordWorld
) -> None:
    page = sign_in(client, rw.ew.viewer).get(f"/buyer/call-offs/{rw.call_off.id}/record")
    assert page.status_code == 200
    rows = page.soup.select("#trail tbody tr")
    what = [" ".join(r.select("td")[2].get_text().split()) for r in rows]
    assert what[0] == "Call-off started"
    assert what.index("Tenders opened") < what.index("Award decided")
    assert "Confirmed" in what
    assert "brother" in page_text(page)


def test_the_report_page_holds_the_record_and_links_its_files(
    client: FlaskClient, rw: RecordWorld
) -> None:
    call_off_id = rw.call_off.id
    page = sign_in(client, rw.ew.non_panel_buyer).get(f"/buyer/call-offs/{call_off_id}/report")
    assert page.status_code == 200
    text = page_text(page)
    for words in (
        "Oldham Council",
        "Testing a new tenancy policy",
        "£45,000",
        "Conflict of interest: My brother is a director of the third tenderer",
        "Tender rejected",
        "Award the contract to",
        CONTRACT_REFERENCE,
        "Why was our social value answer scored lower?",
    ):
        assert words in text, words
    links = {a.get_text(" ", strip=True): a["href"] for a in page.soup.select("main a")}
    assert links["Download the report"] == f"/buyer/call-offs/{call_off_id}/report/download"
    assert links["Scores and moderation"] == f"/buyer/call-offs/{call_off_id}/export/scores.csv"
    assert "dps-no-print" in page.soup.select_one("a[download]").find_parent("ul")["class"]


def test_the_download_is_the_same_report_as_one_file(client: FlaskClient, rw: RecordWorld) -> None:
    got = sign_in(client, rw.ew.viewer).get(f"/buyer/call-offs/{rw.call_off.id}/report/download")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"] == (
        f'attachment; filename="{rw.call_off.reference}-report.html"'
    )
    html = got.get_data(as_text=True)
    assert "<style>" in html and "<script" not in html and 'href="' not in html
    assert CONTRACT_REFERENCE in html and "Report on the award of" in html


def test_the_csv_files_download_and_another_kind_is_not_found(
    client: FlaskClient, rw: RecordWorld
) -> None:
    viewer = sign_in(client, rw.ew.viewer)
    base = f"/buyer/call-offs/{rw.call_off.id}/export"
    got = viewer.get(f"{base}/scores.csv")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert got.headers["Content-Disposition"] == (
        f'attachment; filename="{rw.call_off.reference}-scores.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert len(rows) == 18
    assert not any(r["Justification or rationale"].startswith("=") for r in rows)
    assert viewer.get(f"{base}/passwords.csv").status_code == 404


def test_the_call_off_page_links_the_record_once_it_may_be_read(
    client: FlaskClient, rw: RecordWorld
) -> None:
    page = sign_in(client, rw.ew.viewer).get(f"/buyer/call-offs/{rw.call_off.id}")
    section = page.soup.select_one("#record")
    assert section is not None and section.get_text(strip=True) == "Record and report"
    hrefs = [a["href"] for a in page.soup.select("main a")]
    assert f"/buyer/call-offs/{rw.call_off.id}/report" in hrefs
    assert f"/buyer/call-offs/{rw.call_off.id}/record" in hrefs


def test_another_organisation_s_call_off_is_not_found(client: FlaskClient, rw: RecordWorld) -> None:
    tameside = member("Tameside Council")
    for role in (Role.BUYER, Role.VIEWER):
        outsider = add_person(tameside, f"{role.value}@tameside.example.org", role)
        browser = sign_in(client, outsider)
        for url in urls(rw.call_off.id):
            assert browser.get(url).status_code == 404, (role, url)


def test_a_supplier_is_refused(client: FlaskClient, rw: RecordWorld) -> None:
    bidder = sign_in(client, rw.ew.people[0])
    for url in urls(rw.call_off.id):
        assert bidder.get(url).status_code == 403, url
    assert bidder.get(f"/buyer/call-offs/{rw.call_off.id + 1}/report").status_code == 403


@pytest.fixture
def ew(app: Flask) -> EvaluationWorld:
    return opened(make_calloff_world())


def test_before_the_decision_only_the_declared_lead_reads_the_record(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    call_off_id = ew.call_off.id
    for user in (ew.viewer, ew.member, ew.non_panel_buyer, ew.lead):
        browser = sign_in(client, user)
        for url in urls(call_off_id):
            refused = browser.get(url)
            assert refused.status_code == 403, (user.email, url)
        assert record.NOT_YET in page_text(browser.get(f"/buyer/call-offs/{call_off_id}/report"))
        page = browser.get(f"/buyer/call-offs/{call_off_id}")
        assert page.soup.select_one("#record") is None
    declare_all(ew)
    score_all(ew, ew.lead)
    assert scoring.submit(ew.call_off, actor=ew.lead, at=now()) == []
    browser = sign_in(client, ew.lead)
    for url in urls(call_off_id):
        assert browser.get(url).status_code == 403, url  # the member has not submitted yet
    assert "has not submitted" in page_text(browser.get(f"/buyer/call-offs/{call_off_id}/record"))
    assert browser.get(f"/buyer/call-offs/{call_off_id}").soup.select_one("#record") is None
    score_all(ew, ew.member)
    assert scoring.submit(ew.call_off, actor=ew.member, at=now()) == []
    for url in urls(call_off_id):
        assert browser.get(url).status_code == 200, url
    assert browser.get(f"/buyer/call-offs/{call_off_id}").soup.select_one("#record") is not None
    report = page_text(browser.get(f"/buyer/call-offs/{call_off_id}/report"))
    assert "No award decided yet." in report
    assert "No letters sent yet." in report
    assert "No contract confirmed yet." in report


# --- the quarterly award notices -------------------------------------------------------------


@pytest.fixture
def admin(rw: RecordWorld, monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setattr(award_notices, "utcnow", lambda: NOW)
    return add_person(rw.call_off.organisation, "ada.admin@oldham.example.org", Role.ADMINISTRATOR)


def test_only_administrators_see_the_quarterly_notices(
    client: FlaskClient, rw: RecordWorld, admin: User
) -> None:
    for user in (rw.ew.lead, rw.ew.viewer, rw.ew.people[0]):
        assert sign_in(client, user).get("/admin/award-notices").status_code == 403
    page = sign_in(client, admin).get("/admin/award-notices")
    assert page.status_code == 200
    text = page_text(page)
    assert "January to March 2027" in text and "Overdue" in text
    assert CONTRACT_REFERENCE in text
    home = sign_in(client, admin).get("/admin/")
    assert "/admin/award-notices" in [a["href"] for a in home.soup.select("main a")]


def test_an_administrator_records_a_quarter_s_notice_as_sent(
    client: FlaskClient, rw: RecordWorld, admin: User
) -> None:
    browser = sign_in(client, admin)
    form = {"year": "2027", "quarter": "1", "notice_reference": "2027/S 000-123456"}
    sent = browser.post(
        "/admin/award-notices", data={**form, "sent_on-day": "20", "sent_on-month": "4",
                                      "sent_on-year": "2027"},
    )  # fmt: skip
    assert sent.status_code == 302
    page = browser.get("/admin/award-notices")
    assert "Notice 2027/S 000-123456 sent on 20 April 2027." in page_text(page)
    again = browser.post(
        "/admin/award-notices", data={**form, "sent_on-day": "21", "sent_on-month": "4",
                                      "sent_on-year": "2027"},
    )  # fmt: skip
    assert again.status_code == 400
    assert [a.get_text(strip=True) for a in again.soup.select(".govuk-error-summary a")] == [
        "The notice for January to March 2027 is already recorded as sent"
    ]
    assert db.session.scalars(db.select(QuarterlyNotice)).one().notice_reference == (
        "2027/S 000-123456"
    )


def test_every_problem_is_shown_at_once_and_what_was_typed_is_kept(
    client: FlaskClient, rw: RecordWorld, admin: User
) -> None:
    browser = sign_in(client, admin)
    refused = browser.post(
        "/admin/award-notices",
        data={"year": "2027", "quarter": "1", "sent_on-day": "2", "sent_on-month": "6",
              "sent_on-year": "2027", "notice_reference": ""},
    )  # fmt: skip
    assert refused.status_code == 400
    summary = [
        (a.get_text(strip=True), a["href"]) for a in refused.soup.select(".govuk-error-summary a")
    ]
    assert summary == [
        (
            "The date the notice was sent must be today or in the past",
            "#quarter-2027-1-sent_on-day",
        ),
        ("Enter the notice’s reference", "#quarter-2027-1-notice_reference"),
    ]
    assert refused.soup.select_one("#quarter-2027-1-sent_on-day")["value"] == "2"
    assert refused.soup.title.get_text().startswith("Error: ")
    early = browser.post(
        "/admin/award-notices",
        data={"year": "2027", "quarter": "1", "sent_on-day": "31", "sent_on-month": "3",
              "sent_on-year": "2027", "notice_reference": "X"},
    )  # fmt: skip
    assert [a.get_text(strip=True) for a in early.soup.select(".govuk-error-summary a")] == [
        "The date the notice was sent must be after the quarter ended on 31 March 2027"
    ]
    assert db.session.scalars(db.select(QuarterlyNotice)).all() == []
