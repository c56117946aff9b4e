"""Steps the call-off browser tests share: a server on the demo data, signing in with a demo
account, and the buyer's draft sections and the supplier's tender as a person fills them in.

Each step checks the page with axe-core (``check``) before it leaves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from playwright.sync_api import expect

from dps import create_app
from dps.demo import load_demo_data
from dps.demo.data import DEMO_PASSWORD
from dps.extensions import db
from tests.browser.conftest import LiveServer, serve

BUYER = "tameside.buyer@example.org"
Check = Callable[[], None]


@contextmanager
def demo_server(tmp_path: Path, prepare: Callable[[], None] | None = None) -> Iterator[LiveServer]:
    """The application over HTTP on a fresh SQLite database holding the demo data; ``prepare``
    runs in an app context after it is loaded (its changes are committed by it)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "record",
        },
        env={"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(tmp_path / "instance")},
    )
    with app.app_context():
        upgrade()
        load_demo_data()
        if prepare is not None:
            prepare()
        db.session.remove()
    with serve(app) as server:
        yield server


def sign_in(page: Any, server: LiveServer, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page: Any, name: str, day: Any) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def save(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()


# --- The buyer's draft, section by section (from the task list, back to it) -------------------


def start_call_off_in_lot_1(page: Any, server: LiveServer, check: Check) -> None:
    page.goto(server("/buyer/"))
    check()
    page.get_by_role("button", name="Start a call-off").click()
    check()
    page.get_by_label("Lot 1 – Policy Development & Testing").check()
    page.get_by_role("button", name="Start the call-off").click()
    expect(page.locator("h1")).to_have_text("Untitled call-off")
    check()


def fill_details(page: Any, title: str, check: Check) -> None:
    page.get_by_role("link", name="Title, description and where it is delivered").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Where it is delivered").fill("Tameside")
    page.locator("#description").fill("Co-design the draft tenancy policy with residents.")
    check()
    save(page)
    expect(page.locator("h1")).to_have_text(title)


def fill_value_and_dates(page: Any, today: date, check: Check) -> None:
    page.get_by_role("link", name="Estimated value and contract dates").click()
    page.get_by_label("Estimated value, excluding VAT").fill("45,000")
    fill_date(page, "contract_start", today + timedelta(days=60))
    fill_date(page, "contract_end", today + timedelta(days=240))
    check()
    save(page)


def fill_questions(page: Any, check: Check) -> None:
    """A quality question and a social-value one (Co-production), each scored out of 5."""
    page.get_by_role("link", name="Quality and social-value questions").click()
    page.get_by_role("button", name="Add a question").click()
    page.locator("#question-1-text").fill("How will you test the policy with residents?")
    page.locator("#question-1-max_score").fill("5")
    page.locator("#question-1-scoring_scale").fill("0 none, 5 excellent")
    page.get_by_role("button", name="Add another question").click()
    expect(page.locator("#question-1-text")).to_have_value(
        "How will you test the policy with residents?"
    )
    page.locator("#question-2-kind-2").check()
    page.locator("#question-2-theme").select_option(label="Co-production")
    page.locator("#question-2-text").fill("How will this build the social economy in Tameside?")
    page.locator("#question-2-max_score").fill("5")
    page.locator("#question-2-scoring_scale").fill("0 none, 5 excellent")
    check()
    save(page)


def fill_price_criteria_and_panel(page: Any, check: Check) -> None:
    """A single total price weighted 30%, the questions 50% and 20%, the buyer alone the panel."""
    page.get_by_role("link", name="Price", exact=True).click()
    page.get_by_label("A single total price").check()
    check()
    save(page)

    page.get_by_role("link", name="Award criteria and weightings").click()
    page.locator("#price_weight").fill("30")
    page.locator("#weight-1").fill("50")
    page.locator("#weight-2").fill("20")
    check()
    save(page)

    page.get_by_role("link", name="Evaluation panel").click()
    page.locator('[name="members"]').first.check()
    page.locator('[name="lead"]').first.check()
    check()
    save(page)


def fill_deadlines(page: Any, today: date, check: Check) -> None:
    """Clarifications until noon in 5 days, tenders until 17:00 in 14 (London time)."""
    page.get_by_role("link", name="Deadlines").click()
    expect(page.locator("main")).to_contain_text("the earliest tender deadline is")
    fill_date(page, "clarification_deadline", today + timedelta(days=5))
    page.locator("#clarification_deadline-time").fill("12:00")
    fill_date(page, "tender_deadline", today + timedelta(days=14))
    page.locator("#tender_deadline-time").fill("17:00")
    check()
    save(page)


def publish(page: Any, invitable: int, check: Check) -> None:
    expect(page.locator(".govuk-task-list__status").filter(has_text="Completed")).to_have_count(7)
    check()
    page.get_by_role("link", name="Check and publish").click()
    expect(page.locator("#invitable")).to_contain_text(f"{invitable} suppliers are admitted")
    check()
    page.get_by_role("button", name="Publish the call-off").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Call-off published")
    expect(page.locator("#invited")).to_contain_text(f"{invitable} suppliers were invited")
    check()


# --- A supplier's invitation ------------------------------------------------------------------


def open_invitation(page: Any, server: LiveServer, title: str, check: Check) -> None:
    page.goto(server("/supplier/"))
    check()
    page.get_by_role("navigation", name="Service menu").get_by_role(
        "link", name="Invitations"
    ).click()
    expect(page.locator("h1")).to_have_text("Invitations")
    check()
    page.get_by_role("link", name=title).click()
    expect(page.locator("h1")).to_have_text(title)
    check()


def fill_tender(page: Any, answers: list[str], total_pounds: str) -> None:
    """The supplier's tender page: an answer per question, in order, and a single total price."""
    page.get_by_role("button", name="Start your tender").click()
    expect(page.locator("h1")).to_have_text("Your tender")
    for position, answer in enumerate(answers):
        page.locator("textarea").nth(position).fill(answer)
    page.get_by_label("Total price, excluding VAT").fill(total_pounds)
