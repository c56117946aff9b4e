"""The lead's pages at the end of evaluation: possibly abnormally low prices and their review,
the ranking and finishing the evaluation, the award (the proposal, another choice with a reason,
standstill) or no award, and the contract, shown on the buyer's and the winner's pages.

Refused: a panel member who is not the lead, a buyer off the panel (403 with the reason), a
viewer (403), another organisation (404), a tender of another call-off (404). The clock the
pages read is the test's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models.awards import Contract
from dps.rules.enums import CallOffStatus, Role, TenderStatus
from dps.services.awards import awarding
from dps.web.buyer import calloff_award, calloffs
from dps.web.supplier import calloffs as supplier_calloffs
from tests.conftest import page_text
from tests.fixtures.award_world import (
    LOW_PRICES,
    awarded,
    declared,
    evaluated,
    letters_sent,
    moderate,
    ready,
)
from tests.fixtures.calloffs_world import make_calloff_world
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened
from tests.fixtures.helpers import add_person, sign_in
from tests.unit.services.accounts.test_organisations import member


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(now())
    for module in (calloffs, calloff_award, supplier_calloffs):
        monkeypatch.setattr(module, "utcnow", lambda: clock.now)
    return clock


def base(ew: EvaluationWorld) -> str:
    return f"/buyer/call-offs/{ew.call_off.id}"


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a["href"])
        for a in response.soup.select(".govuk-error-summary__list a")
    ]


def ranking_rows(response: Any) -> list[list[str]]:
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")]
        for row in response.soup.select("#ranking tbody tr")
    ]


# --- prices -------------------------------------------------------------------------------------


def test_the_lead_reviews_a_flagged_price_with_every_problem_at_once(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = declared(opened(make_calloff_world(), LOW_PRICES))
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{base(ew)}/prices")
    assert page.status_code == 200
    low = ew.tenders[2]
    assert f"review-{low.id}" in {h.get("id") for h in page.soup.select("h2")}
    assert "£20,000" in page_text(page) and "£35,000" in page_text(page)
    url = f"{base(ew)}/prices"
    bad = lead.post(url, data={"tender_id": str(low.id), "explanation": "We <are> keen"})
    assert bad.status_code == 400
    assert [href for _text, href in summary(bad)] == [
        f"#review-{low.id}-asked_on-day",
        f"#review-{low.id}-decision",
        f"#review-{low.id}-reason",
    ]
    assert bad.soup.select_one(f"#review-{low.id}-explanation").get_text() == "We <are> keen"
    day = now().date()
    good = lead.post(
        url,
        data={
            "tender_id": str(low.id),
            "asked_on-day": str(day.day),
            "asked_on-month": str(day.month),
            "asked_on-year": str(day.year),
            "explanation": "",
            "decision": "rejected",
            "reason": "Staff costs are left out",
        },
    )
    assert good.status_code == 302
    after = lead.get(url)
    assert "Tender rejected" in page_text(after) and "None received" in page_text(after)
    # A tender of another call-off, or one not flagged, is not found.
    for tender_id in ("999999", str(ew.tenders[0].id), "x", "²", "9" * 30):
        response = lead.post(url, data={"tender_id": tender_id, "decision": "accepted"})
        assert response.status_code == 404, tender_id


def test_only_the_lead_sees_the_prices_page(app: Flask, client: FlaskClient, clock: Clock) -> None:
    ew = declared(opened(make_calloff_world(), LOW_PRICES))
    for person, words in (
        (ew.member, "Only the panel lead"),
        (ew.non_panel_buyer, "Only the call-off’s evaluation panel"),
    ):
        response = sign_in(client, person).get(f"{base(ew)}/prices")
        assert response.status_code == 403
        assert words in page_text(response)
    assert sign_in(client, ew.viewer).get(f"{base(ew)}/prices").status_code == 403


# --- ranking ------------------------------------------------------------------------------------


def test_the_ranking_shows_totals_to_two_places_and_the_lead_finishes(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = ready(make_calloff_world())
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{base(ew)}/ranking")
    rows = ranking_rows(page)
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert rows[0][1] == ew.tenders[0].organisation.name
    assert rows[0][2:] == ["50.00", "16.00", "£40,000", "18.75", "84.75"]
    assert page.soup.find("button", string=lambda s: s and "Finish evaluation" in s)
    finished = lead.post(f"{base(ew)}/ranking")
    assert finished.status_code == 302 and finished.location.endswith(f"{base(ew)}/award")
    db.session.refresh(ew.call_off)
    assert ew.call_off.status == CallOffStatus.EVALUATED


def test_a_rejected_tender_is_not_in_the_ranking_but_listed_with_its_reason(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    from tests.fixtures.award_world import reject_low_price

    ew = moderate(declared(opened(make_calloff_world(), LOW_PRICES)))
    reject_low_price(ew)
    page = sign_in(client, ew.lead).get(f"{base(ew)}/ranking")
    names = [row[1] for row in ranking_rows(page)]
    assert ew.tenders[2].organisation.name not in names and len(names) == 2
    excluded = " ".join(page.soup.select_one("#excluded").get_text().split())
    assert "Abnormally low price: It does not account for the staff costs" in excluded


def test_the_ranking_waits_for_moderation_and_members_wait_for_their_own_scores(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = ready(make_calloff_world(), scores=((5, 4), None, (2, 2)))
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{base(ew)}/ranking")
    assert page.soup.select_one("#ranking") is None
    assert "2 scores not moderated yet" in page_text(page)
    refused = lead.post(f"{base(ew)}/ranking")
    assert refused.status_code == 400
    member_page = sign_in(client, ew.member).get(f"{base(ew)}/ranking")
    assert member_page.status_code == 403
    assert "once you have submitted all your scores" in page_text(member_page)
    panel_member = next(m for m in ew.call_off.panel if m.user_id == ew.member.id)
    panel_member.scores_submitted_at = now()
    db.session.commit()
    member_page = sign_in(client, ew.member).get(f"{base(ew)}/ranking")
    assert member_page.status_code == 200
    assert not member_page.soup.find("button", string=lambda s: s and "Finish" in s)
    assert sign_in(client, ew.member).post(f"{base(ew)}/ranking").status_code == 403


# --- award --------------------------------------------------------------------------------------


def test_the_award_page_proposes_the_highest_ranked_and_another_needs_a_reason(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = evaluated(make_calloff_world())
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{base(ew)}/award")
    assert ew.tenders[0].organisation.name in page.soup.select_one("#proposal").get_text()
    checked = page.soup.select_one("input[name=tender_id][checked]")
    assert checked is not None and checked["value"] == str(ew.tenders[0].id)
    data = {
        "tender_id": str(ew.tenders[1].id),
        "advantages": "",
        "standstill": "yes",
        "standstill_days": "7",
    }
    bad = lead.post(f"{base(ew)}/award", data=data)
    assert bad.status_code == 400
    assert [href for _t, href in summary(bad)] == [
        "#other_reason",
        "#advantages",
        "#standstill_days",
    ]
    assert awarding.award_for(ew.call_off) is None
    foreign = lead.post(f"{base(ew)}/award", data={**data, "tender_id": "999999"})
    assert foreign.status_code == 404
    good = lead.post(
        f"{base(ew)}/award",
        data={**data, "other_reason": "Tender 1 cannot start", "advantages": "Good value",
              "standstill_days": ""},
    )  # fmt: skip
    assert good.status_code == 302 and good.location.endswith(base(ew))
    banner = page_text(lead.get(base(ew)))
    assert "The award has been decided. Next, send every bidder its outcome letter" in banner
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.tender_id == ew.tenders[1].id
    assert award.standstill_days == 10


@pytest.mark.parametrize("who", ["member", "non_panel_buyer", "viewer"])
def test_only_the_lead_decides(app: Flask, client: FlaskClient, clock: Clock, who: str) -> None:
    ew = evaluated(make_calloff_world())
    person = sign_in(client, getattr(ew, who))
    for url, data in (
        (f"{base(ew)}/award", {"tender_id": str(ew.tenders[0].id), "advantages": "x",
                              "standstill": "no"}),
        (f"{base(ew)}/no-award", {"reasons": "No budget"}),
        (f"{base(ew)}/ranking", {}),
    ):  # fmt: skip
        assert person.get(url).status_code == 403, url
        assert person.post(url, data=data).status_code == 403, url
    assert awarding.award_for(ew.call_off) is None


def test_another_organisation_finds_none_of_the_pages(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = evaluated(make_calloff_world())
    tameside = member("Tameside Council")
    stranger = sign_in(client, add_person(tameside, "buyer@tameside.example.org", Role.BUYER))
    for page in ("prices", "ranking", "award", "no-award", "contract"):
        assert stranger.get(f"{base(ew)}/{page}").status_code == 404, page
        assert stranger.post(f"{base(ew)}/{page}", data={}).status_code == 404, page


def test_a_decision_not_to_award_keeps_its_reasons(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = ready(make_calloff_world())
    lead = sign_in(client, ew.lead)
    bad = lead.post(f"{base(ew)}/no-award", data={"reasons": " "})
    assert bad.status_code == 400 and summary(bad) == [
        ("Enter the reasons for not awarding a contract", "#reasons")
    ]
    good = lead.post(f"{base(ew)}/no-award", data={"reasons": "The budget was withdrawn"})
    assert good.status_code == 302
    page = lead.get(base(ew))
    assert "You decided not to award a contract" in page_text(page)
    assert "The budget was withdrawn" in page_text(page)
    assert {t.status for t in ew.tenders} == {TenderStatus.UNSUCCESSFUL}


# --- contract -----------------------------------------------------------------------------------


def _contract_form(**changes: str) -> dict[str, str]:
    form = {
        "reference": "OMBC-001",
        "value": "40,000.00",
        "start_date-day": "1", "start_date-month": "4", "start_date-year": "2027",
        "end_date-day": "31", "end_date-month": "3", "end_date-year": "2028",
    }  # fmt: skip
    form.update(changes)
    return form


def test_the_contract_waits_for_standstill_then_shows_on_both_pages(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = awarded(make_calloff_world())
    award = letters_sent(ew)
    assert award.standstill_ends_at is not None
    lead = sign_in(client, ew.lead)
    url = f"{base(ew)}/contract"
    clock.now = award.standstill_ends_at - timedelta(minutes=1)
    waiting = lead.get(url)
    assert "The standstill period ends at" in waiting.soup.select_one("#waiting").get_text()
    assert lead.post(url, data=_contract_form()).status_code == 200
    assert db.session.query(Contract).count() == 0
    clock.now = award.standstill_ends_at
    form = lead.get(url)
    assert form.soup.select_one("#value")["value"] == "40000.00"
    bad = lead.post(url, data=_contract_form(reference="", **{"end_date-year": "2026"}))
    assert bad.status_code == 400
    assert [href for _t, href in summary(bad)] == ["#reference", "#end_date-day"]
    assert lead.post(url, data=_contract_form()).status_code == 302
    buyer_page = page_text(lead.get(base(ew)))
    assert "OMBC-001" in buyer_page and "£40,000" in buyer_page
    # The winner sees it on its call-off page; another bidder does not.
    winner = sign_in(client, ew.tw.people[0]).get(f"/supplier/call-offs/{ew.call_off.id}")
    assert winner.soup.select_one("#contract") is not None
    assert "OMBC-001" in page_text(winner)
    loser = sign_in(client, ew.tw.people[1]).get(f"/supplier/call-offs/{ew.call_off.id}")
    assert loser.soup.select_one("#contract") is None
    assert "OMBC-001" not in page_text(loser)
    # Confirmed once.
    assert lead.get(url).status_code == 403


def test_only_the_lead_confirms_the_contract(app: Flask, client: FlaskClient, clock: Clock) -> None:
    ew = awarded(make_calloff_world(), standstill=False)
    letters_sent(ew)
    clock.now = now() + timedelta(days=2)
    for person in (ew.member, ew.non_panel_buyer, ew.viewer):
        response = sign_in(client, person).post(f"{base(ew)}/contract", data=_contract_form())
        assert response.status_code == 403
    assert db.session.query(Contract).count() == 0


# --- once opened, never cancelled; the stuck panel ---------------------------------------------


def test_once_the_tenders_are_opened_the_call_off_is_not_cancelled(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = opened(make_calloff_world())
    for who in (ew.non_panel_buyer, ew.lead):
        buyer = sign_in(client, who)
        page = buyer.get(base(ew))
        assert "Cancel this call-off" not in page_text(page)
        assert buyer.get(f"{base(ew)}/cancel").status_code == 302
        refused = buyer.post(f"{base(ew)}/cancel", data={"reason": "Budget withdrawn"})
        assert refused.status_code == 400
        assert "decide not to award it" in page_text(refused)
    db.session.expire_all()
    assert ew.call_off.status == CallOffStatus.CLOSED and ew.call_off.cancelled_at is None


def test_a_panel_all_conflicted_lets_a_free_buyer_decide_not_to_award_and_send_the_letters(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    from dps.services.awards import letters
    from dps.services.evaluation import conflicts

    ew = opened(make_calloff_world())
    assert conflicts.declare(ew.call_off, ew.member, True, "My sister runs a bidder", now()) == []
    assert conflicts.declare(ew.call_off, ew.lead, True, "Former employer", now()) == []
    assert conflicts.nobody_can_evaluate(ew.call_off)
    for who in (ew.lead, ew.member, ew.viewer):
        person = sign_in(client, who)
        assert person.get(f"{base(ew)}/no-award").status_code == 403
        assert person.post(f"{base(ew)}/no-award", data={"reasons": "x"}).status_code == 403
        page = person.get(base(ew))
        assert page.soup.select_one("#stuck") is not None
        assert f"{base(ew)}/no-award" not in [a["href"] for a in page.soup.select("main a")]
    buyer = sign_in(client, ew.non_panel_buyer)
    page = buyer.get(base(ew))
    assert page.soup.select_one("#stuck") is not None
    assert f"{base(ew)}/no-award" in [a["href"] for a in page.soup.select("main a")]
    bad = buyer.post(f"{base(ew)}/no-award", data={"reasons": ""})
    assert bad.status_code == 400 and [h for _t, h in summary(bad)] == ["#reasons"]
    done = buyer.post(f"{base(ew)}/no-award", data={"reasons": "Nobody free of conflict"})
    assert done.status_code == 302
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.decided_by_id == ew.non_panel_buyer.id
    assert buyer.get(f"{base(ew)}/letters").status_code == 200
    assert buyer.post(f"{base(ew)}/letters/send").status_code == 302
    db.session.expire_all()
    assert ew.call_off.status == CallOffStatus.NOT_AWARDED
    assert award.letters_sent_at is not None and award.letters_sent_by_id == ew.non_panel_buyer.id
    assert len(letters.sent_letters(ew.call_off.id)) == len(ew.tenders)


def test_a_buyer_off_the_panel_cannot_decide_while_the_panel_can_evaluate(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = declared(opened(make_calloff_world()))
    buyer = sign_in(client, ew.non_panel_buyer)
    assert buyer.post(f"{base(ew)}/no-award", data={"reasons": "x"}).status_code == 403
    page = buyer.get(base(ew))
    assert page.soup.select_one("#stuck") is None
    assert f"{base(ew)}/no-award" not in [a["href"] for a in page.soup.select("main a")]
    assert awarding.award_for(ew.call_off) is None


def test_a_tie_at_the_top_is_shown_and_the_lead_chooses_with_a_reason(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    ew = evaluated(
        make_calloff_world(), prices=("30000", "30000", "40000"), scores=((4, 4), (4, 4), (2, 2))
    )
    lead = sign_in(client, ew.lead)
    page = lead.get(f"{base(ew)}/award")
    assert page.soup.select_one("#proposal") is None
    tie = page.soup.select_one("#tie").get_text()
    names = [t.organisation.name for t in ew.tenders]
    assert names[0] in tie and names[1] in tie and "proposes none" in tie
    assert "highest-ranked tender" not in page_text(page)
    assert page.soup.select_one("input[name=tender_id][checked]") is None
    data = {"advantages": "Good value", "standstill": "no"}
    nothing = lead.post(f"{base(ew)}/award", data=data)
    assert nothing.status_code == 400
    assert [href for _t, href in summary(nothing)] == ["#tender_id", "#other_reason"]
    no_reason = lead.post(f"{base(ew)}/award", data={**data, "tender_id": str(ew.tenders[0].id)})
    assert no_reason.status_code == 400
    assert summary(no_reason) == [
        ("Enter why you chose this tender: the highest rank is shared", "#other_reason")
    ]
    assert awarding.award_for(ew.call_off) is None
    good = lead.post(
        f"{base(ew)}/award",
        data={**data, "tender_id": str(ew.tenders[0].id), "other_reason": "Starts sooner"},
    )
    assert good.status_code == 302
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.proposed_tender_id is None
    assert (award.tender_id, award.other_choice_reason) == (ew.tenders[0].id, "Starts sooner")
