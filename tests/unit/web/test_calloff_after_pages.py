"""The buyer's pages after publishing: tenders sealed through every buyer and viewer route until
the deadline (no contents, no counts, nothing saying who tendered), opened by the first read at
it; each tender shown from its snapshot; suppliers' questions shown without the asker and
answered as they will be published; addenda; the 6-day warning offering a later deadline;
moving the deadline later only. Only panel members who declared no conflict of interest read
the opened tenders; viewers read and change nothing; another organisation's is 404.
The clock the pages read (``utcnow``) is the test's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AuditEvent, CallOffAddendum, CallOffClarification, Tender
from dps.rules import pcr2015
from dps.rules.enums import CallOffStatus, Role
from dps.services.calloffs import clarifications, sealing, tendering
from dps.services.evaluation import conflicts
from dps.web.buyer import calloff_changes, calloffs
from tests.conftest import page_text
from tests.fixtures.calloffs_world import SENT_AT, make_calloff_world
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.tenders_world import BEFORE_DEADLINE, TenderWorld, published
from tests.unit.services.accounts.test_organisations import member

AT = SENT_AT + timedelta(days=1)
SECRETS = ("Secret answer 0", "Secret answer 1", "Too busy this spring")


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(AT)
    for module in (calloffs, calloff_changes):
        monkeypatch.setattr(module, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def tw(app: Flask) -> TenderWorld:
    """Suppliers 0 and 1 send tenders, supplier 2 keeps a draft, supplier 3 declines; supplier
    1 asked a question."""
    tw = published(make_calloff_world(), suppliers=4)
    q1, q2 = tw.call_off.questions
    for n in range(3):
        tendering.save_draft(
            tw.call_off.id,
            tw.suppliers[n],
            {q1.id: f"Secret answer {n}", q2.id: "Local jobs"},
            {"total": f"{1000 + n}"},
            actor=tw.people[n],
            at=AT,
        )
    for n in range(2):
        tendering.submit(tw.call_off.id, tw.suppliers[n], actor=tw.people[n], at=AT)
    tendering.decline(tw.call_off.id, tw.suppliers[3], SECRETS[2], actor=tw.people[3], at=AT)
    clarifications.ask(
        tw.call_off.id,
        tw.suppliers[1],
        "Can Bob bring residents?",
        actor=tw.people[1],
        at=AT,
    )
    return tw


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a["href"])
        for a in response.soup.select(".govuk-error-summary__list a")
    ]


def outside_invitations(response: Any) -> str:
    """The page's text without the invitation list (which names every invited supplier)."""
    for table in response.soup.select("#invitations"):
        table.decompose()
    return " ".join(response.soup.get_text().split())


def tenders_text(response: Any) -> str:
    found = response.soup.select_one("#tenders")
    return " ".join(found.get_text().split()) if found else ""


def question_id(tw: TenderWorld) -> int:
    return db.session.scalars(db.select(CallOffClarification.id)).one()


def routes(tw: TenderWorld) -> list[str]:
    """Every buyer and viewer route of a published call-off (GET)."""
    base = f"/buyer/call-offs/{tw.call_off.id}"
    tender_id = db.session.scalars(db.select(Tender.id).order_by(Tender.id)).first()
    offer = int((tw.deadline + timedelta(days=3)).timestamp())
    return [
        "/buyer/",
        base,
        f"{base}/published",
        f"{base}/cancel",
        f"{base}/addendum",
        f"{base}/tender-deadline",
        f"{base}/questions/{question_id(tw)}",
        f"{base}/late-information?offer={offer}",
        f"{base}/tenders/{tender_id}",
        f"{base}/documents/1",
        f"{base}/check",
    ]


def assert_sealed(response: Any, tw: TenderWorld, url: str) -> None:
    text = outside_invitations(response)
    for secret in SECRETS:
        assert secret not in text, url
    for n in range(4):
        assert f"tenderer-1-{n:05d}" not in text, url
    assert "received" not in text and "declined" not in text, url
    assert response.status_code in {200, 302, 403, 404}, url


