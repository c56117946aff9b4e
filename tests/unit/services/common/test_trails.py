"""The audit trail as administrators read it: an application's, with what hangs off it, and a
supplier's; newest first, each event in words with what changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Admission, ClarificationRequest
from dps.rules.timefmt import format_datetime
from dps.services.common import audit, trails
from tests.fixtures.reminders_world import Office, admitted, make_office, sent_application

RECEIVED = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def office(app: Flask) -> Office:
    return make_office()


def test_an_applications_trail_gathers_what_hangs_off_it_newest_first(office: Office) -> None:
    world = office.world
    application = sent_application(world, world.supplier, received_at=RECEIVED)
    other = sent_application(world, world.rival, received_at=RECEIVED)
    request = ClarificationRequest(
        application_id=application.id,
        question="Which insurer?",
        reply_by=RECEIVED.date(),
        requested_at=RECEIVED,
        requested_by_id=office.officer.id,
        document_ids=[],
    )
    audit.record_new(request, "clarification.requested", actor=office.officer)
    audit.record("application.assigned", application, actor=office.officer)
    audit.record("application.assigned", other, actor=office.officer)
    db.session.commit()

    trail = trails.application_trail(application)

    assert [entry.what for entry in trail] == ["Officer assigned", "Clarification requested"]
    assert trail[0].who == f"{office.officer.name} ({office.officer.email})"


def test_a_suppliers_trail_gathers_its_organisation_applications_and_admissions(
    office: Office,
) -> None:
    world = office.world
    admission = admitted(world, world.supplier, 1)
    audit.record("organisation.renamed", world.supplier, actor=world.owner)
    audit.record("admission.suspended", admission, actor=office.officer)
    audit.record("organisation.renamed", world.rival, actor=world.rival_owner)
    db.session.commit()

    whats = [entry.what for entry in trails.supplier_trail(world.supplier.id)]

    assert whats == ["Suspended from the lot", "Renamed"]
    assert trails.supplier_trail(999) == []


def test_a_reinstatement_and_a_workers_change_read_as_such(office: Office) -> None:
    admission: Admission = admitted(office.world, office.world.supplier, 1)
    audit.record(
        "admission.admitted",
        admission,
        actor=None,
        before={"status": "suspended"},
        after={"status": "admitted"},
    )
    db.session.commit()

    [entry] = trails.supplier_trail(office.world.supplier.id)

    assert entry.what == trails.REINSTATED
    assert entry.who == "The system"
    assert entry.changes == [trails.Change("Status", "suspended", "admitted")]


def test_what_changed_is_spelt_out_for_a_person(office: Office) -> None:
    due = datetime(2026, 6, 15, 22, 59, tzinfo=UTC)
    audit.record(
        "organisation.checked",
        office.world.supplier,
        actor=None,
        before={"ready_for_review": None, "flag": False},
        after={
            "flag": True,
            "lots": [1, 2],
            "outcomes": {"lot_1": "admitted"},
            "decision_due_at": due.isoformat(),
            "status": "ready_for_review",
            "name": "Capacity Works CIC",
        },
    )
    db.session.commit()

    [entry] = trails.supplier_trail(office.world.supplier.id)

    assert entry.what == "Checked"
    assert entry.changes == [
        trails.Change("Ready for review", "", ""),
        trails.Change("Flag", "No", "Yes"),
        trails.Change("Lots", "", "1, 2"),
        trails.Change("Outcomes", "", "lot 1: admitted"),
        trails.Change("Decision due at", "", format_datetime(due)),
        trails.Change("Status", "", "ready for review"),
        trails.Change("Name", "", "Capacity Works CIC"),
    ]


def test_events_can_be_read_oldest_first_and_put_in_a_trail_s_own_words(office: Office) -> None:
    world = office.world
    application = sent_application(world, world.supplier, received_at=RECEIVED)
    audit.record("application.assigned", application, actor=office.officer)
    audit.record("application.clock_extended", application, actor=office.officer)
    db.session.commit()
    objects = [("applications", [application.id])]
    oldest = [event.action for event, _user in trails.events_of(objects, oldest_first=True)]
    newest = [event.action for event, _user in trails.events_of(objects)]
    assert oldest == list(reversed(newest))
    assert oldest[-2:] == ["application.assigned", "application.clock_extended"]
    event, user = trails.events_of(objects)[0]
    assert trails.entry(event, user).what == "Time to decide extended"
    told = trails.entry(event, user, who="Someone", what="Clock moved")
    assert (told.who, told.what) == ("Someone", "Clock moved")
