"""The application pages and the supplier's home page, as a signed-in supplier uses them: the
journey from choosing lots to the status page, errors that keep the declaration typed, another
supplier's application not found (by URL and by form field), withdrawing, and the dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Application, Document, OutboxMessage
from dps.models.clarifications import ClarificationRequest
from dps.rules.enums import (
    AdmissionStatus,
    ApplicationStatus,
    DocumentKind,
    LotOutcome,
    OutboxKind,
    Role,
)
from dps.services.applications import drafting, submission
from dps.services.suppliers import documents, profiles
from tests.conftest import page_text
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    admit,
    complete_everything,
    earlier_application,
    make_world,
    ready_to_send,
)
from tests.fixtures.documents_world import uploaded
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.sample_files import PDF

S = ApplicationStatus


@pytest.fixture(autouse=True)
def checks_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about applying, not the qualification checks (which, run in-process,
    would move a sent application on): here, as if none were installed."""
    monkeypatch.setattr(submission, "checks_available", lambda: False)


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


@pytest.fixture
def signed_in(client: FlaskClient, world: World) -> FlaskClient:
    return sign_in(client, world.owner)


def main_text(page: Any) -> str:
    return re.sub(r"\s+", " ", page.soup.main.get_text(" ")).strip()


def links(page: Any) -> dict[str, str]:
    return {
        re.sub(r"\s+", " ", a.get_text(" ")).strip(): a["href"] for a in page.soup.select("main a")
    }


def url(application: Application, page: str = "") -> str:
    return f"/supplier/applications/{application.id}{page}"


def declaration_form(**changes: Any) -> dict[str, Any]:
    return {"declaration_name": "Ada Lovelace", "declaration_role": "Director", "confirm": "y"} | (
        changes
    )


def the_draft(world: World) -> Application:
    draft = drafting.current_draft(world.supplier.id)
    assert draft is not None
    return draft


def task_statuses(page: Any) -> dict[str, str]:
    return {
        item.select_one(
            ".govuk-task-list__name-and-hint a, .govuk-task-list__name-and-hint div"
        ).get_text(strip=True): item.select_one(".govuk-task-list__status").get_text(strip=True)
        for item in page.soup.select(".govuk-task-list__item")
    }


# --- the journey -----------------------------------------------------------------------------


def test_a_supplier_applies_from_choosing_lots_to_the_status_page(
    signed_in: FlaskClient, world: World
) -> None:
    home = signed_in.get("/supplier/")
    assert links(home)["Apply to join"] == "/supplier/applications/new"

    choose = signed_in.get("/supplier/applications/new")
    assert choose.soup.h1.get_text(strip=True) == "Which lots are you applying for?"
    boxes = choose.soup.select("input[name=lots]")
    assert [box["value"] for box in boxes] == ["1", "2"]
    assert "Lot 1 – Policy Development & Testing" in main_text(choose)

    # Lot 1 only, at first: only Lot 1's own sections are in the task list.
    started = signed_in.post("/supplier/applications/new", data={"lots": ["1"]})
    draft = the_draft(world)
    assert started.status_code == 302
    assert started.headers["Location"] == url(draft)
    tasks = task_statuses(signed_in.get(url(draft)))
    assert tasks["Organisation details"] == "Not started"
    assert tasks["Documents"] == "Not started"
    assert tasks["Case studies for Lot 1"] == "Not started"
    assert tasks["Lot 1 – Policy Development & Testing"] == "Not started"
    assert not any("Lot 2" in title for title in tasks)

    # Both lots, then everything filled in through the same services as the section pages.
    changed = signed_in.post(url(draft, "/lots"), data={"lots": ["1", "2"]})
    assert changed.headers["Location"] == url(draft)
    complete_everything(world.supplier, world.owner, [1, 2])
    task_list = signed_in.get(url(draft))
    tasks = task_statuses(task_list)
    assert set(tasks.values()) == {"Completed", "Not started"}
    assert [t for t, status in tasks.items() if status != "Completed"] == [
        "Check your answers and send"
    ]
    assert tasks["Case studies for Lot 2"] == "Completed"
    assert "You have completed 16 of 16 sections." in main_text(task_list)
    headings = [h.get_text(strip=True) for h in task_list.soup.select("main h2.govuk-heading-m")]
    assert headings == [
        "About your organisation",
        "Part 1: Supplier information",
        "Part 2: Exclusion grounds",
        "Part 3: Selection questions",
        "Part 4: The co-operative difference",
        "Evidence",
        "Send your application",
    ]

    check = signed_in.get(url(draft, "/check-answers"))
    text = main_text(check)
    assert "Not finished yet" not in text
    assert "Co-operative Futures Ltd" in text
    assert "£1,250,000" in text
    change_links = [a["href"] for a in check.soup.select(".govuk-summary-list__actions a")]
    assert f"{url(draft)}/sections/economic_standing#annual_turnover" in change_links
    assert any(href.startswith("/supplier/profile/edit?next=") for href in change_links)
    assert links(check)["Continue to the declaration"] == url(draft, "/declaration")

    declaration = signed_in.get(url(draft, "/declaration"))
    assert declaration.soup.h1.get_text(strip=True) == "Declaration"
    sent = signed_in.post(url(draft, "/declaration"), data=declaration_form())
    assert sent.status_code == 302
    assert sent.headers["Location"] == url(draft, "/sent")

    confirmation = signed_in.get(url(draft, "/sent"))
    panel = confirmation.soup.select_one(".govuk-panel")
    assert "Application sent" in panel.get_text()
    assert draft.reference in panel.get_text()
    assert world.owner.email in main_text(confirmation)

    [receipt] = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL)
    ).all()
    assert draft.reference in receipt.payload["subject"]

    status = signed_in.get(url(draft))
    text = main_text(status)
    assert status.soup.h1.get_text(strip=True) == draft.reference
    assert "We have received your application." in text
    assert "By 11:59pm on" in text
    assert "Lot 1 – Policy Development & Testing Not decided yet" in text
    assert links(status)["View or print a copy of the application you sent"] == url(draft, "/copy")

    copy = signed_in.get(url(draft, "/copy"))
    text = main_text(copy)
    assert "£1,250,000" in text
    assert "Ada Lovelace" in text
    assert draft.snapshot_checksum in text  # type: ignore[operator]
    assert "no longer matches" not in text


