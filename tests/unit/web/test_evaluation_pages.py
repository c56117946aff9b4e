"""The evaluation pages: a panel member declares, then reads and scores the tenders, submits
all their scores and then sees the others'; the lead moderates. Refused: reading or scoring
without a declaration, seeing others' scores before submitting, a buyer off the panel, a
viewer, a conflicted member, a member moderating; another organisation's call-off and a tender
of another call-off are not found."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import PanelScore
from dps.rules.enums import Role
from dps.services.calloffs import publishing, sealing, tendering
from dps.services.evaluation import conflicts, moderation, panel_roles
from dps.web.buyer import calloff_changes, calloff_evaluation, calloffs
from tests.conftest import page_text
from tests.fixtures.calloffs_world import SENT_AT, make_calloff_world, ready_draft
from tests.fixtures.evaluation_scoring import declare_all, score_all, submit_all
from tests.fixtures.evaluation_world import (
    OPENED_AT,
    TENDERED_AT,
    EvaluationWorld,
    now,
    opened,
)
from tests.fixtures.helpers import add_person, sign_in
from tests.unit.services.accounts.test_organisations import member


@pytest.fixture
def ew(app: Flask, monkeypatch: pytest.MonkeyPatch) -> EvaluationWorld:
    for module in (calloffs, calloff_changes, calloff_evaluation):
        monkeypatch.setattr(module, "utcnow", now)
    return opened(make_calloff_world())


def base(ew: EvaluationWorld) -> str:
    return f"/buyer/call-offs/{ew.call_off.id}"


def summary(response: Any) -> list[tuple[str, str]]:
    return [
        (" ".join(a.get_text().split()), a.get("href", ""))
        for a in response.soup.select(".govuk-error-summary__list li")
        for a in [a.find("a") or a]
    ]


def text_of(response: Any, selector: str) -> str:
    found = response.soup.select_one(selector)
    return " ".join(found.get_text().split()) if found else ""


def test_a_member_declares_scores_and_submits(client: FlaskClient, ew: EvaluationWorld) -> None:
    quality, social = ew.call_off.questions
    first = ew.tenders[0]
    browser = sign_in(client, ew.member)
    page = browser.get(base(ew))
    assert "declare whether you have a conflict" in text_of(page, "#tenders")
    assert page.soup.select_one("#tender-list") is None
    assert page.soup.select_one("#evaluation-link")["href"] == f"{base(ew)}/evaluation"
    for url in (f"{base(ew)}/tenders/{first.id}", f"{base(ew)}/evaluation/tenders/{first.id}"):
        refused = browser.get(url)
        assert refused.status_code == 403 and "Declare whether" in page_text(refused)
        assert "Our method, tenderer 1" not in page_text(refused)
    hub = browser.get(f"{base(ew)}/evaluation")
    assert "Before you read any tender, declare" in page_text(hub)

    url = f"{base(ew)}/evaluation/declaration"
    form = browser.get(url)
    assert [li.get_text() for li in form.soup.select("#bidders li")] == [
        t.organisation.name for t in ew.tenders
    ]
    assert summary(browser.post(url, data={})) == [
        ("Select whether you have a conflict of interest", "#has_conflict")
    ]
    no_reason = browser.post(url, data={"has_conflict": "yes", "reason": " "})
    assert no_reason.status_code == 400
    assert summary(no_reason) == [("Enter what your conflict of interest is", "#reason")]
    assert browser.post(url, data={"has_conflict": "no"}).status_code == 302
    assert browser.get(url).status_code == 302  # made once: back to the hub

    page = browser.get(base(ew))
    assert len(page.soup.select("#tender-list tbody tr")) == 3
    assert "Our method, tenderer 1" in page_text(browser.get(f"{base(ew)}/tenders/{first.id}"))
    score_url = f"{base(ew)}/evaluation/tenders/{first.id}"
    scoring_page = browser.get(score_url)
    assert "Our method, tenderer 1" in page_text(scoring_page)
    bad = browser.post(
        score_url,
        data={
            f"score-{quality.id}": "7",
            f"justification-{quality.id}": "Very good",
            f"score-{social.id}": "2",
        },
    )
    assert bad.status_code == 400
    assert summary(bad) == [
        ("Question 1: the score must be a whole number from 0 to 5", f"#score-{quality.id}"),
        ("Question 2: enter why you gave this score", f"#justification-{social.id}"),
    ]
    assert bad.soup.select_one(f"#score-{quality.id}")["value"] == "7"  # what was typed is kept
    # Digits of other scripts and numbers of any length are a score to put right, not an error.
    for odd in ("²", "５", "9" * 40, "-1", "3.5"):
        other = browser.post(
            score_url,
            data={f"score-{quality.id}": odd, f"justification-{quality.id}": "Good"},
        )
        assert other.status_code == 400, odd
        assert summary(other)[0][0].startswith("Question 1: the score must be a whole number")
    assert bad.soup.select_one(f"#justification-{quality.id}").get_text() == "Very good"
    assert db.session.scalar(db.select(db.func.count()).select_from(PanelScore)) == 0
    saved = browser.post(
        score_url, data={f"score-{quality.id}": "4", f"justification-{quality.id}": "Good"}
    )
    assert saved.status_code == 302
    hub = browser.get(f"{base(ew)}/evaluation")
    assert text_of(hub, "#progress tbody tr").startswith(f"{first.organisation.name} 1 of 2")
    check = browser.get(f"{base(ew)}/evaluation/submit")
    assert len(check.soup.select("#missing li")) == 5
    refused = browser.post(f"{base(ew)}/evaluation/submit")
    assert refused.status_code == 400 and len(summary(refused)) == 5

    score_all(ew, ew.member)
    assert "Submit all your scores" in page_text(browser.get(f"{base(ew)}/evaluation"))
    assert browser.post(f"{base(ew)}/evaluation/submit").status_code == 302
    hub = browser.get(f"{base(ew)}/evaluation")
    assert "You submitted your scores" in page_text(hub)
    assert "No other panel member has submitted their scores yet" in page_text(hub)
    fixed = browser.post(score_url, data={f"score-{quality.id}": "1"})
    assert fixed.status_code == 403 and "cannot be changed" in page_text(fixed)


def test_others_scores_appear_only_once_both_have_submitted(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    declare_all(ew)
    score_all(ew, ew.lead, 1)
    score_all(ew, ew.member, 5)
    browser = sign_in(client, ew.member)
    hub = browser.get(f"{base(ew)}/evaluation")
    assert "gives 1" not in page_text(hub)
    first = ew.tenders[0]
    assert "gives 1" not in page_text(browser.get(f"{base(ew)}/evaluation/tenders/{first.id}"))
    browser.post(f"{base(ew)}/evaluation/submit")
    sign_in(client, ew.lead)
    browser.post(f"{base(ew)}/evaluation/submit")
    sign_in(client, ew.member)
    others = browser.get(f"{base(ew)}/evaluation").soup.select("#others tbody tr")
    assert len(others) == 6 and f"{ew.lead.name} gives 1" in others[0].get_text()


def test_people_off_the_panel_are_refused_with_the_reason(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    submit_all(ew)
    first = ew.tenders[0]
    urls = [
        f"{base(ew)}/evaluation",
        f"{base(ew)}/evaluation/declaration",
        f"{base(ew)}/evaluation/tenders/{first.id}",
        f"{base(ew)}/evaluation/submit",
        f"{base(ew)}/evaluation/tenders/{first.id}/moderation",
        f"{base(ew)}/tenders/{first.id}",
    ]
    browser = sign_in(client, ew.non_panel_buyer)
    page = browser.get(base(ew))
    assert "Only the call-off’s evaluation panel can read the tenders" in page_text(page)
    assert page.soup.select_one("#evaluation-link") is None
    for url in urls:
        refused = browser.get(url)
        assert refused.status_code == 403, url
        assert "Only the call-off’s evaluation panel" in page_text(refused), url
        assert "Our method" not in page_text(refused)
    assert browser.post(urls[2], data={}).status_code == 403
    viewer = sign_in(client, ew.viewer)
    hub = viewer.get(urls[0])
    assert hub.status_code == 403 and "Only the call-off’s evaluation panel" in page_text(hub)
    for url in urls[1:]:
        assert viewer.get(url).status_code == 403, url
    # A member moderating.
    sign_in(client, ew.member)
    refused = browser.get(urls[4])
    assert refused.status_code == 403 and "Only the panel lead" in page_text(refused)


def test_a_conflicted_member_reads_and_scores_nothing(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    conflicts.declare(ew.call_off, ew.member, True, "My sister runs it", now())
    browser = sign_in(client, ew.member)
    first = ew.tenders[0]
    assert "You declared a conflict of interest" in text_of(browser.get(base(ew)), "#tenders")
    hub = browser.get(f"{base(ew)}/evaluation")
    assert "so you are not on this call-off’s panel" in page_text(hub)
    assert hub.soup.select_one("#progress") is None
    for url in (f"{base(ew)}/tenders/{first.id}", f"{base(ew)}/evaluation/tenders/{first.id}"):
        refused = browser.get(url)
        assert refused.status_code == 403 and "You declared a conflict" in page_text(refused)


def test_the_lead_hands_over_when_declaring_a_conflict(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    browser = sign_in(client, ew.lead)
    url = f"{base(ew)}/evaluation/declaration"
    refused = browser.post(url, data={"has_conflict": "yes", "reason": "Former employer"})
    assert summary(refused) == [("Select who will lead the panel instead", "#new_lead")]
    colleague = panel_roles.member_for(ew.call_off, ew.member)
    assert colleague is not None
    done = browser.post(
        url,
        data={"has_conflict": "yes", "reason": "Former employer", "new_lead": str(colleague.id)},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert ew.call_off.panel_lead == colleague


def test_the_lead_moderates_with_every_members_score_beside(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    quality, social = ew.call_off.questions
    first = ew.tenders[0]
    url = f"{base(ew)}/evaluation/tenders/{first.id}/moderation"
    declare_all(ew)
    browser = sign_in(client, ew.lead)
    waiting = browser.get(url)
    assert waiting.status_code == 403 and "has not submitted" in page_text(waiting)
    submit_all_scores(ew)
    hub = browser.get(f"{base(ew)}/evaluation")
    assert "0 of 2 answers moderated" in text_of(hub, "#moderation")
    page = browser.get(url)
    assert len(page.soup.select("#scores-1 tbody tr")) == 2
    assert page.soup.select_one(f"#score-{quality.id}")["value"] == ""  # the lead decides
    empty = browser.post(url, data={})
    assert empty.status_code == 400 and len(summary(empty)) == 4
    done = browser.post(
        url,
        data={
            f"score-{quality.id}": "4",
            f"rationale-{quality.id}": "Agreed",
            f"score-{social.id}": "3",
            f"rationale-{social.id}": "Agreed too",
        },
    )
    assert done.status_code == 302
    assert moderation.moderated_scores(ew.call_off) == {first.id: {quality.id: 4, social.id: 3}}
    assert "2 of 2 answers moderated" in text_of(
        browser.get(f"{base(ew)}/evaluation"), "#moderation"
    )


def submit_all_scores(ew: EvaluationWorld) -> None:
    from dps.services.evaluation import scoring

    for person in (ew.lead, ew.member):
        score_all(ew, person)
        scoring.submit(ew.call_off, actor=person, at=now())


def _other_call_offs_tender(ew: EvaluationWorld) -> int:
    call_off = ready_draft(ew.tw.cw)
    publishing.publish(call_off, ew.lead, SENT_AT)
    q1, q2 = call_off.questions
    supplier, person = ew.suppliers[0], ew.people[0]
    tendering.save_draft(
        call_off.id, supplier, {q1.id: "x", q2.id: "y"}, {"total": "100"}, actor=person,
        at=TENDERED_AT,
    )  # fmt: skip
    tender = tendering.submit(call_off.id, supplier, actor=person, at=TENDERED_AT)
    assert sealing.open_tenders(call_off.id, OPENED_AT)
    return tender.id


def test_another_organisation_and_another_call_offs_tender_are_not_found(
    client: FlaskClient, ew: EvaluationWorld
) -> None:
    submit_all(ew)
    other_tender = _other_call_offs_tender(ew)
    browser = sign_in(client, ew.lead)
    for url in (
        f"{base(ew)}/evaluation/tenders/{other_tender}",
        f"{base(ew)}/evaluation/tenders/{other_tender}/moderation",
        f"{base(ew)}/tenders/{other_tender}",
    ):
        assert browser.get(url).status_code == 404, url
    outsider = add_person(member("Tameside Council"), "buyer@tameside.example.org", Role.BUYER)
    sign_in(client, outsider)
    first = ew.tenders[0]
    for url in (
        f"{base(ew)}/evaluation",
        f"{base(ew)}/evaluation/declaration",
        f"{base(ew)}/evaluation/tenders/{first.id}",
        f"{base(ew)}/evaluation/submit",
        f"{base(ew)}/evaluation/tenders/{first.id}/moderation",
    ):
        assert browser.get(url).status_code == 404, url
