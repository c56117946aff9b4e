"""The buyer's call-off pages: the home list, starting one, each section saving as it goes with
every problem in the error summary (linked to its question) and what was typed kept, check and
publish, the invitation list, cancelling; viewers read only; another organisation's is 404."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import CallOff, OutboxMessage
from dps.rules.enums import CallOffStatus, OutboxKind, Role
from dps.services.calloffs import drafting
from tests.conftest import page_text
from tests.fixtures import sample_files
from tests.fixtures.calloffs_world import (
    CallOffWorld,
    admit_suppliers,
    make_calloff_world,
    ready_draft,
)
from tests.fixtures.helpers import add_person, sign_in
from tests.unit.services.accounts.test_organisations import member


@pytest.fixture
def cw(app: Flask) -> CallOffWorld:
    return make_calloff_world()


@pytest.fixture
def buyer(client: FlaskClient, cw: CallOffWorld) -> FlaskClient:
    return sign_in(client, cw.buyer)


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a["href"])
        for a in response.soup.select(".govuk-error-summary__list a")
    ]


def link(response: Any, text: str) -> Any:
    return next(
        (a for a in response.soup.select("main a") if " ".join(a.get_text().split()) == text), None
    )


def value_of(response: Any, name: str) -> str:
    found = response.soup.select_one(f'[name="{name}"]')
    assert found is not None, name
    return found.get_text() if found.name == "textarea" else found.get("value", "")


def new_draft(cw: CallOffWorld) -> CallOff:
    return drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)


def test_starting_a_call_off_asks_for_the_lot(buyer: FlaskClient, cw: CallOffWorld) -> None:
    refused = buyer.post("/buyer/call-offs/new", data={})
    assert summary(refused) == [("Select a lot", "#lot")]
    assert refused.soup.title.get_text().startswith("Error: ")
    started = buyer.post("/buyer/call-offs/new", data={"lot": cw.world.lots[2].id})
    call_off = db.session.scalars(db.select(CallOff)).one()
    assert started.headers["Location"].endswith(f"/buyer/call-offs/{call_off.id}")
    assert call_off.lot_id == cw.world.lots[2].id
    task_list = buyer.get(f"/buyer/call-offs/{call_off.id}")
    titles = [
        t.get_text(strip=True) for t in task_list.soup.select(".govuk-task-list__name-and-hint a")
    ]
    assert titles[:2] == [
        "Title, description and where it is delivered",
        "Estimated value and contract dates",
    ]
    assert "Check and publish" in titles


def test_the_home_lists_the_organisations_call_offs(buyer: FlaskClient, cw: CallOffWorld) -> None:
    draft = new_draft(cw)
    drafting.save_details(draft, {"title": "Draft one"}, actor=cw.buyer)
    home = buyer.get("/buyer/")
    rows = [" ".join(r.get_text().split()) for r in home.soup.select("#call-off-list tbody tr")]
    assert len(rows) == 1 and rows[0].startswith("Draft one CCIN-CO-") and "Draft" in rows[0]
    assert link(home, "Start a call-off") is not None


def test_details_report_every_problem_and_keep_what_was_typed(
    buyer: FlaskClient, cw: CallOffWorld
) -> None:
    call_off = new_draft(cw)
    url = f"/buyer/call-offs/{call_off.id}/details"
    page = buyer.post(
        url, data={"title": "x" * 201, "description": "", "delivery_location": "Oldham"}
    )
    assert page.status_code == 200
    assert summary(page) == [
        ("The title must be 200 characters or fewer", "#title"),
        ("Enter a description of the requirement", "#description"),
    ]
    assert value_of(page, "title") == "x" * 201
    assert value_of(page, "delivery_location") == "Oldham"
    assert page.soup.select_one("#title-error") is not None
    again = buyer.get(url)  # saved as it goes: coming back shows what was typed
    assert value_of(again, "title") == "x" * 201
    done = buyer.post(
        url, data={"title": "Policy", "description": "Test it", "delivery_location": "Oldham"}
    )
    assert done.headers["Location"].endswith(f"/buyer/call-offs/{call_off.id}")


def test_dates_are_govuk_date_inputs_linked_to_the_day_box(
    buyer: FlaskClient, cw: CallOffWorld
) -> None:
    call_off = new_draft(cw)
    url = f"/buyer/call-offs/{call_off.id}/value_and_dates"
    page = buyer.post(
        url,
        data={
            "estimated_value": "lots",
            "contract_start-day": "31",
            "contract_start-month": "2",
            "contract_start-year": "2027",
            "contract_end-day": "30",
            "contract_end-month": "6",
            "contract_end-year": "2027",
        },
    )
    assert summary(page) == [
        (
            "The estimated value must be an amount of money, like 12500 or 12500.50",
            "#estimated_value",
        ),
        ("The contract start date must be a real date", "#contract_start-day"),
    ]
    assert value_of(page, "estimated_value") == "lots"
    assert [value_of(page, f"contract_start-{b}") for b in ("day", "month", "year")] == [
        "31",
        "2",
        "2027",
    ]
    assert [value_of(page, f"contract_end-{b}") for b in ("day", "month", "year")] == [
        "30",
        "6",
        "2027",
    ]
    assert page.soup.select_one("#contract_start-day") is not None


def test_questions_are_added_removed_and_each_problem_linked(
    buyer: FlaskClient, cw: CallOffWorld
) -> None:
    call_off = new_draft(cw)
    url = f"/buyer/call-offs/{call_off.id}/questions"
    buyer.post(url, data={"question_count": "0", "action": "add"})
    buyer.post(
        url,
        data={
            "question_count": "1",
            "question-1-kind": "quality",
            "question-1-text": "First?",
            "action": "add",
        },
    )
    page = buyer.post(
        url,
        data={
            "question_count": "2",
            "question-1-kind": "quality",
            "question-1-text": "First?",
            "question-1-max_score": "5",
            "question-1-scoring_scale": "0-5",
            "question-2-kind": "social_value",
            "question-2-text": "Social?",
            "question-2-max_score": "ten",
            "question-2-scoring_scale": "0-5",
            "question-2-word_limit": "300",
            "action": "save",
        },
    )
    assert summary(page) == [
        (
            "Question 2: the maximum score must be a whole number between 1 and 100",
            "#question-2-max_score",
        ),
        (
            "Question 2: choose which of the network’s principles this social-value question "
            "is about",
            "#question-2-theme",
        ),
    ]
    assert value_of(page, "question-2-max_score") == "ten"
    themes = [o.get_text() for o in page.soup.select('[name="question-2-theme"] option')]
    assert len(themes) == 11 and "Co-production" in themes
    buyer.post(
        url,
        data={
            "question_count": "2",
            "question-1-text": "First?",
            "question-2-text": "Social?",
            "action": "remove-1",
        },
    )
    db.session.expire_all()
    assert [q.text for q in call_off.questions] == ["Social?"]


def test_price_criteria_panel_and_deadlines_problems(buyer: FlaskClient, cw: CallOffWorld) -> None:
    call_off = new_draft(cw)
    base = f"/buyer/call-offs/{call_off.id}"
    price = buyer.post(
        f"{base}/price",
        data={
            "price_format": "schedule",
            "line_count": "1",
            "line-1-description": "",
            "line-1-quantity": "-3",
        },
    )
    assert summary(price) == [
        ("Line 1: describe what is priced", "#line-1-description"),
        ("Line 1: the quantity must be a whole number, 1 or more", "#line-1-quantity"),
    ]
    assert value_of(price, "line-1-quantity") == "-3"
    panel = buyer.post(f"{base}/panel", data={"members": [str(cw.colleague.id)]})
    assert summary(panel) == [("Choose who leads the evaluation panel", "#lead")]
    assert panel.soup.select_one(
        f'#members [value="{cw.colleague.id}"], [name="members"][value="{cw.colleague.id}"]'
    ).has_attr("checked")
    assert str(cw.viewer.id) not in [i["value"] for i in panel.soup.select('[name="members"]')]
    deadlines = buyer.get(f"{base}/deadlines")
    assert "the earliest tender deadline is" in page_text(deadlines)
    late = buyer.post(
        f"{base}/deadlines",
        data={
            "tender_deadline-day": "1",
            "tender_deadline-month": "1",
            "tender_deadline-year": "2020",
            "tender_deadline-time": "25:00",
        },
    )
    links = summary(late)
    assert ("Enter the deadline for questions", "#clarification_deadline-day") in links
    assert any(href == "#tender_deadline-day" for _text, href in links)
    assert value_of(late, "tender_deadline-time") == "25:00"


def test_criteria_must_add_up_to_100(buyer: FlaskClient, cw: CallOffWorld) -> None:
    call_off = ready_draft(cw)
    page = buyer.post(
        f"/buyer/call-offs/{call_off.id}/criteria",
        data={"price_weight": "30", "weight-1": "50", "weight-2": "5"},
    )
    texts = [text for text, _href in summary(page)]
    assert texts and all(href.startswith("#") for _t, href in summary(page))
    assert any("100" in text for text in texts)
    assert value_of(page, "weight-2") == "5"


def test_documents_upload_refusal_and_removal(buyer: FlaskClient, cw: CallOffWorld) -> None:
    call_off = new_draft(cw)
    base = f"/buyer/call-offs/{call_off.id}/documents"
    refused = buyer.post(
        f"{base}/upload", data={"title": "Spec"}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert summary(refused) == [("Select a file", "#file")]
    assert value_of(refused, "title") == "Spec"
    import io

    buyer.post(
        f"{base}/upload",
        data={"title": "Spec", "file": (io.BytesIO(sample_files.PDF), "spec.pdf")},
        content_type="multipart/form-data",
    )
    page = buyer.get(base)
    spec = link(page, "Spec")
    download = buyer.get(spec["href"])
    assert download.data == sample_files.PDF
    document_id = spec["href"].rsplit("/", 1)[1]
    buyer.post(f"{base}/{document_id}/remove")
    assert buyer.get(base).soup.find("a", string="Spec") is None


def test_check_and_publish_shows_every_refusal_then_publishes(
    buyer: FlaskClient, cw: CallOffWorld
) -> None:
    call_off = new_draft(cw)
    refused = buyer.post(f"/buyer/call-offs/{call_off.id}/publish")
    assert refused.status_code == 400
    links = summary(refused)
    assert len(links) > 5
    assert ("Enter a title", f"/buyer/call-offs/{call_off.id}/details#title") in links
    assert "No supplier is admitted" in page_text(refused)

    admit_suppliers(cw, 1, 3)
    ready = ready_draft(cw)
    check = buyer.get(f"/buyer/call-offs/{ready.id}/check")
    assert "3 suppliers are admitted" in check.soup.select_one("#invitable").get_text()
    assert check.soup.find("a", href=f"/buyer/call-offs/{ready.id}/details") is not None
    # ready_draft's deadlines were judged for 25 November 2026: published now, move them later.
    ready.clarification_deadline = None
    db.session.commit()
    refused = buyer.post(f"/buyer/call-offs/{ready.id}/publish")
    assert (
        "Enter the deadline for questions",
        f"/buyer/call-offs/{ready.id}/deadlines#clarification_deadline-day",
    ) in summary(refused)


def test_published_call_off_shows_the_invitation_list(
    buyer: FlaskClient, cw: CallOffWorld, app: Flask
) -> None:
    from dps.services.calloffs import publishing
    from tests.fixtures.calloffs_world import SENT_AT

    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    confirmation = buyer.get(f"/buyer/call-offs/{call_off.id}/published")
    assert "2 suppliers were invited" in page_text(confirmation)
    assert "on their way" in page_text(confirmation)
    page = buyer.get(f"/buyer/call-offs/{call_off.id}")
    rows = [
        [c.get_text(strip=True) for c in r.select("td")]
        for r in page.soup.select("#invitations tbody tr")
    ]
    assert [r[0] for r in rows] == ["supplier-1-00000", "supplier-1-00001"]
    assert all(r[1] == "25 November 2026 at 10:30am" for r in rows)
    assert link(page, "Change") is None
    assert buyer.get(f"/buyer/call-offs/{call_off.id}/criteria").status_code == 302


def test_cancelling_needs_a_reason_and_tells_invited_suppliers(
    buyer: FlaskClient, cw: CallOffWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from dps.services.calloffs import publishing
    from dps.web.buyer import calloffs as calloffs_views
    from tests.fixtures.calloffs_world import SENT_AT

    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    url = f"/buyer/call-offs/{call_off.id}/cancel"
    # Before its tender deadline, whatever today is: after it, the tenders are opened instead.
    monkeypatch.setattr(calloffs_views, "utcnow", lambda: SENT_AT + timedelta(days=1))
    refused = buyer.post(url, data={"reason": " "})
    assert summary(refused) == [("Enter why the call-off is being cancelled", "#reason")]
    done = buyer.post(url, data={"reason": "Budget withdrawn"})
    assert done.status_code == 302
    db.session.expire_all()
    assert call_off.status == CallOffStatus.CANCELLED
    subjects = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL)
    ).all()
    assert sum(m.payload["subject"].startswith("Call-off cancelled") for m in subjects) == 2
    page = buyer.get(f"/buyer/call-offs/{call_off.id}")
    assert "Budget withdrawn" in page_text(page)
    assert link(page, "Cancel this call-off") is None


def test_a_viewer_reads_but_changes_nothing(client: FlaskClient, cw: CallOffWorld) -> None:
    call_off = ready_draft(cw)
    viewer = sign_in(client, cw.viewer)
    home = viewer.get("/buyer/")
    assert link(home, "Start a call-off") is None
    assert link(home, "Testing a new tenancy policy") is not None
    page = viewer.get(f"/buyer/call-offs/{call_off.id}")
    assert page.status_code == 200
    assert page.soup.select("main form, main button") == []
    assert link(page, "Change") is None
    assert "Testing a new tenancy policy" in page_text(page)
    for url, method in [
        (f"/buyer/call-offs/{call_off.id}/details", "post"),
        (f"/buyer/call-offs/{call_off.id}/details", "get"),
        (f"/buyer/call-offs/{call_off.id}/publish", "post"),
        (f"/buyer/call-offs/{call_off.id}/cancel", "post"),
        ("/buyer/call-offs/new", "get"),
    ]:
        response = getattr(viewer, method)(url, data={"title": "Changed", "reason": "x"})
        assert response.status_code == 403, url
        assert "invited as a viewer" in page_text(response), url
    db.session.expire_all()
    assert call_off.title == "Testing a new tenancy policy"
    assert call_off.status == CallOffStatus.DRAFT


def test_another_organisations_call_off_is_not_found(client: FlaskClient, cw: CallOffWorld) -> None:
    call_off = ready_draft(cw)
    tameside = member("Tameside Council")
    stranger = sign_in(client, add_person(tameside, "buyer@tameside.example.org", Role.BUYER))
    for url in ("", "/details", "/check", "/cancel", "/published"):
        assert stranger.get(f"/buyer/call-offs/{call_off.id}{url}").status_code == 404, url
    assert stranger.post(f"/buyer/call-offs/{call_off.id}/publish").status_code == 404
    assert (
        stranger.post(f"/buyer/call-offs/{call_off.id}/cancel", data={"reason": "x"}).status_code
        == 404
    )
    assert "Testing a new tenancy policy" not in page_text(stranger.get("/buyer/"))


def test_suppliers_and_non_buyers_are_refused(client: FlaskClient, cw: CallOffWorld) -> None:
    call_off = ready_draft(cw)
    supplier = sign_in(
        client, add_person(cw.world.supplier, "someone@supplier.example.org", Role.SUPPLIER_OWNER)
    )
    assert supplier.get(f"/buyer/call-offs/{call_off.id}").status_code == 403
    assert (
        supplier.post("/buyer/call-offs/new", data={"lot": cw.world.lots[1].id}).status_code == 403
    )


def test_the_price_page_asks_how_price_is_scored(buyer: FlaskClient, cw: CallOffWorld) -> None:
    call_off = new_draft(cw)
    base = f"/buyer/call-offs/{call_off.id}"
    page = buyer.get(f"{base}/price")
    assert page.soup.select_one('[name="price_formula"][value="lowest_over_this"]').has_attr(
        "checked"
    )
    assert value_of(page, "abnormally_low_percent") == "30"
    assert page.soup.select_one('[name="tie_break"][value="higher_quality"]').has_attr("checked")
    bad = buyer.post(
        f"{base}/price",
        data={"price_format": "total", "price_formula": "difference_from_lowest",
              "abnormally_low_percent": "ninety", "tie_break": "lower_price"},
    )  # fmt: skip
    assert summary(bad) == [
        (
            "The share below the average that flags a price must be a whole number from 1 to 90",
            "#abnormally_low_percent",
        )
    ]
    assert value_of(bad, "abnormally_low_percent") == "ninety"
    assert bad.soup.select_one('[name="tie_break"][value="lower_price"]').has_attr("checked")
    buyer.post(
        f"{base}/price",
        data={"price_format": "total", "price_formula": "difference_from_lowest",
              "abnormally_low_percent": "25", "tie_break": "lower_price"},
    )  # fmt: skip
    check = page_text(buyer.get(f"{base}/check"))
    assert "More than 25% below the average of the other prices" in check
    assert "Tie-break The lower price" in check


@pytest.mark.parametrize("lot", ["99999999999999999999", "١", "２", "1²", "9" * 5000])
def test_a_lot_that_is_not_a_number_of_a_lot_is_asked_for_again(
    buyer: FlaskClient, cw: CallOffWorld, lot: str
) -> None:
    refused = buyer.post("/buyer/call-offs/new", data={"lot": lot})
    assert summary(refused) == [("Select a lot", "#lot")]
    assert db.session.scalars(db.select(CallOff)).first() is None
