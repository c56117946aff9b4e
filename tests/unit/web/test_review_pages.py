"""The administrators' review pages as an officer uses them: the queue, the review page with
answers, documents, checks (earlier runs too) and history, assigning, extending the clock,
deciding a lot after previewing the letter; the pools and the supplier page with suspending,
reinstating and removing; and the refusals (403 for suppliers and buyers, 404 for what is not
there)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dps.extensions import db
from dps.models import Admission, Application, CheckResult, CheckRun, OutboxMessage, User
from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import (
    AdmissionStatus,
    ApplicationStatus,
    CheckOutcome,
    CheckState,
    LotOutcome,
    MembershipType,
    OrganisationKind,
    OutboxKind,
    Role,
)
from dps.rules.lifecycles import APPLICATION
from dps.services.applications import drafting, submission
from dps.services.common.statemachine import move
from dps.services.qualification import decisions
from tests.conftest import HTMLClient
from tests.fixtures.helpers import add_person, make_supplier, sign_in
from tests.fixtures.review_world import (
    ReviewWorld,
    bulk_applications,
    make_review_world,
    ready_for_review,
)
from tests.fixtures.sample_files import PDF

S = ApplicationStatus
REASONS = "Your public liability cover is below the £5,000,000 this lot asks for."


@pytest.fixture(autouse=True)
def no_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Applications are brought to review by the world, with a finished run of checks.
    monkeypatch.setattr(submission, "checks_available", lambda: False)
    yield


@pytest.fixture
def rw(app: Flask) -> ReviewWorld:
    return make_review_world()


@pytest.fixture
def officer(client: FlaskClient, rw: ReviewWorld) -> FlaskClient:
    return sign_in(client, rw.officer)


def other_client(app: Flask, user: User) -> FlaskClient:
    app.test_client_class = HTMLClient
    return sign_in(app.test_client(), user)


def main_text(page: Any) -> str:
    return re.sub(r"\s+", " ", page.soup.main.get_text(" ")).strip()


def banner(page: Any) -> str:
    """Every notification banner on the page, as one text."""
    found = page.soup.select(".govuk-notification-banner")
    return " | ".join(re.sub(r"\s+", " ", b.get_text(" ")).strip() for b in found)


def error_summary(page: Any) -> str:
    found = page.soup.select_one(".govuk-error-summary")
    return re.sub(r"\s+", " ", found.get_text(" ")).strip() if found else ""


def review_url(application: Application, page: str = "") -> str:
    return f"/admin/applications/{application.id}{page}"


def decide_url(rw: ReviewWorld, application: Application, number: int) -> str:
    return review_url(application, f"/lots/{rw.world.lots[number].id}/decide")


def emails_to(address: str) -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL)
        )
        if m.recipient == address
    ]


# --- refusals ---------------------------------------------------------------------------------


def admin_urls(rw: ReviewWorld, application: Application, admission: Admission) -> list[str]:
    lot = rw.world.lots[1].id
    document = application.snapshot["documents"][0]["id"] if application.snapshot else 1
    return [
        "/admin/applications",
        review_url(application),
        review_url(application, f"/documents/{document}"),
        review_url(application, "/assign"),
        review_url(application, "/checks/financial_standing/run-again"),
        review_url(application, "/extend"),
        review_url(application, f"/lots/{lot}/decide"),
        "/admin/lots",
        f"/admin/lots/{lot}",
        f"/admin/suppliers/{rw.world.supplier.id}",
        f"/admin/admissions/{admission.id}/suspend",
        f"/admin/admissions/{admission.id}/reinstate",
        f"/admin/admissions/{admission.id}/remove",
    ]


def test_suppliers_and_buyers_are_refused_every_review_page(app: Flask, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    decisions.decide_lot(application.id, rw.world.lots[1].id, "admitted", "", [], rw.officer)
    admission = db.session.scalars(select(Admission)).one()
    tameside = Organisation(
        name="Tameside Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
    )
    db.session.add(tameside)
    buyer = add_person(tameside, "buyer@tameside.example.org", Role.BUYER)
    colleague = add_person(rw.world.supplier, "user@coop-futures.example.org", Role.SUPPLIER_USER)
    urls = admin_urls(rw, application, admission)

    for person in (rw.owner, colleague, buyer, rw.world.rival_owner):
        browser = other_client(app, person)
        for url in urls:
            for method in ("GET", "POST"):
                response = browser.open(url, method=method)
                assert response.status_code in (403, 405), (person.email, method, url)
                if response.status_code == 403:
                    continue
                assert method == "POST" or url.endswith(("/assign", "/run-again")), url
    # Nothing changed on the way.
    db.session.refresh(admission)
    assert admission.status == AdmissionStatus.ADMITTED


def test_what_is_not_there_is_not_found(officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    draft = drafting.start_application(rw.world.rival.id, [1], actor=rw.world.rival_owner)
    lot1 = rw.world.lots[1].id
    for url in (
        "/admin/applications/424242",
        f"/admin/applications/424242/lots/{lot1}/decide",
        "/admin/applications/424242/extend",
        "/admin/applications/424242/documents/1",
        # A draft is the supplier's own business until it is sent.
        review_url(draft),
        # A lot the application is not for.
        review_url(application, f"/lots/{rw.world.lots[2].id}/decide"),
        "/admin/lots/424242",
        "/admin/suppliers/424242",
        f"/admin/suppliers/{rw.world.dps.owner_organisation_id}",  # a member, not a supplier
        "/admin/admissions/424242/suspend",
    ):
        assert officer.get(url).status_code == 404, url
    for url in (
        "/admin/applications/424242/assign",
        "/admin/applications/424242/checks/x/run-again",
    ):
        assert officer.post(url).status_code == 404, url


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_page_flags_what_is_overdue(officer: FlaskClient, rw: ReviewWorld) -> None:
    now = utcnow()
    bulk_applications(rw.world, 1, received=now - timedelta(days=30))
    bulk_applications(rw.world, 1, start=1, received=now, officer=rw.colleague)

    page: Any = officer.get("/admin/applications")

    rows = page.soup.select("tbody tr")
    assert [row.th.a.get_text(strip=True) for row in rows] == ["BULK-000000", "BULK-000001"]
    first, second = (re.sub(r"\s+", " ", row.get_text(" ")) for row in rows)
    assert "Overdue" in first and "Not assigned" in first
    assert "Co-operative Futures Ltd" in first and "Lot 1, Lot 2" in first
    assert "10 working days left" in second and "Sam Second" in second
    assert "Overdue" not in second
    assert "2 applications" in main_text(page)


def test_the_queue_filters_keep_what_was_chosen(officer: FlaskClient, rw: ReviewWorld) -> None:
    bulk_applications(rw.world, 2, officer=rw.officer)
    bulk_applications(rw.world, 1, start=2, status=S.DECIDED)

    mine: Any = officer.get("/admin/applications?officer=me")
    assert len(mine.soup.select("tbody tr")) == 2
    assert mine.soup.select_one("#officer option[selected]")["value"] == "me"

    decided: Any = officer.get("/admin/applications?status=decided")
    assert [r.th.a.get_text(strip=True) for r in decided.soup.select("tbody tr")] == ["BULK-000002"]
    # An edited link with a value not on offer shows the whole queue, not an error.
    edited: Any = officer.get("/admin/applications?status=draft&lot=abc")
    assert edited.status_code == 200
    assert len(edited.soup.select("tbody tr")) == 2


def test_the_queue_pages(app: Flask, officer: FlaskClient, rw: ReviewWorld) -> None:
    app.config["REVIEW_PAGE_SIZE"] = 2
    bulk_applications(rw.world, 5, officer=rw.officer)
    second: Any = officer.get("/admin/applications?officer=me&page=2")
    assert [r.th.a.get_text(strip=True) for r in second.soup.select("tbody tr")] == [
        "BULK-000002",
        "BULK-000003",
    ]
    assert "page 2 of 3" in main_text(second)
    following = second.soup.select_one(".govuk-pagination__next a")["href"]
    assert "officer=me" in following and "page=3" in following


# --- the review page --------------------------------------------------------------------------


def test_the_review_page_shows_answers_documents_checks_and_history(
    officer: FlaskClient, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1, 2], recommendation={1: "admit", 2: "reject"})

    page: Any = officer.get(review_url(application))

    assert page.status_code == 200
    text = main_text(page)
    # The answers, as sent.
    assert "Organisation details" in text and "OL1 1UT" in text
    assert "Mandatory grounds for exclusion" in text or "exclusion" in text.lower()
    # The documents, each downloadable through the application.
    downloads = [a["href"] for a in page.soup.select("#documents ~ dl a")]
    assert downloads and all(
        h.startswith(f"/admin/applications/{application.id}/documents/") for h in downloads
    )
    # The checks: result, reason, evidence and attempts, and the recommendation per lot.
    assert "No mandatory grounds for exclusion declared." in text
    assert "Turnover checked against the Lot 2 threshold." in text
    assert "Checks suggest: admit" in text and "Checks suggest: reject" in text
    assert "Run 1" in text
    assert "Threshold pence" in text
    # The history, newest first, with who did it.
    history = page.soup.select("#history ~ table tbody tr")
    whats = [row.select("td")[2].get_text(strip=True) for row in history]
    assert whats[0] == "Ready for review" and "Application sent" in whats
    sent_row = history[whats.index("Application sent")]
    assert rw.owner.email in sent_row.get_text()
    # Decide buttons for each lot.
    assert {a.get_text(strip=True) for a in page.soup.select("main a.govuk-button")} >= {
        "Decide Lot 1 – Policy Development & Testing",
        "Decide Lot 2 – Capacity Building",
    }


def test_earlier_runs_stay_visible(officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    now = utcnow()
    rerun = CheckRun(
        application_id=application.id,
        number=2,
        reason="rerun",
        created_at=now,
        completed_at=now,
        recommendation={str(rw.world.lots[1].id): "refer"},
        results=[
            CheckResult(
                check="financial_standing",
                scope=f"lot-{rw.world.lots[1].id}",
                lot_id=rw.world.lots[1].id,
                state=CheckState.DONE,
                outcome=CheckOutcome.REFER,
                reason="A new organisation: alternative evidence to look at.",
                attempts=3,
                finished_at=now,
            )
        ],
    )
    db.session.add(rerun)
    db.session.commit()

    page: Any = officer.get(review_url(application))

    text = main_text(page)
    assert "Latest run" in text and "Run 2: run again by an officer" in text
    assert "Checks suggest: look closely" in text
    earlier = page.soup.select("#checks ~ details")
    assert earlier and "Run 1" in earlier[0].get_text()
    assert "Turnover checked against the Lot 1 threshold." in earlier[0].get_text()


def test_during_a_clarification_the_page_says_the_clock_keeps_running(
    officer: FlaskClient, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1])
    move(APPLICATION, application, S.CLARIFICATION_REQUESTED, actor=rw.officer)
    db.session.commit()

    page: Any = officer.get(review_url(application))

    warning = page.soup.select_one(".govuk-warning-text").get_text(" ")
    assert "legal clock keeps running" in warning
    assert not page.soup.select("a[href$='/decide']")


def test_a_sent_document_downloads_through_its_application(
    officer: FlaskClient, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1])
    assert application.snapshot is not None
    kept = application.snapshot["documents"][0]

    response = officer.get(review_url(application, f"/documents/{kept['id']}"))

    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    # A document of the same supplier the application did not send, or another's: not found.
    rival = make_supplier("Rival Two Ltd")
    from dps.models import Document

    stray = Document(
        organisation_id=rival.id,
        kind=kept["kind"],
        title="Someone else's",
        filename="x.pdf",
        content_type="application/pdf",
        size_bytes=1,
        sha256="0" * 64,
        storage_key="stray-key",
    )
    db.session.add(stray)
    db.session.commit()
    assert officer.get(review_url(application, f"/documents/{stray.id}")).status_code == 404


# --- actions ----------------------------------------------------------------------------------


def test_assign_to_me_and_to_a_colleague(app: Flask, officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    app.config["WTF_CSRF_ENABLED"] = True  # the page as it is served, with every form's token
    page: Any = officer.get(review_url(application))
    app.config["WTF_CSRF_ENABLED"] = False
    assert len(page.soup.select("main form input[name=csrf_token]")) >= 3
    ids = [tag["id"] for tag in page.soup.select("[id]")]
    assert len(ids) == len(set(ids)), "every id on the page is unique"
    assert page.soup.select_one("#officer-me")["value"] == str(rw.officer.id)

    done = officer.post(
        review_url(application, "/assign"), data={"officer": rw.officer.id}, follow_redirects=True
    )
    assert "is assigned to you" in banner(done)
    assert application.assigned_officer_id == rw.officer.id

    refused = officer.post(
        review_url(application, "/assign"), data={"officer": rw.owner.id}, follow_redirects=True
    )
    assert "Select an administrator" in banner(refused)
    db.session.refresh(application)
    assert application.assigned_officer_id == rw.officer.id

    officer.post(review_url(application, "/assign"), data={"officer": rw.colleague.id})
    db.session.refresh(application)
    assert application.assigned_officer_id == rw.colleague.id


def test_extending_the_clock_through_the_page(officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    form: Any = officer.get(review_url(application, "/extend"))
    assert "Due if extended" in main_text(form)

    empty: Any = officer.post(review_url(application, "/extend"), data={"justification": " "})
    assert empty.status_code == 200
    assert "Explain why more time is justified" in error_summary(empty)
    assert empty.soup.title.get_text().startswith("Error:")

    done = officer.post(
        review_url(application, "/extend"),
        data={"justification": "Checking the cover with the insurer."},
        follow_redirects=True,
    )
    assert "The time to decide is extended" in banner(done)
    assert "Checking the cover with the insurer." in main_text(done)
    assert "Extend the time to decide" not in [a.get_text(strip=True) for a in done.soup("a")]

    again = officer.post(
        review_url(application, "/extend"), data={"justification": "Again."}, follow_redirects=True
    )
    assert "cannot be extended again" in banner(again)


def test_deciding_a_lot_after_previewing_the_letter(officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1, 2], recommendation={1: "admit", 2: "reject"})
    url = decide_url(rw, application, 2)

    form: Any = officer.get(url)
    assert "Checks suggest: reject" in main_text(form)

    # A rejection without a reason code: the error, with what was typed kept.
    missing: Any = officer.post(url, data={"outcome": "rejected", "reasons": REASONS})
    assert "Select at least one reason for rejecting" in error_summary(missing)
    assert missing.soup.select_one("#reasons").get_text() == REASONS
    assert missing.soup.select_one("input[name=outcome][value=rejected]").has_attr("checked")

    chosen = {"outcome": "rejected", "reasons": REASONS, "codes": ["insurance", "incomplete"]}
    preview: Any = officer.post(url, data=chosen | {"preview": "Preview the letter"})
    assert preview.soup.h1.get_text(strip=True) == "Check the letter before you send it"
    letter = main_text(preview)
    assert REASONS in letter and "Insurance cover" in letter and rw.owner.email in letter
    assert not emails_to(rw.owner.email)[1:]  # only the receipt so far

    # Back to the form: everything kept.
    change: Any = officer.post(url, data=chosen | {"change": "Change the decision"})
    assert change.soup.select_one("#reasons").get_text() == REASONS
    assert change.soup.select_one("input[name=codes][value=insurance]").has_attr("checked")

    sent = officer.post(url, data=chosen | {"confirm": "Confirm and send"}, follow_redirects=True)
    assert "Decision sent: the supplier is not admitted to Lot 2" in banner(sent)
    outcome = {al.lot.number: al for al in application.lots}[2]
    assert outcome.outcome == LotOutcome.REJECTED
    assert outcome.reason_codes == ["insurance", "incomplete"]
    letters = [m for m in emails_to(rw.owner.email) if "not admitted to Lot 2" in m.subject]
    assert len(letters) == 1 and REASONS in letters[0].payload["body"]

    # Decided once: the form sends the officer back with the reason.
    again = officer.get(url, follow_redirects=True)
    assert "already been decided" in banner(again)


def test_the_last_lot_decided_decides_the_application(
    officer: FlaskClient, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1])
    officer.post(
        decide_url(rw, application, 1), data={"outcome": "admitted", "confirm": "Confirm and send"}
    )
    db.session.refresh(application)
    assert application.status == S.DECIDED
    page: Any = officer.get(review_url(application))
    assert "Decided" in main_text(page)
    assert not page.soup.select("#assign")  # nothing left to assign


def test_no_decision_while_the_checks_run(officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    db.session.execute(
        db.update(Application).where(Application.id == application.id).values(status=S.CHECKING)
    )
    db.session.commit()
    refused = officer.get(decide_url(rw, application, 1), follow_redirects=True)
    assert "The checks are still running" in banner(refused)


def test_a_decision_needs_the_csrf_token(app: Flask, officer: FlaskClient, rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    app.config["WTF_CSRF_ENABLED"] = True
    response = officer.post(
        decide_url(rw, application, 1), data={"outcome": "admitted", "confirm": "Confirm and send"}
    )
    assert response.status_code == 400
    db.session.refresh(application)
    assert application.lots[0].outcome == LotOutcome.PENDING


# --- pools and the supplier page --------------------------------------------------------------


@pytest.fixture
def admission(rw: ReviewWorld) -> Admission:
    application = ready_for_review(rw.world, [1])
    decisions.decide_lot(application.id, rw.world.lots[1].id, "admitted", "", [], rw.officer)
    return db.session.scalars(select(Admission)).one()


def test_the_pools_and_the_supplier_page(
    officer: FlaskClient, rw: ReviewWorld, admission: Admission
) -> None:
    lots: Any = officer.get("/admin/lots")
    row = lots.soup.select("tbody tr")[0]
    assert "Lot 1" in row.get_text() and row.select("td")[0].get_text(strip=True) == "1"

    pool: Any = officer.get(f"/admin/lots/{rw.world.lots[1].id}")
    assert "Co-operative Futures Ltd" in main_text(pool)
    assert "1 supplier would be invited" in main_text(pool)

    supplier: Any = officer.get(f"/admin/suppliers/{rw.world.supplier.id}")
    text = main_text(supplier)
    assert "Places in lots" in text and "Admitted" in text
    assert admission.application_id is not None
    assert f"/admin/applications/{admission.application_id}" in [
        a["href"] for a in supplier.soup.select("main a")
    ]
    history = [r.select("td")[2].get_text(strip=True) for r in supplier.soup.select("tbody tr")]
    assert "Admitted to the lot" in history and "Lot decided" in history


def test_suspend_reinstate_and_remove_through_the_pages(
    officer: FlaskClient, rw: ReviewWorld, admission: Admission
) -> None:
    url = f"/admin/admissions/{admission.id}"
    empty: Any = officer.post(f"{url}/suspend", data={"reason": ""})
    assert "Enter the reason the supplier is being suspended" in error_summary(empty)

    done = officer.post(
        f"{url}/suspend", data={"reason": "Insurance lapsed."}, follow_redirects=True
    )
    assert "is suspended in Lot 1" in banner(done)
    assert admission.status == AdmissionStatus.SUSPENDED
    assert "Insurance lapsed." in main_text(done)

    officer.post(f"{url}/reinstate", data={"reason": ""}, follow_redirects=True)
    assert admission.status == AdmissionStatus.ADMITTED

    officer.post(f"{url}/remove", data={"reason": "Serious breach."}, follow_redirects=True)
    assert admission.status == AdmissionStatus.REMOVED
    refused = officer.get(f"{url}/reinstate", follow_redirects=True)
    assert "removed from this lot" in banner(refused)
    subjects = [m.subject for m in emails_to(rw.owner.email)]
    assert sum("Lot 1 of the CCIN DPS" in s for s in subjects) == 3


def test_running_a_check_again_adds_a_run_and_keeps_the_first(
    officer: FlaskClient, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1])
    page: Any = officer.get(review_url(application))
    buttons = [b.get_text(" ", strip=True) for b in page.soup.select("#checks ~ table button")]
    assert "Run again Mandatory exclusion grounds" in buttons

    done = officer.post(
        review_url(application, "/checks/mandatory_exclusions/run-again"), follow_redirects=True
    )

    assert "is running again" in banner(done)
    runs = db.session.scalars(
        select(CheckRun).where(CheckRun.application_id == application.id).order_by(CheckRun.number)
    ).all()
    assert [(run.number, run.reason) for run in runs] == [(1, "submission"), (2, "rerun")]
    assert {result.check for result in runs[1].results} == {"mandatory_exclusions"}
    assert "Run 1" in " ".join(d.get_text() for d in done.soup.select("#checks ~ details"))

    unknown = officer.post(
        review_url(application, "/checks/astrology/run-again"), follow_redirects=True
    )
    assert "no check called astrology" in banner(unknown)
