"""Renewed self-declarations (reg. 34(22)-(23)): asked of one admitted supplier or of all,
due in 5 working days (bank holidays excluded); the supplier looks over its answers and declares
again, which keeps a new snapshot and runs the checks on it for its admissions. An overdue one
is flagged; nothing suspends a supplier automatically."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Admission, AuditEvent, CheckRun, DeclarationRenewal
from dps.models.base import utcnow
from dps.rules.enums import AdmissionStatus, RenewalStatus
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications.submission import Declaration
from dps.services.pool import reminders, renewals
from dps.services.qualification import checks
from tests.fixtures.application_world import complete_everything
from tests.fixtures.helpers import make_supplier, sign_in
from tests.fixtures.reminders_world import Office, admitted, emails, london, make_office, row_values

R = RenewalStatus
DECLARATION = Declaration(name="Ada Lovelace", role="Director", confirmed=True)
# Thursday before Easter 2026: Good Friday (3 April) and Easter Monday (6 April) are bank
# holidays, so the 5th working day after it is Monday 13 April.
MAUNDY_THURSDAY = london(2026, 4, 2, 10, 0)


@pytest.fixture
def office(app: Flask) -> Office:
    return make_office()


@pytest.fixture
def admission(office: Office) -> Admission:
    return admitted(office.world, office.world.supplier, 1)


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.soup.main.get_text(" ")).strip()


def ask(office: Office, at: Any = None) -> DeclarationRenewal:
    return renewals.request_renewal(
        office.world.supplier.id, actor=office.officer, at=at or utcnow()
    )


# --- asking ------------------------------------------------------------------------------------


def test_one_supplier_is_asked_with_5_working_days_not_counting_bank_holidays(
    office: Office, admission: Admission
) -> None:
    renewal = ask(office, MAUNDY_THURSDAY)

    assert renewal.status == R.REQUESTED
    assert renewal.due_at == london(2026, 4, 13, 23, 59, 59)
    [message] = emails(office.world.owner.email)
    assert "13 April 2026" in message.payload["body"]
    assert f"/supplier/renewals/{renewal.id}" in message.payload["body"]
    [event] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "declaration_renewals")
    ).all()
    assert event.action == "renewal.requested" and event.actor_user_id == office.officer.id


def test_all_admitted_suppliers_are_asked_at_once_and_only_once(
    office: Office, admission: Admission
) -> None:
    world = office.world
    admitted(world, world.rival, 2)
    make_supplier("Not Admitted Co-op")  # applied, perhaps, but not in a pool
    db.session.commit()

    batch = renewals.request_all(actor=office.officer, at=MAUNDY_THURSDAY)

    assert {r.organisation_id for r in batch.asked} == {world.supplier.id, world.rival.id}
    assert {r.due_at for r in batch.asked} == {london(2026, 4, 13, 23, 59, 59)}
    assert len(emails(world.owner.email)) == len(emails(world.rival_owner.email)) == 1

    again = renewals.request_all(actor=office.officer, at=MAUNDY_THURSDAY)
    assert again.asked == [] and len(again.already_waiting) == 2
    assert db.session.scalar(db.select(db.func.count(DeclarationRenewal.id))) == 2


def test_only_an_admitted_supplier_is_asked_and_not_twice_while_waiting(
    office: Office, admission: Admission
) -> None:
    with pytest.raises(renewals.RenewalError):
        renewals.request_renewal(office.world.rival.id, actor=office.officer, at=utcnow())
    ask(office)
    with pytest.raises(renewals.RenewalError):
        ask(office)


def test_the_administrators_ask_one_supplier_and_then_everyone_through_the_pages(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    world = office.world
    admitted(world, world.rival, 2)
    sign_in(client, office.officer)

    empty = client.post("/admin/renewals/new", data={"organisation": ""})
    assert "Select the supplier" in text_of(empty)
    one = client.post("/admin/renewals/new", data={"organisation": str(world.supplier.id)})
    assert one.status_code == 302
    twice = client.post("/admin/renewals/new", data={"organisation": str(world.supplier.id)})
    assert "has already been asked" in text_of(twice)

    confirm = client.get("/admin/renewals/everyone")
    assert "We will ask 1 supplier" in text_of(confirm)
    assert client.post("/admin/renewals/everyone").status_code == 302
    listing = text_of(client.get("/admin/renewals"))
    assert world.supplier.name in listing and world.rival.name in listing


# --- the supplier renews -----------------------------------------------------------------------


def test_the_supplier_sees_the_request_waiting_and_its_task_list(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    sign_in(client, office.world.owner)

    home = client.get("/supplier/")
    assert "Renew your declaration" in text_of(home)
    assert home.soup.find("a", href=f"/supplier/renewals/{renewal.id}")

    page = client.get(f"/supplier/renewals/{renewal.id}")
    assert page.status_code == 200
    links = {a["href"] for a in page.soup.select("main a")}
    assert f"/supplier/renewals/{renewal.id}/sections/mandatory_exclusions" in links
    assert f"/supplier/renewals/{renewal.id}/declaration" in links
    # Only the lots it is admitted to: Lot 2's sections are not asked.
    assert f"/supplier/renewals/{renewal.id}/sections/lot2_questions" not in links


def test_declaring_with_gaps_is_refused_with_each_gap_and_changes_nothing(
    office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    with pytest.raises(renewals.RenewalRefused) as refused:
        renewals.confirm(renewal, DECLARATION, actor=office.world.owner, at=utcnow())
    assert refused.value.gaps
    db.session.refresh(renewal)
    assert renewal.status == R.REQUESTED and renewal.snapshot is None
    assert db.session.scalars(db.select(CheckRun)).all() == []


def test_declaring_keeps_a_new_snapshot_and_runs_the_checks_for_the_admissions(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    world = office.world
    complete_everything(world.supplier, world.owner, [1, 2])
    renewal = ask(office)
    sign_in(client, world.owner)

    missing = client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director"},
    )
    assert "Confirm that the information you have given is true and complete" in text_of(missing)
    made = client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director", "confirm": "y"},
    )

    assert made.status_code == 302
    db.session.refresh(renewal)
    assert renewal.status == R.CONFIRMED
    assert renewal.confirmed_by_id == world.owner.id
    snapshot = renewal.snapshot
    assert snapshot is not None
    assert renewal.snapshot_checksum == application_snapshot.checksum(snapshot)
    assert [lot["number"] for lot in snapshot["lots"]] == [1]  # the lot it is admitted to
    assert snapshot["declaration"]["name"] == "Ada Lovelace"
    assert snapshot["profile"]["legal_name"] == "Co-operative Futures Ltd"
    # The checks run on it, and their results follow the supplier's admission.
    [run] = db.session.scalars(db.select(CheckRun).where(CheckRun.renewal_id == renewal.id))
    assert run.reason == "renewal" and run.application_id is None
    expected = {
        (check.name, None if not check.per_lot else admission.lot_id)
        for check in checks.registered()
    }
    assert {(r.check, r.lot_id) for r in run.results} == expected
    following = renewals.latest_checks(world.supplier.id)
    assert following is not None and following.run.id == run.id
    assert {r.id for r in following.for_lot(admission.lot_id)} == {r.id for r in run.results}
    assert renewals.waiting_for(world.supplier.id) is None
    [receipt] = [m for m in emails(world.owner.email) if "You have renewed" in m.payload["subject"]]
    assert receipt

    # The administrator sees the declaration and its checks.
    sign_in(client, office.officer)
    page = text_of(client.get(f"/admin/renewals/{renewal.id}"))
    assert "Renewed" in page and renewal.snapshot_checksum in page and "(intact)" in page
    supplier_page = text_of(client.get(f"/admin/suppliers/{world.supplier.id}"))
    assert "Checks on the declaration renewed" in supplier_page
    assert "Mandatory exclusion grounds" in supplier_page


def test_a_section_changed_during_the_renewal_is_saved_to_the_organisations_answers(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    world = office.world
    complete_everything(world.supplier, world.owner, [1, 2])
    renewal = ask(office)
    sign_in(client, world.owner)
    url = f"/supplier/renewals/{renewal.id}/sections/lot1_questions"

    page = client.get(url)
    assert page.status_code == 200
    assert page.soup.select_one(".govuk-back-link").get_text(strip=True) == (
        "Back to your renewed declaration"
    )
    saved = client.post(
        url,
        data={
            "lot1_policy_experience": "Twelve years of policy labs with councils.",
            "lot1_service_redesign": "Redesigned youth services with young people.",
            "action": "continue",
        },
    )

    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/supplier/renewals/{renewal.id}"
    )
    from dps.services.suppliers import questionnaire

    answers = questionnaire.answers_for(world.supplier.id).answers or {}
    assert answers["lot1_policy_experience"] == "Twelve years of policy labs with councils."
    # A lot it is not admitted to is not one of the renewal's sections.
    assert client.get(f"/supplier/renewals/{renewal.id}/sections/lot2_questions").status_code == 404


def test_another_suppliers_renewal_is_not_found(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    sign_in(client, office.world.rival_owner)
    for path in ("", "/declaration", "/sections/mandatory_exclusions"):
        assert client.get(f"/supplier/renewals/{renewal.id}{path}").status_code == 404
    posted = client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Eve", "declaration_role": "Director", "confirm": "y"},
    )
    assert posted.status_code == 404
    db.session.refresh(renewal)
    assert renewal.status == R.REQUESTED


# --- overdue -----------------------------------------------------------------------------------


def test_an_overdue_renewal_is_flagged_and_nobody_is_suspended(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    renewal = ask(office, utcnow() - timedelta(days=14))
    before = row_values(admission)

    assert renewals.is_overdue(renewal, utcnow())
    reminders.send_renewal_reminders(utcnow())
    reminders.review_evidence(utcnow())
    reminders.send_decision_reminders(utcnow())

    assert row_values(admission) == before
    assert admission.status == AdmissionStatus.ADMITTED
    sign_in(client, office.officer)
    listing = client.get("/admin/renewals")
    assert "Overdue" in text_of(listing)
    detail = text_of(client.get(f"/admin/renewals/{renewal.id}"))
    assert "Suspending it is your decision" in detail


def test_an_administrator_may_cancel_a_request_with_a_reason(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    sign_in(client, office.officer)
    url = f"/admin/renewals/{renewal.id}/cancel"

    assert "Enter why you are cancelling" in text_of(client.post(url, data={"reason": ""}))
    assert client.post(url, data={"reason": "Asked by mistake"}).status_code == 302

    db.session.refresh(renewal)
    assert renewal.status == R.CANCELLED
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "renewal.cancelled")
    ).one()
    assert event.after["reason"] == "Asked by mistake"
    assert renewals.waiting_for(office.world.supplier.id) is None
    [told] = [m for m in emails(office.world.owner.email) if "cancelled" in m.payload["subject"]]
    assert renewals.reference(renewal) in told.payload["body"]
