"""A call-off's evaluation and award in Chromium, on the demo data, every page checked by axe-core.

The demo's closed Tameside call-off has its tenders opened: Northern Co-operative Consultancy
CIC's and Community Catalyst CIC's (whose price is flagged as possibly abnormally low), and a
decline. Its panel is the Tameside buyer (the lead) and the Tameside evaluator. Each declares no
conflict of interest and scores every answer on their own, seeing nobody else's scores until
theirs are submitted; the lead moderates, accepts the explanation of the low price, finishes the
evaluation, awards the proposed tender with a 10-day standstill, previews both outcome letters
and sends them. Each bidder follows the emailed link and reads its own letter; the unsuccessful
one asks for more reasons, and the lead finds the request, with its reply date, on the call-off.

With DPS_SCREENSHOTS set, a full-page PNG of each page checked is kept in a new folder under
the system's temporary folder (its path is printed), for a person to look over.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dps.demo.calloff_content import CLOSED
from dps.extensions import db
from dps.models import CallOff, Tender
from dps.models.awards import Award, ReasonsRequest
from dps.models.base import utcnow
from dps.rules.award_timing import reasons_reply_due, standstill_last_day
from dps.rules.enums import CallOffStatus
from dps.rules.timefmt import format_date, london
from tests.browser import calloff_steps as steps
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

TITLE = CLOSED.title
LEAD = "tameside.buyer@example.org"
EVALUATOR = "tameside.evaluator@example.org"
LEAD_NAME = "Tameside buyer (demo)"
EVALUATOR_NAME = "Tameside evaluator (demo)"
NORTHERN = "Northern Co-operative Consultancy CIC"
CATALYST = "Community Catalyst CIC"
NORTHERN_OWNER = "northern-coop@example.org"
CATALYST_OWNER = "community-catalyst@example.org"

# Each member's scores for questions 1 to 3 (each out of 5); each comes with a `justification`.
EVALUATOR_SCORES = {NORTHERN: (5, 4, 5), CATALYST: (3, 3, 4)}
LEAD_SCORES = {NORTHERN: (4, 4, 5), CATALYST: (3, 2, 4)}
MODERATED = {NORTHERN: (5, 4, 5), CATALYST: (3, 3, 4)}
# Weights 30, 20 (quality) and 15 (social value), price 35 (lowest price / this price).
# Northern: 30 + 16 = 46 quality, 15 social value, 35 x 28,250 / 42,250 = 23.40, total 84.40.
# Community Catalyst: 18 + 12 = 30 quality, 12 social value, 35 for price, total 77.00.
ADVANTAGES = (
    "A design group of young people paid for their time, who co-chair the co-operative; "
    "an evaluation with measures agreed with them; peer researchers with a qualification."
)
EXPLANATION = "Two of our youth workers are funded by a grant for the pilot's twelve weeks."
REASONS = "Please say how our plan for young people's involvement could have scored higher."


def justification(who: str, supplier: str, question: int) -> str:
    return f"{who} on {supplier}, question {question}: the answer's strengths and gaps."


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with steps.demo_server(tmp_path_factory.mktemp("evaluation")) as server:
        yield server


@pytest.fixture
def check(page: Any, check_page: Callable[[], None]) -> Callable[[], None]:
    """axe-core on the page; with DPS_SCREENSHOTS set, a screenshot of it too."""
    if not os.environ.get("DPS_SCREENSHOTS"):
        return check_page
    folder = Path(tempfile.mkdtemp(prefix="dps-evaluation-journey-"))
    print(f"Screenshots in {folder}")
    taken = [0]

    def check_and_keep() -> None:
        check_page()
        taken[0] += 1
        name = re.sub(r"[^a-z0-9]+", "-", page.title().lower()).strip("-")[:60]
        page.screenshot(path=str(folder / f"{taken[0]:02d}-{name}.png"), full_page=True)

    return check_and_keep


def as_person(page: Any, server: LiveServer, email: str) -> None:
    """The next person at the same browser: signed in afresh, nothing kept from the last."""
    page.context.clear_cookies()
    steps.sign_in(page, server, email)
    expect(page).not_to_have_url(re.compile(r"/sign-in"))  # signed in before going on


def the_call_off(server: LiveServer) -> tuple[int, dict[str, int]]:
    """The demo call-off's id, and its tenders' ids by bidder."""
    with server.database() as session:
        call_off = session.scalars(db.select(CallOff).where(CallOff.title == TITLE)).one()
        assert call_off.status == CallOffStatus.CLOSED
        tenders = session.scalars(db.select(Tender).where(Tender.call_off_id == call_off.id))
        return call_off.id, {t.organisation.name: t.id for t in tenders}


def banner(page: Any) -> Any:
    return page.locator(".govuk-notification-banner")


def open_call_off(page: Any, server: LiveServer, check: Callable[[], None]) -> None:
    page.goto(server("/buyer/"))
    check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    check()


def declare_no_conflict(page: Any, check: Callable[[], None]) -> None:
    """From the call-off page: the tenders are kept from a member who has not declared."""
    expect(page.locator("#why-not-tenders")).to_be_visible()
    expect(page.locator("#tender-list")).to_have_count(0)
    page.get_by_role("link", name="Declare whether you have a conflict of interest").click()
    expect(page.locator("h1")).to_have_text("Declare any conflict of interest")
    expect(page.locator("#bidders")).to_contain_text(NORTHERN)
    expect(page.locator("#bidders")).to_contain_text(CATALYST)
    check()
    page.get_by_label("No, I have no conflict of interest with any of these bidders").check()
    page.get_by_role("button", name="Make the declaration").click()
    expect(page.locator("h1")).to_have_text("Evaluation")
    expect(banner(page)).to_contain_text("Your declaration has been recorded")
    expect(page.locator("#declaration")).to_contain_text("that you have no conflict of interest")
    check()


def score_tender(
    page: Any, who: str, supplier: str, scores: tuple[int, ...], check: Callable[[], None]
) -> None:
    """From the hub: every answer of the tender scored, each with a justification."""
    page.locator("#progress").get_by_role("link", name=supplier).click()
    expect(page.locator("h1")).to_have_text(f"Score the tender from {supplier}")
    check()
    for question, score in enumerate(scores, start=1):
        answer = page.locator(f"#answer-{question}")
        answer.get_by_label(f"Your score for question {question}").fill(str(score))
        answer.get_by_label("Why you gave this score").fill(justification(who, supplier, question))
    page.get_by_role("button", name="Save scores").click()
    expect(banner(page)).to_contain_text(f"Your scores for {supplier} have been saved")
    expect(page.locator("#progress").get_by_role("row").filter(has_text=supplier)).to_contain_text(
        "3 of 3 answers scored"
    )
    check()


def submit_scores(page: Any, check: Callable[[], None]) -> None:
    page.get_by_role("button", name="Submit all your scores").click()  # the hub's link
    expect(page.locator("h1")).to_have_text("Submit all your scores")
    expect(page.locator("#missing")).to_have_count(0)
    check()
    page.get_by_role("button", name="Submit all your scores").click()
    expect(banner(page)).to_contain_text("Your scores have been submitted")
    expect(page.locator("#submitted")).to_contain_text("They cannot be changed")
    check()


def moderate(page: Any, supplier: str, scores: tuple[int, ...], check: Callable[[], None]) -> None:
    """From the hub: both members' scores side by side, then the lead's score and rationale."""
    page.locator("#moderation").get_by_role("link", name=supplier).click()
    expect(page.locator("h1")).to_have_text(f"Moderate the tender from {supplier}")
    for question in (1, 2, 3):
        members = page.locator(f"#scores-{question}")
        expect(members).to_contain_text(justification("Lead", supplier, question))
        expect(members).to_contain_text(justification("Evaluator", supplier, question))
    check()
    for question, score in enumerate(scores, start=1):
        answer = page.locator(f"#answer-{question}")
        answer.get_by_label(f"Moderated score for question {question}").fill(str(score))
        answer.get_by_label("Rationale for the moderated score").fill(
            f"Agreed by the panel for question {question} of {supplier}'s tender."
        )
    page.get_by_role("button", name="Save moderated scores").click()
    expect(banner(page)).to_contain_text(f"The moderated scores for {supplier} are recorded")
    expect(
        page.locator("#moderation").get_by_role("row").filter(has_text=supplier)
    ).to_contain_text("3 of 3 answers moderated")
    check()


def table_row(page: Any, table: str, text: str) -> list[str]:
    row = page.locator(f"{table} tbody tr").filter(has_text=text)
    expect(row).to_have_count(1)  # waits for the page to draw it
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def read_own_letter(page: Any, server: LiveServer, email: str, check: Callable[[], None]) -> None:
    """The bidder's owner signs in and follows the link in the email saying the letter is ready."""
    link = server.link_in_latest_email_to(email, "/letter")
    as_person(page, server, email)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your outcome letter")
    check()


