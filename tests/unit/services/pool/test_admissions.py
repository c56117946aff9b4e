"""A supplier's place in a lot: one state machine (admitted -> suspended -> admitted, admitted
or suspended -> removed), every move audited with its reason and told to the supplier, and only
admitted suppliers invited to call-offs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from dps.extensions import db
from dps.models import Admission, AuditEvent, OutboxMessage
from dps.rules.enums import AdmissionStatus, OutboxKind, Role
from dps.rules.lifecycles import ADMISSION
from dps.services.applications import submission
from dps.services.common import trails
from dps.services.common.statemachine import IllegalTransition, move
from dps.services.pool import admissions
from dps.services.qualification import decisions
from tests.fixtures.application_world import DURING_THE_PERIOD
from tests.fixtures.helpers import add_person, make_supplier
from tests.fixtures.review_world import ReviewWorld, make_review_world, ready_for_review

A = AdmissionStatus
AT = DURING_THE_PERIOD + timedelta(days=20)


@pytest.fixture(autouse=True)
def no_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(submission, "checks_available", lambda: False)
    yield


@pytest.fixture
def rw(app: Flask) -> ReviewWorld:
    return make_review_world()


@pytest.fixture
def admitted(rw: ReviewWorld) -> Admission:
    """The supplier admitted to Lot 1 through a real decision."""
    application = ready_for_review(rw.world, [1])
    decisions.decide_lot(
        application.id, rw.world.lots[1].id, "admitted", "", [], rw.officer, at=DURING_THE_PERIOD
    )
    return db.session.scalars(select(Admission)).one()


def letters_to(address: str) -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
        if m.recipient == address
    ]


def events(admission: Admission) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "admissions", AuditEvent.object_id == str(admission.id)
            )
            .order_by(AuditEvent.id)
        )
    )


def test_the_lifecycle_table() -> None:
    allowed = {
        (current, target) for current in A for target in A if ADMISSION.allowed(current, target)
    }
    assert allowed == {
        (A.ADMITTED, A.SUSPENDED),
        (A.ADMITTED, A.REMOVED),
        (A.SUSPENDED, A.ADMITTED),
        (A.SUSPENDED, A.REMOVED),
    }


def test_suspend_then_reinstate_each_audited_and_told(rw: ReviewWorld, admitted: Admission) -> None:
    admissions.change(
        admitted, "suspend", "  Public liability certificate lapsed.  ", actor=rw.officer, at=AT
    )
    assert admitted.status == A.SUSPENDED
    assert admitted.status_reason == "Public liability certificate lapsed."
    assert admitted.status_changed_at == AT

    later = AT + timedelta(days=2)
    admissions.change(admitted, "reinstate", "", actor=rw.colleague, at=later)
    assert admitted.status == A.ADMITTED
    assert admitted.status_changed_at == later

    moves = events(admitted)
    assert [e.action for e in moves] == [
        "admission.admitted",
        "admission.suspended",
        "admission.admitted",
    ]
    assert moves[1].before == {"status": "admitted"}
    assert moves[1].after is not None
    assert moves[1].after["reason"] == "Public liability certificate lapsed."
    assert moves[1].actor_user_id == rw.officer.id
    assert moves[2].actor_user_id == rw.colleague.id
    subjects = [m.subject for m in letters_to(rw.owner.email)]
    assert "Your place in Lot 1 of the CCIN DPS is suspended" in subjects
    assert "Your place in Lot 1 of the CCIN DPS is restored" in subjects
    suspended = next(m for m in letters_to(rw.owner.email) if "suspended" in m.subject)
    assert "Public liability certificate lapsed." in suspended.payload["body"]


@pytest.mark.parametrize("action", ["suspend", "remove"])
def test_suspending_and_removing_need_a_reason(
    rw: ReviewWorld, admitted: Admission, action: str
) -> None:
    with pytest.raises(admissions.AdmissionRefused) as refused:
        admissions.change(admitted, action, "  ", actor=rw.officer, at=AT)
    assert refused.value.field == "reason"
    db.session.rollback()
    db.session.refresh(admitted)
    assert admitted.status == A.ADMITTED
    assert [e.action for e in events(admitted)] == ["admission.admitted"]


@pytest.mark.parametrize("from_suspended", [False, True])
def test_removed_is_final(rw: ReviewWorld, admitted: Admission, from_suspended: bool) -> None:
    if from_suspended:
        admissions.change(admitted, "suspend", "Under investigation.", actor=rw.officer, at=AT)
    admissions.change(admitted, "remove", "Found in breach.", actor=rw.officer, at=AT)
    assert admitted.status == A.REMOVED
    assert "You have been removed from Lot 1 of the CCIN DPS" in [
        m.subject for m in letters_to(rw.owner.email)
    ]
    for action in ("reinstate", "suspend", "remove"):
        with pytest.raises(admissions.AdmissionRefused, match="removed"):
            admissions.change(admitted, action, "Try again.", actor=rw.officer, at=AT)
    with pytest.raises(IllegalTransition):
        move(ADMISSION, admitted, A.ADMITTED, actor=rw.officer)


def test_reinstating_an_admitted_supplier_is_refused(rw: ReviewWorld, admitted: Admission) -> None:
    with pytest.raises(admissions.AdmissionRefused, match="already admitted"):
        admissions.change(admitted, "reinstate", "", actor=rw.officer, at=AT)


def test_only_admitted_suppliers_are_invited(rw: ReviewWorld, admitted: Admission) -> None:
    lot1, lot2 = rw.world.lots[1].id, rw.world.lots[2].id
    others = {}
    for name in ("Acorn Co-operative", "Birch Partners", "Cedar CIC"):
        organisation = make_supplier(name)
        add_person(
            organisation, f"owner@{name.split()[0].lower()}.example.org", Role.SUPPLIER_OWNER
        )
        admission = Admission(
            organisation_id=organisation.id,
            lot_id=lot1,
            application_id=admitted.application_id,
            status=A.ADMITTED,
        )
        db.session.add(admission)
        others[name] = admission
    db.session.commit()
    admissions.change(others["Birch Partners"], "suspend", "Lapsed.", actor=rw.officer, at=AT)
    admissions.change(others["Cedar CIC"], "remove", "Breach.", actor=rw.officer, at=AT)

    invited = [organisation.name for organisation in admissions.invitable_suppliers(lot1)]
    assert invited == ["Acorn Co-operative", "Co-operative Futures Ltd"]
    assert admissions.invitable_suppliers(lot2) == []

    counts = {pool.lot.number: pool.counts for pool in admissions.pools()}
    assert counts[1] == {A.ADMITTED: 2, A.SUSPENDED: 1, A.REMOVED: 1}
    assert counts[2] == {}

    admissions.change(others["Birch Partners"], "reinstate", "", actor=rw.officer, at=AT)
    assert "Birch Partners" in [o.name for o in admissions.invitable_suppliers(lot1)]


def test_the_supplier_trail_reads_who_what_and_when(rw: ReviewWorld, admitted: Admission) -> None:
    admissions.change(admitted, "suspend", "Lapsed cover.", actor=rw.officer, at=AT)

    trail = trails.supplier_trail(rw.world.supplier.id)

    newest = trail[0]
    assert newest.what == "Suspended from the lot"
    assert newest.who == f"{rw.officer.name} ({rw.officer.email})"
    changes = {change.field: (change.before, change.after) for change in newest.changes}
    assert changes["Status"] == ("admitted", "suspended")
    assert changes["Reason"] == ("", "Lapsed cover.")
    whats = [entry.what for entry in trail]
    for expected in ("Admitted to the lot", "Lot decided", "Application sent", "Ready for review"):
        assert expected in whats
    # Newest first.
    assert [entry.when for entry in trail] == sorted((e.when for e in trail), reverse=True)


def test_a_reinstatement_reads_as_one(rw: ReviewWorld, admitted: Admission) -> None:
    admissions.change(admitted, "suspend", "Lapsed cover.", actor=rw.officer, at=AT)
    admissions.change(admitted, "reinstate", "Cover renewed.", actor=rw.officer, at=AT)
    assert trails.supplier_trail(rw.world.supplier.id)[0].what == "Reinstated in the lot"