def test_before_the_deadline_no_route_tells_a_buyer_or_viewer_anything_of_the_tenders(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = BEFORE_DEADLINE
    cw = tw.cw
    buyer = sign_in(client, cw.buyer)
    for url in routes(tw):
        assert_sealed(buyer.get(url), tw, url)
    page = buyer.get(f"/buyer/call-offs/{tw.call_off.id}")
    assert tenders_text(page) == (
        "Tenders are sealed until 9 December 2026 at 10:30am (London time), the tender deadline."
    )
    assert buyer.get(routes(tw)[8]).status_code == 404  # a tender's page is not there yet
    viewer = sign_in(client, cw.viewer)
    for url in routes(tw):
        response = viewer.get(url)
        assert_sealed(response, tw, url)
    assert tenders_text(viewer.get(f"/buyer/call-offs/{tw.call_off.id}")).startswith(
        "Tenders are sealed until"
    )
    db.session.expire_all()
    assert tw.call_off.status == CallOffStatus.PUBLISHED
    assert db.session.scalars(db.select(Tender.opened_at)).all() == [None, None, None]


def test_at_the_deadline_the_first_read_opens_the_tenders_for_declared_panel_members_only(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = tw.deadline
    # The supplier's live rows change after sending: the buyer reads what was sent.
    answer = db.session.scalars(db.select(Tender).order_by(Tender.id)).first().answers[0]
    answer.text = "Changed after sending"
    db.session.commit()
    buyer = sign_in(client, tw.cw.buyer)
    page = buyer.get(f"/buyer/call-offs/{tw.call_off.id}")
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == sealing.OPENED_ACTION)
    ).all()
    assert len(events) == 1 and events[0].actor_user_id == tw.cw.buyer.id
    # The lead reads no tender before declaring whether they have a conflict of interest.
    assert "2 tenders received, 1 supplier declined to bid" in tenders_text(page)
    assert "declare whether you have a conflict of interest" in tenders_text(page)
    assert page.soup.select_one("#tender-list") is None
    for secret in SECRETS:
        assert secret not in page_text(page)
    assert conflicts.declare(tw.call_off, tw.cw.buyer, False, "", tw.deadline) == []
    page = buyer.get(f"/buyer/call-offs/{tw.call_off.id}")
    rows = [
        [c.get_text(strip=True) for c in r.select("td")]
        for r in page.soup.select("#tender-list tbody tr")
    ]
    tenders = db.session.scalars(db.select(Tender).where(Tender.revision == 1)).all()
    assert rows == [
        [
            f"tenderer-1-{n:05d}",
            tendering.receipt_time(AT),
            "1",
            tenders[n].snapshot_sha256,
        ]
        for n in range(2)
    ]
    declines = [
        [c.get_text(strip=True) for c in r.select("td")]
        for r in page.soup.select("#declines tbody tr")
    ]
    assert declines == [["tenderer-1-00003", "26 November 2026 at 10:30am", SECRETS[2]]]
    assert "tenderer-1-00002" not in tenders_text(page)  # a draft is never read
    first = page.soup.select_one("#tender-list tbody a")
    tender = buyer.get(first["href"])
    text = page_text(tender)
    assert "Tender from tenderer-1-00000" in text and "Secret answer 0" in text
    assert "Changed after sending" not in text
    assert "£1,000" in text and tenders[0].snapshot_sha256 in text
    buyer.get(f"/buyer/call-offs/{tw.call_off.id}")  # read again: opened once
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(AuditEvent.action == sealing.OPENED_ACTION)
        )
        == 1
    )

    viewer = sign_in(client, tw.cw.viewer)
    seen = viewer.get(f"/buyer/call-offs/{tw.call_off.id}")
    assert "2 tenders received, 1 supplier declined to bid" in tenders_text(seen)
    for secret in SECRETS:
        assert secret not in page_text(seen)
    assert "tenderer-1-00000" not in outside_invitations(seen)
    assert "Only the call-off’s evaluation panel can read the tenders" in tenders_text(seen)
    refused = viewer.get(first["href"])
    assert refused.status_code == 403 and "invited as a viewer" in page_text(refused)
    assert "Secret answer 0" not in page_text(refused)
    # A buyer of the council who is not on the panel counts them too, and reads nothing.
    outsider = sign_in(client, add_person(tw.cw.council, "nia@oldham.example.org", Role.BUYER))
    seen = outsider.get(f"/buyer/call-offs/{tw.call_off.id}")
    assert "Only the call-off’s evaluation panel can read the tenders" in tenders_text(seen)
    assert seen.soup.select_one("#tender-list") is None
    refused = outsider.get(first["href"])
    assert refused.status_code == 403 and "Secret answer 0" not in page_text(refused)


