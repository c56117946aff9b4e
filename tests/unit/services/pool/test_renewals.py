"""Asking for renewed self-declarations (reg. 34(22)-(23)): asked of one admitted supplier or of
all, due in 5 working days (bank holidays excluded), cancelled with a reason; another supplier's
is not found. An overdue one is flagged; nothing suspends a supplier automatically. (Declaring
again is test_renewal_declarations.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Admission, AuditEvent, DeclarationRenewal
from dps.models.base import utcnow
from dps.rules.enums import AdmissionStatus, RenewalStatus
from dps.services.pool import reminders, renewals
from tests.fixtures.helpers import make_supplier, sign_in
from tests.fixtures.reminders_world import Office, admitted, emails, london, make_office, row_values

R = RenewalStatus
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