def test_check_your_answers_lists_every_gap_with_a_link_to_put_it_right(
    signed_in: FlaskClient, world: World
) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    check = signed_in.get(url(draft, "/check-answers"))
    gaps = {a.get_text(strip=True): a["href"] for a in check.soup.select("#gaps a")}
    profile_link = urlsplit(gaps["Enter the main contact’s name"])
    assert profile_link.path == "/supplier/profile/edit"
    assert parse_qs(profile_link.query) == {"next": [url(draft, "/check-answers")]}
    documents_link = urlsplit(gaps["Upload your latest annual accounts"])
    assert documents_link.path == "/supplier/documents"
    assert parse_qs(documents_link.query) == {"next": [url(draft, "/check-answers")]}
    section_links = [href for href in gaps.values() if "/sections/" in href]
    assert f"{url(draft)}/sections/bidding#bid_type" in section_links
    assert "Continue to the declaration" not in links(check)
    for href in set(gaps.values()):
        assert signed_in.get(href).status_code == 200, href


def test_the_lots_page_shows_an_admitted_lot_as_not_selectable(
    signed_in: FlaskClient, world: World
) -> None:
    admit(world, 1)
    page = signed_in.get("/supplier/applications/new")
    lot1, lot2 = page.soup.select("input[name=lots]")
    assert lot1.has_attr("disabled") and not lot2.has_attr("disabled")
    assert "You are already admitted to this lot." in main_text(page)

    # Posting the disabled box anyway is refused with the reason, on the page.
    refused = signed_in.post("/supplier/applications/new", data={"lots": ["1"]})
    assert refused.status_code == 200
    assert refused.soup.title.get_text().startswith("Error: ")
    assert "You are already admitted to Lot 1" in page_text(refused)
    assert drafting.current_draft(world.supplier.id) is None


def test_choosing_no_lot_is_an_error(signed_in: FlaskClient, world: World) -> None:
    page = signed_in.post("/supplier/applications/new", data={})
    assert page.status_code == 200
    [error] = page.soup.select(".govuk-error-summary a")
    assert error.get_text(strip=True) == "Select the lots you are applying for"
    assert error["href"] == "#lots"


def test_a_second_start_continues_the_draft(signed_in: FlaskClient, world: World) -> None:
    draft = drafting.start_application(world.supplier.id, [2], actor=world.owner)
    again = signed_in.get("/supplier/applications/new")
    assert again.headers["Location"] == url(draft)