def test_a_question_is_shown_without_its_asker_and_answered_as_it_will_be_published(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    buyer = sign_in(client, tw.cw.buyer)
    page = buyer.get(f"/buyer/call-offs/{tw.call_off.id}")
    questions = " ".join(page.soup.select_one("#questions").get_text().split())
    assert "Can Bob bring residents?" in questions and "Not answered" in questions
    assert tw.people[1].email not in page_text(page)
    url = f"/buyer/call-offs/{tw.call_off.id}/questions/{question_id(tw)}"
    form = buyer.get(url)
    assert form.soup.select_one("#published_question").get_text() == ("Can Bob bring residents?")
    refused = buyer.post(url, data={"published_question": " ", "answer": ""})
    assert refused.status_code == 400
    assert summary(refused) == [
        ("Enter the question as it will be published", "#published_question"),
        ("Enter the answer", "#answer"),
    ]
    kept = buyer.post(url, data={"published_question": "", "answer": "Yes, two of them"})
    assert kept.soup.select_one("#answer").get_text() == "Yes, two of them"
    done = buyer.post(
        url, data={"published_question": "Can a supplier bring residents?", "answer": "Yes"}
    )
    assert done.headers["Location"].endswith(f"/buyer/call-offs/{tw.call_off.id}")
    answered = db.session.scalars(db.select(CallOffClarification)).one()
    assert answered.published_question == "Can a supplier bring residents?"
    assert answered.answer == "Yes"
    assert "has been published" in page_text(buyer.get(done.headers["Location"]))
    assert buyer.get(url).status_code == 302  # answered: nothing more to do


def test_an_addendum_late_in_the_period_offers_the_later_deadline(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = tw.deadline - timedelta(days=2)
    buyer = sign_in(client, tw.cw.buyer)
    url = f"/buyer/call-offs/{tw.call_off.id}/addendum"
    refused = buyer.post(url, data={"text": "x" * 5001})
    assert summary(refused) == [("The addendum must be 5000 characters or fewer", "#text")]
    assert refused.soup.select_one("#text").get_text() == "x" * 5001
    done = buyer.post(url, data={"text": "Workshops are now in Failsworth"})
    offer = pcr2015.deadline_after_late_information(clock.now, tw.deadline)
    assert done.headers["Location"].endswith(
        f"/call-offs/{tw.call_off.id}/late-information?offer={int(offer.timestamp())}"
    )
    assert db.session.scalars(db.select(CallOffAddendum.text)).all() == [
        "Workshops are now in Failsworth"
    ]
    late = buyer.get(done.headers["Location"])
    assert "less than 6 days before the tender deadline" in page_text(late)
    none_chosen = buyer.post(done.headers["Location"], data={"offer": int(offer.timestamp())})
    assert summary(none_chosen) == [("Select whether to move the tender deadline", "#choice")]
    moved = buyer.post(
        done.headers["Location"], data={"offer": int(offer.timestamp()), "choice": "move"}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert tw.call_off.tender_deadline == offer
    addenda = buyer.get(f"/buyer/call-offs/{tw.call_off.id}").soup.select_one("#addenda")
    assert "Workshops are now in Failsworth" in addenda.get_text()


def test_an_answer_in_good_time_asks_nothing_more(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    buyer = sign_in(client, tw.cw.buyer)
    done = buyer.post(
        f"/buyer/call-offs/{tw.call_off.id}/addendum", data={"text": "Workshops in Chadderton"}
    )
    assert done.headers["Location"].endswith(f"/buyer/call-offs/{tw.call_off.id}")


def test_the_tender_deadline_moves_later_only(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    buyer = sign_in(client, tw.cw.buyer)
    url = f"/buyer/call-offs/{tw.call_off.id}/tender-deadline"
    empty = buyer.post(url, data={})
    assert summary(empty) == [("Enter the new tender deadline", "#tender_deadline-day")]
    earlier = {
        "tender_deadline-day": "1",
        "tender_deadline-month": "12",
        "tender_deadline-year": "2026",
        "tender_deadline-time": "17:00",
    }
    refused = buyer.post(url, data=earlier)
    assert refused.status_code == 400
    assert summary(refused) == [
        (
            "The new tender deadline must be later than the current one, "
            "9 December 2026 at 10:30am",
            "#tender_deadline-day",
        )
    ]
    assert refused.soup.select_one("#tender_deadline-time")["value"] == "17:00"
    assert refused.soup.select_one("#tender_deadline-day")["value"] == "1"
    bad = buyer.post(url, data={**earlier, "tender_deadline-day": "32"})
    assert summary(bad)[0][1] == "#tender_deadline-day"
    later = buyer.post(url, data={**earlier, "tender_deadline-day": "16"})
    assert later.status_code == 302
    db.session.expire_all()
    assert tw.call_off.tender_deadline == datetime.fromisoformat("2026-12-16T17:00:00+00:00")


def test_after_the_deadline_nothing_can_be_changed(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    clock.now = tw.deadline
    buyer = sign_in(client, tw.cw.buyer)
    base = f"/buyer/call-offs/{tw.call_off.id}"
    page = buyer.get(base)
    assert page.soup.select_one("#changes") is None
    for url in (f"{base}/addendum", f"{base}/tender-deadline", f"{base}/questions/1"):
        assert buyer.post(url, data={"text": "Late"}).status_code in {302, 404}, url
    assert db.session.scalars(db.select(CallOffAddendum)).all() == []


def test_a_viewer_changes_nothing_and_another_organisation_finds_nothing(
    client: FlaskClient, tw: TenderWorld, clock: Clock
) -> None:
    base = f"/buyer/call-offs/{tw.call_off.id}"
    posts = [
        (f"{base}/addendum", {"text": "Changed"}),
        (f"{base}/tender-deadline", {"tender_deadline-day": "20"}),
        (f"{base}/questions/{question_id(tw)}", {"published_question": "Q", "answer": "A"}),
        (f"{base}/late-information", {"offer": "1900000000", "choice": "move"}),
    ]
    viewer = sign_in(client, tw.cw.viewer)
    page = viewer.get(base)
    assert page.soup.select_one("#changes") is None
    assert page.soup.select("#questions a") == []
    for url, data in posts:
        response = viewer.post(url, data=data)
        assert response.status_code == 403, url
        assert "invited as a viewer" in page_text(response), url
    tameside = member("Tameside Council")
    stranger = sign_in(client, add_person(tameside, "buyer@tameside.example.org", Role.BUYER))
    for url, data in posts:
        assert stranger.post(url, data=data).status_code == 404, url
    for url in routes(tw)[1:]:
        assert stranger.get(url).status_code == 404, url
    db.session.expire_all()
    assert db.session.scalars(db.select(CallOffAddendum)).all() == []
    assert db.session.scalars(db.select(CallOffClarification.answer)).all() == [None]
