"""The demonstration data: what `make run` shows, loadable twice, refused in production."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.demo import calloffs as demo_calloffs
from dps.demo import load_demo_data
from dps.demo.calloff_content import CLOSED, OPEN
from dps.demo.data import (
    ADMITTED_SUPPLIERS,
    AFFILIATE,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    EXTENSION_REASON,
    FULL_MEMBERS,
)
from dps.extensions import db
from dps.models import (
    DPS,
    Admission,
    Application,
    AuditEvent,
    CallOff,
    Lot,
    Notice,
    Organisation,
    OutboxMessage,
    User,
)
from dps.models.base import utcnow
from dps.rules.award_criteria import CCIN_PRINCIPLES, QuestionKind
from dps.rules.calendar import LONDON
from dps.rules.enums import (
    AdmissionStatus,
    ApplicationStatus,
    CallOffStatus,
    LegalForm,
    LotOutcome,
    MembershipType,
    OrganisationKind,
    OutboxKind,
    Role,
    SectionStatus,
    TenderStatus,
)
from dps.rules.evaluation import abnormally_low
from dps.services.accounts import passwords
from dps.services.calloffs import publishing, sealing, supplier_view, tendering
from dps.services.dps.period import current_dps
from dps.services.qualification import results
from dps.services.suppliers import documents, profiles
from tests.conftest import make_app


def row_counts() -> dict[str, int]:
    """Every table the models declare, with its number of rows."""
    return {
        table.name: db.session.scalar(db.select(db.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def user(email: str) -> User:
    return db.session.scalars(db.select(User).where(User.email == email)).one()


def organisation(name: str) -> Organisation:
    return db.session.scalars(db.select(Organisation).where(Organisation.name == name)).one()


def test_loading_twice_leaves_every_table_unchanged(app: Flask) -> None:
    load_demo_data()
    first = row_counts()
    assert first["organisations"] > 0 and first["users"] == len(DEMO_ACCOUNTS)

    summary = load_demo_data()

    assert row_counts() == first
    assert "already loaded" in summary


def test_the_dps_its_lots_and_the_extended_period(app: Flask) -> None:
    load_demo_data()
    dps = current_dps()
    assert dps is not None
    assert dps.reference == "CCIN-DPS-2020"
    assert dps.owner.name == "Oldham Council"
    assert dps.rule_set == "PCR 2015 reg. 34"
    assert [lot.name for lot in dps.lots] == [
        "Lot 1 – Policy Development & Testing",
        "Lot 2 – Capacity Building",
    ]
    lot1, lot2 = dps.lots
    assert lot1.min_annual_turnover_pence == 10_000_000  # £100,000
    assert lot2.min_annual_turnover_pence == 5_000_000  # £50,000
    assert lot1.min_employers_liability_pence == lot2.min_employers_liability_pence == 500_000_000
    assert lot1.min_public_liability_pence == 500_000_000
    assert lot1.min_professional_indemnity_pence == 100_000_000  # £1m
    assert lot2.min_professional_indemnity_pence == 50_000_000  # £500,000

    # Seeded as in the CCIN documents, then extended through the administrators' service.
    assert (dps.period_start, dps.period_end) == (date(2020, 4, 1), date(2029, 2, 23))
    [notice] = db.session.scalars(db.select(Notice)).all()
    assert EXTENSION_REASON in notice.body
    [event] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "dps.period_changed")
    ).all()
    assert event.before == {"period_start": "2020-04-01", "period_end": "2025-03-31"}
    assert event.after is not None and event.after["reason"] == EXTENSION_REASON


def test_an_administrators_own_period_is_not_overwritten_by_a_second_load(app: Flask) -> None:
    from dps.services.dps import period as dps_service

    load_demo_data()
    dps = current_dps()
    assert dps is not None
    dps_service.change_period(
        dps, start=date(2020, 4, 1), end=date(2027, 3, 31), reason="Ending early", actor=None
    )
    load_demo_data()
    assert dps.period_end == date(2027, 3, 31)


def test_the_member_organisations_and_suppliers(app: Flask) -> None:
    load_demo_data()
    for name in FULL_MEMBERS:
        full = organisation(name)
        assert (full.kind, full.membership_type) == (OrganisationKind.MEMBER, MembershipType.FULL)
    names = {o.name for o in db.session.scalars(db.select(Organisation))}
    for place in ("Oldham", "Tameside", "Kirklees", "Rochdale", "Plymouth", "Croydon"):
        assert any(place in name for name in names), place
    for place in ("Newcastle", "Oxford", "Birmingham", "Cardiff"):
        assert any(place in name for name in names), place
    assert organisation("Burntwood Town Council").membership_type == MembershipType.ASSOCIATE
    by_type = {
        o.membership_type: o
        for o in db.session.scalars(db.select(Organisation))
        if o.membership_type in {MembershipType.AFFILIATE, MembershipType.SUPPORTER}
    }
    assert set(by_type) == {MembershipType.AFFILIATE, MembershipType.SUPPORTER}
    assert all("(demo)" in o.name and not o.may_buy for o in by_type.values())
    network = db.session.scalars(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.NETWORK)
    ).one()
    assert network.may_buy
    suppliers = db.session.scalars(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.SUPPLIER)
    ).all()
    assert {s.name for s in suppliers} >= {"Co-operative Futures Ltd", "Capacity Works CIC"}
    assert all(re.fullmatch(r"\d{8}", s.companies_house_number or "") for s in suppliers)


def test_the_demo_accounts(app: Flask) -> None:
    load_demo_data()
    expected = {
        "oldham.admin@example.org": (Role.ADMINISTRATOR, "Oldham Council"),
        "tameside.buyer@example.org": (Role.BUYER, "Tameside Metropolitan Borough Council"),
        "tameside.evaluator@example.org": (Role.BUYER, "Tameside Metropolitan Borough Council"),
        "burntwood.buyer@example.org": (Role.BUYER, "Burntwood Town Council"),
        "affiliate.officer@example.org": (Role.VIEWER, AFFILIATE),
        "coop-futures@example.org": (Role.SUPPLIER_OWNER, "Co-operative Futures Ltd"),
        "capacity-works@example.org": (Role.SUPPLIER_OWNER, "Capacity Works CIC"),
        "coop-futures.colleague@example.org": (Role.SUPPLIER_USER, "Co-operative Futures Ltd"),
    }
    for email, (role, organisation_name) in expected.items():
        account = user(email)
        assert account.is_demo, email
        assert account.email_confirmed_at is not None, email
        assert passwords.verify_password(account.password_hash, DEMO_PASSWORD), email
        assert account.membership is not None, email
        assert account.membership.effective_role == role, email
        assert account.membership.organisation.name == organisation_name, email


def test_the_demo_suppliers_have_complete_realistic_profiles(app: Flask) -> None:
    load_demo_data()
    futures = profiles.profile_for(organisation("Co-operative Futures Ltd").id)
    works = profiles.profile_for(organisation("Capacity Works CIC").id)
    assert (futures.legal_form, works.legal_form) == (LegalForm.COMPANY, LegalForm.CIC)
    for profile in (futures, works):
        assert profiles.profile_status(profile) == SectionStatus.COMPLETED, profiles.profile_gaps(
            profile
        )
        assert profile.companies_house_number == profile.organisation.companies_house_number
    # A supplier's own change survives another load.
    profiles.update_profile(futures.organisation_id, {"town": "Rochdale"}, None)
    load_demo_data()
    assert profiles.profile_for(futures.organisation_id).town == "Rochdale"


def test_capacity_works_has_an_application_ready_for_review_and_co_operative_futures_none(
    app: Flask,
) -> None:
    load_demo_data()
    works = organisation("Capacity Works CIC")
    [application] = db.session.scalars(
        db.select(Application).where(Application.organisation_id == works.id)
    ).all()
    assert application.lot_numbers == [1, 2]
    assert application.status == ApplicationStatus.READY_FOR_REVIEW
    assert (application.declaration_name, application.declaration_role) == ("Sam Patel", "Director")
    latest = results.latest_results(application.id)
    assert latest and all(result.outcome is not None for result in latest.values())
    held = documents.current_documents(works.id)
    assert all(document.content_type == "application/pdf" for document in held)
    assert {d.expires_on for d in held if d.kind.is_insurance} == {
        documents.today() + timedelta(days=365)
    }


def test_three_suppliers_are_admitted_to_each_lot_by_the_administrator(app: Flask) -> None:
    load_demo_data()
    for number in (1, 2):
        lot = db.session.scalars(db.select(Lot).where(Lot.number == number)).one()
        admitted = db.session.scalars(
            db.select(Admission).where(
                Admission.lot_id == lot.id, Admission.status == AdmissionStatus.ADMITTED
            )
        ).all()
        assert sorted(a.organisation.name for a in admitted) == sorted(ADMITTED_SUPPLIERS)
    administrator = user("oldham.admin@example.org")
    for name in ADMITTED_SUPPLIERS:
        [application] = db.session.scalars(
            db.select(Application).where(Application.organisation_id == organisation(name).id)
        ).all()
        assert application.status == ApplicationStatus.DECIDED
        assert {lot.outcome for lot in application.lots} == {LotOutcome.ADMITTED}
        assert {lot.decided_by_id for lot in application.lots} == {administrator.id}
    # Each owner signs in with the published password; loading again admits nobody twice.
    owner = user("participation-partners@example.org")
    assert passwords.verify_password(owner.password_hash, DEMO_PASSWORD)
    before = db.session.scalar(db.select(db.func.count()).select_from(Admission))
    load_demo_data()
    assert db.session.scalar(db.select(db.func.count()).select_from(Admission)) == before == 6


def test_the_affiliate_officer_is_a_viewer_in_the_affiliate(app: Flask) -> None:
    load_demo_data()
    officer = user("affiliate.officer@example.org")
    assert officer.membership is not None
    assert officer.membership.role == Role.VIEWER
    assert officer.membership.organisation.membership_type == MembershipType.AFFILIATE


def test_the_demo_password_meets_the_password_rules() -> None:
    assert passwords.problem_with(DEMO_PASSWORD) is None


def test_the_demo_administrator_signs_in_with_the_password_and_the_fixed_code(
    client: FlaskClient,
) -> None:
    load_demo_data()
    admin = user("oldham.admin@example.org")
    assert admin.totp_secret == DEMO_TOTP_SECRET
    assert admin.totp_confirmed_at is not None

    step = client.post(
        "/sign-in", data={"email": "oldham.admin@example.org", "password": DEMO_PASSWORD}
    )
    assert step.headers["Location"].endswith("/sign-in/code")
    signed_in = client.post("/sign-in/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert signed_in.status_code == 302
    assert client.get("/admin/period").status_code == 200


def test_the_sign_ins_command_prints_each_account_the_password_and_the_code(app: Flask) -> None:
    load_demo_data()
    result = app.test_cli_runner().invoke(args=["demo", "sign-ins"])
    assert result.exit_code == 0, result.output
    for account in DEMO_ACCOUNTS:
        line = next(line for line in result.output.splitlines() if account.email in line)
        assert account.role.label in line
        assert account.organisation in line
    assert DEMO_PASSWORD in result.output
    assert DEMO_TOTP_SECRET in result.output
    assert re.search(r"code now: \d{6}", result.output)
    assert "not loaded" not in result.output


def test_the_load_command_says_what_it_did(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded" in first.output
    assert "already loaded" in runner.invoke(args=["demo", "load"]).output


def test_demo_data_is_refused_under_the_production_setting(tmp_path: Path) -> None:
    production = make_app(tmp_path, DEMO_ACCOUNTS_ALLOWED=False)
    with production.app_context():
        db.create_all()
        runner = production.test_cli_runner()
        for command in (["demo", "load"], ["demo", "sign-ins"]):
            result = runner.invoke(args=command)
            assert result.exit_code != 0
            assert "DPS_ENV=production" in result.output
        assert set(row_counts().values()) == {0}
        assert db.session.scalars(db.select(DPS)).first() is None
        db.session.remove()


def test_the_production_setting_turns_demo_accounts_off(tmp_path: Path) -> None:
    from dps.config import load_config

    env = {
        "DPS_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": "postgresql://dps@db/dps",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "REDIS_URL": "redis://redis:6379/0",
        "SMTP_HOST": "smtp.internal",
        "BASE_URL": "https://dps.example.org",
    }
    assert load_config(env)["DEMO_ACCOUNTS_ALLOWED"] is False
    development = load_config({"DPS_ENV": "development"}, instance_path=tmp_path)
    assert development["DEMO_ACCOUNTS_ALLOWED"] is True


def tameside_call_off(title: str) -> CallOff:
    tameside = organisation("Tameside Metropolitan Borough Council")
    return db.session.scalars(
        db.select(CallOff).where(CallOff.organisation_id == tameside.id, CallOff.title == title)
    ).one()


def test_loading_twice_adds_no_call_off_tender_or_email(app: Flask) -> None:
    load_demo_data()
    first = row_counts()
    assert first["call_offs"] == 2
    assert first["tenders"] == 2 and first["tender_declines"] == 1

    load_demo_data()

    assert row_counts() == first


def test_the_open_call_off_invites_every_admitted_supplier_with_its_deadline_ahead(
    app: Flask,
) -> None:
    before = utcnow()
    load_demo_data()
    call_off = tameside_call_off(OPEN.title)

    assert call_off.status == CallOffStatus.PUBLISHED
    assert call_off.lot.number == 1
    assert call_off.published_by_id == user("tameside.buyer@example.org").id
    invited = {invitation.organisation.name for invitation in publishing.invitations(call_off)}
    assert invited == set(ADMITTED_SUPPLIERS)
    assert call_off.tender_deadline is not None and call_off.clarification_deadline is not None
    deadline = call_off.tender_deadline.astimezone(LONDON)
    assert (deadline.hour, deadline.minute) == (17, 0)
    assert deadline.date() == before.astimezone(LONDON).date() + timedelta(days=21)
    assert call_off.clarification_deadline == call_off.tender_deadline - timedelta(days=7)
    assert call_off.clarification_deadline > utcnow()
    assert [q.kind for q in call_off.questions] == [
        QuestionKind.QUALITY,
        QuestionKind.QUALITY,
        QuestionKind.SOCIAL_VALUE,
    ]
    assert call_off.questions[2].theme in CCIN_PRINCIPLES
    assert len(call_off.price_lines) == 2
    # Every user of each invited supplier (its owner) has the invitation email, once.
    emails = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.EMAIL,
            OutboxMessage.dedupe_key.like(f"call-off-{call_off.id}-invitation-%"),
        )
    ).all()
    owners = [a.email for a in DEMO_ACCOUNTS if a.organisation in ADMITTED_SUPPLIERS]
    assert sorted(m.payload["to"] for m in emails) == sorted(owners)


def test_an_admitted_demo_supplier_can_answer_the_open_call_off(app: Flask) -> None:
    load_demo_data()
    call_off = tameside_call_off(OPEN.title)
    supplier = organisation("Participation Partners CIC")
    owner = user("participation-partners@example.org")

    assert supplier_view.tender_of(call_off.id, supplier.id) is None
    problems = tendering.save_draft(
        call_off.id,
        supplier.id,
        {q.id: "Our answer." for q in call_off.questions},
        {str(line.id): "£1,000" for line in call_off.price_lines},
        actor=owner,
        at=utcnow(),
    )
    assert problems == []
    sent = tendering.submit(call_off.id, supplier.id, actor=owner, at=utcnow())
    assert sent.status == TenderStatus.SUBMITTED


def test_the_closed_call_off_has_two_opened_tenders_and_a_decline_ready_for_evaluation(
    app: Flask,
) -> None:
    load_demo_data()
    load_demo_data()
    call_off = tameside_call_off(CLOSED.title)
    assert call_off.lot.number == 1
    assert call_off.status == CallOffStatus.CLOSED
    assert call_off.published_at is not None and call_off.tender_deadline is not None
    assert call_off.opened_at is not None
    assert call_off.published_at < call_off.tender_deadline < call_off.opened_at
    assert len(publishing.invitations(call_off)) == len(ADMITTED_SUPPLIERS)

    tenders = sealing.tenders_for_buyer(call_off, utcnow())
    assert [t.organisation.name for t in tenders] == [
        "Community Catalyst CIC",
        "Northern Co-operative Consultancy CIC",
    ]
    for tender in tenders:
        assert tender.status == TenderStatus.OPENED
        assert tender.submitted_at is not None
        assert call_off.published_at < tender.submitted_at < call_off.tender_deadline
        assert tender.snapshot_sha256 and len(tender.answers) == len(call_off.questions)
        assert len(tender.prices) == 2
    [decline] = sealing.declines_for_buyer(call_off, utcnow())
    assert decline.organisation_id == organisation("Participation Partners CIC").id
    assert decline.reason
    opened = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == sealing.OPENED_ACTION,
            AuditEvent.object_id == str(call_off.id),
        )
    ).all()
    assert len(opened) == 1


def test_the_closed_call_off_can_be_evaluated_by_a_panel_of_two_with_a_low_price_to_review(
    app: Flask,
) -> None:
    load_demo_data()
    call_off = tameside_call_off(CLOSED.title)
    panel = {(m.user.email, m.is_lead, m.declared_at) for m in call_off.panel}
    assert panel == {
        ("tameside.buyer@example.org", True, None),
        ("tameside.evaluator@example.org", False, None),
    }
    prices = {
        t.organisation.name: sum(p.amount_pence for p in t.prices)
        for t in sealing.tenders_for_buyer(call_off, utcnow())
    }
    by_id = {organisation(name).id: price for name, price in prices.items()}
    flagged = abnormally_low(by_id, call_off.abnormally_low_percent)
    assert flagged == {organisation("Community Catalyst CIC").id}
    # Both bidders can sign in to read their letters.
    for email in ("northern-coop@example.org", "community-catalyst@example.org"):
        assert user(email).active


def test_no_call_off_is_made_while_nobody_is_admitted_to_lot_1(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_data()
    everyone = {o.name: o for o in db.session.scalars(db.select(Organisation))}
    monkeypatch.setattr(demo_calloffs, "OPEN", replace(OPEN, title="Another open call-off"))
    lot = db.session.scalars(db.select(Lot).where(Lot.number == 1)).one()
    for admission in db.session.scalars(db.select(Admission).where(Admission.lot_id == lot.id)):
        admission.status = AdmissionStatus.SUSPENDED
    db.session.commit()
    count = db.session.scalar(db.select(db.func.count()).select_from(CallOff))

    assert demo_calloffs.load_demo_calloffs(everyone, utcnow()) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(CallOff)) == count

    # Once a supplier is admitted again, the next load makes it.
    admission.status = AdmissionStatus.ADMITTED
    db.session.commit()
    made = demo_calloffs.load_demo_calloffs(everyone, utcnow())
    assert "call-off 'Another open call-off' published, 1 invited" in made
