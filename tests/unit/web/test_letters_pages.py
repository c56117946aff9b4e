"""The outcome-letter pages: the panel previews each bidder's letter, the lead sends them once;
each bidder reads its own letter only, and only once sent; an unsuccessful bidder asks for more
reasons and the lead replies. Another organisation's call-off, another call-off's letter or
request, and anything before sending are "not found"; people off the panel are refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.awards import Award, OutcomeLetter, ReasonsRequest
from dps.rules.enums import Role
from dps.web.buyer import calloff_letters as buyer_pages
from dps.web.buyer import calloffs as buyer_calloffs
from dps.web.supplier import calloff_letters as supplier_pages
from dps.web.supplier import calloffs as supplier_calloffs
from tests.conftest import page_text
from tests.fixtures.calloffs_world import make_calloff_world
from tests.fixtures.evaluation_world import EvaluationWorld
from tests.fixtures.helpers import add_person, sign_in
from tests.fixtures.letters_world import (
    ADVANTAGES,
    CHOICE_REASON,
    DECIDED_AT,
    NO_AWARD_REASONS,
    decided,
)
from tests.unit.services.accounts.test_organisations import member

# Friday 5 February 2027, 10:00 UTC: standstill's 10th day on is Monday 15 February.
NOW = datetime(2027, 2, 5, 10, 0, tzinfo=DECIDED_AT.tzinfo)


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(NOW)
    for module in (buyer_pages, buyer_calloffs, supplier_pages, supplier_calloffs):
        monkeypatch.setattr(module, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def ew(app: Flask) -> EvaluationWorld:
    world, _award = decided(make_calloff_world())
    return world


def _letter(ew: EvaluationWorld, n: int) -> OutcomeLetter:
    return db.session.scalars(
        db.select(OutcomeLetter).where(
            OutcomeLetter.organisation_id == ew.tenders[n].organisation_id
        )
    ).one()


def _base(ew: EvaluationWorld) -> str:
    return f"/buyer/call-offs/{ew.call_off.id}"


def _supplier(ew: EvaluationWorld) -> str:
    return f"/supplier/call-offs/{ew.call_off.id}"


def _text(response: Any, selector: str) -> str:
    found = response.soup.select_one(selector)
    return " ".join(found.get_text().split()) if found else ""


def test_panel_previews_each_letter_before_sending(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{_base(ew)}/letters")
    assert page.status_code == 200
    rows = page.soup.select("#letters tbody tr")
    assert len(rows) == 3
    assert page.soup.select_one("#send-letters") is not None
    links = [a["href"] for a in page.soup.select("#letters tbody a")]
    assert f"{_base(ew)}/letters/{_letter(ew, 0).id}" in links and len(links) == 3
    preview = lead.get(f"{_base(ew)}/letters/{_letter(ew, 0).id}")
    text = page_text(preview)
    assert "This is a preview" in text
    assert ADVANTAGES in text
    assert ew.tenders[1].organisation.name in _text(preview, "#winner-name")
    assert "15 February 2027" in _text(preview, "#standstill")
    assert "if the letters are sent today" in _text(preview, "#standstill")
    assert "3 out of 5" in _text(preview, "#scores")
    assert "56.75 out of 100" in _text(preview, "#scores")
    assert "91.00 out of 100" in _text(preview, "#scores")
    assert ew.tenders[2].organisation.name not in text  # never a third bidder
    # the call-off page links to the letters
    view = lead.get(_base(ew))
    assert view.soup.select_one("#letters-link") is not None

    # a member previews but cannot send; someone off the panel is refused
    sign_in(client, ew.member)
    assert client.get(f"{_base(ew)}/letters").soup.select_one("#send-letters") is None
    assert client.post(f"{_base(ew)}/letters/send").status_code == 403
    sign_in(client, ew.non_panel_buyer)
    assert client.get(f"{_base(ew)}/letters").status_code == 403
    assert client.get(_base(ew)).soup.select_one("#letters-link") is None
    sign_in(client, ew.viewer)
    assert client.get(_base(ew)).soup.select_one("#letters-link") is None
    assert client.get(f"{_base(ew)}/letters").status_code == 403
    assert db.session.scalar(db.select(Award.letters_sent_at)) is None


def test_before_sending_the_bidder_has_no_letter(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    sign_in(client, ew.lead).get(f"{_base(ew)}/letters")  # the letters are made
    bidder = sign_in(client, ew.people[0])
    assert bidder.get(f"{_supplier(ew)}/letter").status_code == 404
    assert bidder.get(f"{_supplier(ew)}/letter/reasons").status_code == 404
    assert bidder.get(_supplier(ew)).soup.select_one("#read-letter") is None


def test_lead_sends_once_and_each_bidder_reads_only_its_own(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    lead = sign_in(client, ew.lead)
    sent = lead.post(f"{_base(ew)}/letters/send")
    assert sent.status_code == 302
    again = lead.post(f"{_base(ew)}/letters/send")
    assert again.status_code == 400
    assert "already been sent" in _text(again, ".govuk-error-summary")
    page = lead.get(f"{_base(ew)}/letters")
    assert "Not read yet" in _text(page, "#letters")
    assert "midnight at the end of 15 February 2027" in _text(page, "#sent")

    clock.now = NOW + timedelta(hours=2)
    bidder = sign_in(client, ew.people[0])
    assert bidder.get(_supplier(ew)).soup.select_one("#read-letter") is not None
    mine = bidder.get(f"{_supplier(ew)}/letter")
    assert mine.status_code == 200
    text = page_text(mine)
    assert ew.tenders[0].organisation.name in _text(mine, "#letter-details")
    assert "15 February 2027" in _text(mine, "#standstill")
    assert "if the letters are sent today" not in text
    assert ew.tenders[2].organisation.name not in text
    db.session.expire_all()
    assert _letter(ew, 0).first_read_at == clock.now
    assert _letter(ew, 1).first_read_at is None
    # the buyer sees it read
    sign_in(client, ew.lead)
    rows = client.get(f"{_base(ew)}/letters").soup.select("#letters tbody tr")
    read = {
        r.select("td")[0].get_text(strip=True): r.select("td")[3].get_text(strip=True) for r in rows
    }
    assert read[ew.tenders[0].organisation.name] == "5 February 2027 at midday"
    assert read[ew.tenders[1].organisation.name] == "Not read yet"

    # a supplier invited but not bidding, and another organisation's person, find nothing
    sign_in(client, ew.people[1])
    assert ew.tenders[1].organisation.name in _text(
        client.get(f"{_supplier(ew)}/letter"), "#letter-details"
    )
    # buyer-side: another call-off's letter id is not found
    sign_in(client, ew.lead)
    assert client.get(f"{_base(ew)}/letters/9999").status_code == 404


def test_another_organisation_finds_nothing(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    sign_in(client, ew.lead).post(f"{_base(ew)}/letters/send")
    tameside = member("Tameside Council")
    sign_in(client, add_person(tameside, "buyer@tameside.example.org", Role.BUYER))
    for url in ("/letters", f"/letters/{_letter(ew, 0).id}", "/reasons/1"):
        assert client.get(f"{_base(ew)}{url}").status_code == 404, url
    assert client.post(f"{_base(ew)}/letters/send").status_code == 404
    person = db.session.scalars(
        db.select(User).join(Membership).where(Membership.organisation_id == ew.tw.outsider)
    ).first()
    assert person is not None
    sign_in(client, person)
    assert client.get(f"{_supplier(ew)}/letter").status_code == 404


def test_unsuccessful_bidder_asks_and_the_lead_replies(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    sign_in(client, ew.lead).post(f"{_base(ew)}/letters/send")
    bidder = sign_in(client, ew.people[0])
    empty = bidder.post(f"{_supplier(ew)}/letter/reasons", data={"request": " "})
    assert empty.status_code == 400
    assert empty.soup.select_one(".govuk-error-summary a")["href"] == "#request"
    asked = bidder.post(
        f"{_supplier(ew)}/letter/reasons", data={"request": "Why was our method marked 3?"}
    )
    assert asked.status_code == 302
    shown = page_text(bidder.get(f"{_supplier(ew)}/letter/reasons"))
    assert "Why was our method marked 3?" in shown and "20 February 2027" in shown
    assert "Not replied yet" in shown

    request = db.session.scalars(db.select(ReasonsRequest)).one()
    lead = sign_in(client, ew.lead)
    letters_page = lead.get(f"{_base(ew)}/letters")
    assert [a["href"] for a in letters_page.soup.select("#open-requests a")] == [
        f"{_base(ew)}/reasons/{request.id}"
    ]
    view = lead.get(_base(ew))
    assert "reply by 20 February 2027" in _text(view, "#open-reasons")
    clock.now = NOW + timedelta(days=16)
    assert "Overdue" in _text(lead.get(_base(ew)), "#open-reasons")
    sign_in(client, ew.member)
    assert client.post(f"{_base(ew)}/reasons/{request.id}", data={"reply": "No"}).status_code == 403
    lead = sign_in(client, ew.lead)
    blank = lead.post(f"{_base(ew)}/reasons/{request.id}", data={"reply": ""})
    assert blank.status_code == 400
    assert blank.soup.select_one(".govuk-error-summary a")["href"] == "#reply"
    done = lead.post(
        f"{_base(ew)}/reasons/{request.id}", data={"reply": "Your method had no dates."}
    )
    assert done.status_code == 302
    assert lead.get(_base(ew)).soup.select_one("#open-reasons") is None
    bidder = sign_in(client, ew.people[0])
    assert "Your method had no dates." in page_text(bidder.get(f"{_supplier(ew)}/letter/reasons"))


def test_the_successful_bidder_cannot_ask(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    sign_in(client, ew.lead).post(f"{_base(ew)}/letters/send")
    winner = sign_in(client, ew.people[1])
    page = winner.get(f"{_supplier(ew)}/letter/reasons")
    assert page.soup.select_one("#cannot-ask") is not None
    refused = winner.post(f"{_supplier(ew)}/letter/reasons", data={"request": "Why?"})
    assert refused.status_code == 400
    assert db.session.scalars(db.select(ReasonsRequest)).all() == []


def test_no_award_letter_gives_the_reasons(client: FlaskClient, clock: Clock, app: Flask) -> None:
    ew, _award = decided(make_calloff_world(), no_award=True)
    sign_in(client, ew.lead).post(f"{_base(ew)}/letters/send")
    page = sign_in(client, ew.people[2]).get(f"{_supplier(ew)}/letter")
    assert NO_AWARD_REASONS in _text(page, "#no-award-reasons")
    assert page.soup.select_one("#standstill") is None
    assert page.soup.select_one("#winner-name") is None


@pytest.mark.parametrize("chosen", ["lower", "tied"])
def test_when_the_winner_was_not_proposed_every_letter_gives_the_reason(
    client: FlaskClient, app: Flask, clock: Clock, chosen: str
) -> None:
    ew, award = decided(make_calloff_world(), chosen=chosen)
    lead = sign_in(client, ew.lead)
    assert lead.get(f"{_base(ew)}/letters").status_code == 200  # made for the preview
    by_id = {t.id: n for n, t in enumerate(ew.tenders)}
    winner = by_id[award.tender_id or 0]
    for n in range(len(ew.tenders)):
        page = lead.get(f"{_base(ew)}/letters/{_letter(ew, n).id}")
        assert CHOICE_REASON in _text(page, "#choice-reason"), n
    successful = page_text(lead.get(f"{_base(ew)}/letters/{_letter(ew, winner).id}"))
    assert "scored highest" not in successful
    expected = "shared the highest total" if chosen == "tied" else "did not have the highest total"
    assert expected in successful


def test_the_proposed_winner_s_letter_says_it_scored_highest_and_gives_no_choice_reason(
    client: FlaskClient, ew: EvaluationWorld, clock: Clock
) -> None:
    lead = sign_in(client, ew.lead)
    assert lead.get(f"{_base(ew)}/letters").status_code == 200
    successful = lead.get(f"{_base(ew)}/letters/{_letter(ew, 1).id}")
    assert "It scored highest against the award criteria" in page_text(successful)
    assert successful.soup.select_one("#choice-reason") is None
