"""The supplier's call-off pages: its invitations with deadline and status, the requirement and
documents (another supplier's 404), published answers, asking a question, the tender saved as a
draft with every problem named by question and what was typed kept, sent with its receipt,
withdrawn, declined; after the deadline (to the second, by the server's clock) no form is shown
and every post is refused with the reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import CallOffClarification, Organisation, OutboxMessage, Tender, TenderDecline
from dps.rules.enums import Role, TenderStatus
from dps.services.calloffs import clarifications, documents, publishing, tendering
from dps.web.supplier import calloffs as views
from tests.conftest import page_text
from tests.fixtures import sample_files
from tests.fixtures.calloffs_world import (
    CLARIFICATION_DEADLINE,
    SENT_AT,
    TENDER_DEADLINE,
    admit_suppliers,
    make_calloff_world,
    ready_draft,
)
from tests.fixtures.documents_world import uploaded
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.tenders_world import TenderWorld, published

AT = SENT_AT + timedelta(days=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock(AT)
    monkeypatch.setattr(views, "utcnow", lambda: found.now)
    return found


@pytest.fixture
def tw(app: Flask) -> TenderWorld:
    return published(make_calloff_world())


@pytest.fixture
def supplier(client: FlaskClient, tw: TenderWorld, clock: Clock) -> FlaskClient:
    return sign_in(client, tw.people[0])


def url(tw: TenderWorld, tail: str = "") -> str:
    return f"/supplier/call-offs/{tw.call_off.id}{tail}"


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a["href"])
        for a in response.soup.select(".govuk-error-summary__list a")
    ]


def summary_text(response: Any) -> list[str]:
    return [
        " ".join(li.get_text().split())
        for li in response.soup.select(".govuk-error-summary__list li")
    ]


def forms(response: Any) -> list[str]:
    return [form.get("action", "") for form in response.soup.select("main form")]


def tender_form(tw: TenderWorld, **overrides: str) -> dict[str, str]:
    q1, q2 = tw.call_off.questions
    data = {f"answer-{q1.id}": "We will run workshops.", f"answer-{q2.id}": "Local hiring."}
    for line in tw.call_off.price_lines:
        data[f"price-{line.id}"] = "1200.00"
    if not tw.call_off.price_lines:
        data["price-total"] = "4800"
    data.update(overrides)
    return data


# --- the list and the call-off page ---------------------------------------------------------


def test_invitations_list_each_call_off_with_its_deadline_and_status(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    home = supplier.get("/supplier/")
    assert any(a["href"] == "/supplier/call-offs" for a in home.soup.select("main a"))
    assert any(
        a["href"] == "/supplier/call-offs" for a in home.soup.select(".govuk-service-navigation a")
    )
    listed = supplier.get("/supplier/call-offs")
    rows = listed.soup.select("#invitations tbody tr")
    assert len(rows) == 1
    cells = [" ".join(td.get_text().split()) for td in rows[0].select("td")]
    assert tw.call_off.title in cells[0]
    assert cells[1] == "9 December 2026 at 10:30am (London time)"
    assert cells[2] == "Invited"


def test_a_supplier_not_invited_has_no_invitations_and_gets_404(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    [outsider] = db.session.get(Organisation, tw.outsider).memberships  # type: ignore[union-attr]
    sign_in(client, outsider.user)
    assert client.get("/supplier/call-offs").soup.select_one("#no-invitations") is not None
    for path in ("", "/tender", "/tender/sent", "/decline"):
        assert client.get(url(tw, path)).status_code == 404
    assert client.post(url(tw, "/questions"), data={"question": "Hi?"}).status_code == 404
    assert client.post(url(tw, "/tender"), data=tender_form(tw)).status_code == 404
    assert client.post(url(tw, "/tender/withdraw")).status_code == 404
    assert db.session.scalars(db.select(Tender)).all() == []


def test_the_buyer_cannot_use_the_supplier_pages(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    sign_in(client, tw.cw.buyer)
    assert client.get(url(tw)).status_code == 403


def test_the_call_off_page_shows_the_requirement_and_its_documents(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    cw = make_calloff_world()
    [invited] = admit_suppliers(cw, 1, 1, prefix="reader")
    [other] = admit_suppliers(cw, 2, 1, prefix="other")
    call_off = ready_draft(cw)
    document = documents.upload(
        call_off, "Specification", uploaded("spec.pdf", sample_files.PDF), actor=cw.buyer
    )
    publishing.publish(call_off, cw.buyer, SENT_AT)
    reader = db.session.get(Organisation, invited).memberships[0].user  # type: ignore[union-attr]
    sign_in(client, reader)
    page = client.get(f"/supplier/call-offs/{call_off.id}")
    requirement = page_text(page)
    for expected in (call_off.title, call_off.description, "Deadline for questions"):
        assert expected in requirement
    criteria = " ".join(page.soup.select_one("#criteria").get_text().split())
    first = call_off.questions[0]
    assert f"Weighting {first.weight_percent}%, scored out of {first.max_score}" in criteria
    assert f"{first.word_limit:,} words at most" in criteria
    link = page.soup.select_one("#documents a")
    assert link.get_text(strip=True) == "Download Specification"
    download = client.get(link["href"])
    assert download.status_code == 200
    assert download.data == sample_files.PDF
    outsider = db.session.get(Organisation, other).memberships[0].user  # type: ignore[union-attr]
    sign_in(client, outsider)
    assert client.get(link["href"]).status_code == 404
    assert (
        client.get(f"/supplier/call-offs/{call_off.id}/documents/{document.id}").status_code == 404
    )


def test_published_answers_and_addenda_show_their_dates_and_never_the_asker(
    supplier: FlaskClient, tw: TenderWorld, client: FlaskClient
) -> None:
    asked = clarifications.ask(
        tw.call_off.id, tw.suppliers[1], "Can we subcontract?", actor=tw.people[1], at=AT
    )
    clarifications.answer(tw.call_off, asked.id, "Yes, with notice.", actor=tw.cw.buyer, at=AT)
    clarifications.publish_addendum(tw.call_off, "The venue has changed.", actor=tw.cw.buyer, at=AT)
    page = supplier.get(url(tw))
    published_items = page_text(page)
    assert "Can we subcontract?" in published_items and "Yes, with notice." in published_items
    assert "The venue has changed." in published_items
    assert "Answer published on 26 November 2026 at 10:30am" in published_items
    assert "Addendum published on 26 November 2026 at 10:30am" in published_items
    asker = db.session.get(Organisation, tw.suppliers[1])
    assert asker is not None and asker.name not in published_items
    assert page.soup.select_one("#asked") is None  # the supplier's own questions only


# --- asking a question ------------------------------------------------------------------------


def test_asking_a_question_says_the_name_is_never_shown_and_keeps_a_refused_one(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    page = supplier.get(url(tw))
    assert "never shown to other suppliers" in page_text(page)
    empty = supplier.post(url(tw, "/questions"), data={"question": "  "})
    assert empty.status_code == 400
    assert summary(empty) == [("Enter your question", "#question")]
    too_long = "x" * (clarifications.TEXT_MAX + 1)
    kept = supplier.post(url(tw, "/questions"), data={"question": too_long})
    assert kept.soup.select_one("#question").get_text().strip() == too_long
    sent = supplier.post(url(tw, "/questions"), data={"question": "Is parking available?"})
    assert sent.status_code == 302
    asked = supplier.get(url(tw))
    assert "Is parking available?" in asked.soup.select_one("#asked").get_text()


def test_questions_close_at_their_deadline_to_the_second(
    supplier: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = CLARIFICATION_DEADLINE - timedelta(seconds=1)
    assert supplier.get(url(tw)).soup.select_one("#question") is not None
    assert supplier.post(url(tw, "/questions"), data={"question": "Last?"}).status_code == 302
    clock.now = CLARIFICATION_DEADLINE
    page = supplier.get(url(tw))
    assert page.soup.select_one("#question") is None
    assert page.soup.select_one("#no-questions") is not None
    late = supplier.post(url(tw, "/questions"), data={"question": "Too late?"})
    assert late.status_code == 400
    assert "The deadline for questions has passed" in summary_text(late)[0]
    assert db.session.scalars(db.select(CallOffClarification)).all()[-1].question == "Last?"


# --- the tender -----------------------------------------------------------------------------


def test_saving_a_draft_shows_every_problem_by_question_and_keeps_what_was_typed(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    q1, q2 = tw.call_off.questions
    assert q2.word_limit is not None
    too_many = " ".join(["word"] * (q2.word_limit + 1))
    price = tw.call_off.price_lines[0] if tw.call_off.price_lines else None
    price_name = f"price-{price.id}" if price else "price-total"
    form = tender_form(tw, **{f"answer-{q2.id}": too_many, price_name: "twelve pounds"})
    form["action"] = "save"
    saved = supplier.post(url(tw, "/tender"), data=form)
    assert saved.status_code == 400
    links = summary(saved)
    assert [href for _, href in links] == [f"#answer-{q2.id}", f"#{price_name}"]
    assert links[0][0].startswith(f"Your answer to question {q2.position} must be")
    assert saved.soup.title.get_text().startswith("Error: ")
    assert saved.soup.select_one(f"#answer-{q2.id}").get_text().strip() == too_many
    assert saved.soup.select_one(f"#{price_name}")["value"] == "twelve pounds"
    character_count = saved.soup.select_one('[data-module="govuk-character-count"]')
    assert character_count is not None and character_count.get("data-maxwords")
    again = supplier.get(url(tw, "/tender"))  # kept by the service, not only the page
    assert again.soup.select_one(f"#answer-{q2.id}").get_text().strip() == too_many
    assert again.soup.select_one(f"#answer-{q1.id}").get_text().strip() == "We will run workshops."
    assert (
        supplier.get("/supplier/call-offs")
        .soup.select_one("#invitations tbody tr td:last-child")
        .get_text(strip=True)
        == "Draft tender"
    )


def test_sending_a_tender_gives_the_receipt_with_time_and_checksum(
    supplier: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    incomplete = supplier.post(url(tw, "/tender"), data={"action": "send"})
    assert incomplete.status_code == 400
    hrefs = [href for _, href in summary(incomplete)]
    assert hrefs[:2] == [f"#answer-{q.id}" for q in tw.call_off.questions]
    clock.now = TENDER_DEADLINE - timedelta(seconds=1)
    sent = supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/tender/sent")
    receipt = supplier.get(url(tw, "/tender/sent"))
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.status == TenderStatus.SUBMITTED
    text = " ".join(receipt.soup.select_one("#receipt").get_text().split())
    assert "9 December 2026 at 10:29:59 (London time)" in text
    assert tender.snapshot_sha256 is not None and tender.snapshot_sha256 in text
    email = db.session.scalars(db.select(OutboxMessage)).all()[-1]
    assert tender.snapshot_sha256 in str(email.payload)


def test_a_sent_tender_can_be_sent_again_and_withdrawn_before_the_deadline(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"})
    page = supplier.get(url(tw))
    assert url(tw, "/tender/withdraw") in forms(page)
    resent = supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"})
    assert resent.status_code == 302
    assert "Revision 2" in page_text(supplier.get(url(tw, "/tender/sent")))
    assert supplier.post(url(tw, "/tender/withdraw")).status_code == 302
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.status == TenderStatus.WITHDRAWN
    assert supplier.get(url(tw, "/tender/sent")).status_code == 302
    refused = supplier.post(url(tw, "/tender/withdraw"))
    assert refused.status_code == 400
    assert summary_text(refused) == ["There is no tender sent to withdraw"]


def test_a_colleague_may_draft_and_send_for_the_organisation(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    organisation = db.session.get(Organisation, tw.suppliers[0])
    assert organisation is not None
    colleague = add_person(organisation, "col@tenderer.example.org", Role.SUPPLIER_USER)
    sign_in(client, colleague)
    assert (
        client.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"}).status_code
        == 302
    )
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.organisation_id == tw.suppliers[0] and tender.submitted_by_id == colleague.id


def test_declining_with_an_optional_reason_and_refused_while_a_tender_is_sent(
    supplier: FlaskClient, tw: TenderWorld
) -> None:
    supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"})
    refused = supplier.post(url(tw, "/decline"), data={"reason": "Too busy"})
    assert refused.status_code == 400
    assert summary_text(refused) == ["Withdraw the tender you sent before declining to bid"]
    assert refused.soup.select_one("#reason").get_text().strip() == "Too busy"
    supplier.post(url(tw, "/tender/withdraw"))
    too_long = "x" * (tendering.REASON_MAX + 1)
    long_reason = supplier.post(url(tw, "/decline"), data={"reason": too_long})
    assert summary(long_reason) == [
        (f"The reason must be {tendering.REASON_MAX} characters or fewer", "#reason")
    ]
    assert supplier.post(url(tw, "/decline"), data={"reason": ""}).status_code == 302
    assert db.session.scalars(db.select(TenderDecline)).one().reason == ""
    assert "Declined" in page_text(supplier.get(url(tw)))
    assert supplier.get(url(tw, "/decline")).soup.select_one("#declined") is not None


# --- the deadline, to the second -------------------------------------------------------------


def test_one_second_before_the_deadline_every_form_is_there(
    supplier: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = TENDER_DEADLINE - timedelta(seconds=1)
    assert supplier.get(url(tw, "/tender")).soup.select_one("main form") is not None
    assert supplier.get(url(tw, "/decline")).soup.select_one("main form") is not None
    saved = supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "save"})
    assert saved.status_code == 302


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
def test_at_and_after_the_deadline_no_form_is_shown_and_every_post_is_refused(
    supplier: FlaskClient, tw: TenderWorld, clock: Clock, after: timedelta
) -> None:
    supplier.post(url(tw, "/tender"), data={**tender_form(tw), "action": "send"})
    clock.now = TENDER_DEADLINE + after
    for path in ("", "/tender", "/decline"):
        page = supplier.get(url(tw, path))
        assert page.status_code == 200
        assert forms(page) == [], path
    closed = tendering.CLOSED_MESSAGE
    for path, data in (
        ("/tender", {**tender_form(tw), "action": "save"}),
        ("/tender", {**tender_form(tw), "action": "send"}),
        ("/tender/withdraw", {}),
        ("/decline", {"reason": "Late"}),
    ):
        refused = supplier.post(url(tw, path), data=data)
        assert refused.status_code == 400, path
        assert summary_text(refused) == [closed], path
        assert forms(refused) == []
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.status == TenderStatus.SUBMITTED and tender.revision == 1
    assert db.session.scalars(db.select(TenderDecline)).all() == []
    listed = supplier.get("/supplier/call-offs")
    assert (
        listed.soup.select_one("#invitations tbody tr td:last-child").get_text(strip=True)
        == "Tender sent"
    )
