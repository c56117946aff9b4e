"""The audit trail: who did what to which object, and when, in the change's own transaction."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, Organisation
from dps.rules.enums import OrganisationKind, Role
from dps.services.common import audit
from tests.fixtures.helpers import add_person, make_supplier


def test_a_person_is_described_by_name_address_and_id_and_a_worker_as_the_system(
    app: Flask,
) -> None:
    person = add_person(
        make_supplier("Co-operative Futures Ltd"), "ada@example.org", Role.SUPPLIER_OWNER
    )

    assert audit.describe_actor(person) == f"{person.name} <ada@example.org> (user {person.id})"
    assert audit.describe_actor(None) == audit.SYSTEM_ACTOR


def test_an_event_names_its_object_and_commits_with_the_change(app: Flask) -> None:
    organisation = make_supplier("Capacity Works CIC")
    person = add_person(organisation, "owner@example.org", Role.SUPPLIER_OWNER)

    audit.record("organisation.renamed", organisation, actor=person)
    db.session.rollback()
    assert db.session.scalars(db.select(AuditEvent)).all() == []

    event = audit.record(
        "organisation.renamed",
        organisation,
        actor=person,
        before={"name": "Capacity Works"},
        after={"name": "Capacity Works CIC"},
    )
    db.session.commit()
    [kept] = audit.trail_for("organisations", organisation.id)
    assert kept.id == event.id
    assert (kept.before, kept.after) == ({"name": "Capacity Works"}, {"name": "Capacity Works CIC"})
    assert (kept.object_type, kept.object_id, kept.actor_user_id) == (
        "organisations",
        str(organisation.id),
        person.id,
    )


def test_an_event_without_an_object_needs_its_type(app: Flask) -> None:
    with pytest.raises(ValueError, match="object type"):
        audit.record("something.happened", actor=None)

    event = audit.record("sweep.ran", actor=None, object_type="outbox", object_id=7)
    assert (event.object_type, event.object_id, event.actor_description) == (
        "outbox",
        "7",
        audit.SYSTEM_ACTOR,
    )


def test_a_new_row_is_added_and_flushed_so_its_event_names_its_id(app: Flask) -> None:
    organisation = Organisation(name="New Co-op", kind=OrganisationKind.SUPPLIER)

    event = audit.record_new(organisation, "organisation.created", actor=None, after={"a": 1})

    assert organisation.id is not None
    assert event.object_id == str(organisation.id) and event.after == {"a": 1}
    db.session.commit()
    assert [e.action for e in audit.trail_for("organisations", organisation.id)] == [
        "organisation.created"
    ]


def test_the_trail_of_an_object_is_oldest_first_and_its_own(app: Flask) -> None:
    one = make_supplier("One")
    other = make_supplier("Other")
    audit.record("organisation.first", one, actor=None)
    audit.record("organisation.elsewhere", other, actor=None)
    audit.record("organisation.second", one, actor=None)
    db.session.commit()

    assert [e.action for e in audit.trail_for("organisations", one.id)] == [
        "organisation.first",
        "organisation.second",
    ]