# --- errors on submitting keep what was typed ------------------------------------------------


def test_a_refused_submission_keeps_the_declaration_typed(
    signed_in: FlaskClient, world: World
) -> None:
    draft = ready_to_send(world, [1])
    world.dps.period_end = date(2024, 3, 31)
    db.session.commit()

    page = signed_in.post(url(draft, "/declaration"), data=declaration_form())
    assert page.status_code == 200
    assert page.soup.title.get_text().startswith("Error: ")
    summary = page.soup.select_one(".govuk-error-summary")
    assert "The dynamic purchasing system is not open for applications." in summary.get_text()
    assert "closed at midnight at the end of 31 March 2024" in summary.get_text()
    assert page.soup.select_one("#declaration_name")["value"] == "Ada Lovelace"
    assert page.soup.select_one("#declaration_role")["value"] == "Director"
    assert page.soup.select_one("input[name=confirm]").has_attr("checked")
    db.session.expire_all()
    assert the_draft(world).status == S.DRAFT


def test_a_missing_tick_keeps_the_name_and_role(signed_in: FlaskClient, world: World) -> None:
    draft = ready_to_send(world, [1])
    page = signed_in.post(url(draft, "/declaration"), data=declaration_form(confirm=""))
    assert page.status_code == 200
    errors = [a.get_text(strip=True) for a in page.soup.select(".govuk-error-summary a")]
    assert errors == ["Confirm that the information you have given is true and complete"]
    assert page.soup.select_one("#declaration_name")["value"] == "Ada Lovelace"
    assert page.soup.select_one("#declaration_role")["value"] == "Director"


def test_an_unfinished_application_links_to_check_your_answers(
    signed_in: FlaskClient, world: World
) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    page = signed_in.post(url(draft, "/declaration"), data=declaration_form())
    [problem] = page.soup.select(".govuk-error-summary a")
    assert problem["href"] == url(draft, "/check-answers")
    assert problem.get_text(strip=True).startswith("Your application is not finished")