def test_the_panel_evaluates_the_lead_awards_and_each_bidder_reads_its_own_letter(
    demo: LiveServer, page: Any, check: Callable[[], None]
) -> None:
    server = demo
    call_off_id, tenders = the_call_off(server)
    hub_url = server(f"/buyer/call-offs/{call_off_id}/evaluation")

    # 1. The evaluator declares, scores one tender, and is not shown anyone else's scores.
    as_person(page, server, EVALUATOR)
    open_call_off(page, server, check)
    declare_no_conflict(page, check)
    score_tender(page, "Evaluator", NORTHERN, EVALUATOR_SCORES[NORTHERN], check)
    expect(page.locator("main")).to_contain_text("Until then you see only your own.")
    expect(page.locator("#others")).to_have_count(0)
    score_tender(page, "Evaluator", CATALYST, EVALUATOR_SCORES[CATALYST], check)
    submit_scores(page, check)
    expect(page.locator("main")).to_contain_text(
        "No other panel member has submitted their scores yet."
    )
    # Only the lead moderates: the evaluator is refused the moderation page.
    page.goto(hub_url + f"/tenders/{tenders[NORTHERN]}/moderation")
    expect(page.locator("#refusal-reason")).to_have_text("Only the panel lead can do this")
    check()

    # 2. The lead declares and scores; the evaluator's submitted scores stay hidden from them
    # until theirs are submitted too.
    as_person(page, server, LEAD)
    open_call_off(page, server, check)
    declare_no_conflict(page, check)
    expect(page.locator("#moderation")).to_contain_text(
        f"{LEAD_NAME} has not submitted their scores"
    )
    score_tender(page, "Lead", NORTHERN, LEAD_SCORES[NORTHERN], check)
    expect(page.locator("main")).to_contain_text("Until then you see only your own.")
    expect(page.locator("#others")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Evaluator on")
    score_tender(page, "Lead", CATALYST, LEAD_SCORES[CATALYST], check)
    submit_scores(page, check)
    others = page.locator("#others")
    expect(others).to_contain_text(EVALUATOR_NAME)
    for supplier in (NORTHERN, CATALYST):
        for question in (1, 2, 3):
            expect(others).to_contain_text(justification("Evaluator", supplier, question))
    check()

    # ... and the evaluator now sees the lead's.
    as_person(page, server, EVALUATOR)
    page.goto(hub_url)
    expect(page.locator("#others")).to_contain_text(LEAD_NAME)
    expect(page.locator("#others")).to_contain_text(justification("Lead", CATALYST, 2))
    check()

    # The lead moderates each answer of each tender.
    as_person(page, server, LEAD)
    page.goto(hub_url)
    check()
    moderate(page, NORTHERN, MODERATED[NORTHERN], check)
    moderate(page, CATALYST, MODERATED[CATALYST], check)

    # 3. Community Catalyst's price is flagged; the lead records the explanation and accepts it.
    page.get_by_role("link", name="Review the prices").click()
    expect(page.locator("h1")).to_have_text("Possibly abnormally low prices")
    expect(page.locator("#prices")).to_contain_text("£28,250")
    expect(page.locator("#prices")).to_contain_text("£42,250")
    expect(page.locator(f"#review-{tenders[CATALYST]}")).to_have_text(CATALYST)
    expect(page.locator("main h2").filter(has_text=NORTHERN)).to_have_count(0)
    check()
    today = london(utcnow()).date()
    asked = page.get_by_role("group", name="When did you ask the supplier to explain its price?")
    asked.get_by_label("Day").fill(str(today.day))
    asked.get_by_label("Month").fill(str(today.month))
    asked.get_by_label("Year").fill(str(today.year))
    page.get_by_label("The explanation the supplier gave").fill(EXPLANATION)
    page.get_by_label("Accept the explanation: the tender is ranked").check()
    page.get_by_label("The reason for your decision").fill(
        "The grant is confirmed in writing; the price covers the work described."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(banner(page)).to_contain_text("The decision on the price has been recorded")
    decided = page.locator("main .govuk-summary-list").nth(1)
    expect(decided).to_contain_text(format_date(today))
    expect(decided).to_contain_text(EXPLANATION)
    expect(decided).to_contain_text("Explanation accepted")
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    check()

    # 4. The ranking, to two decimal places, proposes Northern; the lead finishes and awards.
    page.get_by_role("link", name="See the ranking").click()
    expect(page.locator("h1")).to_have_text("Ranking")
    assert table_row(page, "#ranking", NORTHERN) == [
        "1",
        NORTHERN,
        "46.00",
        "15.00",
        "£42,250",
        "23.40",
        "84.40",
    ]
    assert table_row(page, "#ranking", CATALYST) == [
        "2",
        CATALYST,
        "30.00",
        "12.00",
        "£28,250",
        "35.00",
        "77.00",
    ]
    check()
    page.get_by_role("button", name="Finish evaluation").click()
    expect(page.locator("h1")).to_have_text("Decide the award")
    expect(banner(page)).to_contain_text("The evaluation is finished")
    expect(page.locator("#proposal")).to_contain_text(
        f"The portal proposes {NORTHERN}, the highest-ranked tender."
    )
    check()
    page.get_by_label(f"{NORTHERN} (rank 1, 84.40)").check()
    page.get_by_label("The characteristics and relative advantages of the winning tender").fill(
        ADVANTAGES
    )
    page.get_by_role("group", name="Do you want a standstill period").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("How many days?").fill("10")
    check()
    page.get_by_role("button", name="Award the contract").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(banner(page)).to_contain_text(
        "The award has been decided. Next, send every bidder its outcome letter"
    )
    expect(page.locator("main")).to_contain_text(f"Awarded to {NORTHERN}")
    expect(page.locator("main")).to_contain_text("Standstill: 10 days")
    check()

    # 5. The lead previews each letter, then sends them.
    page.get_by_role("link", name="Preview and send the outcome letters").click()
    expect(page.locator("h1")).to_have_text("Outcome letters")
    assert table_row(page, "#letters", NORTHERN)[:2] == [NORTHERN, "Successful"]
    assert table_row(page, "#letters", CATALYST)[:2] == [CATALYST, "Unsuccessful"]
    check()
    page.get_by_role("link", name=f"Preview the letter to {NORTHERN}").click()
    expect(page.locator("h1")).to_have_text(f"Letter to {NORTHERN}")
    expect(page.locator("#preview")).to_contain_text("the letter has not been sent")
    expect(page.locator("#outcome + p")).to_contain_text("It scored highest")
    expect(page.locator("#standstill")).to_contain_text("if the letters are sent today")
    check()
    page.get_by_role("link", name="Back to the letters").click()
    page.get_by_role("link", name=f"Preview the letter to {CATALYST}").click()
    expect(page.locator("h1")).to_have_text(f"Letter to {CATALYST}")
    expect(page.locator("#winner-name")).to_have_text(NORTHERN)
    expect(page.locator("#scores thead")).to_contain_text("Winning tender")
    expect(page.locator("#scores tbody tr").last).to_contain_text("77.00 out of 100")
    expect(page.locator("#scores tbody tr").last).to_contain_text("84.40 out of 100")
    expect(page.locator("#advantages")).to_contain_text("A design group of young people")
    check()
    page.get_by_role("link", name="Back to the letters").click()
    expect(page.locator("#what-happens")).to_contain_text("the 10-day standstill period starts")
    page.get_by_role("button", name="Send the letters").click()
    expect(banner(page)).to_contain_text("The letters have been sent")
    expect(page.locator("#sent")).to_contain_text("Standstill ends at midnight at the end of")
    check()
    with server.database() as session:
        award = session.scalars(db.select(Award).where(Award.call_off_id == call_off_id)).one()
        sent_at = award.letters_sent_at
    assert sent_at is not None
    last_day = format_date(standstill_last_day(sent_at, 10))
    expect(page.locator("#sent")).to_contain_text(last_day)

    # 6. Each bidder reads its own letter, the right kind with its own scores.
    read_own_letter(page, server, NORTHERN_OWNER, check)
    letter = page.locator("#letter")
    expect(page.locator("#letter-details")).to_contain_text(NORTHERN)
    expect(page.locator("#letter-details")).not_to_contain_text(CATALYST)
    expect(page.locator("#outcome + p")).to_contain_text(
        "we intend to award the contract to your organisation"
    )
    expect(page.locator("#scores thead")).not_to_contain_text("Winning tender")
    expect(page.locator("#scores tbody tr").last).to_contain_text("84.40 out of 100")
    expect(page.locator("#rank")).to_contain_text("Your tender ranked 1 of 2")
    expect(page.locator("#standstill")).to_contain_text(last_day)
    expect(page.locator("#advantages")).to_have_count(0)
    expect(page.get_by_role("link", name="Ask for more reasons")).to_have_count(0)

    read_own_letter(page, server, CATALYST_OWNER, check)
    expect(page.locator("#letter-details")).to_contain_text(CATALYST)
    expect(page.locator("#letter-details")).not_to_contain_text(NORTHERN)
    expect(page.locator("#winner-name")).to_have_text(NORTHERN)
    scores = page.locator("#scores tbody tr")
    expect(scores.first).to_contain_text("3 out of 5 (18.00 of 30 marks)")  # its own
    expect(scores.first).to_contain_text("5 out of 5 (30.00 of 30 marks)")  # the winner's
    expect(scores.last).to_contain_text("77.00 out of 100")
    expect(page.locator("#rank")).to_contain_text("Your tender ranked 2 of 2")
    expect(page.locator("#advantages")).to_contain_text("A design group of young people")
    expect(page.locator("#standstill")).to_contain_text(last_day)
    # Of the winner's letter it has only the summary: the names, scores and advantages.
    expect(letter).not_to_contain_text("It scored highest")
    expect(letter).not_to_contain_text("ranked 1 of 2")
    expect(letter).not_to_contain_text("£42,250")  # the winner's price stays its own
    page.get_by_role("button", name="Ask for more reasons").click()
    expect(page.locator("h1")).to_have_text("Ask for more reasons")
    check()
    page.get_by_label("What would you like to know?").fill(REASONS)
    page.get_by_role("button", name="Send your request").click()
    expect(banner(page)).to_contain_text("Your request has been sent to the buyer")
    with server.database() as session:
        asked_at = session.scalars(db.select(ReasonsRequest.asked_at)).one()
    due = format_date(reasons_reply_due(asked_at))
    expect(page.locator("#request-1")).to_contain_text(due)
    expect(page.locator("#request-1")).to_contain_text("Not replied yet")
    check()

    # 7. The lead finds the open request, and its reply date, on the call-off page.
    as_person(page, server, LEAD)
    open_call_off(page, server, check)
    expect(page.locator("#open-reasons")).to_contain_text(f"{CATALYST}: reply by {due}")
    page.get_by_role("link", name="Read the outcome letters").click()
    expect(page.locator("h1")).to_have_text("Outcome letters")
    for bidder in (NORTHERN, CATALYST):
        assert table_row(page, "#letters", bidder)[3] != "Not read yet"
    expect(page.locator("#open-requests")).to_contain_text(due)
    check()
