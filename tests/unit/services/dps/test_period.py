"""The DPS period: changed by an administrator with a reason, capped, announced, shown publicly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import DPS, AuditEvent, Notice
from dps.rules.calendar import LONDON
from dps.rules.enums import Role
from dps.rules.pcr2015 import PeriodRefused
from dps.rules.refusals import Refusal
from dps.services.dps import period as dps_service
from tests.conftest import page_text
from tests.unit.services.accounts.test_organisations import administrator, member, person, sign_in

CAP = date(2029, 2, 23)
REASON = "Extended to the transitional cap so suppliers can keep joining"


def the_dps() -> DPS:
    dps = dps_service.current_dps()
    assert dps is not None
    return dps


def notices() -> list[Notice]:
    return list(db.session.scalars(db.select(Notice).order_by(Notice.id)))


def period_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "dps.period_changed"))
    )


def dates(field: str, day: str, month: str, year: str) -> dict[str, list[str]]:
    """A GOV.UK date input posts three values under one name: day, month, year."""
    return {field: [day, month, year]}


def period_form(start: tuple[str, str, str], end: tuple[str, str, str], reason: str) -> Any:
    return {**dates("start_date", *start), **dates("end_date", *end), "reason": reason}


def london_today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


# --- the service -----------------------------------------------------------------------------


def test_changing_the_period_publishes_a_notice_and_audits_the_reason(app: Flask) -> None:
    admin = administrator()
    dps = the_dps()
    dps.period_end = date(2025, 3, 31)
    db.session.commit()

    notice = dps_service.change_period(
        dps, start=date(2020, 4, 1), end=CAP, reason=f"  {REASON} ", actor=admin
    )

    assert (dps.period_start, dps.period_end) == (date(2020, 4, 1), CAP)
    assert notice.kind == "period_changed"
    assert "1 April 2020 to 23 February 2029" in notice.body
    assert REASON in notice.body
    assert notice.published_by_id == admin.id
    [event] = period_events()
    assert event.actor_user_id == admin.id
    assert event.before == {"period_start": "2020-04-01", "period_end": "2025-03-31"}
    assert event.after == {
        "period_start": "2020-04-01",
        "period_end": "2029-02-23",
        "reason": REASON,
    }


@pytest.mark.parametrize(
    ("start", "end", "reason", "field", "message"),
    [
        (date(2020, 4, 1), date(2029, 2, 24), REASON, "end", "cannot run beyond 23 February 2029"),
        (date(2026, 6, 2), date(2026, 6, 1), REASON, "end", "same as or after the start date"),
        (date(2020, 4, 1), date(2027, 1, 1), "   ", "reason", "Give a reason"),
        (date(2020, 4, 1), CAP, REASON, "start", "same as the current period"),
    ],
)
def test_a_refused_change_changes_nothing(
    app: Flask, start: date, end: date, reason: str, field: str, message: str
) -> None:
    admin = administrator()
    dps = the_dps()
    with pytest.raises(PeriodRefused, match=message) as refused:
        dps_service.change_period(dps, start=start, end=end, reason=reason, actor=admin)
    assert refused.value.field == field
    assert isinstance(refused.value, Refusal)
    db.session.rollback()
    assert (the_dps().period_start, the_dps().period_end) == (date(2020, 4, 1), CAP)
    assert notices() == []
    assert period_events() == []


def test_ending_the_dps_early_is_allowed(app: Flask) -> None:
    admin = administrator()
    yesterday = london_today() - timedelta(days=1)
    dps_service.change_period(
        the_dps(), start=date(2020, 4, 1), end=yesterday, reason="Ended early", actor=admin
    )
    assert not dps_service.public_status().open_now


def test_the_public_status_changes_at_london_midnight_to_the_second(app: Flask) -> None:
    administrator()
    dps = the_dps()
    dps.period_start, dps.period_end = date(2026, 3, 30), date(2026, 10, 25)
    db.session.commit()
    opens = datetime(2026, 3, 30, tzinfo=LONDON)
    closes = datetime(2026, 10, 26, tzinfo=LONDON)
    second = timedelta(seconds=1)

    assert dps_service.public_status(opens - second).not_yet_open
    assert not dps_service.public_status(opens - second).open_now
    assert dps_service.public_status(opens).open_now
    assert dps_service.public_status(closes - second).open_now
    after = dps_service.public_status(closes)
    assert not after.open_now
    assert not after.not_yet_open
    assert after.last_open_moment == closes - second


# --- the administrator's page ------------------------------------------------------------------


def test_the_period_page_shows_the_period_the_cap_and_the_current_dates(
    client: FlaskClient,
) -> None:
    sign_in(client, administrator())
    page = client.get("/admin/period")
    assert page.status_code == 200
    assert page.soup.title.get_text().startswith("The DPS period")
    text = page_text(page)
    assert "1 April 2020" in text
    assert "Latest end date allowed 23 February 2029" in text
    assert "Open" in text
    typed = [page.soup.find(id=f"start_date-{part}")["value"] for part in ("day", "month", "year")]
    assert typed == ["1", "4", "2020"]  # as a person would type it
    assert page.soup.find(id="end_date-year")["value"] == "2029"


def test_changing_the_period_on_the_page_puts_the_notice_on_the_start_page(
    client: FlaskClient,
) -> None:
    sign_in(client, administrator())
    response = client.post(
        "/admin/period", data=period_form(("1", "4", "2020"), ("31", "12", "2028"), REASON)
    )
    assert response.status_code == 302
    assert (the_dps().period_start, the_dps().period_end) == (date(2020, 4, 1), date(2028, 12, 31))

    after = client.get("/admin/period")
    assert "The period has been changed" in page_text(after)
    start_page = page_text(client.get("/"))
    assert "The period of the dynamic purchasing system has changed" in start_page
    assert REASON in start_page
    assert "31 December 2028" in start_page


def test_an_end_date_after_the_cap_is_refused_in_the_error_summary_keeping_what_was_typed(
    client: FlaskClient,
) -> None:
    sign_in(client, administrator())
    response = client.post(
        "/admin/period", data=period_form(("1", "4", "2020"), ("24", "2", "2029"), REASON)
    )

    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: The DPS period")
    summary = response.soup.select_one(".govuk-error-summary")
    assert "cannot run beyond 23 February 2029" in summary.get_text()
    assert summary.find("a")["href"] == "#end_date-day"
    assert response.soup.find(id="end_date-day")["value"] == "24"
    assert response.soup.find(id="end_date-month")["value"] == "2"
    assert response.soup.find(id="end_date-year")["value"] == "2029"
    assert response.soup.find("textarea", {"name": "reason"}).get_text().strip() == REASON
    assert the_dps().period_end == CAP
    assert notices() == []


@pytest.mark.parametrize(
    ("start", "end", "reason", "message"),
    [
        (("", "", ""), ("1", "1", "2027"), REASON, "Enter the start date"),
        (("1", "", "2020"), ("1", "1", "2027"), REASON, "Start date must include a month"),
        (("1", "4", "2020"), ("31", "2", "2027"), REASON, "End date must be a real date"),
        (("1", "4", "2020"), ("1", "one", "2027"), REASON, "End date must be a real date"),
        (("1", "4", "20"), ("1", "1", "2027"), REASON, "Year must include 4 numbers"),
        (("1", "4", "2020"), ("1", "1", "2027"), "", "Enter the reason for changing the period"),
        (("2", "1", "2027"), ("1", "1", "2027"), REASON, "same as or after the start date"),
    ],
)
def test_bad_input_gets_a_clear_message_and_never_a_server_error(
    client: FlaskClient,
    start: tuple[str, str, str],
    end: tuple[str, str, str],
    reason: str,
    message: str,
) -> None:
    sign_in(client, administrator())
    response = client.post("/admin/period", data=period_form(start, end, reason))
    assert response.status_code == 200
    assert message in response.soup.select_one(".govuk-error-summary").get_text()
    assert response.soup.find(id="start_date-year")["value"] == start[2]
    assert the_dps().period_end == CAP


def test_only_administrators_may_change_the_period(client: FlaskClient) -> None:
    administrator()
    buyer = person("buyer@tameside.example.org", member("Tameside"), Role.BUYER)
    sign_in(client, buyer)
    response = client.post(
        "/admin/period", data=period_form(("1", "4", "2020"), ("1", "1", "2027"), REASON)
    )
    assert response.status_code == 403
    assert the_dps().period_end == CAP


# --- the start page ------------------------------------------------------------------------


def set_period(start: date, end: date) -> None:
    dps = the_dps()
    dps.period_start, dps.period_end = start, end
    db.session.commit()


def status_tag(client: FlaskClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    return page.soup.select_one("#period .govuk-tag").get_text().strip()


def test_the_start_page_says_open_when_today_is_the_last_day(client: FlaskClient) -> None:
    administrator()
    set_period(date(2020, 4, 1), london_today())
    assert status_tag(client) == "Open now"


def test_the_start_page_says_closed_the_day_after_the_end_date(client: FlaskClient) -> None:
    administrator()
    set_period(date(2020, 4, 1), london_today() - timedelta(days=1))
    assert status_tag(client) == "Closed"
    assert "closed to applications" in page_text(client.get("/"))


def test_the_start_page_says_not_open_yet_before_the_start_date(client: FlaskClient) -> None:
    administrator()
    set_period(london_today() + timedelta(days=1), date(2028, 1, 1))
    assert status_tag(client) == "Not open yet"


def test_the_start_page_explains_the_dps_with_its_lots_and_who_may_buy(
    client: FlaskClient,
) -> None:
    administrator()
    dps = the_dps()
    from dps.models import Lot

    db.session.add(Lot(dps=dps, number=1, title="Policy Development & Testing", description="L1"))
    db.session.add(Lot(dps=dps, number=2, title="Capacity Building", description="L2"))
    db.session.commit()
    page = client.get("/")
    text = page_text(page)
    assert "Lot 1 – Policy Development & Testing" in text
    assert "Lot 2 – Capacity Building" in text
    assert "Affiliate members and Supporters may not buy" in text
    assert "Full members" in text and "Associate members" in text
    assert "Answer the selection questionnaire once" in text
    assert "11:59:59pm on 23 February 2029, UK time" in text
    start = page.soup.select_one("a.govuk-button--start")
    assert start["href"] == "/register"
    assert page.soup.find("a", string="Sign in", href="/sign-in") is not None


def test_a_tampered_post_missing_date_boxes_gets_a_message_not_a_server_error(
    client: FlaskClient,
) -> None:
    sign_in(client, administrator())
    response = client.post(
        "/admin/period",
        data={"start_date": "1", "end_date": ["1", "1", "2027", "9"], "reason": REASON},
    )
    assert response.status_code == 200
    assert response.soup.select_one(".govuk-error-summary") is not None
    assert the_dps().period_end == CAP