def test_a_sent_application_is_not_changed_by_the_draft_pages(
    signed_in: FlaskClient, world: World
) -> None:
    draft = ready_to_send(world, [1])
    submission.submit(draft, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    for page in ("/lots", "/check-answers", "/declaration"):
        assert signed_in.get(url(draft, page)).headers["Location"] == url(draft)
    again = signed_in.post(url(draft, "/declaration"), data=declaration_form())
    assert again.headers["Location"] == url(draft)
    assert signed_in.post(url(draft, "/lots"), data={"lots": ["2"]}).status_code == 302
    db.session.expire_all()
    assert draft.lot_numbers == [1]


# --- another supplier's application ----------------------------------------------------------


def test_another_supplier_gets_not_found_by_url(client: FlaskClient, world: World) -> None:
    draft = ready_to_send(world, [1])
    sent = earlier_application(world, [2], S.CHECKING)
    sign_in(client, world.rival_owner)
    for application in (draft, sent):
        for page in ("", "/lots", "/check-answers", "/declaration", "/sent", "/copy", "/withdraw"):
            assert client.get(url(application, page)).status_code == 404, page
        for page, data in (
            ("/lots", {"lots": ["1"]}),
            ("/declaration", declaration_form()),
            ("/withdraw", {"reason": "Not ours"}),
        ):
            response = client.post(url(application, page), data=data)
            assert response.status_code == 404, page
            assert "Page not found" in page_text(response)
    db.session.expire_all()
    assert (draft.status, sent.status) == (S.DRAFT, S.CHECKING)
    assert draft.lot_numbers == [1]


def test_another_supplier_gets_not_found_by_form_field(client: FlaskClient, world: World) -> None:
    decided = earlier_application(world, [1], S.DECIDED, LotOutcome.REJECTED)
    sign_in(client, world.rival_owner)
    assert client.get(f"/supplier/applications/new?follows={decided.id}").status_code == 404
    response = client.post(
        "/supplier/applications/new", data={"lots": ["1"], "follows": str(decided.id)}
    )
    assert response.status_code == 404
    assert drafting.current_draft(world.rival.id) is None


def test_applying_again_follows_the_decided_application(
    signed_in: FlaskClient, world: World
) -> None:
    decided = earlier_application(world, [1], S.DECIDED, LotOutcome.REJECTED)
    status = signed_in.get(url(decided))
    assert links(status)["Apply again"] == f"/supplier/applications/new?follows={decided.id}"
    page = signed_in.get(links(status)["Apply again"])
    assert f"This application follows {decided.reference}" in main_text(page)
    assert page.soup.select_one("input[name=follows]")["value"] == str(decided.id)
    signed_in.post("/supplier/applications/new", data={"lots": ["1"], "follows": decided.id})
    assert the_draft(world).supersedes_id == decided.id


def test_a_colleague_who_is_not_the_owner_may_apply(client: FlaskClient, world: World) -> None:
    colleague = add_person(world.supplier, "user@coop-futures.example.org", Role.SUPPLIER_USER)
    sign_in(client, colleague)
    started = client.post("/supplier/applications/new", data={"lots": ["2"]})
    assert started.status_code == 302
    assert the_draft(world).created_by_id == colleague.id


# --- withdrawing -----------------------------------------------------------------------------


def test_withdrawing_asks_first_then_withdraws_and_says_so(
    signed_in: FlaskClient, world: World
) -> None:
    draft = ready_to_send(world, [1])
    submission.submit(draft, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    status = signed_in.get(url(draft))
    assert links(status)["Withdraw this application"] == url(draft, "/withdraw")

    confirm = signed_in.get(url(draft, "/withdraw"))
    assert confirm.soup.h1.get_text(strip=True) == (
        f"Are you sure you want to withdraw application {draft.reference}?"
    )
    assert draft.status == S.SUBMITTED  # asking changes nothing

    done = signed_in.post(url(draft, "/withdraw"), data={"reason": "We merged with a co-op."})
    assert done.headers["Location"] == url(draft)
    page = signed_in.get(url(draft))
    text = main_text(page)
    assert f"You have withdrawn application {draft.reference}." in page_text(page)
    assert "You withdrew this application. Your reason: We merged with a co-op." in text
    assert "Withdraw this application" not in links(page)
    db.session.expire_all()
    assert draft.status == S.WITHDRAWN


def test_deleting_a_draft_goes_home(signed_in: FlaskClient, world: World) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    confirm = signed_in.get(url(draft, "/withdraw"))
    assert "delete your draft" in confirm.soup.h1.get_text()
    done = signed_in.post(url(draft, "/withdraw"), data={})
    assert done.headers["Location"] == "/supplier/"
    home = signed_in.get("/supplier/")
    assert f"You have deleted your draft application {draft.reference}." in page_text(home)
    assert draft.reference not in main_text(home).split("Your applications", 1)[1]


def test_a_decided_application_cannot_be_withdrawn(signed_in: FlaskClient, world: World) -> None:
    decided = earlier_application(world, [1], S.DECIDED, LotOutcome.ADMITTED)
    response = signed_in.post(url(decided, "/withdraw"), data={})
    assert response.headers["Location"] == url(decided)
    db.session.expire_all()
    assert decided.status == S.DECIDED


# --- the status page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "now", "later"),
    [
        (S.CHECKING, "Automatic checks Now We are checking", "Review by Oldham Council To come"),
        (S.READY_FOR_REVIEW, "Oldham Council is reviewing your application", "Decision due"),
        (S.CLARIFICATION_REQUESTED, "Clarification requested Now", "Decision due"),
    ],
)
def test_the_timeline_says_where_the_application_stands(
    signed_in: FlaskClient, world: World, status: ApplicationStatus, now: str, later: str
) -> None:
    application = earlier_application(world, [1], status)
    application.decision_due_at = DURING_THE_PERIOD
    db.session.commit()
    text = main_text(signed_in.get(url(application)))
    assert "Application received Done" in text
    assert now in text
    assert later in text
    assert "By 11:59pm on 25 November 2026" in text


def test_a_clarification_request_shows_the_question_and_the_reply_by_date(
    signed_in: FlaskClient, world: World
) -> None:
    application = earlier_application(world, [1], S.CLARIFICATION_REQUESTED)
    answered = ClarificationRequest(
        application_id=application.id,
        question="An earlier question, already answered.",
        reply_by=date(2026, 11, 20),
        answered_at=DURING_THE_PERIOD,
    )
    waiting = ClarificationRequest(
        application_id=application.id,
        question="Which case study did the consortium member work on?",
        reply_by=date(2026, 12, 4),
    )
    db.session.add_all([answered, waiting])
    db.session.commit()

    page = signed_in.get(url(application))
    timeline = re.sub(r"\s+", " ", page.soup.select_one("main ol").get_text(" "))
    assert "Clarification requested Now Reply by 4 December 2026" in timeline
    assert "Our question: Which case study did the consortium member work on?" in timeline
    assert "already answered" not in timeline
    home = main_text(signed_in.get("/supplier/"))
    assert (
        f"Answer our question about application {application.reference} by 4 December 2026" in home
    )


def test_each_lots_outcome_is_shown_with_its_reasons(signed_in: FlaskClient, world: World) -> None:
    decided = earlier_application(world, [1, 2], S.DECIDED, LotOutcome.ADMITTED)
    decided.lots[1].outcome = LotOutcome.REJECTED
    decided.lots[1].reasons = "The case studies did not show capacity building."
    db.session.commit()
    text = main_text(signed_in.get(url(decided)))
    assert "Decision Done" in text
    assert "Lot 1 – Policy Development & Testing Admitted" in text
    assert "Lot 2 – Capacity Building Not admitted" in text
    assert "Our reasons The case studies did not show capacity building." in text


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_shows_applications_admissions_expiring_documents_and_actions(
    signed_in: FlaskClient, world: World
) -> None:
    clarification = earlier_application(world, [2], S.CLARIFICATION_REQUESTED)
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    today = documents.today()
    for kind, expires in (
        (DocumentKind.PUBLIC_LIABILITY, today + timedelta(days=1)),
        (DocumentKind.PROFESSIONAL_INDEMNITY, today + timedelta(days=20)),
        (DocumentKind.EMPLOYERS_LIABILITY, today + timedelta(days=200)),
    ):
        documents.upload(
            world.supplier.id, kind, None, uploaded("cover.pdf", PDF), expires, world.owner
        )
    # Time passes: the public liability certificate has now expired.
    lapsed = db.session.scalars(
        db.select(Document).where(Document.kind == DocumentKind.PUBLIC_LIABILITY)
    ).one()
    lapsed.expires_on = today - timedelta(days=2)
    db.session.commit()

    home = signed_in.get("/supplier/")
    text = main_text(home)
    banner = home.soup.select_one(".govuk-notification-banner").get_text(" ")
    banner = re.sub(r"\s+", " ", banner)
    assert f"Answer our question about application {clarification.reference}" in banner
    assert f"Finish and send your application {draft.reference}" in banner
    assert "Upload a new public liability insurance certificate" in banner

    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td, th")]
        for row in home.soup.select("main table")[0].select("tbody tr")
    ]
    by_reference = {row[0]: row for row in rows}
    assert by_reference[draft.reference][2] == "Not sent"
    assert by_reference[clarification.reference][2] == "Clarification requested"
    assert links(home)["Continue your application"] == url(draft)
    assert "Lot 1 – Policy Development & Testing Not admitted" in text

    expiring = [
        [cell.get_text(" ", strip=True) for cell in row.select("td, th")]
        for row in home.soup.select("main table")[1].select("tbody tr")
    ]
    titles = [row[0] for row in expiring]
    assert titles == ["Public liability insurance certificate",
                      "Professional indemnity insurance certificate"]  # fmt: skip
    assert expiring[0][1].startswith("Expired on")


def test_a_supplier_admitted_to_both_lots_is_not_offered_to_apply(
    signed_in: FlaskClient, world: World
) -> None:
    admit(world, 1)
    admit(world, 2, AdmissionStatus.SUSPENDED)
    home = signed_in.get("/supplier/")
    assert "Apply to join" not in links(home)
    assert "Lot 1 – Policy Development & Testing Admitted since" in main_text(home)
    assert "Lot 2 – Capacity Building Suspended since" in main_text(home)


def test_the_dashboard_links_lead_somewhere(signed_in: FlaskClient, world: World) -> None:
    complete_everything(world.supplier, world.owner, [1])
    drafting.start_application(world.supplier.id, [1], actor=world.owner)
    home = signed_in.get("/supplier/")
    for href in links(home).values():
        if href.startswith("/"):
            assert signed_in.get(href).status_code == 200, href
    assert profiles.profile_status(profiles.profile_for(world.supplier.id)).value == "completed"
    assert db.session.scalar(db.select(db.func.count()).select_from(Document)) > 0
